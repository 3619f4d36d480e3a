"""What the Calendar page loads for a period, and how it turns into grid items.

:func:`load_period` runs on the database thread and returns plain values;
:func:`items_of` and :func:`days_of` run on the GUI thread and translate.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale

from app import i18n
from app.domain import closures
from app.domain.calendar_model import DateRange, MeetingStatus
from app.domain.conflicts import Conflict, ConflictKind
from app.domain.seeded_names import display_name
from app.fileio import atomic_write
from app.i18n import _
from app.reports import calendar_export
from app.services.calendar_service import CalendarService, MeetingView
from app.services.changes import Changes
from app.store.vault import Vault
from ui.formatting import day_text, week_text
from ui.widgets.meeting_block import CalendarItem, DayInfo, forum_colour
from ui.widgets.month_grid import month_days

#: How far ahead the ICS export reaches from the first day shown.
EXPORT_DAYS = 365


@dataclass(frozen=True)
class Period:
    """Meetings, conflicts and closures of the days ``first`` … ``last``."""

    first: date
    last: date
    meetings: list[MeetingView]
    conflicts: list[Conflict]
    buffer_minutes: int
    holidays: dict[date, str]  # public holidays, named in the UI language
    closure_days: frozenset[date]  # extra closure days (no name)
    school_holidays: list[DateRange]


def load_period(vault: Vault, first: date, last: date, today: date, lang: str) -> Period:
    """Everything one week or month shows (database thread)."""
    service = CalendarService(vault)
    service.ensure_horizon(today)
    calendar = service.closure_calendar(first.year, last.year)
    names = closures.public_holidays(vault.country, range(first.year, last.year + 1), lang)
    holidays = {
        day: names.get(day, name)
        for day, name in calendar.public_holidays.items()
        if first <= day <= last
    }
    return Period(
        first,
        last,
        service.between(first, last),
        service.conflicts(first, last),
        int(service.travel_buffer().total_seconds() // 60),
        holidays,
        frozenset(d for d in calendar.extra_closures if first <= d <= last),
        list(calendar.school_holidays),
    )


def meeting_day(vault: Vault, meeting_id: str) -> date:
    """The local day a meeting starts on (database thread)."""
    return CalendarService(vault).get(meeting_id).start.date()


def cancel_meeting(vault: Vault, meeting_id: str) -> Changes:
    """Cancel one occurrence (database thread)."""
    return CalendarService(vault).cancel_meeting(meeting_id)


def export_ics(vault: Vault, path: Path, first: date, last: date, today: date) -> int:
    """Write the meetings of ``first`` … ``last`` as iCalendar to ``path`` (0600)."""
    service = CalendarService(vault)
    service.ensure_horizon(today)
    meetings = service.between(first, last)
    text = calendar_export.ics(meetings, stamp=vault.ctx.clock())
    atomic_write(path, text.encode("utf-8"))
    return len(meetings)


def locale_of(lang: str) -> QLocale:
    """The Qt locale of an app language (month and weekday names)."""
    return QLocale({"da": "da_DK", "nb": "nb_NO"}.get(lang, "en_GB"))


def short_day_names(lang: str) -> list[str]:
    """Monday … Sunday, short ("Mon", "man.")."""
    locale = locale_of(lang)
    return [locale.dayName(n, QLocale.FormatType.ShortFormat) for n in range(1, 8)]


def period_of(week: bool, anchor: date) -> tuple[date, date]:
    """The first and last day shown: the ISO week of ``anchor``, or its month's weeks."""
    if week:
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6)
    days = month_days(anchor.year, anchor.month)
    return days[0], days[-1]


