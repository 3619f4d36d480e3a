"""Agreements (who does what by when) and staged-procedure templates."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class AgreementRow:
    """A stored agreement with its owner's name and the case's site."""

    id: str
    case_id: str | None
    meeting_id: str | None
    agenda_item_id: str | None
    what: str
    owner_contact_id: str | None
    owner_name: str
    deadline: str | None
    parent_contact: bool
    status: str
    site_id: str | None


_SELECT = (
    "SELECT a.id, a.case_id, a.meeting_id, a.agenda_item_id, a.what, a.owner_contact_id,"
    " COALESCE(c.name, ''), a.deadline, a.parent_contact, a.status,"
    " COALESCE(k.site_id, m.site_id)"
    " FROM agreements a LEFT JOIN contacts c ON c.id = a.owner_contact_id"
    " LEFT JOIN cases k ON k.id = a.case_id LEFT JOIN meetings m ON m.id = a.meeting_id"
)


def _row(values: tuple[object, ...]) -> AgreementRow:
    items = list(values)
    items[8] = bool(items[8])
    return AgreementRow(*items)  # type: ignore[arg-type]


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Insert an agreement; returns its id."""
    return records.insert(conn, ctx, "agreements", fields)


def update(conn: Connection, ctx: WriteContext, agreement_id: str, **fields: object) -> bool:
    """Change fields of an agreement."""
    return records.update(conn, ctx, "agreements", agreement_id, fields)


def get(conn: Connection, agreement_id: str) -> AgreementRow | None:
    """One agreement."""
    row = conn.execute(_SELECT + " WHERE a.id = ?", (agreement_id,)).fetchone()
    return _row(row) if row else None


def query(
    conn: Connection,
    *,
    status: str | None = None,
    deadline_before: str | None = None,
    deadline_from: str | None = None,
    deadline_to: str | None = None,
    case_id: str | None = None,
    owner_contact_id: str | None = None,
    site_id: str | None = None,
    meeting_id: str | None = None,
    agenda_item_id: str | None = None,
) -> list[AgreementRow]:
    """Agreements matching every given filter, by deadline (none last)."""
    where: list[str] = []
    args: list[object] = []
    for clause, value in (
        ("a.status = ?", status),
        ("a.deadline < ?", deadline_before),
        ("a.deadline >= ?", deadline_from),
        ("a.deadline <= ?", deadline_to),
        ("a.case_id = ?", case_id),
        ("a.owner_contact_id = ?", owner_contact_id),
        ("COALESCE(k.site_id, m.site_id) = ?", site_id),
        ("a.meeting_id = ?", meeting_id),
        ("a.agenda_item_id = ?", agenda_item_id),
    ):
        if value is not None:
            where.append(clause)
            args.append(value)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY a.deadline IS NULL, a.deadline, a.created_at, a.id"
    return [_row(row) for row in conn.execute(sql, args)]


@dataclass(frozen=True)
class TemplateStep:
    """One step of a staged procedure."""

    id: str
    position: int
    what: str
    owner_role_id: str | None
    offset_days: int
    school_days: bool


def templates(conn: Connection) -> list[tuple[str, str | None, str]]:
    """(id, key, name) of every procedure template."""
    rows = conn.execute("SELECT id, key, name FROM procedure_templates ORDER BY name, id")
    return [(r[0], r[1], r[2]) for r in rows]


def steps(conn: Connection, template_id: str) -> list[TemplateStep]:
    """A template's steps in order."""
    rows = conn.execute(
        "SELECT id, position, what, owner_role_id, offset_days, school_days FROM procedure_steps"
        " WHERE template_id = ? ORDER BY position",
        (template_id,),
    )
    return [TemplateStep(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]


def add_template(conn: Connection, ctx: WriteContext, name: str) -> str:
    """A new, empty template."""
    return records.insert(conn, ctx, "procedure_templates", {"name": name})


def add_step(
    conn: Connection,
    ctx: WriteContext,
    template_id: str,
    what: str,
    owner_role_id: str | None,
    offset_days: int,
    school_days: bool,
) -> str:
    """Append a step to a template."""
    row = conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM procedure_steps WHERE template_id = ?",
        (template_id,),
    ).fetchone()
    return records.insert(
        conn,
        ctx,
        "procedure_steps",
        {
            "template_id": template_id,
            "position": int(row[0]),
            "what": what,
            "owner_role_id": owner_role_id,
            "offset_days": offset_days,
            "school_days": int(school_days),
        },
    )
