"""SDQ scores in print: a table of every measurement and a chart of the course.

The Strengths and Difficulties Questionnaire gives five scale scores (0–10) and
a total difficulties score (0–40), each with a band from the norm tables. A
band is printed as a plain word ("borderline", "slightly raised") and never as
a diagnosis: it says where a score lies compared with other children, nothing
more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.reports.pdf_common import (
    ACCENT,
    FONT,
    FONT_BOLD,
    FRAME_WIDTH,
    HEADER_SHADE,
    INK,
    MUTED,
    RULE,
    SHADE,
    markup,
    pdf_styles,
    pdf_translator,
    register_fonts,
    section,
    short_date,
)
from app.reports.sdq_words import SCALES as SCALES
from app.reports.sdq_words import TOTAL as TOTAL
from app.reports.sdq_words import SdqPoint as SdqPoint
from app.reports.sdq_words import SdqSeries as SdqSeries
from app.reports.sdq_words import Translate as Translate
from app.reports.sdq_words import band_words as band_words
from app.reports.sdq_words import informant_name as informant_name
from app.reports.sdq_words import scale_names as scale_names
from app.reports.sdq_words import version_name as version_name

_EXTRA = ("externalising", "internalising", "impact")  # rows shown when scored
_MAX = {TOTAL: 40, **{scale: 10 for scale in SCALES}}

# Measurements per table before the table continues below (columns of 26 mm).
_PER_TABLE = 4
_NAME_WIDTH = FRAME_WIDTH - _PER_TABLE * 26 * mm

# One colour per scale; dash pattern and marker tell the informants apart.
_SCALE_COLOURS = {
    "emotional": colors.HexColor("#b7472a"),
    "conduct": colors.HexColor("#2f7d5b"),
    "hyperactivity": colors.HexColor("#c08a00"),
    "peer": colors.HexColor("#6b4c9a"),
    "prosocial": colors.HexColor("#2a7ab0"),
}
_DASHES: tuple[list[float] | None, ...] = (None, [4, 2], [1, 2], [6, 2, 1, 2])
_MARKERS = ("circle", "square", "triangle", "diamond")
_CHART_HEIGHT = 90 * mm
_KEY_ROW = 10.0  # the height of a row of the scales' key
_GRID = colors.HexColor("#e3e8ee")
_EPOCH = date(2000, 1, 1)  # the x axis of a chart with no dates at all


def _ordered(points: Sequence[SdqPoint]) -> list[SdqPoint]:
    return sorted(points, key=lambda p: (p.on, p.informant))


def sdq_table(series: SdqSeries, lang: str) -> Flowable:
    """The measurements as a table: a row per scale, a column per measurement.

    Each cell holds the score with its band word below; a missing score prints
    as a dash. More than four measurements continue in further blocks below,
    the scale names repeated.
    """
    _ = pdf_translator(lang)
    s = pdf_styles()
    names = scale_names(_)
    words = band_words(_)
    head_small = ParagraphStyle("SamraadSdqHead", parent=s.cell_small, fontSize=8, leading=10)
    band_style = ParagraphStyle("SamraadSdqBand", parent=s.cell_small, fontSize=7.5, leading=9)
    date_style = ParagraphStyle("SamraadSdqDate", parent=s.cell_bold, fontSize=9, leading=12)
    points = _ordered(series.points)
    extras = [key for key in _EXTRA if any(p.scores.get(key) is not None for p in points)]
    # Blocks of nearly equal size: six measurements print as 3 + 3, not 4 + 2.
    count = max(1, -(-len(points) // _PER_TABLE))
    size = -(-len(points) // count) if points else 0
    blocks = [points[i : i + size] for i in range(0, len(points), size)] if points else [[]]

    def cell(point: SdqPoint, key: str) -> list[Any]:
        score = point.scores.get(key)
        if score is None:
            return [Paragraph("–", s.cell)]
        band = point.bands.get(key)
        out = [Paragraph(str(score), s.cell_bold)]
        if band:
            out.append(Paragraph(markup(words.get(band, band)), band_style))
        return out

    def block(chunk: list[SdqPoint]) -> Table:
        head: list[Any] = [Paragraph(markup(_("Scale")), s.cell_bold)]
        for point in chunk:
            head.append(
                [
                    Paragraph(short_date(point.on, lang), date_style),
                    Paragraph(markup(informant_name(point.informant, _)), head_small),
                    Paragraph(markup(version_name(point.version, point.informant, _)), head_small),
                ]
            )
        rows: list[list[Any]] = [head]
        for key in (*SCALES, TOTAL):
            style = s.cell_bold if key == TOTAL else s.cell
            rows.append([Paragraph(markup(names[key]), style), *(cell(p, key) for p in chunk)])
        for key in extras:
            rows.append(
                [Paragraph(markup(names[key]), s.cell_small), *(cell(p, key) for p in chunk)]
            )
        width = (FRAME_WIDTH - _NAME_WIDTH) / _PER_TABLE
        table = Table(
            rows, colWidths=[_NAME_WIDTH] + [width] * len(chunk), repeatRows=1, hAlign="LEFT"
        )
        total_row = 1 + len(SCALES)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
                    ("BACKGROUND", (0, total_row), (-1, total_row), SHADE),
                    ("LINEABOVE", (0, total_row), (-1, total_row), 1.0, INK),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    tables = [block(chunk) for chunk in blocks]
    if len(tables) == 1:
        return tables[0]
    # One flowable for the caller; the outer table splits between the blocks.
    outer = Table([[t] for t in tables], colWidths=[FRAME_WIDTH], hAlign="LEFT")
    outer.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return outer


def sdq_section(series: SdqSeries, lang: str) -> list[Any]:
    """The SDQ heading, table and chart, and the note that a band is no diagnosis."""
    _ = pdf_translator(lang)
    page_break, heading = section(_("Strengths and Difficulties Questionnaire (SDQ)"))
    # The heading goes with the table's first block to the next page if need be.
    flowables: list[Any] = [page_break, KeepTogether([heading, sdq_table(series, lang)])]
    if series.points:
        # The chart moves to the next page whole rather than being cut.
        flowables += [
            Spacer(1, 4 * mm),
            CondPageBreak(_CHART_HEIGHT + 6 * mm),
            sdq_chart(series, lang, FRAME_WIDTH, _CHART_HEIGHT),
        ]
    note = _(
        "A band says how a score compares with those of other children of the same age; "
        "it is not a diagnosis."
    )
    flowables += [Spacer(1, 2 * mm), Paragraph(markup(note), pdf_styles().cell_small)]
    return flowables


def sdq_chart(series: SdqSeries, lang: str, width: float, height: float) -> Drawing:
    """The course of the scores over time, as a reportlab Drawing ``width`` × ``height``.

    Top panel: total difficulties (0–40), a line with markers per informant.
    Bottom panel: the five scales (0–10), a thin line per scale (colour) and
    informant (dash and marker). Intervention starts are dashed vertical lines
    labelled at the top. A missing score leaves a gap in its line; a single
    measurement shows as markers alone.
    """
    register_fonts()
    _ = pdf_translator(lang)
    names = scale_names(_)
    d = Drawing(width, height)

    points = _ordered(series.points)
    informants = list(dict.fromkeys(p.informant for p in points))
    style_of = {inf: i % len(_DASHES) for i, inf in enumerate(informants)}

    left, right = 26.0, width - 6.0
    # The scales' key: entries placed left to right, a new row when one is full.
    key_rows: list[list[tuple[float, str]]] = [[]]
    key_x = left
    for scale in SCALES:
        entry_w = 15 + stringWidth(names[scale], FONT, 6.5)
        if key_rows[-1] and key_x + entry_w > width:
            key_rows.append([])
            key_x = left
        key_rows[-1].append((key_x, scale))
        key_x += entry_w + 10
    # Vertical layout, top to bottom (reportlab's y grows upwards): the panel
    # title and informants' key, the intervention labels, the total panel, the
    # scales panel, the dates, the scales' key.
    header_h, strip_h, gap_h, ticks_h = 12.0, 16.0, 22.0, 14.0
    legend_h = 4.0 + _KEY_ROW * len(key_rows)
    panels_h = max(height - header_h - strip_h - gap_h - ticks_h - legend_h, 40.0)
    top_h = panels_h * 0.55
    bottom_h = panels_h - top_h
    legend_y = 2.0
    bottom0 = legend_y + legend_h + ticks_h
    bottom1 = bottom0 + bottom_h
    top0 = bottom1 + gap_h
    top1 = top0 + top_h
    strip_top = top1 + strip_h  # = height - header_h

    days = [p.on for p in points] + [on for on, _label in series.intervention_starts]
    first, last = (min(days), max(days)) if days else (_EPOCH, _EPOCH)
    if first == last:
        first, last = first - timedelta(days=30), last + timedelta(days=30)
    span = (last - first).days
    pad = span * 0.05
    lo, hi = first.toordinal() - pad, last.toordinal() + pad

    def x_of(day: date) -> float:
        return left + (day.toordinal() - lo) / (hi - lo) * (right - left)

    def panel(y0: float, y1: float, top: int, step: int, title: str, title_y: float) -> None:
        d.add(Rect(left, y0, right - left, y1 - y0, fillColor=colors.white, strokeColor=None))
        for value in range(0, top + 1, step):
            y = y0 + value / top * (y1 - y0)
            line_colour = RULE if value == 0 else _GRID
            d.add(Line(left, y, right, y, strokeColor=line_colour, strokeWidth=0.5))
            d.add(
                String(
                    left - 4,
                    y - 2.3,
                    str(value),
                    fontName=FONT,
                    fontSize=6.5,
                    fillColor=MUTED,
                    textAnchor="end",
                )
            )
        d.add(Line(left, y0, left, y1, strokeColor=RULE, strokeWidth=0.5))
        d.add(String(left, title_y, title, fontName=FONT_BOLD, fontSize=7.5, fillColor=INK))

    panel(top0, top1, 40, 10, names[TOTAL] + " (0–40)", height - 9)
    panel(bottom0, bottom1, 10, 2, _("Scales") + " (0–10)", bottom1 + 7)

    # The informants' key at the top right, beside the total panel's title.
    key_x = right
    for inf in reversed(informants):
        label = informant_name(inf, _)
        label_w = stringWidth(label, FONT, 7)
        d.add(
            String(
                key_x, height - 9, label, fontName=FONT, fontSize=7, fillColor=INK, textAnchor="end"
            )
        )
        sample_x = key_x - label_w - 22
        _sample(d, sample_x, height - 6.5, style_of[inf], ACCENT)
        key_x = sample_x - 8

    # Intervention starts: dashed lines through both panels, labels on two rows.
    row_ends = [-1e9, -1e9]  # where the last label on each row of the strip ends
    for on, label in sorted(series.intervention_starts):
        x = x_of(on)
        text_w = stringWidth(label, FONT, 6.5)
        # Right of the line, unless that runs off the drawing.
        anchor, x_text = ("start", x + 2) if x + 2 + text_w <= width else ("end", x - 2)
        x_left = x_text if anchor == "start" else x_text - text_w
        free = [i for i, end in enumerate(row_ends) if x_left > end + 4]
        row = free[0] if free else row_ends.index(min(row_ends))
        row_ends[row] = x_left + text_w
        y = strip_top - 7 - row * 8
        d.add(
            Line(x, bottom0, x, y - 1.5, strokeColor=MUTED, strokeWidth=0.7, strokeDashArray=[3, 2])
        )
        d.add(
            String(x_text, y, label, fontName=FONT, fontSize=6.5, fillColor=INK, textAnchor=anchor)
        )

    # Dates along the bottom: every measurement date that has room.
    last_end = -1e9
    for day in sorted({p.on for p in points}):
        x = x_of(day)
        d.add(Line(x, bottom0, x, bottom0 - 2.5, strokeColor=RULE, strokeWidth=0.5))
        text = short_date(day, lang)
        text_w = stringWidth(text, FONT, 6.5)
        if x - text_w / 2 > last_end + 4 and x + text_w / 2 <= width:
            d.add(
                String(
                    x,
                    bottom0 - 10,
                    text,
                    fontName=FONT,
                    fontSize=6.5,
                    fillColor=MUTED,
                    textAnchor="middle",
                )
            )
            last_end = x + text_w / 2

    def plot(key: str, y0: float, y1: float, colour: Any, stroke: float, size: float) -> None:
        top = _MAX[key]
        for inf in informants:
            run: list[tuple[float, float]] = []
            mine = [p for p in points if p.informant == inf]
            for p in mine + [None]:
                value = None if p is None else p.scores.get(key)
                if value is not None and p is not None:
                    clamped = min(max(value, 0), top)
                    run.append((x_of(p.on), y0 + clamped / top * (y1 - y0)))
                    continue
                # A gap (or the end): draw the run so far, then start afresh.
                for (xa, ya), (xb, yb) in zip(run, run[1:], strict=False):
                    d.add(
                        Line(
                            xa,
                            ya,
                            xb,
                            yb,
                            strokeColor=colour,
                            strokeWidth=stroke,
                            strokeDashArray=_DASHES[style_of[inf]],
                        )
                    )
                for xm, ym in run:
                    _marker(d, xm, ym, style_of[inf], colour, size)
                run = []

    plot(TOTAL, top0, top1, ACCENT, 1.6, 2.6)
    for scale in SCALES:
        plot(scale, bottom0, bottom1, _SCALE_COLOURS[scale], 0.9, 1.7)

    # The scales' key along the foot, on as many rows as it needs.
    for row, entries in enumerate(key_rows):
        y = legend_y + (len(key_rows) - 1 - row) * _KEY_ROW
        for key_x, scale in entries:
            colour = _SCALE_COLOURS[scale]
            d.add(Line(key_x, y + 4, key_x + 12, y + 4, strokeColor=colour, strokeWidth=1.6))
            d.add(
                String(
                    key_x + 15, y + 1.8, names[scale], fontName=FONT, fontSize=6.5, fillColor=INK
                )
            )
    return d


def _sample(d: Drawing, x: float, y: float, style: int, colour: Any) -> None:
    """A short stretch of line with a marker: one informant's key."""
    d.add(
        Line(x, y, x + 18, y, strokeColor=colour, strokeWidth=1.2, strokeDashArray=_DASHES[style])
    )
    _marker(d, x + 9, y, style, colour, 2.3)


def _marker(d: Drawing, x: float, y: float, style: int, colour: Any, r: float) -> None:
    kind = _MARKERS[style % len(_MARKERS)]
    common: dict[str, Any] = {"fillColor": colour, "strokeColor": colors.white, "strokeWidth": 0.5}
    if kind == "circle":
        d.add(Circle(x, y, r, **common))
    elif kind == "square":
        d.add(Rect(x - r, y - r, 2 * r, 2 * r, **common))
    elif kind == "triangle":
        d.add(Polygon([x - r * 1.15, y - r, x + r * 1.15, y - r, x, y + r * 1.2], **common))
    else:
        d.add(Polygon([x - r * 1.3, y, x, y + r * 1.3, x + r * 1.3, y, x, y - r * 1.3], **common))
