"""SDQ assessments: the answers by item number or the scale scores, per case."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class AssessmentRow:
    """A stored assessment (answers as 25 characters of 0/1/2/'.'; scores as JSON)."""

    id: str
    case_id: str
    on_date: str
    informant: str
    version: str
    answers: str | None
    scale_scores: str | None
    impact_answers: str | None
    no_difficulties: bool


_COLUMNS = (
    "id, case_id, on_date, informant, version, answers, scale_scores, impact_answers,"
    " no_difficulties"
)


def add(conn: Connection, ctx: WriteContext, **fields: object) -> str:
    """Insert an assessment."""
    return records.insert(conn, ctx, "sdq_assessments", fields)


def of_case(conn: Connection, case_id: str) -> list[AssessmentRow]:
    """A case's assessments, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM sdq_assessments WHERE case_id = ? ORDER BY on_date, id",
        (case_id,),
    )
    return [AssessmentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8])) for r in rows]
