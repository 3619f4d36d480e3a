"""The subject access report: everything the vault holds about one child.

A parent who asks what is recorded about their child receives this PDF. The
services gather the data into sections of label/value rows (the case, the
guardians, the consents, every agenda item and minute, the audit entries that
concern the child ...); this module prints them in the order given, each
value in full, and the SDQ scores as a table and a chart.

The child is named in the body only; the document title is
"<Subject access report> – <generated date>".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.reports.pdf_common import (
    FRAME_WIDTH,
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
    title_bar,
)
from app.reports.sdq_chart import SdqSeries, sdq_section


@dataclass(frozen=True)
class ReportSection:
    """A titled list of label/value rows, printed as a two-column table.

    A row ("", "") separates records (one guardian from the next): the
    records print as separate blocks. No rows prints "(nothing recorded)".
    """

    title: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CaseReport:
    """Everything a subject access report prints, already translated by the services."""

    language: str  # "da" | "nb" | "en"
    generated_on: date
    child_label: str  # the child's name: printed in the body, never in the metadata
    sections: tuple[ReportSection, ...]
    sdq: SdqSeries | None


_LABEL_WIDTH = 48 * mm


def case_report_pdf(r: CaseReport) -> bytes:
    """The subject access report as PDF bytes, in ``r.language``."""
    lang = r.language
    _ = pdf_translator(lang)
    title = _("Subject access report")
    metadata_title = f"{title} – {short_date(r.generated_on, lang)}"

    def build() -> list[Any]:
        s = pdf_styles()
        flowables: list[Any] = [
            *title_bar(s, title, short_date(r.generated_on, lang)),
            fact_block(
                s,
                [
                    (_("Child"), r.child_label),
                    (_("Generated"), long_date(r.generated_on, lang)),
                ],
                bold_values=True,
            ),
            Spacer(1, 2 * mm),
            Paragraph(
                markup(
                    _(
                        "This report lists everything Samråd holds about the child "
                        "on the day it was generated."
                    )
                ),
                s.cell_small,
            ),
        ]
        for part in r.sections:
            flowables += section(part.title)
            flowables += _rows(s, _("(nothing recorded)"), part.rows)
        if r.sdq is not None:
            flowables += sdq_section(r.sdq, lang)
        return flowables

    return render_pdf(build, metadata_title, "", language=lang)


def _rows(s: PdfStyles, nothing: str, rows: tuple[tuple[str, str], ...]) -> list[Any]:
    """Label/value rows in a light grid, a long value split across pages.

    An empty row (label and value both "") separates records: each record
    gets its own block, a little apart from the next.
    """
    groups: list[list[tuple[str, str]]] = [[]]
    for label, value in rows:
        if label or value:
            groups[-1].append((label, value))
        elif groups[-1]:
            groups.append([])
    groups = [group for group in groups if group]
    if not groups:
        return [Paragraph(markup(nothing), s.label)]
    out: list[Any] = []
    for group in groups:
        if out:
            out.append(Spacer(1, 2.5 * mm))
        out.append(_block(s, group))
    return out


def _block(s: PdfStyles, rows: list[tuple[str, str]]) -> Table:
    table = Table(
        [
            [Paragraph(markup(label), s.label), Paragraph(markup(value), s.value)]
            for label, value in rows
        ],
        colWidths=[_LABEL_WIDTH, FRAME_WIDTH - _LABEL_WIDTH],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table
