"""The Overview's lists: one id table model per section, and what each line opens.

Rows are the frozen lines of :mod:`app.services.overview_service`; each
section knows which object a line opens (``target``), as a navigation kind
and an id for ``ctx.navigate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.i18n import _, ngettext
from app.services.overview_service import AgreementLine, CadenceLine, FailingItemLine, MeetingLine
from ui.formatting import day_text, long_day_text, sort_key, time_text
from ui.models.id_table_model import Column, IdTableModel

#: A text colour that reads on light and dark backgrounds (overdue, failing).
WARNING_COLOUR = "#d0453a"


@dataclass(frozen=True)
class SectionSpec:
    """How one section shows its lines and what a line opens."""

    columns: list[Column[Any]]
    #: (navigation kind, id) of the object a line opens.
    target: Callable[[Any], tuple[str, str | None]]


def _span(line: MeetingLine) -> str:
    return f"{time_text(line.start)}–{time_text(line.end)}"


def _items(line: MeetingLine) -> str:
    if line.status == "cancelled":
        return _("Cancelled")
    if not line.items:
        return _("No items yet")
    return ngettext("{count} item", "{count} items", line.items).format(count=line.items)


def _meeting_status_colour(line: MeetingLine) -> str | None:
    return WARNING_COLOUR if line.status == "cancelled" else None


def today_meetings() -> SectionSpec:
    """Today's meetings: time, forum, site, agenda size."""
    return SectionSpec(
        [
            Column(_("Time"), _span, sort_key=lambda m: m.start.isoformat()),
            Column(_("Forum"), lambda m: m.forum),
            Column(_("Site"), lambda m: m.site),
            Column(_("Agenda"), _items, colour=_meeting_status_colour),
        ],
        lambda m: ("meeting", m.id),
    )


def week_meetings() -> SectionSpec:
    """This week's other meetings: day, time, forum, site, agenda size."""
    return SectionSpec(
        [
            Column(
                _("Day"),
                lambda m: long_day_text(m.start.date()),
                sort_key=lambda m: m.start.isoformat(),
            ),
            Column(_("Time"), _span, sort_key=lambda m: m.start.isoformat()),
            Column(_("Forum"), lambda m: m.forum),
            Column(_("Site"), lambda m: m.site),
            Column(_("Agenda"), _items, colour=_meeting_status_colour),
        ],
        lambda m: ("meeting", m.id),
    )


def agreements(today: Callable[[], date], overdue: bool) -> SectionSpec:
    """Agreements: deadline, child, what, owner."""

    def colour(line: AgreementLine) -> str | None:
        return WARNING_COLOUR if overdue else None

    def late(line: AgreementLine) -> str:
        if line.deadline is None:
            return ""
        days = (today() - line.deadline).days
        if days <= 0:
            return day_text(line.deadline)
        return ngettext("{date} ({days} day late)", "{date} ({days} days late)", days).format(
            date=day_text(line.deadline), days=days
        )

    return SectionSpec(
        [
            Column(
                _("Deadline"),
                late,
                sort_key=lambda a: sort_key(a.deadline),
                colour=colour,
            ),
            Column(_("Child"), lambda a: a.case_label),
            Column(_("Agreement"), lambda a: a.what, tooltip=lambda a: a.what),
            Column(_("Owner"), lambda a: a.owner or _("No owner")),
        ],
        lambda a: ("agreement", a.id),
    )


def consents() -> SectionSpec:
    """Consents that run out soon: last valid day, child."""
    return SectionSpec(
        [
            Column(
                _("Valid until"),
                lambda c: day_text(c.valid_until),
                sort_key=lambda c: sort_key(c.valid_until),
            ),
            Column(_("Child"), lambda c: c.case_label),
        ],
        lambda c: ("case", c.case_id),
    )


def failing_items() -> SectionSpec:
    """Agenda items the consent rule does not allow by name: meeting, child, why."""

    def reasons(line: FailingItemLine) -> str:
        return " ".join(line.reasons)

    return SectionSpec(
        [
            Column(
                _("Meeting"),
                lambda f: f"{day_text(f.start.date())} {time_text(f.start)}",
                sort_key=lambda f: f.start.isoformat(),
            ),
            Column(_("Forum"), lambda f: f.forum),
            Column(_("Site"), lambda f: f.site),
            Column(_("Child"), lambda f: f.case_label),
            Column(_("Why"), reasons, tooltip=reasons, colour=lambda _f: WARNING_COLOUR),
        ],
        lambda f: ("meeting", f.meeting_id),
    )


def cadence() -> SectionSpec:
    """Sites whose meetings are too far apart: site, forum, gap against the rule."""

    def gap(line: CadenceLine) -> str:
        return _("{days} days (at most {allowed})").format(
            days=line.gap_days, allowed=line.max_gap_days
        )

    def between(line: CadenceLine) -> str:
        return _("{first} to {last}").format(
            first=day_text(line.after) if line.after else "…",
            last=day_text(line.before) if line.before else "…",
        )

    return SectionSpec(
        [
            Column(_("Site"), lambda c: c.site),
            Column(_("Forum"), lambda c: c.forum),
            Column(_("Longest gap"), gap, sort_key=lambda c: c.gap_days),
            Column(_("Between"), between, sort_key=lambda c: sort_key(c.after)),
        ],
        lambda c: ("site", c.site_id),
    )


def evaluations() -> SectionSpec:
    """Interventions to evaluate: date, child, intervention, responsible."""
    return SectionSpec(
        [
            Column(
                _("Evaluate by"),
                lambda e: day_text(e.evaluation_on),
                sort_key=lambda e: sort_key(e.evaluation_on),
            ),
            Column(_("Child"), lambda e: e.case_label),
            Column(_("Intervention"), lambda e: e.intervention),
            Column(_("Responsible"), lambda e: e.responsible or _("No one named")),
        ],
        lambda e: ("case", e.case_id),
    )


def model_for(spec: SectionSpec) -> IdTableModel[Any]:
    """An empty id table model with the section's columns."""
    return IdTableModel(spec.columns)
