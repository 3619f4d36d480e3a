"""Printed minutes: the meeting's minutes and one extract per child for the child's record.

The meeting's minutes follow the eight steps of a case discussion for each
case item (what was known, the discussion, agreements, interventions, the
evaluation of earlier interventions and the outcome) and list every agreement
once more at the end. Case items carry the label the services chose under the
consent rule (anonymised or named), which the minutes print as given.

Minutes are a record: what was approved is printed as it stood, and anything
written afterwards follows under "Addenda", dated and signed. Until the
minutes are approved every page says "Draft — not approved".

No label, name or text of an item reaches the document information: the
title is "<Minutes> – <forum> – <date>" or "<Extract for the child's record> –
<date>", the subject the site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, Spacer, Table, TableStyle

from app.reports.pdf_common import (
    ACCENT,
    FRAME_WIDTH,
    HEADER_SHADE,
    MUTED,
    RULE,
    SHADE,
    PdfStyles,
    fact_block,
    long_date,
    markup,
    pdf_styles,
    pdf_translator,
    render_pdf,
    section,
    short_date,
    time_span,
    title_bar,
)
from app.reports.sdq_chart import SdqSeries, sdq_section

Translate = Callable[[str], str]


@dataclass(frozen=True)
class AgreementLine:
    """Who does what by when; ``status`` is "open", "done" or "cancelled"."""

    what: str
    owner: str
    deadline: date | None
    parent_contact: bool  # the agreement involves contacting the parents
    status: str


@dataclass(frozen=True)
class InterventionLine:
    """An intervention started or evaluated under a case item.

    ``status`` (planned, active, evaluated, stopped) and ``result`` (met,
    partly, not-met) are printed translated; an unknown word prints as given.
    """

    type_name: str
    goal: str
    responsible: str
    start: date
    evaluation_on: date
    status: str
    result: str | None
    evaluation: str


@dataclass(frozen=True)
class CaseMinutes:
    """The eight steps of one case item, as written; "" is a step left empty.

    ``label`` is already anonymised or named per the consent rule;
    ``outcome``, ``level_change`` and ``relay_change`` are ready sentences.
    """

    position: int
    label: str
    knowledge: str
    discussion: str
    agreements: tuple[AgreementLine, ...]
    interventions: tuple[InterventionLine, ...]
    evaluation: str
    outcome: str
    level_change: str
    relay_change: str


@dataclass(frozen=True)
class GeneralMinutes:
    """A general item: its text and agreements."""

    position: int
    title: str
    text: str
    agreements: tuple[AgreementLine, ...]


@dataclass(frozen=True)
class AddendumLine:
    """Something written after the minutes, dated and signed."""

    written_on: date
    author: str
    text: str


@dataclass(frozen=True)
class MeetingMinutes:
    """Everything the meeting's minutes print, already anonymised where required."""

    language: str  # "da" | "nb" | "en"
    site_name: str
    forum_name: str
    start: datetime  # aware, local
    end: datetime
    iso_week: int
    iso_year: int
    present: tuple[str, ...]
    absent: tuple[str, ...]
    items: tuple[CaseMinutes | GeneralMinutes, ...]
    approved_on: date | None  # None: a draft
    approved_by: str
    addenda: tuple[AddendumLine, ...]


@dataclass(frozen=True)
class ChildExtract:
    """One case item of the minutes as printed for the child's record."""

    language: str
    site_name: str
    forum_name: str
    start: datetime
    end: datetime
    iso_week: int
    iso_year: int
    full_name: str
    birth_date: date
    item: CaseMinutes
    approved_on: date | None
    addenda: tuple[AddendumLine, ...]
    sdq: SdqSeries | None


# Column widths. Agreements: what, who, deadline, parent contact, status.
_WHO_WIDTH = 34 * mm
_DEADLINE_WIDTH = 25 * mm
_CONTACT_WIDTH = 22 * mm
_STATUS_WIDTH = 22 * mm
_WHAT_WIDTH = FRAME_WIDTH - _WHO_WIDTH - _DEADLINE_WIDTH - _CONTACT_WIDTH - _STATUS_WIDTH
# Interventions: type, goal, responsible, start, evaluation date.
_TYPE_WIDTH = 32 * mm
_RESPONSIBLE_WIDTH = 30 * mm
_DATE_WIDTH = 25 * mm
_GOAL_WIDTH = FRAME_WIDTH - _TYPE_WIDTH - _RESPONSIBLE_WIDTH - 2 * _DATE_WIDTH
# The closing list of agreements: item number, what, who, deadline.
_NO_WIDTH = 12 * mm
_ALL_WHAT_WIDTH = FRAME_WIDTH - _NO_WIDTH - _WHO_WIDTH - _DEADLINE_WIDTH


