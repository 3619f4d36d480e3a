"""Sites: day-care centres, family day-care, schools and other meeting places."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class Site:
    """A stored site with its district's name."""

    id: str
    name: str
    kind: str
    district_id: str | None
    district: str
    address: str
    leader: str


_SELECT = (
    "SELECT s.id, s.name, s.kind, s.district_id, COALESCE(d.name, ''), s.address, s.leader"
    " FROM sites s LEFT JOIN districts d ON d.id = s.district_id"
)


def add(
    conn: Connection,
    ctx: WriteContext,
    name: str,
    kind: str,
    district_id: str | None,
    address: str = "",
    leader: str = "",
) -> str:
    """Add a site; returns its id."""
    return records.insert(
        conn,
        ctx,
        "sites",
        {
            "name": name,
            "kind": kind,
            "district_id": district_id,
            "address": address,
            "leader": leader,
        },
    )


def list_all(conn: Connection) -> list[Site]:
    """All sites, by district then name."""
    rows = conn.execute(_SELECT + " ORDER BY COALESCE(d.name, ''), s.name, s.id").fetchall()
    return [Site(*row) for row in rows]


def get(conn: Connection, site_id: str) -> Site | None:
    """One site by id."""
    row = conn.execute(_SELECT + " WHERE s.id = ?", (site_id,)).fetchone()
    return Site(*row) if row else None


def names(conn: Connection) -> dict[str, str]:
    """Site name (case-folded) → id, for matching imported rows."""
    return {name.casefold(): sid for sid, name in conn.execute("SELECT id, name FROM sites")}
