"""The meetings where one child was on the agenda, with what the minutes decided."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.connection import Connection


@dataclass(frozen=True)
class TimelineRow:
    """One agenda item about the case, with its meeting and minutes (if written)."""

    agenda_item_id: str
    meeting_id: str
    start_utc: str
    meeting_status: str
    site_name: str
    forum_name: str
    outcome: str | None
    new_level: int | None
    approved_on: str | None


_SELECT = (
    "SELECT i.id, m.id, m.start_utc, m.status, s.name, f.name, im.outcome, im.new_level,"
    " mm.approved_on"
    " FROM agenda_items i"
    " JOIN meetings m ON m.id = i.meeting_id"
    " JOIN sites s ON s.id = m.site_id"
    " JOIN forums f ON f.id = m.forum_id"
    " LEFT JOIN item_minutes im ON im.agenda_item_id = i.id"
    " LEFT JOIN meeting_minutes mm ON mm.meeting_id = m.id"
    " WHERE i.case_id = ?"
    " ORDER BY m.start_utc DESC, i.position"
)


def of_case(conn: Connection, case_id: str) -> list[TimelineRow]:
    """Every agenda item about ``case_id``, newest meeting first."""
    return [
        TimelineRow(
            str(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            str(row[4]),
            str(row[5]),
            None if row[6] is None else str(row[6]),
            None if row[7] is None else int(row[7]),
            None if row[8] is None else str(row[8]),
        )
        for row in conn.execute(_SELECT, (case_id,)).fetchall()
    ]