@dataclass(frozen=True)
class _Styles:
    item: Any  # the item's number and label in the shaded bar
    item_kind: Any
    step: Any  # a step's heading
    empty: Any  # "(nothing recorded)"
    entry: Any  # an addendum's date and author
    centred: Any


@cache
def _styles() -> _Styles:
    s = pdf_styles()
    return _Styles(
        item=ParagraphStyle("SamraadItem", parent=s.cell_bold, fontSize=11.5, leading=15),
        item_kind=ParagraphStyle("SamraadItemKind", parent=s.cell_small, alignment=TA_RIGHT),
        step=ParagraphStyle(
            "SamraadStep",
            parent=s.body,
            fontName=s.cell_bold.fontName,
            fontSize=10.5,
            textColor=ACCENT,
            spaceBefore=7,
            spaceAfter=2,
        ),
        empty=ParagraphStyle("SamraadEmpty", parent=s.body, textColor=MUTED, spaceBefore=4),
        entry=ParagraphStyle(
            "SamraadEntry", parent=s.body, fontName=s.cell_bold.fontName, spaceBefore=6
        ),
        centred=ParagraphStyle("SamraadCentred", parent=s.cell, alignment=TA_CENTER),
    )


def meeting_minutes_pdf(m: MeetingMinutes) -> bytes:
    """The meeting's minutes as PDF bytes, in ``m.language``.

    Header, attendance, each item (a case item's steps in order; a general
    item's text and agreements), every agreement in one closing table, then
    the addenda. A draft is marked on every page.
    """
    lang = m.language
    _ = pdf_translator(lang)
    title = _("Minutes")
    metadata_title = f"{title} – {m.forum_name} – {short_date(m.start.date(), lang)}"
    draft = _("Draft — not approved")

    def build() -> list[Any]:
        s = pdf_styles()
        flowables: list[Any] = [
            *title_bar(s, title, _("Week {week}").format(week=m.iso_week)),
            fact_block(
                s,
                [
                    (_("Forum"), m.forum_name),
                    (_("Site"), m.site_name),
                    (_("Date"), long_date(m.start.date(), lang)),
                    (_("Time"), time_span(m.start, m.end)),
                    (_("Status"), _approval(_, lang, m.approved_on, m.approved_by)),
                ],
            ),
        ]
        flowables += _attendance(s, _, m.present, m.absent)
        flowables += section(_("Items"))
        if not m.items:
            flowables.append(Paragraph(markup(_("No items on the agenda.")), s.body))
        for item in m.items:
            flowables += _item(s, _, lang, item)
        every = [
            (item.position, line)
            for item in m.items
            for line in item.agreements
            if line.what.strip() or line.owner.strip()
        ]
        if every:
            flowables += section(_("All agreements"))
            flowables.append(_all_agreements_table(s, _, lang, every))
        flowables += _addenda(s, _, lang, m.addenda)
        return flowables

    mark = draft if m.approved_on is None else ""
    return render_pdf(build, metadata_title, m.site_name, language=lang, mark=mark)


def child_extract_pdf(c: ChildExtract) -> bytes:
    """One case item of the minutes as PDF bytes, for the child's record.

    The child's name and birth date are in the body only; the document title
    is "<Extract for the child's record> – <date>" and the subject the site.
    With ``c.sdq`` the child's SDQ scores follow as a table and a chart.
    """
    lang = c.language
    _ = pdf_translator(lang)
    title = _("Extract for the child's record")
    metadata_title = f"{title} – {short_date(c.start.date(), lang)}"
    draft = _("Draft — not approved")

    def build() -> list[Any]:
        s = pdf_styles()
        flowables: list[Any] = [
            *title_bar(s, title, _("Week {week}").format(week=c.iso_week)),
            fact_block(
                s,
                [
                    (_("Forum"), c.forum_name),
                    (_("Site"), c.site_name),
                    (_("Date"), long_date(c.start.date(), lang)),
                    (_("Time"), time_span(c.start, c.end)),
                    (_("Item no."), str(c.item.position)),
                    (_("Status"), _approval(_, lang, c.approved_on, "")),
                ],
            ),
            *section(_("Child")),
            fact_block(
                s,
                [
                    (_("Name"), c.full_name),
                    (_("Date of birth"), short_date(c.birth_date, lang)),
                ],
                bold_values=True,
            ),
            *section(_("From the minutes")),
        ]
        flowables += _case_steps(s, _, lang, c.item)
        flowables += _addenda(s, _, lang, c.addenda)
        if c.sdq is not None:
            flowables += sdq_section(c.sdq, lang)
        return flowables

    mark = draft if c.approved_on is None else ""
    return render_pdf(build, metadata_title, c.site_name, language=lang, mark=mark)


