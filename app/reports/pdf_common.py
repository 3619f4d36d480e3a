"""What every Samråd PDF shares: embedded fonts, styles, the page frame, private output.

PDFs leave the vault (printed, handed to a colleague, attached to a record), so:

* they are built in memory and written once with :func:`app.fileio.atomic_write`
  (mode 0600): no temporary file ever holds the plaintext;
* the document information holds only what the caller passes (title, subject,
  author, keywords) plus creator and producer "Samråd" — never a child's name;
* the text is set in DejaVu Sans, embedded with a Unicode map, because the
  PDF base fonts cannot print "Şükrü Nguyễn" and a name must copy out exactly;
* every page says it is confidential and which page of how many it is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from app.fileio import atomic_write
from app.i18n import translator

# Re-exported: the report modules take their date words from here.
from app.reports.date_words import long_date as long_date
from app.reports.date_words import short_date as short_date
from app.reports.date_words import time_span as time_span

FONT = "SamraadSans"
FONT_BOLD = "SamraadSans-Bold"
CREATOR = "Samråd"

# Text: near-black slate; accents: a muted navy; tables: light grey lines.
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b8c2cc")
SHADE = colors.HexColor("#eef2f6")
HEADER_SHADE = colors.HexColor("#dde5ee")
WARNING_INK = colors.HexColor("#9b1c1c")
WARNING_SHADE = colors.HexColor("#fdecec")

PAGE_SIZE = A4
LEFT_MARGIN = RIGHT_MARGIN = 20 * mm
TOP_MARGIN = 18 * mm
BOTTOM_MARGIN = 22 * mm
# SimpleDocTemplate's frame pads its content by 6 pt on each side: tables of
# FRAME_WIDTH and the running head and footer line up with the paragraphs.
FRAME_PADDING = 6
CONTENT_LEFT = LEFT_MARGIN + FRAME_PADDING
CONTENT_RIGHT = PAGE_SIZE[0] - RIGHT_MARGIN - FRAME_PADDING
FRAME_WIDTH = CONTENT_RIGHT - CONTENT_LEFT

_fonts_lock = threading.Lock()
_fonts_registered = False


def fonts_dir() -> Path:
    """Return the folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf."""
    override = os.environ.get("SAMRAAD_FONTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"


def register_fonts() -> None:
    """Register the embedded fonts with reportlab (once per process)."""
    global _fonts_registered
    with _fonts_lock:
        if _fonts_registered:
            return
        folder = fonts_dir()
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        for path in (regular, bold):
            if not path.is_file():
                # An installation fault, not a user mistake: fail loudly.
                raise FileNotFoundError(f"PDF font missing: {path}")
        # reportlab embeds TrueType fonts as subsets with a ToUnicode map, so
        # every character prints and extracts back as the same code point.
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
        # <b> in a Paragraph then switches to the bold face, not to Helvetica.
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _fonts_registered = True


def pdf_translator(lang: str) -> Callable[[str], str]:
    """The gettext function for a document in ``lang`` (the one shared catalogue)."""
    return translator(lang)


def markup(text: str) -> str:
    """``text`` safe for a Paragraph: markup characters escaped, line breaks kept."""
    lines = text.strip().splitlines() or [""]
    return "<br/>".join(escape(line) for line in lines)


@dataclass(frozen=True)
class PdfStyles:
    """The paragraph styles of Samråd's PDFs (10.5 pt body)."""

    title: Any
    title_aside: Any
    heading: Any
    body: Any
    label: Any
    value: Any
    cell: Any
    cell_bold: Any
    cell_small: Any
    cell_right: Any
    cell_right_bold: Any
    warning: Any


