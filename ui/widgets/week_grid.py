"""The week grid: Monday to Sunday, meetings as blocks at their times.

Weekdays get wide columns and the weekend narrow ones; hours run down the
left edge (07–18, widened to fit any meeting outside them). Holidays, extra
closure days and school holidays tint their column and are named in its head.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from ui.widgets.meeting_block import BlockHost, CalendarItem, DayInfo, shade

GUTTER = 52
HEADER = 58
MIN_HOUR_HEIGHT = 40
WEEKEND_WEIGHT = 0.45
FIRST_HOUR = 7
LAST_HOUR = 18


class WeekGrid(BlockHost):
    """One ISO week; ``day_names`` are the short weekday names (Monday first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weekGrid")
        self.monday: date | None = None
        self.today: date | None = None
        self.day_names: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        self._hours = (FIRST_HOUR, LAST_HOUR)

    def set_week(
        self,
        monday: date,
        items: Sequence[CalendarItem],
        days: Sequence[DayInfo],
        today: date | None = None,
    ) -> None:
        """Show the week starting ``monday``."""
        self.monday, self.today = monday, today
        first = min([FIRST_HOUR, *(i.start.hour for i in items)])
        last = max([LAST_HOUR, *(_end_hour(i) for i in items)])
        self._hours = (first, min(24, last))
        self.setMinimumHeight(HEADER + MIN_HOUR_HEIGHT * (self._hours[1] - self._hours[0]))
        self.set_content(items, days)

    def sizeHint(self) -> QSize:
        return QSize(900, self.minimumHeight())

    # --- geometry -----------------------------------------------------------------

    def columns(self) -> list[tuple[float, float]]:
        """(left, width) of Monday … Sunday."""
        weights = [1.0] * 5 + [WEEKEND_WEIGHT] * 2
        unit = max(0.0, self.width() - GUTTER) / sum(weights)
        x, result = float(GUTTER), []
        for weight in weights:
            result.append((x, unit * weight))
            x += unit * weight
        return result

    def hour_height(self) -> float:
        """Pixels per hour (the grid fills its height)."""
        first, last = self._hours
        return max(float(MIN_HOUR_HEIGHT), (self.height() - HEADER) / max(1, last - first))

    def _y(self, moment: datetime) -> float:
        minutes = (moment.hour - self._hours[0]) * 60 + moment.minute
        return HEADER + minutes * self.hour_height() / 60

    def _place_blocks(self) -> None:
        if self.monday is None:
            return
        columns = self.columns()
        for day_items in self._by_day().values():
            for item, lane, lanes in _lanes(day_items):
                left, width = columns[(item.day - self.monday).days]
                lane_width = width / lanes
                top = self._y(item.start)
                bottom = self._y(item.end) if item.end.date() == item.day else self.height()
                block = self.block(item.id)
                if block is not None:
                    block.setGeometry(
                        int(left + lane * lane_width + 2),
                        int(top + 1),
                        max(8, int(lane_width - 4)),
                        max(20, int(bottom - top - 2)),
                    )

    def _by_day(self) -> dict[date, list[CalendarItem]]:
        grouped: dict[date, list[CalendarItem]] = {}
        for item in self.items():
            if self.monday is not None and 0 <= (item.day - self.monday).days < 7:
                grouped.setdefault(item.day, []).append(item)
        return grouped

    def day_at(self, pos: QPoint) -> date | None:
        if self.monday is None:
            return None
        for index, (left, width) in enumerate(self.columns()):
            if left <= pos.x() < left + width:
                return self.days()[index] if len(self.days()) == 7 else None
        return None

    def hour_at(self, pos: QPoint) -> int:
        hour = self._hours[0] + int((pos.y() - HEADER) // self.hour_height())
        return max(self._hours[0], min(self._hours[1] - 1, hour))

    # --- keyboard -----------------------------------------------------------------

    def neighbour(self, item: CalendarItem, key: Qt.Key) -> str | None:
        if key == Qt.Key.Key_Up:
            return self._step_in_day(item, -1)
        if key == Qt.Key.Key_Down:
            return self._step_in_day(item, +1)
        return self._step_days(item, -1 if key == Qt.Key.Key_Left else +1)

    def _step_days(self, item: CalendarItem, step: int) -> str | None:
        """The nearest-in-time meeting on the next day (by ``step``) that has one."""
        days = sorted({i.day for i in self._items})
        later = [d for d in days if (d - item.day).days * step > 0]
        if not later:
            return None
        return self._nearest_on(min(later, key=lambda d: abs((d - item.day).days)), item)

    def _step_in_day(self, item: CalendarItem, step: int) -> str | None:
        same = [i for i in self._items if i.day == item.day]
        index = same.index(item) + step
        return same[index].id if 0 <= index < len(same) else None

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if self.monday is None:
            return
        line = QColor(palette.color(QPalette.ColorRole.Text))
        line.setAlpha(40)
        days = self.days()
        columns = self.columns()
        for index, (left, width) in enumerate(columns):
            column = QRectF(left, 0, width, self.height())
            if index >= 5:
                painter.fillRect(column, palette.color(QPalette.ColorRole.AlternateBase))
            if index < len(days):
                shade(painter, column, self.day_info(days[index]))
                self._paint_head(painter, QRectF(left, 0, width, HEADER), days[index])
            painter.setPen(QPen(line, 1))
            painter.drawLine(int(left), 0, int(left), self.height())
        self._paint_hours(painter, line)

    def _paint_head(self, painter: QPainter, rect: QRectF, day: date) -> None:
        palette = self.palette()
        is_today = day == self.today
        font = QFont(self.font())
        font.setBold(is_today)
        painter.setFont(font)
        role = QPalette.ColorRole.Highlight if is_today else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        metrics = painter.fontMetrics()
        inner = rect.adjusted(6, 4, -4, 0)
        narrow = rect.width() < metrics.horizontalAdvance("Wed 30.12") + 12
        name = self.day_names[day.weekday()]
        head = f"{name} {day.day}" if narrow else f"{name} {day.day:02d}.{day.month:02d}"
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft), head)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        top = inner.top() + metrics.height()
        info = self.day_info(day)
        for text in (info.holiday, info.school_holiday):
            if not text:
                continue
            elided = painter.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, max(0, int(inner.width()))
            )
            painter.drawText(QRectF(inner.left(), top, inner.width(), metrics.height()), 0, elided)
            top += painter.fontMetrics().height()

    def _paint_hours(self, painter: QPainter, line: QColor) -> None:
        palette = self.palette()
        first, last = self._hours
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        for hour in range(first, last + 1):
            y = HEADER + (hour - first) * self.hour_height()
            painter.setPen(QPen(line, 1))
            painter.drawLine(GUTTER - 4, int(y), self.width(), int(y))
            if hour < last:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(
                    QRectF(0, y + 2, GUTTER - 8, 20),
                    int(Qt.AlignmentFlag.AlignRight),
                    f"{hour:02d}:00",
                )


def _end_hour(item: CalendarItem) -> int:
    if item.end.date() != item.day:
        return 24
    return item.end.hour + (1 if item.end.minute else 0)


def _lanes(items: list[CalendarItem]) -> list[tuple[CalendarItem, int, int]]:
    """Side-by-side lanes for overlapping meetings: (item, lane, lanes in its cluster)."""
    result: list[tuple[CalendarItem, int, int]] = []
    cluster: list[tuple[CalendarItem, int]] = []
    lane_ends: list[datetime] = []
    cluster_end: datetime | None = None

    def flush() -> None:
        result.extend((item, lane, len(lane_ends)) for item, lane in cluster)

    for item in sorted(items, key=lambda i: (i.start, i.end)):
        if cluster_end is not None and item.start >= cluster_end:
            flush()
            cluster, lane_ends, cluster_end = [], [], None
        lane = next((n for n, end in enumerate(lane_ends) if end <= item.start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(item.end)
        else:
            lane_ends[lane] = item.end
        cluster.append((item, lane))
        cluster_end = item.end if cluster_end is None else max(cluster_end, item.end)
    flush()
    return result
