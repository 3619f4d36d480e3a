"""Agenda items: the ordered case and general items of one meeting."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class AgendaItemRow:
    """A stored agenda item."""

    id: str
    meeting_id: str
    position: int
    kind: str
    case_id: str | None
    title: str
    notes: str
    minutes: int
    sl49a: bool
    leak_override: str | None
    sl49a_surname: str | None
    sl49a_birth_date: str | None


_COLUMNS = (
    "id, meeting_id, position, kind, case_id, title, notes, minutes, sl49a, leak_override,"
    " sl49a_surname, sl49a_birth_date"
)


def _row(values: tuple[object, ...]) -> AgendaItemRow:
    items = list(values)
    items[8] = bool(items[8])
    return AgendaItemRow(*items)  # type: ignore[arg-type]


def of_meeting(conn: Connection, meeting_id: str) -> list[AgendaItemRow]:
    """A meeting's items in order."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM agenda_items WHERE meeting_id = ? ORDER BY position, id",
        (meeting_id,),
    )
    return [_row(row) for row in rows]


def get(conn: Connection, item_id: str) -> AgendaItemRow | None:
    """One item by id."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM agenda_items WHERE id = ?", (item_id,)).fetchone()
    return _row(row) if row else None


def add(conn: Connection, ctx: WriteContext, meeting_id: str, **fields: object) -> str:
    """Append an item at the end of the meeting's agenda; returns its id."""
    row = conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = ?",
        (meeting_id,),
    ).fetchone()
    return records.insert(
        conn, ctx, "agenda_items", {"meeting_id": meeting_id, "position": int(row[0]), **fields}
    )


def update(conn: Connection, ctx: WriteContext, item_id: str, **fields: object) -> bool:
    """Change fields of one item."""
    return records.update(conn, ctx, "agenda_items", item_id, fields)


def delete(conn: Connection, ctx: WriteContext, item_id: str) -> bool:
    """Remove one item and close the gap in the numbering (1, 2, 3 …)."""
    item = get(conn, item_id)
    if item is None:
        return False
    records.delete(conn, "agenda_items", item_id)
    remaining = [i.id for i in of_meeting(conn, item.meeting_id)]
    reorder(conn, ctx, item.meeting_id, remaining)
    return True


def reorder(conn: Connection, ctx: WriteContext, meeting_id: str, item_ids: list[str]) -> None:
    """Give the meeting's items the order of ``item_ids`` (1, 2, 3 …)."""
    current = {item.id: item.position for item in of_meeting(conn, meeting_id)}
    if sorted(current) != sorted(item_ids):
        raise ValueError("reorder needs exactly the meeting's items")
    for position, item_id in enumerate(item_ids, start=1):
        if current[item_id] != position:
            records.update(conn, ctx, "agenda_items", item_id, {"position": position})


def invited_roles(conn: Connection, meeting_id: str) -> list[str] | None:
    """The roles invited to a meeting, or None for the forum's defaults."""
    row = conn.execute("SELECT invited_roles FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    return None if row is None or row[0] is None else list(json.loads(row[0]))


def set_invited_roles(
    conn: Connection, ctx: WriteContext, meeting_id: str, role_ids: list[str] | None
) -> bool:
    """Invite these roles to a meeting (None: back to the forum's defaults)."""
    value = None if role_ids is None else json.dumps(sorted(set(role_ids)))
    return records.update(conn, ctx, "meetings", meeting_id, {"invited_roles": value})


def case_items(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    """(item id, meeting id) of every agenda item about one case."""
    rows = conn.execute("SELECT id, meeting_id FROM agenda_items WHERE case_id = ?", (case_id,))
    return [(r[0], r[1]) for r in rows]
