from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import (
    VaultDamaged,
    VaultExists,
    VaultInUse,
    VaultLocked,
    VaultMissing,
    WeakPassphrase,
    WrongSecret,
)
from app.store import districts_repo
from app.store.vault import VaultDirectory
from tests.helpers.vaults import PASSPHRASE, open_directory


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def make_vault(root: Path) -> str:
    with open_directory(root) as directory:
        created = directory.create(PASSPHRASE, "NO")
        with created.vault.transaction() as conn:
            districts_repo.add(conn, created.vault.ctx, "Skien sentrum")
        created.vault.close()
        return created.recovery_code


def test_create_then_unlock_keeps_data_and_country(vault_dir: Path) -> None:
    make_vault(vault_dir)
    assert oct(vault_dir.stat().st_mode & 0o777) == "0o700"
    for name in ("vault.db", "vault.key"):
        assert oct((vault_dir / name).stat().st_mode & 0o777) == "0o600"
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        assert vault.country == "NO"
        assert [d.name for d in districts_repo.list_all(vault.conn)] == ["Skien sentrum"]


def test_create_refuses_weak_passphrase_and_existing_vault(vault_dir: Path) -> None:
    with open_directory(vault_dir) as directory:
        with pytest.raises(WeakPassphrase, match="12"):
            directory.create("short", "DK")
        assert not directory.exists()
        directory.create(PASSPHRASE, "DK").vault.close()
        with pytest.raises(VaultExists):
            directory.create(PASSPHRASE, "DK")


def test_wrong_passphrase_changes_nothing_on_disk(vault_dir: Path) -> None:
    make_vault(vault_dir)
    before = snapshot(vault_dir)
    with open_directory(vault_dir, sleep=lambda s: None) as directory:
        with pytest.raises(WrongSecret, match="^The passphrase is wrong.$"):
            directory.unlock("this is not the passphrase")
    assert snapshot(vault_dir) == before


def test_wrong_attempts_after_the_third_wait_longer(vault_dir: Path) -> None:
    make_vault(vault_dir)
    waits: list[float] = []
    with open_directory(vault_dir, sleep=waits.append) as directory:
        for _ in range(6):
            with pytest.raises(WrongSecret):
                directory.unlock("this is not the passphrase")
        assert waits == [0.5, 1.0, 1.5]
        directory.unlock(PASSPHRASE).close()
        with pytest.raises(WrongSecret):
            directory.unlock("this is not the passphrase")
        assert waits == [0.5, 1.0, 1.5]  # a success resets the count


def test_recovery_code_unlocks_and_sets_new_passphrase(vault_dir: Path) -> None:
    code = make_vault(vault_dir)
    with open_directory(vault_dir) as directory:
        with pytest.raises(WeakPassphrase):
            directory.unlock_with_recovery_code(code, "short")
        vault = directory.unlock_with_recovery_code(code.lower(), "a brand new passphrase")
        assert [d.name for d in districts_repo.list_all(vault.conn)] == ["Skien sentrum"]
        vault.close()
        with pytest.raises(WrongSecret):
            directory.unlock(PASSPHRASE)
        directory.unlock("a brand new passphrase").close()
        # The recovery code keeps working after a passphrase change.
        directory.unlock_with_recovery_code(code, "yet another passphrase").close()


def test_passphrase_change_does_not_rewrite_the_database(vault_dir: Path) -> None:
    make_vault(vault_dir)
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db_before = (vault_dir / "vault.db").read_bytes()
        key_before = (vault_dir / "vault.key").read_bytes()
        vault.change_passphrase("a different passphrase")
        assert (vault_dir / "vault.db").read_bytes() == db_before
        assert (vault_dir / "vault.key").read_bytes() != key_before
        with pytest.raises(WeakPassphrase):
            vault.change_passphrase("tiny")
        vault.close()
        directory.unlock("a different passphrase").close()


def test_second_holder_of_the_directory_is_refused(vault_dir: Path) -> None:
    make_vault(vault_dir)
    with open_directory(vault_dir):
        with pytest.raises(VaultInUse, match="already open"):
            open_directory(vault_dir)
    open_directory(vault_dir).release()  # free again once released


