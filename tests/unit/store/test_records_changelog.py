from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app.store import districts_repo, records, settings_repo
from app.store.records import WriteContext
from app.store.vault import Vault


def changes(vault: Vault) -> list[tuple[str, str, str, str]]:
    return vault.conn.execute(
        "SELECT table_name, record_id, op, vault_id FROM change_log ORDER BY seq"
    ).fetchall()


def test_insert_update_delete_are_logged_in_order_with_the_writer(vault: Vault) -> None:
    with vault.transaction() as conn:
        rid = districts_repo.add(conn, vault.ctx, "Nordby")
    with vault.transaction() as conn:
        districts_repo.rename(conn, vault.ctx, rid, "Nordby Skoledistrikt")
    with vault.transaction() as conn:
        records.delete(conn, "districts", rid)
    log = [c for c in changes(vault) if c[0] == "districts"]
    assert log == [
        ("districts", rid, "insert", vault.vault_id),
        ("districts", rid, "update", vault.vault_id),
        ("districts", rid, "delete", vault.vault_id),
    ]
    seqs = [r[0] for r in vault.conn.execute("SELECT seq FROM change_log ORDER BY seq")]
    assert seqs == sorted(set(seqs))


def test_records_get_uuid_timestamps_and_writer(vault: Vault) -> None:
    fixed = WriteContext(vault.vault_id, lambda: datetime(2026, 11, 23, 9, 30, 5, 123456, UTC))
    with vault.transaction() as conn:
        rid = districts_repo.add(conn, fixed, "Sydby")
    row = vault.conn.execute(
        "SELECT id, created_at, updated_at, writer_vault_id FROM districts WHERE id = ?", (rid,)
    ).fetchone()
    assert re.fullmatch(r"[0-9a-f-]{36}", row[0])
    assert row[1] == row[2] == "2026-11-23T09:30:05.123Z"
    assert row[3] == vault.vault_id


def test_a_failed_transaction_leaves_neither_rows_nor_log(vault: Vault) -> None:
    before = changes(vault)
    with pytest.raises(RuntimeError), vault.transaction() as conn:
        districts_repo.add(conn, vault.ctx, "Half")
        settings_repo.put(conn, vault.ctx, "k", "v")
        raise RuntimeError("power cut")
    assert changes(vault) == before
    assert districts_repo.list_all(vault.conn) == []


def test_settings_put_updates_in_place(vault: Vault) -> None:
    with vault.transaction() as conn:
        settings_repo.put(conn, vault.ctx, "idle_lock_minutes", "5")
        settings_repo.put(conn, vault.ctx, "idle_lock_minutes", "10")
    assert settings_repo.get(vault.conn, "idle_lock_minutes") == "10"
    assert settings_repo.get(vault.conn, "absent", "d") == "d"
    ops = [c[2] for c in changes(vault) if c[0] == "settings"]
    assert ops == ["insert", "update"]


def test_identifiers_cannot_be_injected(vault: Vault) -> None:
    with pytest.raises(ValueError), vault.transaction() as conn:
        records.insert(conn, vault.ctx, "districts; DROP TABLE districts", {"name": "x"})
