"""Cases, their guardians and their level history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.case_model import CaseFacts, CaseKind, Guardian
from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class CaseRow:
    """A stored case."""

    id: str
    kind: str
    first_name: str
    surname: str | None
    birth_date: str | None
    age_or_year: str
    site_id: str
    concern: str
    level: int
    relay_holder_id: str | None
    status: str
    opened_on: str
    closed_on: str | None
    custody_exception: str | None
    closure_reason: str | None = None  # a retention.ClosureReason code
    reopened_on: str | None = None


_COLUMNS = (
    "id, kind, first_name, surname, birth_date, age_or_year, site_id, concern, level,"
    " relay_holder_id, status, opened_on, closed_on, custody_exception, closure_reason,"
    " reopened_on"
)


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Insert a case; returns its id."""
    return records.insert(conn, ctx, "cases", fields)


def update(conn: Connection, ctx: WriteContext, case_id: str, **fields: object) -> bool:
    """Change fields of a case."""
    return records.update(conn, ctx, "cases", case_id, fields)


def get(conn: Connection, case_id: str) -> CaseRow | None:
    """One case by id."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,)).fetchone()
    return CaseRow(*row) if row else None


def list_all(conn: Connection) -> list[CaseRow]:
    """All cases, open first, then by first name."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM cases ORDER BY status = 'closed', first_name, id"
    ).fetchall()
    return [CaseRow(*row) for row in rows]


def open_at_site(conn: Connection, site_id: str) -> list[CaseRow]:
    """Open cases at one site."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM cases WHERE site_id = ? AND status = 'open' ORDER BY first_name",
        (site_id,),
    ).fetchall()
    return [CaseRow(*row) for row in rows]


def add_guardian(
    conn: Connection,
    ctx: WriteContext,
    case_id: str,
    name: str,
    relation: str,
    has_custody: bool,
    contact: str = "",
) -> str:
    """Add a guardian to a case."""
    return records.insert(
        conn,
        ctx,
        "guardians",
        {
            "case_id": case_id,
            "name": name,
            "relation": relation,
            "has_custody": int(has_custody),
            "contact": contact,
        },
    )


def guardians(conn: Connection, case_id: str) -> list[Guardian]:
    """The guardians of a case."""
    rows = conn.execute(
        "SELECT id, name, relation, has_custody, contact FROM guardians WHERE case_id = ?"
        " ORDER BY created_at, id",
        (case_id,),
    )
    return [
        Guardian(gid, name, rel, bool(custody), contact)
        for gid, name, rel, custody, contact in rows
    ]


def add_level(
    conn: Connection,
    ctx: WriteContext,
    case_id: str,
    level: int,
    on: date,
    relay_holder_id: str | None,
) -> str:
    """Append to a case's level history."""
    return records.insert(
        conn,
        ctx,
        "case_levels",
        {
            "case_id": case_id,
            "level": level,
            "on_date": on.isoformat(),
            "relay_holder_id": relay_holder_id,
        },
    )


def level_history(conn: Connection, case_id: str) -> list[tuple[date, int, str | None]]:
    """(date, level, relay holder id) of every level change, oldest first."""
    rows = conn.execute(
        "SELECT on_date, level, relay_holder_id FROM case_levels WHERE case_id = ?"
        " ORDER BY on_date, created_at",
        (case_id,),
    )
    return [(date.fromisoformat(d), int(level), holder) for d, level, holder in rows]


def facts(conn: Connection, case: CaseRow) -> CaseFacts:
    """The rule-facing view of a case (with its guardians)."""
    return CaseFacts(
        id=case.id,
        kind=CaseKind(case.kind),
        first_name=case.first_name,
        surname=case.surname,
        birth_date=date.fromisoformat(case.birth_date) if case.birth_date else None,
        age_or_year=case.age_or_year,
        concern=case.concern,
        guardians=tuple(guardians(conn, case.id)),
        custody_exception=case.custody_exception,
    )