def stepped(week: bool, anchor: date, direction: int) -> date:
    """``anchor`` moved a week, or to the first of the next/previous month."""
    if week:
        return anchor + timedelta(weeks=direction)
    month = anchor.month - 1 + direction
    return date(anchor.year + month // 12, month % 12 + 1, 1)


def header_of(week: bool, anchor: date, lang: str) -> str:
    """``Week 48 · 23–29 Nov 2026`` or ``November 2026``."""
    if not week:
        return month_title(anchor.year, anchor.month, lang)
    first, last = period_of(True, anchor)
    return f"{week_text(first)} · {range_text(first, last, lang)}"


def range_text(first: date, last: date, lang: str) -> str:
    """``23–29 Nov 2026`` (en) or ``23.–29. nov. 2026`` (da, nb)."""
    locale = locale_of(lang)

    def month(day: date) -> str:
        return locale.monthName(day.month, QLocale.FormatType.ShortFormat)

    dot = "" if lang == "en" else "."
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{dot}–{last.day}{dot} {month(last)} {last.year}"
    start = f"{first.day}{dot} {month(first)}"
    if first.year != last.year:
        start += f" {first.year}"
    return f"{start} – {last.day}{dot} {month(last)} {last.year}"


def month_title(year: int, month: int, lang: str) -> str:
    """``November 2026``."""
    name = locale_of(lang).standaloneMonthName(month, QLocale.FormatType.LongFormat)
    return f"{name[:1].upper()}{name[1:]} {year}"


def days_of(period: Period) -> list[DayInfo]:
    """Each day of the period with its holiday and school-holiday names."""
    result = []
    day = period.first
    while day <= period.last:
        holiday = period.holidays.get(day)
        if holiday is None and day in period.closure_days:
            holiday = _("Closure day")
        school = any(day in r for r in period.school_holidays)
        result.append(DayInfo(day, holiday, _("School holiday") if school else None))
        day += timedelta(days=1)
    return result


def items_of(period: Period, lang: str | None = None) -> list[CalendarItem]:
    """The period's meetings as grid items, with their conflicts explained."""
    lang = lang or i18n.current_language()
    reasons = _conflict_reasons(period)
    locale = locale_of(lang)
    items = []
    for m in period.meetings:
        forum = display_name(m.forum_name)
        day = m.start.date()
        parts = [
            forum,
            m.site_name,
            f"{locale.dayName(day.isoweekday())} {day_text(day, lang)}",
            f"{m.start:%H:%M}–{m.end:%H:%M}",
        ]
        if m.status != MeetingStatus.PLANNED:
            parts.append(_(m.status))
        if m.moved_from is not None:
            parts.append(_("moved from {day}").format(day=day_text(m.moved_from, lang)))
        items.append(
            CalendarItem(
                id=m.id,
                forum_id=m.forum_id,
                forum_kind=m.forum_kind,
                forum=forum,
                site=m.site_name,
                start=m.start,
                end=m.end,
                cancelled=m.status == MeetingStatus.CANCELLED,
                conflict="\n".join(reasons.get(m.id, [])),
                label=", ".join(parts),
            )
        )
    return items


def _conflict_reasons(period: Period) -> dict[str, list[str]]:
    by_id = {m.id: m for m in period.meetings}
    reasons: dict[str, list[str]] = {}
    for conflict in period.conflicts:
        first, second = by_id.get(conflict.first_id), by_id.get(conflict.second_id)
        if first is None or second is None:
            continue
        for this, other in ((first, second), (second, first)):
            values = {
                "forum": display_name(other.forum_name),
                "site": other.site_name,
                "time": f"{other.start:%H:%M}–{other.end:%H:%M}",
            }
            if conflict.kind == ConflictKind.OVERLAP:
                text = _("Double booking: overlaps {forum} at {site} ({time}).").format(**values)
            else:
                text = _(
                    "Too little travel time: {minutes} min to or from {forum} at {site} "
                    "({time}); the travel buffer is {buffer} min."
                ).format(
                    minutes=int(conflict.gap.total_seconds() // 60),
                    buffer=period.buffer_minutes,
                    **values,
                )
            reasons.setdefault(this.id, []).append(text)
    return reasons


def legend_html(items: list[CalendarItem]) -> str:
    """The colours of the forums shown, the holiday tints and the conflict mark."""
    forums: dict[str, CalendarItem] = {}
    for item in items:
        forums.setdefault(item.forum_id, item)
    swatches = [
        (forum_colour(i.forum_kind, i.forum_id).name(), "■", i.forum)
        for i in sorted(forums.values(), key=lambda i: i.forum)
    ]
    swatches += [
        ("#e53935", "■", _("Holiday")),
        ("#1e88e5", "■", _("School holiday")),
        ("#d32f2f", "●", _("Conflict")),
    ]
    return "&nbsp;&nbsp; ".join(
        f'<span style="color:{colour}">{mark}</span>&nbsp;{html.escape(text)}'
        for colour, mark, text in swatches
    )
