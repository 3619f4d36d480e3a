from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import BadBackup, WrongSecret
from app.store import backup, districts_repo, restore
from app.store.layout import VaultLayout
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory


def rows(vault: Vault) -> list[tuple[object, ...]]:
    return vault.conn.execute("SELECT * FROM districts ORDER BY id").fetchall()


def fill(vault: Vault, n: int = 20) -> None:
    with vault.transaction() as conn:
        for i in range(n):
            districts_repo.add(conn, vault.ctx, f"District {i} æøå")


def test_backup_restores_identical_rows_into_a_new_directory(vault: Vault, tmp_path: Path) -> None:
    fill(vault)
    expected = rows(vault)
    out = tmp_path / "b.samraad-backup"
    header = vault.backup_to(out)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert header.vault_id == vault.vault_id
    with open_directory(tmp_path / "restored") as target:
        target.restore(out, passphrase=PASSPHRASE)
        restored = target.unlock(PASSPHRASE)
        assert rows(restored) == expected
        assert restored.vault_id == vault.vault_id
        assert restored.self_test().ok


def test_backup_contains_no_plaintext(vault: Vault, tmp_path: Path) -> None:
    with vault.transaction() as conn:
        districts_repo.add(conn, vault.ctx, "Xylophoneplanted Vesterbro")
    out = tmp_path / "b.samraad-backup"
    vault.backup_to(out)
    assert b"Xylophoneplanted" not in out.read_bytes()
    assert vault.database_key() not in out.read_bytes()


def test_restore_with_wrong_passphrase_changes_nothing(vault: Vault, tmp_path: Path) -> None:
    out = tmp_path / "b.samraad-backup"
    vault.backup_to(out)
    target_dir = tmp_path / "target"
    with open_directory(target_dir) as target:
        with pytest.raises(WrongSecret):
            target.restore(out, passphrase="not the right passphrase")
        assert sorted(p.name for p in target_dir.iterdir()) == ["vault.lock"]


@pytest.mark.parametrize("damage", ["truncate", "flip_body", "flip_header", "junk", "empty"])
def test_damaged_backups_are_refused_whole(vault: Vault, tmp_path: Path, damage: str) -> None:
    fill(vault, 5)
    out = tmp_path / "b.samraad-backup"
    vault.backup_to(out)
    data = bytearray(out.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip_body":
        data[-50] ^= 0x01
    elif damage == "flip_header":
        data[30] ^= 0x20
    elif damage == "junk":
        data = bytearray(b"PK\x03\x04 not a backup" * 100)
    else:
        data = bytearray()
    out.write_bytes(bytes(data))
    target_dir = tmp_path / "target"
    with open_directory(target_dir) as target:
        with pytest.raises((BadBackup, WrongSecret)):
            target.restore(out, passphrase=PASSPHRASE)
        assert not target.exists()
        assert sorted(p.name for p in target_dir.iterdir()) == ["vault.lock"]


def test_restore_over_a_vault_sets_the_old_one_aside(vault: Vault, tmp_path: Path) -> None:
    fill(vault, 3)
    out = tmp_path / "b.samraad-backup"
    vault.backup_to(out)
    fill(vault, 2)  # changes after the backup: they must survive somewhere
    directory = vault.directory
    vault.close()
    directory.restore(out, passphrase=PASSPHRASE)
    aside = list((directory.layout.backups).glob("replaced-*/vault.db"))
    assert len(aside) == 1
    restored = directory.unlock(PASSPHRASE)
    assert len(rows(restored)) == 3


def ticking_clock() -> object:
    moments = iter(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i) for i in range(10_000))
    return lambda: next(moments)


def test_automatic_backups_rotate_and_skip_unchanged_state(tmp_path: Path) -> None:
    root = tmp_path / "v"
    with open_directory(root, clock=ticking_clock()) as directory:
        directory.create(PASSPHRASE, "DK").vault.close()
        assert len(backup.auto_backups(root / "backups")) == 1
        vault = directory.unlock(PASSPHRASE)
        vault.close()  # nothing changed: no new backup
        assert len(backup.auto_backups(root / "backups")) == 1
        for _ in range(9):
            vault = directory.unlock(PASSPHRASE)
            fill(vault, 1)
            vault.close()
        kept = backup.auto_backups(root / "backups")
        assert len(kept) == backup.AUTO_KEEP
        newest = backup.read_header(kept[-1]).header
        assert newest.change_seq == max(backup.read_header(p).header.change_seq for p in kept)


def test_interrupted_restore_without_marker_is_discarded(vault: Vault, tmp_path: Path) -> None:
    fill(vault, 2)
    directory = vault.directory
    vault.close()
    layout = directory.layout
    layout.restore_db.write_bytes(b"partial restore")
    restore.finish_pending(layout)
    assert not layout.restore_db.exists()
    assert len(rows(directory.unlock(PASSPHRASE))) == 2


@pytest.mark.parametrize("crash_after", ["marker", "db_aside", "db_placed"])
def test_decided_restore_finishes_after_a_crash_at_any_step(
    vault: Vault, tmp_path: Path, crash_after: str
) -> None:
    fill(vault, 4)
    out = tmp_path / "b.samraad-backup"
    vault.backup_to(out)
    fill(vault, 6)
    directory = vault.directory
    vault.close()
    layout: VaultLayout = directory.layout
    parsed = backup.read_header(out)
    backup.extract_database(parsed, layout.restore_db)
    from app.store import keyfile

    keyfile.write(layout.restore_keyfile, parsed.header.keyfile)
    restore.stage(layout, "T1")
    aside = layout.backups / "replaced-T1"
    # Simulate the moves a killed process had already made.
    if crash_after in ("db_aside", "db_placed"):
        aside.mkdir(parents=True)
        layout.db.replace(aside / "vault.db")
    if crash_after == "db_placed":
        layout.restore_db.replace(layout.db)
    directory.release()
    with open_directory(layout.root) as again:  # opening finishes the restore
        assert not layout.restore_marker.exists()
        restored = again.unlock(PASSPHRASE)
        assert len(rows(restored)) == 4
        assert (aside / "vault.db").exists()


def test_prune_keeps_newest(tmp_path: Path) -> None:
    for i in range(10):
        (tmp_path / f"auto-2026110{i}T000000000Z.samraad-backup").write_bytes(b"x")
    doomed = backup.prune_auto_backups(tmp_path, keep=3)
    assert len(doomed) == 7
    assert [p.name[5:14] for p in backup.auto_backups(tmp_path)] == [
        "20261107T",
        "20261108T",
        "20261109T",
    ]


def test_manual_backup_inside_the_vault_folder_is_refused(vault: Vault) -> None:
    from app.errors import BadInput

    root = vault.directory.layout.root
    for target in (root / "vault.db", root / "backups" / "x.samraad-backup"):
        with pytest.raises(BadInput, match="outside"):
            vault.backup_to(target)
    assert vault.self_test().ok