@cache
def pdf_styles() -> PdfStyles:
    """Return the shared styles (fonts are registered first)."""
    register_fonts()
    body = ParagraphStyle(
        "SamraadBody", fontName=FONT, fontSize=10.5, leading=14.5, textColor=INK, spaceAfter=4
    )
    cell = ParagraphStyle("SamraadCell", parent=body, fontSize=10, leading=13, spaceAfter=0)
    return PdfStyles(
        title=ParagraphStyle(
            "SamraadTitle",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=20,
            leading=24,
            textColor=ACCENT,
            spaceAfter=0,
        ),
        title_aside=ParagraphStyle(
            "SamraadTitleAside",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            textColor=ACCENT,
            alignment=TA_RIGHT,
            spaceAfter=0,
        ),
        heading=ParagraphStyle(
            "SamraadHeading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        body=body,
        label=ParagraphStyle("SamraadLabel", parent=cell, textColor=MUTED),
        value=cell,
        cell=cell,
        cell_bold=ParagraphStyle("SamraadCellBold", parent=cell, fontName=FONT_BOLD),
        cell_small=ParagraphStyle(
            "SamraadCellSmall", parent=cell, fontSize=8.5, leading=11, textColor=MUTED
        ),
        cell_right=ParagraphStyle("SamraadCellRight", parent=cell, alignment=TA_RIGHT),
        cell_right_bold=ParagraphStyle(
            "SamraadCellRightBold", parent=cell, fontName=FONT_BOLD, alignment=TA_RIGHT
        ),
        warning=ParagraphStyle(
            "SamraadWarning",
            parent=body,
            fontName=FONT_BOLD,
            textColor=WARNING_INK,
            backColor=WARNING_SHADE,
            borderColor=WARNING_INK,
            borderWidth=0.6,
            borderPadding=(5, 6, 5, 6),
            spaceBefore=10,
            spaceAfter=8,
        ),
    )


def section(title: str) -> list[Any]:
    """A section heading that never ends up alone at the foot of a page.

    A page break only when less than 35 mm are left, rather than the heading's
    keepWithNext: that would move a whole long table to the next page.
    """
    return [CondPageBreak(35 * mm), Paragraph(markup(title), pdf_styles().heading)]


FlowablesBuilder = Callable[[], list[Any]]


def render_pdf(
    flowables_builder: FlowablesBuilder,
    title: str,
    subject: str,
    author: str = CREATOR,
    keywords: str = "",
    *,
    language: str,
    mark: str = "",
) -> bytes:
    """Build an A4 PDF in memory and return its bytes.

    ``flowables_builder`` is called once: the layout runs in one pass, and
    "Page 1 of N" is written on every page when the document is saved, once
    N is known (:class:`NumberedCanvas`). The document information is exactly
    ``title``, ``author``, ``subject`` and ``keywords`` (plus creator and
    producer "Samråd"); ``language`` chooses the footer's words.
    """
    register_fonts()
    _ = pdf_translator(language)
    confidential = _("Confidential")
    page_of = _("Page {page} of {total}")

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if canvas.getPageNumber() > 1:
            # A running head on later pages: the title, which never names a child.
            canvas.setFont(FONT, 8.5)
            canvas.setFillColor(MUTED)
            canvas.drawString(CONTENT_LEFT, PAGE_SIZE[1] - TOP_MARGIN + 5 * mm, title)
        if mark:
            canvas.setFont(FONT_BOLD, 8.5)
            canvas.setFillColor(WARNING_INK)
            canvas.drawRightString(CONTENT_RIGHT, PAGE_SIZE[1] - TOP_MARGIN + 5 * mm, mark)
        y = FOOTER_Y
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(CONTENT_LEFT, y + 4.5 * mm, CONTENT_RIGHT, y + 4.5 * mm)
        canvas.setFont(FONT_BOLD, 8.5)
        canvas.setFillColor(WARNING_INK)
        canvas.drawString(CONTENT_LEFT, y, confidential)
        canvas.restoreState()
        # "Page n of N" follows in NumberedCanvas.save(), when N is known.

    canvasmaker = partial(NumberedCanvas, page_of=page_of)
    return _build(
        flowables_builder(), footer, canvasmaker, title, subject, author, keywords, language
    )


# The footer line's baseline, in the bottom margin (the frame never reaches it).
FOOTER_Y = BOTTOM_MARGIN - 12 * mm


class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no stubs
    """A canvas that holds its pages back until :meth:`save` to number them "n of N".

    reportlab's usual way to print the page count without laying the
    document out twice: :meth:`showPage` keeps the finished page's state and
    starts the next; :meth:`save` restores each page in turn, writes its
    number and the total in the footer, and only then emits it.
    """

    def __init__(self, *args: Any, page_of: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_of = page_of
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._number(total)
            super().showPage()
        self._held = []
        super().save()

    def _number(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 8.5)
        self.setFillColor(MUTED)
        text = self._page_of.format(page=self.getPageNumber(), total=total)
        self.drawRightString(CONTENT_RIGHT, FOOTER_Y, text)
        self.restoreState()


def _build(
    flowables: list[Any],
    on_page: Callable[[Any, Any], None],
    canvasmaker: Callable[..., Any],
    title: str,
    subject: str,
    author: str,
    keywords: str,
    language: str,
) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        # Every information field set explicitly: reportlab's defaults
        # ("anonymous", "unspecified", its own producer) would fill the gaps.
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        creator=CREATOR,
        producer=CREATOR,
        lang={"da": "da-DK", "nb": "nb-NO"}.get(language, "en"),
        displayDocTitle=True,
        # Each page starts in our font rather than reportlab's Helvetica.
        initialFontName=FONT,
        initialFontSize=10.5,
    )
    doc.build(flowables, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvasmaker)
    return buffer.getvalue()


def write_pdf(path: Path, data: bytes) -> None:
    """Write a rendered PDF to ``path`` atomically, readable by the owner only."""
    atomic_write(path, data)


# The header block every Samråd PDF starts with (agenda, minutes, reports).
LABEL_WIDTH = 34 * mm
ASIDE_WIDTH = 32 * mm  # "Week 53" in 13 pt bold, with room


def title_bar(s: PdfStyles, title: str, aside: str) -> list[Any]:
    """The heading with the ISO week on the right, over a rule."""
    bar = Table(
        [[Paragraph(markup(title), s.title), Paragraph(markup(aside), s.title_aside)]],
        colWidths=[FRAME_WIDTH - ASIDE_WIDTH, ASIDE_WIDTH],
    )
    bar.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    rule = HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=2, spaceAfter=8)
    return [bar, rule]


def fact_block(s: PdfStyles, rows: list[tuple[str, str]], *, bold_values: bool = False) -> Table:
    """A shaded label/value block (the header facts, the child's identity)."""
    value_style = s.cell_bold if bold_values else s.value
    table = Table(
        [
            [Paragraph(markup(label), s.label), Paragraph(markup(value), value_style)]
            for label, value in rows
        ],
        colWidths=[LABEL_WIDTH, FRAME_WIDTH - LABEL_WIDTH],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table
