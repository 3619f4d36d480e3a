"""The SDQ course on screen: total difficulties per informant over time.

Drawn with QPainter in the palette's colours (light or dark). The norm
bands of the total score are shaded behind the lines — the band of the
latest assessment's form, named under the chart — and each intervention
start is a dashed vertical line with its name at the top: the before/after
picture the advisor shows in a meeting. A band is never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.sdq import BandRange
from app.i18n import _
from app.reports.sdq_words import SdqSeries, band_words, informant_name
from app.services.sdq_service import Assessment
from ui.formatting import day_text

TOTAL_MAX = 40
#: Line colours per informant; mid-tones that read on light and dark bases.
INFORMANT_COLOURS = {"parent": "#3b8fd0", "teacher": "#2fa36b", "self": "#b366c9"}
_OTHER_COLOURS = ("#d08a2b", "#c0504d", "#6d8a96")
#: Shading of the bands by concern (the first band, "normal", is not shaded).
_BAND_SHADES = ((230, 180, 0), (235, 120, 20), (215, 55, 45))


@dataclass(frozen=True)
class ChartPoint:
    """One plotted assessment: its day, who answered, and the total difficulties score."""

    on: date
    informant: str
    total: int


@dataclass(frozen=True)
class ChartData:
    """What the chart draws."""

    points: tuple[ChartPoint, ...] = ()
    starts: tuple[tuple[date, str], ...] = ()
    bands: tuple[BandRange, ...] = ()
    bands_of: str = ""  # which form's bands are shaded, as the advisor reads it


def chart_data(assessments: Sequence[Assessment], series: SdqSeries) -> ChartData:
    """The chart's data from the case's assessments and intervention starts."""
    points = tuple(
        sorted(
            (
                ChartPoint(date.fromisoformat(a.row.on_date), a.row.informant, a.scores.total)
                for a in assessments
                if a.scores.total is not None
            ),
            key=lambda p: (p.on, p.informant),
        )
    )
    bands: tuple[BandRange, ...] = ()
    bands_of = ""
    if assessments:
        latest = max(assessments, key=lambda a: (a.row.on_date, a.row.id))
        bands = tuple(latest.version.bands.ranges.get("total", ()))
        bands_of = informant_name(latest.row.informant, _)
    return ChartData(points, tuple(sorted(series.intervention_starts)), bands, bands_of)


def _shade(index: int, count: int) -> QColor | None:
    if index == 0:
        return None
    # Three bands use amber and red; four use amber, orange and red.
    picks = _BAND_SHADES[::2] if count <= 3 else _BAND_SHADES
    r, g, b = picks[min(index - 1, len(picks) - 1)]
    return QColor(r, g, b, 46)


class SdqChart(QWidget):
    """Total difficulties over time, one line per informant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = ChartData()
        self.setAccessibleName(_("SDQ chart: total difficulties over time"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 240)

    # --- data -------------------------------------------------------------------------

    def set_data(self, data: ChartData) -> None:
        """Show ``data``."""
        self._data = data
        self.setAccessibleDescription(self.summary())
        self.update()

    def clear(self) -> None:
        """Show nothing (the vault was locked)."""
        self.set_data(ChartData())

    def data_points(self) -> list[ChartPoint]:
        """The plotted points, oldest first."""
        return list(self._data.points)

    def summary(self) -> str:
        """The chart in words (for screen readers)."""
        if not self._data.points:
            return _("No SDQ results yet.")
        parts = [
            _("{informant} {day}: {total}").format(
                informant=informant_name(p.informant, _), day=day_text(p.on), total=p.total
            )
            for p in self._data.points
        ]
        return "; ".join(parts)

    def sizeHint(self) -> QSize:
        return QSize(640, 300)

    # --- drawing ----------------------------------------------------------------------

    def _colour(self, informant: str, order: list[str]) -> QColor:
        if informant in INFORMANT_COLOURS:
            return QColor(INFORMANT_COLOURS[informant])
        return QColor(_OTHER_COLOURS[order.index(informant) % len(_OTHER_COLOURS)])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.windowText().color()
        muted = QColor(text)
        muted.setAlpha(150)
        grid = QColor(text)
        grid.setAlpha(40)
        metrics = QFontMetricsF(self.font())
        line_h = metrics.height()
        data = self._data
        if not data.points and not data.starts:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("No SDQ results yet."))
            painter.end()
            return

        informants = list(dict.fromkeys(p.informant for p in data.points))
        left = metrics.horizontalAdvance("40") + 12
        right = self.width() - 12 - metrics.horizontalAdvance(" " * 14)
        top = line_h * 3.4  # title row + two rows of intervention labels
        bottom = self.height() - line_h * (2.6 if data.bands_of else 1.6)
        plot = QRectF(left, top, max(right - left, 10), max(bottom - top, 10))
        painter.fillRect(plot, palette.base())

        def y_of(value: float) -> float:
            return plot.bottom() - value / TOTAL_MAX * plot.height()

        days = [p.on for p in data.points] + [on for on, _label in data.starts]
        first, last = min(days), max(days)
        if first == last:
            first, last = first - timedelta(days=30), last + timedelta(days=30)
        pad = (last - first).days * 0.06
        lo, hi = first.toordinal() - pad, last.toordinal() + pad

        def x_of(day: date) -> float:
            return plot.left() + (day.toordinal() - lo) / (hi - lo) * plot.width()

        # Bands behind everything, their words at the right edge.
        words = band_words(_)
        for index, band in enumerate(data.bands):
            y_top = y_of(min(band.high + 1, TOTAL_MAX))
            y_bottom = y_of(band.low)
            shade = _shade(index, len(data.bands))
            if shade is not None:
                painter.fillRect(QRectF(plot.left(), y_top, plot.width(), y_bottom - y_top), shade)
            painter.setPen(muted)
            painter.drawText(
                QRectF(plot.right() + 4, y_top, self.width() - plot.right() - 4, y_bottom - y_top),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                words.get(band.key, band.key),
            )

        # Grid and the y axis.
        for value in range(0, TOTAL_MAX + 1, 10):
            y = y_of(value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y - line_h / 2, plot.left() - 6, line_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(value),
            )
        painter.setPen(text)
        painter.drawText(QPointF(plot.left(), line_h), _("Total difficulties (0–40)"))

        # Informants' key at the top right.
        key_x = plot.right()
        for informant in reversed(informants):
            label = informant_name(informant, _)
            key_x -= metrics.horizontalAdvance(label)
            painter.setPen(text)
            painter.drawText(QPointF(key_x, line_h), label)
            key_x -= 22
            painter.setPen(QPen(self._colour(informant, informants), 2.5))
            painter.drawLine(QPointF(key_x, line_h * 0.7), QPointF(key_x + 16, line_h * 0.7))
            key_x -= 12

        # Intervention starts: dashed lines, labels on two rows above the plot.
        row_ends = [-1e9, -1e9]
        dashed = QPen(muted, 1.2, Qt.PenStyle.DashLine)
        for on, label in data.starts:
            x = x_of(on)
            width = metrics.horizontalAdvance(label)
            x_text = x + 3 if x + 3 + width <= self.width() else x - 3 - width
            free = [i for i, end in enumerate(row_ends) if x_text > end + 6]
            row = free[0] if free else row_ends.index(min(row_ends))
            row_ends[row] = x_text + width
            y_text = line_h * (2.2 + row)
            painter.setPen(dashed)
            painter.drawLine(QPointF(x, y_text - line_h * 0.3), QPointF(x, plot.bottom()))
            painter.setPen(text)
            painter.drawText(QPointF(x_text, y_text), label)

        # Dates of the assessments along the bottom, where they fit.
        last_end = -1e9
        painter.setPen(muted)
        for day in sorted({p.on for p in data.points}):
            x = x_of(day)
            label = day_text(day)
            width = metrics.horizontalAdvance(label)
            if x - width / 2 > last_end + 6 and x + width / 2 <= self.width():
                painter.drawText(QPointF(x - width / 2, plot.bottom() + line_h), label)
                last_end = x + width / 2
        if data.bands_of:
            painter.drawText(
                QPointF(plot.left(), self.height() - line_h * 0.4),
                _("Shaded: the bands of the latest form ({informant}); not a diagnosis.").format(
                    informant=data.bands_of
                ),
            )

        # One line with markers per informant.
        for informant in informants:
            colour = self._colour(informant, informants)
            mine = [p for p in data.points if p.informant == informant]
            path = QPainterPath()
            for number, p in enumerate(mine):
                point = QPointF(x_of(p.on), y_of(p.total))
                if number == 0:
                    path.moveTo(point)
                else:
                    path.lineTo(point)
            painter.setPen(QPen(colour, 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            painter.setBrush(colour)
            for p in mine:
                point = QPointF(x_of(p.on), y_of(p.total))
                painter.setPen(QPen(palette.base().color(), 1.5))
                painter.drawEllipse(point, 4.5, 4.5)
                painter.setPen(text)
                painter.drawText(QPointF(point.x() + 6, point.y() - 6), str(p.total))
        painter.end()
