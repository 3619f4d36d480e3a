"""Printed agendas: the meeting's agenda and one agenda per child for the child's record.

The meeting agenda is handed round the table, so case items appear only under
their anonymised display name (the services guarantee it). The per-child
agenda goes into that child's record and names the child in its body, but
never in the document information: a PDF's title shows in file managers,
mail previews and "recent documents" lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from app.reports.pdf_common import (
    FRAME_WIDTH,
    HEADER_SHADE,
    INK,
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


@dataclass(frozen=True)
class PrintedItem:
    """One agenda item as printed; ``title`` of a case item is its anonymised name."""

    position: int
    kind: str  # "case" | "general"
    title: str
    text: str
    minutes: int


@dataclass(frozen=True)
class MeetingAgenda:
    """Everything the meeting agenda prints, already translated and anonymised."""

    language: str  # "da" | "nb" | "en"
    site_name: str
    forum_name: str
    start: datetime  # aware, local
    end: datetime
    iso_week: int
    iso_year: int
    participants: tuple[str, ...]  # role names, already translated
    items: tuple[PrintedItem, ...]
    meeting_minutes: int  # the length of the meeting


@dataclass(frozen=True)
class ChildAgenda:
    """One child's agenda item as printed for the child's record."""

    language: str
    site_name: str
    forum_name: str
    start: datetime
    end: datetime
    iso_week: int
    iso_year: int
    full_name: str
    birth_date: date
    concern: str
    basis: str  # the legal basis as a sentence (consent or SL §49a wording)
    minutes: int
    position: int


# Column widths of the items table: number, title, text, minutes.
_NO_WIDTH = 11 * mm
_TITLE_WIDTH = 50 * mm
_MIN_WIDTH = 15 * mm
_TEXT_WIDTH = FRAME_WIDTH - _NO_WIDTH - _TITLE_WIDTH - _MIN_WIDTH


def meeting_agenda_pdf(agenda: MeetingAgenda) -> bytes:
    """The meeting's agenda as PDF bytes, in ``agenda.language``.

    The document title is "<Agenda> – <forum> – <date>" and the subject the
    site: no item title or text reaches the document information.
    """
    lang = agenda.language
    _ = pdf_translator(lang)
    title = _("Agenda")
    metadata_title = f"{title} – {agenda.forum_name} – {short_date(agenda.start.date(), lang)}"

    def build() -> list[Any]:
        s = pdf_styles()
        total = sum(item.minutes for item in agenda.items)
        flowables: list[Any] = [
            *title_bar(s, title, _("Week {week}").format(week=agenda.iso_week)),
            fact_block(
                s,
                [
                    (_("Forum"), agenda.forum_name),
                    (_("Site"), agenda.site_name),
                    (_("Date"), long_date(agenda.start.date(), lang)),
                    (
                        _("Time"),
                        f"{time_span(agenda.start, agenda.end)}  ("
                        + _("{minutes} min").format(minutes=agenda.meeting_minutes)
                        + ")",
                    ),
                ],
            ),
            *section(_("Participants")),
            Paragraph(
                markup(", ".join(agenda.participants))
                if agenda.participants
                else markup(_("No participants listed.")),
                s.body,
            ),
            *section(_("Items")),
        ]
        if agenda.items:
            flowables.append(_items_table(s, _, agenda, total))
        else:
            flowables.append(Paragraph(markup(_("No items on the agenda.")), s.body))
        if total > agenda.meeting_minutes:
            warning = _(
                "Over time by {over} min: the items take {total} min, "
                "the meeting lasts {length} min."
            ).format(
                total=total,
                length=agenda.meeting_minutes,
                over=total - agenda.meeting_minutes,
            )
            flowables.append(Paragraph(markup(warning), s.warning))
        return flowables

    return render_pdf(build, metadata_title, agenda.site_name, language=lang)


def child_agenda_pdf(child: ChildAgenda) -> bytes:
    """One child's agenda item as PDF bytes, for the child's record.

    The child's name and birth date are in the body only; the document title
    is "<Agenda for the child's record> – <date>" and the subject the site.
    """
    lang = child.language
    _ = pdf_translator(lang)
    title = _("Agenda for the child's record")
    metadata_title = f"{title} – {short_date(child.start.date(), lang)}"

    def build() -> list[Any]:
        s = pdf_styles()
        return [
            *title_bar(s, title, _("Week {week}").format(week=child.iso_week)),
            fact_block(
                s,
                [
                    (_("Forum"), child.forum_name),
                    (_("Site"), child.site_name),
                    (_("Date"), long_date(child.start.date(), lang)),
                    (_("Time"), time_span(child.start, child.end)),
                    (_("Item no."), str(child.position)),
                    (_("Time allotted"), _("{minutes} min").format(minutes=child.minutes)),
                ],
            ),
            *section(_("Child")),
            fact_block(
                s,
                [
                    (_("Name"), child.full_name),
                    (_("Date of birth"), short_date(child.birth_date, lang)),
                ],
                bold_values=True,
            ),
            *section(_("Concern")),
            Paragraph(markup(child.concern), s.body),
            *section(_("Legal basis")),
            Paragraph(markup(child.basis), s.body),
        ]

    return render_pdf(build, metadata_title, child.site_name, language=lang)


def _items_table(s: PdfStyles, _: Callable[[str], str], agenda: MeetingAgenda, total: int) -> Table:
    """The numbered items with a header row repeated on every page and a total."""
    kinds = {"case": _("Case"), "general": _("General")}
    rows: list[list[Any]] = [
        [
            Paragraph(markup(_("No.")), s.cell_bold),
            Paragraph(markup(_("Item")), s.cell_bold),
            Paragraph(markup(_("Description")), s.cell_bold),
            Paragraph(markup(_("Min.")), s.cell_right_bold),
        ]
    ]
    for item in agenda.items:
        title_cell = [Paragraph(markup(item.title), s.cell_bold)]
        if item.kind in kinds:
            title_cell.append(Paragraph(markup(kinds[item.kind]), s.cell_small))
        rows.append(
            [
                Paragraph(f"{item.position}.", s.cell),
                title_cell,
                Paragraph(markup(item.text), s.cell) if item.text.strip() else "",
                Paragraph(str(item.minutes), s.cell_right),
            ]
        )
    length = _("Total (the meeting lasts {length} min)").format(length=agenda.meeting_minutes)
    rows.append(
        [
            Paragraph(markup(length), s.cell_bold),
            "",
            "",
            Paragraph(str(total), s.cell_right_bold),
        ]
    )
    table = Table(
        rows,
        colWidths=[_NO_WIDTH, _TITLE_WIDTH, _TEXT_WIDTH, _MIN_WIDTH],
        repeatRows=1,
        # A long description may be taller than a page: let its row split.
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -2), 0.4, RULE),
                ("BOX", (0, -1), (-1, -1), 0.4, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, INK),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("SPAN", (0, -1), (2, -1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table
