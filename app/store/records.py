"""Generic writes for record tables (UUID id, timestamps, last writer).

Every record table carries the same four bookkeeping columns; this module
fills them so repositories only name their own fields. The change log is
appended by triggers (see migrations/0001_foundation.sql), not here, so no
write can bypass it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, iso_utc
from app.store.connection import Connection

_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class WriteContext:
    """Who writes and when: the vault id and the clock."""

    vault_id: str
    clock: Clock

    def now(self) -> str:
        """The current time as a stored timestamp."""
        return iso_utc(self.clock())


def _ident(name: str) -> str:
    # Table and column names cannot be bound parameters; allow only plain identifiers.
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def new_id() -> str:
    """A fresh record id (random UUID4, text form)."""
    return str(uuid.uuid4())


def insert(
    conn: Connection,
    ctx: WriteContext,
    table: str,
    values: Mapping[str, Any],
    record_id: str | None = None,
) -> str:
    """Insert one record and return its id."""
    rid = record_id or new_id()
    now = ctx.now()
    row = {
        **values,
        "id": rid,
        "created_at": now,
        "updated_at": now,
        "writer_vault_id": ctx.vault_id,
    }
    cols = ", ".join(_ident(c) for c in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {_ident(table)} ({cols}) VALUES ({marks})", tuple(row.values()))
    return rid


def update(
    conn: Connection, ctx: WriteContext, table: str, record_id: str, values: Mapping[str, Any]
) -> bool:
    """Update fields of one record; True if it existed."""
    row = {**values, "updated_at": ctx.now(), "writer_vault_id": ctx.vault_id}
    sets = ", ".join(f"{_ident(c)} = ?" for c in row)
    cur = conn.execute(
        f"UPDATE {_ident(table)} SET {sets} WHERE id = ?", (*row.values(), record_id)
    )
    return bool(cur.rowcount)


def delete(conn: Connection, table: str, record_id: str) -> bool:
    """Delete one record; True if it existed."""
    cur = conn.execute(f"DELETE FROM {_ident(table)} WHERE id = ?", (record_id,))
    return bool(cur.rowcount)
