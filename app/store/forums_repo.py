"""Forums: the kinds of meeting, with their defaults (seeded in schema 3)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class Forum:
    """A stored forum. ``chair``/``minutes_by`` are role keys or ``advisor``."""

    id: str
    kind: str
    name: str
    default_rrule: str | None
    default_duration_minutes: int
    chair: str
    minutes_by: str
    participant_roles: tuple[str, ...]
    max_gap_days: int | None
    school_holiday_policy: str


_SELECT = (
    "SELECT id, kind, name, default_rrule, default_duration_minutes, chair, minutes_by,"
    " participant_roles, max_gap_days, school_holiday_policy FROM forums"
)


def _forum(row: tuple[object, ...]) -> Forum:
    values = list(row)
    values[7] = tuple(json.loads(str(values[7])))
    return Forum(*values)  # type: ignore[arg-type]


def list_all(conn: Connection) -> list[Forum]:
    """All forums."""
    return [_forum(row) for row in conn.execute(_SELECT + " ORDER BY name, id").fetchall()]


def get(conn: Connection, forum_id: str) -> Forum | None:
    """One forum by id."""
    row = conn.execute(_SELECT + " WHERE id = ?", (forum_id,)).fetchone()
    return _forum(row) if row else None


def by_kind(conn: Connection, kind: str) -> Forum | None:
    """The first forum of a kind (the seeded one unless the advisor added another)."""
    row = conn.execute(_SELECT + " WHERE kind = ? ORDER BY created_at, id LIMIT 1", (kind,))
    found = row.fetchone()
    return _forum(found) if found else None


def update(conn: Connection, ctx: WriteContext, forum_id: str, **fields: object) -> bool:
    """Change a forum's defaults (e.g. the day-care consultation to every 4th Monday)."""
    values = dict(fields)
    if "participant_roles" in values:
        values["participant_roles"] = json.dumps(list(values["participant_roles"]))  # type: ignore[call-overload]
    return records.update(conn, ctx, "forums", forum_id, values)
