from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.errors import VaultTooNew
from app.store import audit, migrate, settings_repo
from app.store.connection import open_database
from app.store.vault import Vault
from tests.helpers.vaults import open_directory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SCHEMA1 = FIXTURES / "vault-schema1"
SCHEMA1_PASSPHRASE = "fixture passphrase one"


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [m.version for m in migrate.available()]
    assert versions == list(range(1, len(versions) + 1))
    assert migrate.latest_version() >= 2


def test_schema1_fixture_upgrades_to_latest_and_keeps_its_data(tmp_path: Path) -> None:
    target = tmp_path / "old"
    shutil.copytree(SCHEMA1, target)
    directory = open_directory(target)
    try:
        vault = directory.unlock(SCHEMA1_PASSPHRASE)
        assert vault.schema_version() == migrate.latest_version()
        assert settings_repo.get(vault.conn, "idle_lock_minutes") == "5"
        actions = [e.action for e in audit.entries(vault.conn)]
        assert actions[:3] == ["vault.created", "vault.migrated", "vault.unlocked"]
        assert vault.self_test().ok
        # The new tables work and feed the change log like every record table.
        with vault.transaction() as conn:
            conn.execute(
                "INSERT INTO districts (id, name, created_at, updated_at, writer_vault_id)"
                " VALUES ('d1', 'Nord', 'x', 'x', 'v')"
            )
        assert vault.change_seq() >= 1
    finally:
        directory.release()


def test_schema1_fixture_is_still_schema1() -> None:
    # Guard: regenerating the fixture with a newer schema would void the test above.
    work = Path(SCHEMA1 / "vault.db")
    assert work.stat().st_size > 0
    from app.store import keyfile

    kf = keyfile.read(SCHEMA1 / "vault.key")
    key = keyfile.unwrap_with_passphrase(kf, SCHEMA1_PASSPHRASE)
    copy = Path(str(work) + ".probe")
    try:
        shutil.copy(work, copy)
        conn = open_database(copy, key)
        assert migrate.schema_version(conn) == 1
        conn.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


def test_vault_from_newer_version_is_refused(vault: Vault) -> None:
    vault.conn.execute(f"PRAGMA user_version = {migrate.latest_version() + 1}")
    directory = vault.directory
    vault.close(auto_backup=False)
    with pytest.raises(VaultTooNew, match="newer version"):
        directory.unlock("correct horse battery staple")


def test_failing_migration_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = open_database(tmp_path / "m.db", bytes(32), create=True)
    migrate.upgrade(conn, target=1)
    broken = migrate.Migration(2, "0002_broken.sql", "CREATE TABLE half (x); SELECT * FROM nope;")
    first = migrate.available()[0]
    monkeypatch.setattr(migrate, "available", lambda: [first, broken])
    with pytest.raises(Exception, match="no such table"):
        migrate.upgrade(conn)
    assert migrate.schema_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half" not in tables
    assert not conn.in_transaction
    conn.close()


def test_record_table_directive_expands_to_the_three_change_log_triggers() -> None:
    sql = migrate.expand("CREATE TABLE t (id TEXT);\n-- samraad:record-table t\n")
    assert sql.count("CREATE TRIGGER t_log_") == 3
    directive = re.compile(r"^-- samraad:record-table", re.MULTILINE)
    assert not directive.search(sql)
    for migration in migrate.available():
        assert not directive.search(migration.sql), migration.name