def _approval(_: Translate, lang: str, approved_on: date | None, approved_by: str) -> str:
    if approved_on is None:
        return _("Draft — not approved")
    day = short_date(approved_on, lang)
    if approved_by.strip():
        return _("Approved {date} by {name}").format(date=day, name=approved_by.strip())
    return _("Approved {date}").format(date=day)


def _attendance(
    s: PdfStyles, _: Translate, present: tuple[str, ...], absent: tuple[str, ...]
) -> list[Any]:
    rows = []
    if present:
        rows.append((_("Present"), ", ".join(present)))
    if absent:
        rows.append((_("Absent"), ", ".join(absent)))
    if not rows:
        return [*section(_("Attendance")), Paragraph(markup(_("No attendance recorded.")), s.body)]
    return [*section(_("Attendance")), fact_block(s, rows)]


def _item(s: PdfStyles, _: Translate, lang: str, item: CaseMinutes | GeneralMinutes) -> list[Any]:
    """One item: a shaded bar with number and label, then its content."""
    st = _styles()
    if isinstance(item, CaseMinutes):
        label, kind = item.label, _("Case")
    else:
        label, kind = item.title, _("General")
    bar = Table(
        [
            [
                Paragraph(f"{item.position}.", st.item),
                Paragraph(markup(label), st.item),
                Paragraph(markup(kind), st.item_kind),
            ]
        ],
        colWidths=[11 * mm, FRAME_WIDTH - 11 * mm - 28 * mm, 28 * mm],
        hAlign="LEFT",
    )
    bar.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), HEADER_SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.8, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    flowables: list[Any] = [CondPageBreak(40 * mm), Spacer(1, 3 * mm), bar]
    if isinstance(item, CaseMinutes):
        flowables += _case_steps(s, _, lang, item)
    else:
        body: list[Any] = []
        if item.text.strip():
            body.append(Spacer(1, 2 * mm))
            body.append(Paragraph(markup(item.text), s.body))
        agreements = _agreements(s, _, lang, item.agreements)
        if agreements:
            body += _step(_("Agreements"))
            body.append(agreements)
        flowables += body or [Paragraph(markup(_("(nothing recorded)")), st.empty)]
    return flowables


def _step(title: str) -> list[Any]:
    """A step's heading, kept off the foot of a page."""
    return [CondPageBreak(22 * mm), Paragraph(markup(title), _styles().step)]


def _case_steps(s: PdfStyles, _: Translate, lang: str, item: CaseMinutes) -> list[Any]:
    """The written steps of a case item in order; empty steps are left out."""
    out: list[Any] = []
    for title, text in (
        (_("Knowledge shared"), item.knowledge),
        (_("Discussion"), item.discussion),
    ):
        if text.strip():
            out += [*_step(title), Paragraph(markup(text), s.body)]
    agreements = _agreements(s, _, lang, item.agreements)
    if agreements:
        out += [*_step(_("Agreements")), agreements]
    if item.interventions:
        out += [*_step(_("Interventions")), _interventions_table(s, _, lang, item.interventions)]
    evaluation: list[Any] = []
    if item.evaluation.strip():
        evaluation.append(Paragraph(markup(item.evaluation), s.body))
    words = _status_words(_)
    for line in item.interventions:
        if not (line.evaluation.strip() or line.result):
            continue
        head = f"<b>{markup(line.type_name)}</b> ({markup(short_date(line.start, lang))})"
        if line.result:
            head += ": " + markup(words.get(line.result, line.result))
        evaluation.append(Paragraph(head, s.body))
        if line.evaluation.strip():
            evaluation.append(Paragraph(markup(line.evaluation), s.body))
    if evaluation:
        out += [*_step(_("Evaluation of earlier interventions")), *evaluation]
    outcome = [
        Paragraph(markup(text), s.body)
        for text in (item.outcome, item.level_change, item.relay_change)
        if text.strip()
    ]
    if outcome:
        out += [*_step(_("Outcome")), *outcome]
    return out or [Paragraph(markup(_("(nothing recorded)")), _styles().empty)]


