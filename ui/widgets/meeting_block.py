"""Meeting blocks and what the week and month grids share.

The grids paint the days, hours and holiday shading themselves; each meeting
is a small focusable child widget (:class:`MeetingBlock`) with an accessible
name and a tooltip, so Tab, the arrow keys, Enter and the context-menu key
work on it like on any control. :class:`BlockHost` holds the blocks, the
selection and the keyboard moves between blocks.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

#: Accents that read on light and dark palettes (drawn over the palette's base).
CONFLICT_COLOUR = QColor(211, 47, 47)
HOLIDAY_TINT = QColor(229, 57, 53, 40)
SCHOOL_TINT = QColor(30, 136, 229, 30)
_KIND_HUES = {
    "daycare-consultation": 135,
    "school-resource-team": 215,
    "dialogue": 32,
    "network": 285,
    "district-half-yearly": 175,
}


def forum_colour(kind: str, forum_id: str) -> QColor:
    """A stable, medium colour per forum (by kind; other forums by their id)."""
    hue = _KIND_HUES.get(kind)
    if hue is None:
        hue = zlib.crc32(forum_id.encode("utf-8")) % 360
    return QColor.fromHsv(hue, 170, 205)


@dataclass(frozen=True)
class DayInfo:
    """What a day is besides its meetings (names already translated)."""

    day: date
    holiday: str | None = None
    school_holiday: str | None = None

    def text(self) -> str:
        """The names, one per line ('' for an ordinary day)."""
        return "\n".join(n for n in (self.holiday, self.school_holiday) if n)


@dataclass(frozen=True)
class CalendarItem:
    """One meeting as the grids show it (texts already translated)."""

    id: str
    forum_id: str
    forum_kind: str
    forum: str
    site: str
    start: datetime
    end: datetime
    cancelled: bool
    #: Why the meeting conflicts ('' when it does not).
    conflict: str
    #: The full description: accessible name and first lines of the tooltip.
    label: str

    @property
    def day(self) -> date:
        """The local day the meeting starts on."""
        return self.start.date()

    @property
    def span(self) -> str:
        """``12:30–14:30``."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def tooltip(self) -> str:
        """Description, then the conflict."""
        return "\n".join(t for t in (self.label, self.conflict) if t)


