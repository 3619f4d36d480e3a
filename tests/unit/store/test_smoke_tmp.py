from pathlib import Path
from tests.helpers.vaults import PASSPHRASE, open_directory
from app.store import districts_repo

def test_smoke(tmp_path: Path) -> None:
    d = open_directory(tmp_path / "v")
    c = d.create(PASSPHRASE, "DK")
    v = c.vault
    with v.transaction() as conn:
        districts_repo.add(conn, v.ctx, "Nordby")
    v.close()
    v2 = d.unlock(PASSPHRASE)
    assert [x.name for x in districts_repo.list_all(v2.conn)] == ["Nordby"]
    assert v2.self_test().ok
    v2.close()
    print(sorted(p.name for p in (tmp_path/"v").rglob("*")))
    d.release()
