"""Districts: a school and the day-care sites in its catchment."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class District:
    """A stored district."""

    id: str
    name: str


def add(conn: Connection, ctx: WriteContext, name: str) -> str:
    """Add a district; returns its id."""
    return records.insert(conn, ctx, "districts", {"name": name})


def rename(conn: Connection, ctx: WriteContext, district_id: str, name: str) -> bool:
    """Rename a district; True if it existed."""
    return records.update(conn, ctx, "districts", district_id, {"name": name})


def list_all(conn: Connection) -> list[District]:
    """All districts by name."""
    rows = conn.execute("SELECT id, name FROM districts ORDER BY name, id").fetchall()
    return [District(*row) for row in rows]


def get(conn: Connection, district_id: str) -> District | None:
    """One district by id."""
    row = conn.execute("SELECT id, name FROM districts WHERE id = ?", (district_id,)).fetchone()
    return District(*row) if row else None