def _status_words(_: Translate) -> dict[str, str]:
    """Statuses of agreements and interventions and results of evaluations, as printed."""
    return {
        "open": _("Open"),
        "done": _("Done"),
        "cancelled": _("Cancelled"),
        "planned": _("Planned"),
        "active": _("Active"),
        "evaluated": _("Evaluated"),
        "stopped": _("Stopped"),
        "met": _("Goal met"),
        "partly": _("Goal partly met"),
        "not-met": _("Goal not met"),
    }


def _header_row(s: PdfStyles, titles: list[str]) -> list[Any]:
    return [Paragraph(markup(t), s.cell_bold) for t in titles]


def _grid(table: Table) -> Table:
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _deadline(lang: str, day: date | None) -> str:
    return short_date(day, lang) if day is not None else "–"


def _agreements(
    s: PdfStyles, _: Translate, lang: str, lines: tuple[AgreementLine, ...]
) -> Table | None:
    """The item's agreements: what, who, deadline, parent contact ✓ and status."""
    lines = tuple(line for line in lines if line.what.strip() or line.owner.strip())
    if not lines:
        return None
    words = _status_words(_)
    rows: list[list[Any]] = [
        _header_row(s, [_("What"), _("Who"), _("Deadline"), _("Parent contact"), _("Status")])
    ]
    for line in lines:
        rows.append(
            [
                Paragraph(markup(line.what), s.cell),
                Paragraph(markup(line.owner), s.cell),
                Paragraph(_deadline(lang, line.deadline), s.cell),
                Paragraph("✓" if line.parent_contact else "", _styles().centred),
                Paragraph(markup(words.get(line.status, line.status)), s.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[_WHAT_WIDTH, _WHO_WIDTH, _DEADLINE_WIDTH, _CONTACT_WIDTH, _STATUS_WIDTH],
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    return _grid(table)


def _interventions_table(
    s: PdfStyles, _: Translate, lang: str, lines: tuple[InterventionLine, ...]
) -> Table:
    words = _status_words(_)
    rows: list[list[Any]] = [
        _header_row(
            s, [_("Intervention"), _("Goal"), _("Responsible"), _("Start"), _("Evaluate on")]
        )
    ]
    for line in lines:
        rows.append(
            [
                [
                    Paragraph(markup(line.type_name), s.cell),
                    Paragraph(markup(words.get(line.status, line.status)), s.cell_small),
                ],
                Paragraph(markup(line.goal), s.cell),
                Paragraph(markup(line.responsible), s.cell),
                Paragraph(short_date(line.start, lang), s.cell),
                Paragraph(short_date(line.evaluation_on, lang), s.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[_TYPE_WIDTH, _GOAL_WIDTH, _RESPONSIBLE_WIDTH, _DATE_WIDTH, _DATE_WIDTH],
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    return _grid(table)


def _all_agreements_table(
    s: PdfStyles, _: Translate, lang: str, lines: list[tuple[int, AgreementLine]]
) -> Table:
    """Every agreement of the meeting, with the number of its item."""
    rows: list[list[Any]] = [_header_row(s, [_("No."), _("What"), _("Who"), _("Deadline")])]
    for position, line in lines:
        rows.append(
            [
                Paragraph(f"{position}.", s.cell),
                Paragraph(markup(line.what), s.cell),
                Paragraph(markup(line.owner), s.cell),
                Paragraph(_deadline(lang, line.deadline), s.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[_NO_WIDTH, _ALL_WHAT_WIDTH, _WHO_WIDTH, _DEADLINE_WIDTH],
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    return _grid(table)


def _addenda(s: PdfStyles, _: Translate, lang: str, addenda: tuple[AddendumLine, ...]) -> list[Any]:
    """The addenda after all of the original text, oldest first, each dated and signed."""
    written = [a for a in addenda if a.text.strip()]
    if not written:
        return []
    out: list[Any] = [*section(_("Addenda"))]
    for addendum in sorted(written, key=lambda a: a.written_on):
        head = f"{short_date(addendum.written_on, lang)} – {addendum.author.strip()}"
        out.append(Paragraph(markup(head), _styles().entry))
        out.append(Paragraph(markup(addendum.text), s.body))
    return out
