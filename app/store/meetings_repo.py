"""Meetings: stored occurrences of series and single meetings."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class MeetingRow:
    """A stored meeting joined with its site and forum names. Times are UTC text."""

    id: str
    series_id: str | None
    occurrence_key: str | None
    forum_id: str
    forum_kind: str
    forum_name: str
    site_id: str
    site_name: str
    start_utc: str
    end_utc: str
    status: str
    detached: bool
    moved_from: str | None
    note: str
    sequence: int
    updated_at: str


_SELECT = (
    "SELECT m.id, m.series_id, m.occurrence_key, m.forum_id, f.kind, f.name, m.site_id, s.name,"
    " m.start_utc, m.end_utc, m.status, m.detached, m.moved_from, m.note, m.sequence,"
    " m.updated_at"
    " FROM meetings m JOIN forums f ON f.id = m.forum_id JOIN sites s ON s.id = m.site_id"
)


def _row(values: tuple[object, ...]) -> MeetingRow:
    items = list(values)
    items[11] = bool(items[11])
    return MeetingRow(*items)  # type: ignore[arg-type]


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Insert one meeting; returns its id."""
    return records.insert(conn, ctx, "meetings", fields)


def update(conn: Connection, ctx: WriteContext, meeting_id: str, **fields: object) -> bool:
    """Change fields of one meeting."""
    return records.update(conn, ctx, "meetings", meeting_id, fields)


def delete(conn: Connection, meeting_id: str) -> bool:
    """Remove one meeting (the change log keeps a tombstone)."""
    return records.delete(conn, "meetings", meeting_id)


def get(conn: Connection, meeting_id: str) -> MeetingRow | None:
    """One meeting by id."""
    row = conn.execute(_SELECT + " WHERE m.id = ?", (meeting_id,)).fetchone()
    return _row(row) if row else None


def between(conn: Connection, first_utc: str, last_utc: str) -> list[MeetingRow]:
    """Meetings starting in ``[first_utc, last_utc)``, by start."""
    rows = conn.execute(
        _SELECT + " WHERE m.start_utc >= ? AND m.start_utc < ? ORDER BY m.start_utc, m.id",
        (first_utc, last_utc),
    )
    return [_row(row) for row in rows]


def of_series(conn: Connection, series_id: str) -> list[MeetingRow]:
    """Every stored occurrence of one series, by start."""
    rows = conn.execute(_SELECT + " WHERE m.series_id = ? ORDER BY m.start_utc, m.id", (series_id,))
    return [_row(row) for row in rows]


def agenda_item_counts(conn: Connection, meeting_ids: list[str]) -> dict[str, int]:
    """Agenda items per meeting id; meetings without items are absent."""
    if not meeting_ids:
        return {}
    counts: dict[str, int] = {}
    # Chunked: SQLite caps the number of bound parameters per statement.
    for start in range(0, len(meeting_ids), 500):
        chunk = meeting_ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        rows = conn.execute(
            f"SELECT meeting_id, COUNT(*) FROM agenda_items WHERE meeting_id IN ({marks})"
            " GROUP BY meeting_id",
            chunk,
        )
        counts.update({mid: int(n) for mid, n in rows})
    return counts
