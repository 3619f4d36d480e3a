"""Participant roles: an editable list, seeded with the defaults of schema 3."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class Role:
    """A stored role. ``key`` is set for seeded roles (their name is translatable)."""

    id: str
    key: str | None
    name: str
    position: int


_COLUMNS = "id, key, name, position"


def list_all(conn: Connection) -> list[Role]:
    """All roles in list order."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM roles ORDER BY position, name").fetchall()
    return [Role(*row) for row in rows]


def add(conn: Connection, ctx: WriteContext, name: str) -> str:
    """Add a role at the end of the list; returns its id."""
    row = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM roles").fetchone()
    return records.insert(conn, ctx, "roles", {"name": name, "position": int(row[0])})


def rename(conn: Connection, ctx: WriteContext, role_id: str, name: str) -> bool:
    """Rename a role; True if it existed."""
    return records.update(conn, ctx, "roles", role_id, {"name": name})
