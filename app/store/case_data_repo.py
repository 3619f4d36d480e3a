"""Every stored row about one child, table by table (subject access, erasure).

One query per table, each keyed on the case, so a new table about a child
must be added here — the subject-access test lists the tables that refer to
``cases`` and fails when one is missing.
"""

from __future__ import annotations

import base64
from typing import Any

from app.store.connection import Connection

# table → SQL selecting its rows about case ``?`` (each statement takes the
# case id once per placeholder).
CASE_TABLES: dict[str, str] = {
    "cases": "SELECT * FROM cases WHERE id = ?",
    "guardians": "SELECT * FROM guardians WHERE case_id = ?",
    "case_levels": "SELECT * FROM case_levels WHERE case_id = ?",
    "consents": "SELECT * FROM consents WHERE case_id = ?",
    "consent_guardians": (
        "SELECT cg.* FROM consent_guardians cg JOIN consents c ON c.id = cg.consent_id"
        " WHERE c.case_id = ?"
    ),
    "consent_roles": (
        "SELECT cr.* FROM consent_roles cr JOIN consents c ON c.id = cr.consent_id"
        " WHERE c.case_id = ?"
    ),
    "attachments": (
        "SELECT a.* FROM attachments a JOIN consents c ON c.attachment_id = a.id"
        " WHERE c.case_id = ?"
    ),
    "agenda_items": "SELECT * FROM agenda_items WHERE case_id = ?",
    "item_minutes": (
        "SELECT m.* FROM item_minutes m JOIN agenda_items i ON i.id = m.agenda_item_id"
        " WHERE i.case_id = ?"
    ),
    "agreements": "SELECT * FROM agreements WHERE case_id = ?",
    "interventions": "SELECT * FROM interventions WHERE case_id = ?",
    "sdq_assessments": "SELECT * FROM sdq_assessments WHERE case_id = ?",
    "audit_log": "SELECT * FROM audit_log WHERE entity = 'case' AND entity_id = ?",
}


def _json_value(value: object) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def rows_about_case(conn: Connection, case_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row about the case, per table, as JSON-ready dicts (BLOBs as base64)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for table, sql in CASE_TABLES.items():
        cur = conn.execute(sql, (case_id,))
        names = [d[0] for d in cur.description]
        result[table] = [
            {name: _json_value(value) for name, value in zip(names, row, strict=True)}
            for row in cur.fetchall()
        ]
    return result


def meetings_of_case(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """When and where the child was on an agenda (date, site, forum; no other child)."""
    cur = conn.execute(
        "SELECT DISTINCT m.id, m.start_utc, s.name, f.name FROM agenda_items i"
        " JOIN meetings m ON m.id = i.meeting_id JOIN sites s ON s.id = m.site_id"
        " JOIN forums f ON f.id = m.forum_id WHERE i.case_id = ? ORDER BY m.start_utc",
        (case_id,),
    )
    return [
        {"id": mid, "start_utc": start, "site": site, "forum": forum}
        for mid, start, site, forum in cur.fetchall()
    ]