class MeetingBlock(QWidget):
    """One meeting; focus means selected. ``compact`` is the month's one-line form."""

    def __init__(self, item: CalendarItem, host: BlockHost, compact: bool) -> None:
        super().__init__(host)
        self.item = item
        self.host = host
        self.compact = compact
        self.setObjectName("meetingBlock")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(item.label)
        self.setAccessibleDescription(item.conflict)
        self.setToolTip(item.tooltip())
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def paintEvent(self, event: QPaintEvent) -> None:
        item, palette = self.item, self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        colour = forum_colour(item.forum_kind, item.forum_id)
        fill = QColor(colour)
        fill.setAlpha(35 if item.cancelled else 75)
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        painter.fillRect(rect, fill)
        stripe = QColor(colour)
        if item.cancelled:
            stripe.setAlpha(110)
        painter.fillRect(QRectF(rect.left(), rect.top(), 4, rect.height()), stripe)
        selected = self.host.selected_id() == item.id
        if item.conflict:
            painter.setPen(QPen(CONFLICT_COLOUR, 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        if selected:
            width = 3 if self.hasFocus() else 2
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), width))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        right = rect.right() - 4
        if item.conflict:
            right = self._badge(painter, rect) - 2
        role = QPalette.ColorRole.PlaceholderText if item.cancelled else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        font = QFont(self.font())
        font.setStrikeOut(item.cancelled)
        text_left = rect.left() + 8
        if self.compact:
            painter.setFont(font)
            line = f"{item.start:%H:%M} {item.forum} · {item.site}"
            box = QRectF(text_left, rect.top(), right - text_left, rect.height())
            self._line(painter, box, line, Qt.AlignmentFlag.AlignVCenter)
            return
        bold = QFont(font)
        bold.setBold(True)
        top = rect.top() + 3
        width = int(right - text_left)
        span = item.span
        if painter.fontMetrics().horizontalAdvance(span) > width:
            span = f"{item.start:%H:%M}"
        for text, face, most in ((item.forum, bold, 2), (item.site, font, 2), (span, font, 1)):
            painter.setFont(face)
            metrics = painter.fontMetrics()
            room = int((rect.bottom() + 2 - top) // metrics.height())
            if room < 1 and text is not item.forum:
                break
            for line in wrap_lines(metrics, text, width, max(1, min(room, most))):
                painter.drawText(QRectF(text_left, top, width, metrics.height()), 0, line)
                top += metrics.height()

    def _line(self, painter: QPainter, box: QRectF, text: str, align: Qt.AlignmentFlag) -> None:
        elided = painter.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, max(0, int(box.width()))
        )
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | align), elided)

    def _badge(self, painter: QPainter, rect: QRectF) -> float:
        """A red circle with '!' in the top right corner; returns its left edge."""
        size = 14.0
        circle = QRectF(rect.right() - size - 3, rect.top() + 3, size, size)
        if self.compact:
            circle.moveTop(rect.top() + (rect.height() - size) / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CONFLICT_COLOUR)
        painter.drawEllipse(circle)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(Qt.GlobalColor.white))
        painter.drawText(circle, int(Qt.AlignmentFlag.AlignCenter), "!")
        painter.setBrush(Qt.BrushStyle.NoBrush)
        return circle.left()

    # --- input ------------------------------------------------------------------

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.host.select(self.item.id)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.host.activated.emit(self.item.id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.host.activated.emit(self.item.id)
        elif key == Qt.Key.Key_F10 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.host.menu_requested.emit(self.item.id, self.mapToGlobal(QPoint(8, 8)))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            target = self.host.neighbour(self.item, Qt.Key(key))
            if target is not None:
                self.host.select(target, focus=True)
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.setFocus(Qt.FocusReason.PopupFocusReason)
        where = event.globalPos()
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            where = self.mapToGlobal(QPoint(8, 8))
        self.host.menu_requested.emit(self.item.id, where)


class BlockHost(QWidget):
    """A grid of meeting blocks: content, selection and moves between blocks."""

    selection_changed = Signal(object)  # str | None
    activated = Signal(str)
    menu_requested = Signal(str, QPoint)
    #: A day was double-clicked (empty space): the day and the hour clicked.
    day_activated = Signal(object, int)

    compact = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._items: list[CalendarItem] = []
        self._blocks: dict[str, MeetingBlock] = {}
        self._days: dict[date, DayInfo] = {}
        self._selected: str | None = None
        self.lost_focus = False

    # --- content ------------------------------------------------------------------

    def set_content(self, items: Sequence[CalendarItem], days: Sequence[DayInfo]) -> None:
        """Show ``items`` (any order) over ``days``; keeps the selection if still shown."""
        had_focus = any(b.hasFocus() for b in self._blocks.values())
        for block in self._blocks.values():
            block.hide()
            block.deleteLater()
        self._items = sorted(items, key=lambda i: (i.start, i.end, i.id))
        self._days = {d.day: d for d in days}
        self._blocks = {i.id: MeetingBlock(i, self, self.compact) for i in self._items}
        if self._selected not in self._blocks:
            self._set_selected(None)
        self._place_blocks()
        for block in self._blocks.values():
            block.show()
        #: The keyboard was in the grid and no block is left to take it.
        self.lost_focus = had_focus and not (self._blocks and self.focus_first())
        self.update()

    def clear(self) -> None:
        """Show nothing (the vault was locked)."""
        self.set_content([], [])

    def items(self) -> list[CalendarItem]:
        """The meetings shown, by start."""
        return list(self._items)

    def item(self, meeting_id: str) -> CalendarItem | None:
        """The shown meeting with this id."""
        return next((i for i in self._items if i.id == meeting_id), None)

    def block(self, meeting_id: str) -> MeetingBlock | None:
        """The block widget of a shown meeting."""
        return self._blocks.get(meeting_id)

    def blocks(self) -> list[MeetingBlock]:
        """The block widgets, by start (the Tab order)."""
        return [self._blocks[i.id] for i in self._items]

    def day_info(self, day: date) -> DayInfo:
        """Holiday and school-holiday names of a shown day."""
        return self._days.get(day, DayInfo(day))

    def days(self) -> list[date]:
        """The days the grid covers."""
        return sorted(self._days)

    def chain_tab_order(self, before: QWidget, after: QWidget) -> None:
        """Tab goes ``before`` → blocks by start → ``after``."""
        chain = [before, *self.blocks(), after]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- selection ------------------------------------------------------------------

    def selected_id(self) -> str | None:
        """The selected meeting, if any."""
        return self._selected

    def select(self, meeting_id: str | None, focus: bool = False) -> bool:
        """Select a shown meeting (optionally giving it the keyboard focus)."""
        if meeting_id is not None and meeting_id not in self._blocks:
            return False
        self._set_selected(meeting_id)
        if focus and meeting_id is not None:
            self._blocks[meeting_id].setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def focus_first(self) -> bool:
        """Put the focus on the selected block, else the first one."""
        target = self._selected or (self._items[0].id if self._items else None)
        return target is not None and self.select(target, focus=True)

    def _set_selected(self, meeting_id: str | None) -> None:
        if meeting_id == self._selected:
            return
        old, self._selected = self._selected, meeting_id
        for key in (old, meeting_id):
            if key in self._blocks:
                self._blocks[key].update()
        self.selection_changed.emit(meeting_id)

    # --- for subclasses -------------------------------------------------------------

    def neighbour(self, item: CalendarItem, key: Qt.Key) -> str | None:
        """The meeting an arrow key moves to from ``item``."""
        raise NotImplementedError

    def _place_blocks(self) -> None:
        raise NotImplementedError

    def day_at(self, pos: QPoint) -> date | None:
        """The day under a point of the grid."""
        raise NotImplementedError

    def _nearest_on(self, day: date, item: CalendarItem) -> str | None:
        on_day = [i for i in self._items if i.day == day]
        if not on_day:
            return None
        at = item.start.hour * 60 + item.start.minute
        return min(on_day, key=lambda i: abs(i.start.hour * 60 + i.start.minute - at)).id

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_blocks()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            day = self.day_at(event.pos())
            text = self.day_tooltip(day) if day is not None else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def day_tooltip(self, day: date) -> str:
        """What hovering over a day (outside its meetings) shows."""
        return self.day_info(day).text()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is not None:
            self.day_activated.emit(day, self.hour_at(event.position().toPoint()))

    def hour_at(self, pos: QPoint) -> int:
        """The hour under a point (the month grid has none: 9)."""
        return 9


def shade(painter: QPainter, rect: QRectF, info: DayInfo) -> None:
    """Tint a day's area for a public holiday/closure day and a school holiday."""
    if info.school_holiday:
        painter.fillRect(rect, SCHOOL_TINT)
    if info.holiday:
        painter.fillRect(rect, HOLIDAY_TINT)


def wrap_lines(metrics: QFontMetrics, text: str, width: int, most: int) -> list[str]:
    """``text`` broken at spaces into at most ``most`` lines of ``width``; long ones elided."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    elide = Qt.TextElideMode.ElideRight
    return [metrics.elidedText(line, elide, max(0, width)) for line in lines]
