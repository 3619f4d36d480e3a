"""The month grid: one row per ISO week, its number in the first column.

Each day cell shows its date, the holiday's name and the meetings as short
one-line blocks; what does not fit is counted ("+2"). Days outside the month
are faded; holidays and school holidays are tinted like in the week grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from ui.widgets.meeting_block import BlockHost, CalendarItem, DayInfo, shade

WEEK_COLUMN = 44
HEADER = 26
LINE = 20
WEEKEND_WEIGHT = 0.6


def month_days(year: int, month: int) -> list[date]:
    """Monday of the week of the 1st to Sunday of the week of the last day."""
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class MonthGrid(BlockHost):
    """One month; ``day_names`` are the short weekday names (Monday first)."""

    compact = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthGrid")
        self.year, self.month = 2000, 1
        self.today: date | None = None
        self.day_names: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        self.week_label = "Wk"
        self._hidden: dict[date, int] = {}
        self.setMinimumHeight(HEADER + 6 * (LINE * 3 + 22))

    def set_month(
        self,
        year: int,
        month: int,
        items: Sequence[CalendarItem],
        days: Sequence[DayInfo],
        today: date | None = None,
    ) -> None:
        """Show one month; ``days`` should cover :func:`month_days`."""
        self.year, self.month, self.today = year, month, today
        covered = {d.day: d for d in days}
        infos = [covered.get(day, DayInfo(day)) for day in month_days(year, month)]
        self.set_content(items, infos)

    def sizeHint(self) -> QSize:
        return QSize(900, self.minimumHeight())

    def weeks(self) -> list[date]:
        """The Monday of each row."""
        return self.days()[::7]

    def hidden_count(self, day: date) -> int:
        """How many of the day's meetings did not fit (shown as "+N")."""
        return self._hidden.get(day, 0)

    # --- geometry -----------------------------------------------------------------

    def columns(self) -> list[tuple[float, float]]:
        """(left, width) of Monday … Sunday."""
        weights = [1.0] * 5 + [WEEKEND_WEIGHT] * 2
        unit = max(0.0, self.width() - WEEK_COLUMN) / sum(weights)
        x, result = float(WEEK_COLUMN), []
        for weight in weights:
            result.append((x, unit * weight))
            x += unit * weight
        return result

    def row_height(self) -> float:
        """Pixels per week row."""
        return (self.height() - HEADER) / max(1, len(self.weeks()))

    def cell(self, day: date) -> QRectF:
        """The rectangle of a shown day."""
        row = self.days().index(day) // 7
        left, width = self.columns()[day.weekday()]
        return QRectF(left, HEADER + row * self.row_height(), width, self.row_height())

    def _place_blocks(self) -> None:
        self._hidden = {}
        by_day: dict[date, list[CalendarItem]] = {}
        for item in self.items():
            by_day.setdefault(item.day, []).append(item)
        shown = set(self.days())
        for day, day_items in by_day.items():
            if day not in shown:
                continue
            rect = self.cell(day)
            room = max(0, int((rect.height() - 22) // LINE))
            if len(day_items) > room:
                room = max(0, room - 1)
                self._hidden[day] = len(day_items) - room
            for index, item in enumerate(day_items):
                block = self.block(item.id)
                if block is None:
                    continue
                block.setVisible(index < room)
                block.setGeometry(
                    int(rect.left() + 2),
                    int(rect.top() + 20 + index * LINE),
                    max(8, int(rect.width() - 4)),
                    LINE - 2,
                )

    def set_content(self, items: Sequence[CalendarItem], days: Sequence[DayInfo]) -> None:
        super().set_content(items, days)
        self._place_blocks()  # again: hides what does not fit after show()

    def day_at(self, pos: QPoint) -> date | None:
        days = self.days()
        if not days or pos.y() < HEADER:
            return None
        row = int((pos.y() - HEADER) // self.row_height())
        for index, (left, width) in enumerate(self.columns()):
            if left <= pos.x() < left + width and 0 <= row * 7 + index < len(days):
                return days[row * 7 + index]
        return None

    # --- keyboard -----------------------------------------------------------------

    def neighbour(self, item: CalendarItem, key: Qt.Key) -> str | None:
        visible = [i for i in self.items() if self._is_visible(i)]
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            index = visible.index(item) + (-1 if key == Qt.Key.Key_Left else 1)
            return visible[index].id if 0 <= index < len(visible) else None
        step = -7 if key == Qt.Key.Key_Up else 7
        day = item.day + timedelta(days=step)
        last = self.days()[-1] if self.days() else item.day
        while self.days() and self.days()[0] <= day <= last:
            target = self._nearest_on(day, item)
            if target is not None:
                return target
            day += timedelta(days=step)
        return None

    def day_tooltip(self, day: date) -> str:
        """The day's names, and the meetings that did not fit in its cell."""
        hidden = [i.tooltip() for i in self.items() if i.day == day and not self._is_visible(i)]
        return "\n\n".join(t for t in (self.day_info(day).text(), *hidden) if t)

    def _is_visible(self, item: CalendarItem) -> bool:
        block = self.block(item.id)
        return block is not None and not block.isHidden()

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        days = self.days()
        if not days:
            return
        line = QColor(palette.color(QPalette.ColorRole.Text))
        line.setAlpha(40)
        faded = palette.color(QPalette.ColorRole.PlaceholderText)
        text = palette.color(QPalette.ColorRole.Text)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        painter.setPen(faded)
        painter.drawText(QRectF(0, 0, WEEK_COLUMN, HEADER), _CENTRE, self.week_label)
        for index, (left, width) in enumerate(self.columns()):
            painter.drawText(
                QRectF(left + 6, 0, width, HEADER), _LEFT_MIDDLE, self.day_names[index]
            )
        for row, monday in enumerate(self.weeks()):
            top = HEADER + row * self.row_height()
            painter.setPen(faded)
            painter.setFont(self.font())
            number = str(monday.isocalendar().week)
            painter.drawText(QRectF(0, top + 2, WEEK_COLUMN, LINE), _CENTRE, number)
            painter.setPen(QPen(line, 1))
            painter.drawLine(0, int(top), self.width(), int(top))
        for day in days:
            self._paint_day(painter, day, text, faded, small)
        painter.setPen(QPen(line, 1))
        for left, _width in self.columns():
            painter.drawLine(int(left), HEADER, int(left), self.height())

    def _paint_day(
        self, painter: QPainter, day: date, text: QColor, faded: QColor, small: QFont
    ) -> None:
        rect = self.cell(day)
        if day.weekday() >= 5:
            painter.fillRect(rect, self.palette().color(QPalette.ColorRole.AlternateBase))
        info = self.day_info(day)
        shade(painter, rect, info)
        in_month = day.month == self.month
        bold = QFont(self.font())
        bold.setBold(day == self.today)
        painter.setFont(bold)
        role = QPalette.ColorRole.Highlight if day == self.today else QPalette.ColorRole.Text
        painter.setPen(self.palette().color(role) if in_month else faded)
        number = str(day.day)
        painter.drawText(rect.adjusted(6, 2, -4, 0), int(Qt.AlignmentFlag.AlignLeft), number)
        left = rect.left() + 12 + painter.fontMetrics().horizontalAdvance(number)
        painter.setFont(small)
        painter.setPen(text if in_month else faded)
        name = info.holiday or info.school_holiday or ""
        width = max(0, int(rect.right() - left - 4))
        elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRectF(left, rect.top() + 3, width, LINE), 0, elided)
        hidden = self._hidden.get(day)
        if hidden:
            room = int((rect.height() - 22) // LINE) - 1
            painter.drawText(
                QRectF(rect.left() + 8, rect.top() + 20 + room * LINE, rect.width() - 12, LINE),
                _LEFT_MIDDLE,
                f"+{hidden}",
            )


_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_LEFT_MIDDLE = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
