"""School-holiday periods: configurable date ranges per vault."""

from __future__ import annotations

from datetime import date

from app.domain.calendar_model import DateRange
from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


def add(conn: Connection, ctx: WriteContext, period: DateRange, name: str = "") -> str:
    """Add a school-holiday period; returns its id."""
    return records.insert(
        conn,
        ctx,
        "school_holidays",
        {"name": name, "first_day": period.first.isoformat(), "last_day": period.last.isoformat()},
    )


def list_all(conn: Connection) -> list[tuple[str, str, DateRange]]:
    """(id, name, period) of every school-holiday period, by start."""
    rows = conn.execute(
        "SELECT id, name, first_day, last_day FROM school_holidays ORDER BY first_day, id"
    )
    return [
        (rid, name, DateRange(date.fromisoformat(first), date.fromisoformat(last)))
        for rid, name, first, last in rows
    ]