def test_unlock_without_vault_says_how_to_create_one(tmp_path: Path) -> None:
    with open_directory(tmp_path / "empty") as directory:
        with pytest.raises(VaultMissing, match="samraad init"):
            directory.unlock(PASSPHRASE)


def test_missing_database_is_reported_and_never_recreated(vault_dir: Path) -> None:
    make_vault(vault_dir)
    (vault_dir / "vault.db").unlink()
    with open_directory(vault_dir) as directory:
        with pytest.raises(VaultDamaged, match="missing"):
            directory.unlock(PASSPHRASE)
    assert not (vault_dir / "vault.db").exists()


@pytest.mark.parametrize("damage", ["flip_page_2", "truncate_half"])
def test_damaged_database_is_detected_and_nothing_replaces_it(vault_dir: Path, damage: str) -> None:
    make_vault(vault_dir)
    db = vault_dir / "vault.db"
    data = bytearray(db.read_bytes())
    if damage == "flip_page_2":
        data[4096 + 100] ^= 0xFF
    else:
        data = data[: len(data) // 2]
    db.write_bytes(bytes(data))
    with open_directory(vault_dir) as directory:
        with pytest.raises(VaultDamaged) as caught:
            vault = directory.unlock(PASSPHRASE)
            # Opening may succeed when page 1 is intact; the checks must then fail.
            report = vault.self_test()
            vault.close(auto_backup=False)
            assert not report.ok
            assert report.cipher_problems or report.integrity != ("ok",)
            raise VaultDamaged("samraad restore: detected by self-test")
    assert "samraad restore" in caught.value.message
    assert db.is_file() and not db.read_bytes().startswith(b"SQLite format 3")


def test_damage_message_points_at_the_newest_backup(vault_dir: Path) -> None:
    make_vault(vault_dir)
    db = vault_dir / "vault.db"
    data = bytearray(db.read_bytes())
    data[4096 + 100] ^= 0xFF
    db.write_bytes(bytes(data))
    with open_directory(vault_dir) as directory:
        with pytest.raises(VaultDamaged, match=r"backups/auto-.*samraad-backup"):
            directory.unlock(PASSPHRASE)
    assert db.read_bytes() == bytes(data)


def test_closed_vault_refuses_queries_and_drops_the_key(vault_dir: Path) -> None:
    make_vault(vault_dir)
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        vault.close()
        with pytest.raises(VaultLocked):
            _ = vault.conn
        with pytest.raises(VaultLocked):
            vault.database_key()
        vault.close()  # idempotent


def test_release_locks_an_open_session(vault_dir: Path) -> None:
    make_vault(vault_dir)
    directory = open_directory(vault_dir)
    vault = directory.unlock(PASSPHRASE)
    directory.release()
    assert not vault.is_open


def test_interrupted_creation_is_cleaned_up(vault_dir: Path) -> None:
    # Killed after the database was built but before the key file existed.
    vault_dir.mkdir()
    (vault_dir / "vault.db.new").write_bytes(b"half-made")
    with open_directory(vault_dir) as directory:
        assert not directory.exists()
        assert not (vault_dir / "vault.db.new").exists()
        directory.create(PASSPHRASE, "DK").vault.close()


def test_interrupted_creation_after_key_file_completes(vault_dir: Path) -> None:
    make_vault(vault_dir)
    (vault_dir / "vault.db").rename(vault_dir / "vault.db.new")
    with open_directory(vault_dir) as directory:
        directory.unlock(PASSPHRASE).close()


def test_stale_temp_files_of_a_dead_process_are_removed(vault_dir: Path) -> None:
    make_vault(vault_dir)
    stale = vault_dir / ".vault.key.tmp.99999"
    stale.write_bytes(b"partial")
    with open_directory(vault_dir):
        assert not stale.exists()


def test_directory_that_cannot_be_made_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(VaultMissing, match="cannot be created"):
        VaultDirectory.open(blocker / "vault")
