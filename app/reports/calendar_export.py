"""The calendar as text: the CLI's table, its JSON records and the iCalendar file.

The ICS export leaves the laptop (Outlook, phones), so it carries only the
forum and the site of each meeting — never a child's name, a contact or any
agenda or case text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from app.domain import ics as ics_format
from app.domain.seeded_names import display_name
from app.i18n import _
from app.services.calendar_service import MeetingView, from_utc_text
from app.store.sites_repo import Site


def meeting_json(meeting: MeetingView) -> dict[str, Any]:
    """One meeting as the CLI's JSON prints it (other commands take its ``id``)."""
    return {
        "id": meeting.id,
        "series_id": meeting.series_id,
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "iso_year": meeting.iso_year,
        "iso_week": meeting.iso_week,
        "site_id": meeting.site_id,
        "site_name": meeting.site_name,
        "forum": meeting.forum_kind,
        "forum_id": meeting.forum_id,
        "forum_name": display_name(meeting.forum_name),
        "status": meeting.status,
        "agenda_item_count": meeting.agenda_item_count,
        "moved_from": meeting.moved_from.isoformat() if meeting.moved_from else None,
    }


def ics(meetings: Iterable[MeetingView], stamp: datetime) -> str:
    """An iCalendar file of the meetings: forum and site only."""
    events = [ics_event(m) for m in meetings]
    return ics_render(events, stamp)


def ics_event(meeting: MeetingView) -> ics_format.IcsEvent:
    """The VEVENT values of one meeting."""
    forum = display_name(meeting.forum_name)
    return ics_format.IcsEvent(
        uid=meeting.id,
        sequence=meeting.sequence,
        start=meeting.start,
        end=meeting.end,
        summary=f"{forum} – {meeting.site_name}",
        location=meeting.site_name,
        cancelled=meeting.status == "cancelled",
        last_modified=from_utc_text(meeting.updated_at[:19] + "Z"),
    )


def ics_render(events: Sequence[ics_format.IcsEvent], stamp: datetime) -> str:
    """The calendar text around ``events``."""
    return ics_format.render_calendar(events, stamp, name="Samråd")


def table(meetings: Sequence[MeetingView]) -> str:
    """A plain-text table grouped by ISO week, for the terminal."""
    if not meetings:
        return _("No meetings in this period.") + "\n"
    lines: list[str] = []
    week: tuple[int, int] | None = None
    for m in meetings:
        if (m.iso_year, m.iso_week) != week:
            week = (m.iso_year, m.iso_week)
            if lines:
                lines.append("")
            lines.append(_("Week {week} ({year})").format(week=m.iso_week, year=m.iso_year))
        status = "" if m.status == "planned" else f"  [{_(m.status)}]"
        lines.append(
            f"  {m.start:%a %Y-%m-%d %H:%M}–{m.end:%H:%M}  {display_name(m.forum_name)}"
            f" – {m.site_name}{status}  {m.id}"
        )
    return "\n".join(lines) + "\n"


def sites_table(sites: Sequence[Site]) -> str:
    """Sites as a plain-text table."""
    if not sites:
        return _("No sites yet.") + "\n"
    width = max(len(s.name) for s in sites)
    return "".join(f"{s.name:<{width}}  {_(s.kind):<16}  {s.district:<24}  {s.id}\n" for s in sites)
