"""Meeting series: a forum at a site on a recurrence rule."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class Series:
    """A stored series. ``first_start`` is naive local time, ``YYYY-MM-DDTHH:MM``."""

    id: str
    forum_id: str
    site_id: str
    rrule: str
    first_start: str
    duration_minutes: int
    holiday_policy: str
    school_holiday_policy: str
    ends_on: str | None
    generated_until: str | None


_SELECT = (
    "SELECT id, forum_id, site_id, rrule, first_start, duration_minutes, holiday_policy,"
    " school_holiday_policy, ends_on, generated_until FROM series"
)


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Add a series; returns its id."""
    return records.insert(conn, ctx, "series", fields)


def update(conn: Connection, ctx: WriteContext, series_id: str, **fields: object) -> bool:
    """Change fields of a series."""
    return records.update(conn, ctx, "series", series_id, fields)


def get(conn: Connection, series_id: str) -> Series | None:
    """One series by id."""
    row = conn.execute(_SELECT + " WHERE id = ?", (series_id,)).fetchone()
    return Series(*row) if row else None


def list_all(conn: Connection) -> list[Series]:
    """All series."""
    return [Series(*row) for row in conn.execute(_SELECT + " ORDER BY first_start, id")]


def set_sites(conn: Connection, ctx: WriteContext, series_id: str, site_ids: list[str]) -> None:
    """Replace the other sites taking part in a series (besides its meeting site)."""
    for (row_id,) in conn.execute(
        "SELECT id FROM series_sites WHERE series_id = ?", (series_id,)
    ).fetchall():
        records.delete(conn, "series_sites", row_id)
    for site_id in dict.fromkeys(site_ids):
        records.insert(conn, ctx, "series_sites", {"series_id": series_id, "site_id": site_id})


def sites(conn: Connection, series_id: str) -> list[str]:
    """The other sites taking part in a series."""
    rows = conn.execute(
        "SELECT site_id FROM series_sites WHERE series_id = ? ORDER BY site_id", (series_id,)
    )
    return [row[0] for row in rows]
