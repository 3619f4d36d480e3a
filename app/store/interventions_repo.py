"""Interventions and their editable catalogue of types."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class InterventionRow:
    """A stored intervention with its type's and responsible's names."""

    id: str
    case_id: str
    type_id: str
    type_name: str
    goal: str
    responsible_contact_id: str | None
    responsible: str
    start_on: str
    evaluation_on: str
    status: str
    evaluation: str
    result: str | None
    meeting_id: str | None
    agenda_item_id: str | None


_SELECT = (
    "SELECT i.id, i.case_id, i.type_id, t.name, i.goal, i.responsible_contact_id,"
    " COALESCE(c.name, ''), i.start_on, i.evaluation_on, i.status, i.evaluation, i.result,"
    " i.meeting_id, i.agenda_item_id"
    " FROM interventions i JOIN intervention_types t ON t.id = i.type_id"
    " LEFT JOIN contacts c ON c.id = i.responsible_contact_id"
)


def types(conn: Connection) -> list[tuple[str, str | None, str]]:
    """(id, key, name) of the catalogue, in list order."""
    rows = conn.execute("SELECT id, key, name FROM intervention_types ORDER BY position, name")
    return [(r[0], r[1], r[2]) for r in rows]


def add_type(conn: Connection, ctx: WriteContext, name: str) -> str:
    """Add a type at the end of the catalogue."""
    row = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM intervention_types").fetchone()
    return records.insert(conn, ctx, "intervention_types", {"name": name, "position": int(row[0])})


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Insert an intervention."""
    return records.insert(conn, ctx, "interventions", fields)


def update(conn: Connection, ctx: WriteContext, intervention_id: str, **fields: object) -> bool:
    """Change fields of an intervention."""
    return records.update(conn, ctx, "interventions", intervention_id, fields)


def get(conn: Connection, intervention_id: str) -> InterventionRow | None:
    """One intervention."""
    row = conn.execute(_SELECT + " WHERE i.id = ?", (intervention_id,)).fetchone()
    return InterventionRow(*row) if row else None


def of_case(conn: Connection, case_id: str) -> list[InterventionRow]:
    """A case's interventions by start."""
    rows = conn.execute(_SELECT + " WHERE i.case_id = ? ORDER BY i.start_on, i.id", (case_id,))
    return [InterventionRow(*row) for row in rows]


def of_item(conn: Connection, agenda_item_id: str) -> list[InterventionRow]:
    """Interventions started at one agenda item."""
    rows = conn.execute(
        _SELECT + " WHERE i.agenda_item_id = ? ORDER BY i.start_on", (agenda_item_id,)
    )
    return [InterventionRow(*row) for row in rows]


def due_for_evaluation(conn: Connection, on_or_before: str) -> list[InterventionRow]:
    """Active interventions whose evaluation date has come."""
    rows = conn.execute(
        _SELECT + " WHERE i.status IN ('planned', 'active') AND i.evaluation_on <= ?"
        " ORDER BY i.evaluation_on, i.id",
        (on_or_before,),
    )
    return [InterventionRow(*row) for row in rows]
