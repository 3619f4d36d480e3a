from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import VaultDamaged
from app.store.connection import key_pragma_value, open_database

KEY = bytes(range(32))


def test_created_database_is_encrypted_and_keyed(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    conn = open_database(path, KEY, create=True)
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("INSERT INTO t VALUES ('Zqplantedvalue')")
    assert conn.execute("PRAGMA cipher_version").fetchone()[0]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    conn.close()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert b"Zqplantedvalue" not in path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()


def test_wrong_key_is_refused_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    open_database(path, KEY, create=True).close()
    before = path.read_bytes()
    with pytest.raises(VaultDamaged):
        open_database(path, bytes(32))
    assert path.read_bytes() == before


def test_missing_file_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    with pytest.raises(VaultDamaged, match="missing"):
        open_database(path, KEY)
    assert not path.exists()


def test_plain_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (v)")
    plain.commit()
    plain.close()
    with pytest.raises(VaultDamaged, match="not encrypted"):
        open_database(path, KEY)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"something")
    with pytest.raises(ValueError):
        open_database(path, KEY, create=True)
    assert path.read_bytes() == b"something"


def test_key_must_be_exactly_32_bytes() -> None:
    assert key_pragma_value(KEY) == "\"x'" + KEY.hex() + "'\""
    for bad in (b"", bytes(31), bytes(33)):
        with pytest.raises(ValueError):
            key_pragma_value(bad)
