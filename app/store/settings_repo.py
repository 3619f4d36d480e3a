"""Vault settings: small key/value records that travel with the vault."""

from __future__ import annotations

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


def get(conn: Connection, key: str, default: str | None = None) -> str | None:
    """The stored value for ``key``, or ``default``."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def put(conn: Connection, ctx: WriteContext, key: str, value: str) -> None:
    """Create or change one setting (inside the caller's transaction)."""
    row = conn.execute("SELECT id FROM settings WHERE key = ?", (key,)).fetchone()
    if row:
        records.update(conn, ctx, "settings", row[0], {"value": value})
    else:
        records.insert(conn, ctx, "settings", {"key": key, "value": value})
