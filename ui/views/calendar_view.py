"""The Calendar page: a week or a month of meetings, series and single meetings.

Keyboard: Page Up/Down = previous/next week (month), Home or Ctrl+T = today,
Ctrl+1/Ctrl+2 = week/month, Ctrl+N = new meeting, Ctrl+Shift+N = new series,
Ctrl+E = export ICS; in the grid, Tab and the arrow keys move between
meetings, Enter opens one, the context-menu key (or Shift+F10) offers
Open, Move… and Cancel occurrence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from ui.context import Context
from ui.views import calendar_data as data
from ui.views.base_view import View
from ui.views.meeting_dialog import Choices, MeetingDialog, cancel_question, load_choices
from ui.views.series_dialog import SeriesDialog
from ui.widgets import file_dialogs
from ui.widgets.meeting_block import CalendarItem
from ui.widgets.month_grid import MonthGrid
from ui.widgets.progress import run_with_progress
from ui.widgets.week_grid import WeekGrid

WEEK, MONTH = "week", "month"


class CalendarView(View):
    """Week and month view of the advisor's meetings."""

    name = "calendar"
    tables = frozenset({"meetings", "series", "settings", "school_holidays", "sites", "forums"})

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.anchor = ctx.today()
        self.mode = WEEK
        self._generation = 0
        self._wanted: str | None = None
        self.dialog: QDialog | None = None
        self.menu: QMenu | None = None
        self._build()
        self._show_header()

    def title(self) -> str:
        """The page title."""
        return _("Calendar")

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        def button(text: str, slot: object, tip: str = "") -> QPushButton:
            made = QPushButton(text, self)
            made.clicked.connect(slot)
            made.setToolTip(tip)
            return made

        self.prev_button = button(_("&Previous"), lambda: self.step(-1), _("Page Up"))
        self.today_button = button(_("&Today"), self.go_today, _("Home or Ctrl+T"))
        self.next_button = button(_("Ne&xt"), lambda: self.step(+1), _("Page Down"))
        self.header = QLabel(self)
        self.header.setObjectName("calendarHeader")
        font = QFont(self.header.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.header.setFont(font)
        self.week_button = button(_("&Week"), lambda: self.set_mode(WEEK), "Ctrl+1")
        self.month_button = button(_("&Month"), lambda: self.set_mode(MONTH), "Ctrl+2")
        self.modes = QButtonGroup(self)
        for made in (self.week_button, self.month_button):
            made.setCheckable(True)
            self.modes.addButton(made)
        self.week_button.setChecked(True)
        self.new_button = button(_("&New meeting…"), self.new, "Ctrl+N")
        self.series_button = button(_("New se&ries…"), self.new_series, "Ctrl+Shift+N")
        self.export_button = button(_("&Export ICS…"), self.export_ics, "Ctrl+E")
        top = QHBoxLayout()
        for made in (self.prev_button, self.today_button, self.next_button, self.header):
            top.addWidget(made, 1 if made is self.header else 0)
        for made in (self.week_button, self.month_button, self.new_button):
            top.addWidget(made)
        top.addWidget(self.series_button)
        top.addWidget(self.export_button)

        self.week_grid = WeekGrid()
        self.month_grid = MonthGrid()
        self.week_grid.setAccessibleName(_("Meetings of the week"))
        self.month_grid.setAccessibleName(_("Meetings of the month"))
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidget(self.week_grid)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.month_grid)
        for grid in (self.week_grid, self.month_grid):
            grid.selection_changed.connect(self._selection_changed)
            grid.activated.connect(lambda mid: self.ctx.navigate("meeting", mid))
            grid.menu_requested.connect(self._menu)
            grid.day_activated.connect(self._day_activated)

        self.selected_label = QLabel(self)
        self.selected_label.setTextFormat(Qt.TextFormat.PlainText)
        self.selected_label.setWordWrap(True)
        self.selected_label.setAccessibleName(_("Selected meeting"))
        self.open_button = button(_("&Open"), self.open_selected, _("Enter"))
        self.move_button = button(_("Mo&ve…"), self.move_selected)
        self.cancel_button = button(_("&Cancel occurrence…"), self.cancel_selected)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.selected_label, 1)
        for made in (self.open_button, self.move_button, self.cancel_button):
            bottom.addWidget(made)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.legend)
        layout.addLayout(bottom)
        self._selection_changed(None)

        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.step(-1)),
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.step(+1)),
            ("Home", self.go_today),
            ("Ctrl+T", self.go_today),
            ("Ctrl+1", lambda: self.set_mode(WEEK)),
            ("Ctrl+2", lambda: self.set_mode(MONTH)),
            ("Ctrl+Shift+N", self.new_series),
            ("Ctrl+E", self.export_ics),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- what is shown --------------------------------------------------------------

    def grid(self) -> WeekGrid | MonthGrid:
        """The grid shown now."""
        return self.week_grid if self.mode == WEEK else self.month_grid

    def period(self) -> tuple[date, date]:
        """The first and last day shown."""
        return data.period_of(self.mode == WEEK, self.anchor)

    def _show_header(self) -> None:
        text = data.header_of(self.mode == WEEK, self.anchor, self.ctx.language())
        self.header.setText(text)
        self.header.setAccessibleName(text)
        week = self.mode == WEEK
        self.prev_button.setAccessibleName(_("Previous week") if week else _("Previous month"))
        self.next_button.setAccessibleName(_("Next week") if week else _("Next month"))

    def step(self, direction: int) -> None:
        """Show the previous (-1) or next (+1) week or month."""
        self.anchor = data.stepped(self.mode == WEEK, self.anchor, direction)
        self._wanted = None
        self._moved()

    def go_today(self) -> None:
        """Show the week (month) of today."""
        self.anchor = self.ctx.today()
        self._wanted = None
        self._moved()

    def set_mode(self, mode: str) -> None:
        """Switch between the week and the month view."""
        selected = self.selection()
        self.mode = mode
        self.week_button.setChecked(mode == WEEK)
        self.month_button.setChecked(mode == MONTH)
        self.stack.setCurrentIndex(0 if mode == WEEK else 1)
        self._wanted = selected
        self._moved()

    def _moved(self) -> None:
        self._show_header()
        self.reload()

    # --- loading --------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the shown period (on the database thread)."""
        self._show_header()
        if not self.session.is_unlocked:
            return
        self._generation += 1
        generation = self._generation
        first, last = self.period()
        self.session.run(
            data.load_period,
            first,
            last,
            self.ctx.today(),
            self.ctx.language(),
            done=lambda period: self._loaded(generation, period),
        )

    def _loaded(self, generation: int, period: data.Period) -> None:
        if generation != self._generation or not self.session.is_unlocked:
            return
        lang = self.ctx.language()
        grid = self.grid()
        # A meeting asked for (open, a lock) stays wanted until a load shows it.
        wanted = self._wanted or grid.selected_id()
        items, days = data.items_of(period, lang), data.days_of(period)
        grid.day_names = data.short_day_names(lang)
        if isinstance(grid, WeekGrid):
            grid.set_week(period.first, items, days, self.ctx.today())
        else:
            grid.week_label = _("Week")
            grid.set_month(self.anchor.year, self.anchor.month, items, days, self.ctx.today())
        focus = any(b.hasFocus() for b in grid.blocks())
        grid.select(wanted if wanted and grid.item(wanted) else None, focus=focus)
        if self._wanted is not None and grid.selected_id() == self._wanted:
            self._wanted = None
        if grid.lost_focus:
            # Keep the keyboard on the page, so Page Up/Down go on working.
            (self.week_button if self.mode == WEEK else self.month_button).setFocus()
        grid.chain_tab_order(self.export_button, self.open_button)
        self._selection_changed(grid.selected_id())
        self.legend.setText(data.legend_html(items))

    def clear(self) -> None:
        """Forget every meeting shown (the vault was locked)."""
        self._generation += 1
        self.week_grid.clear()
        self.month_grid.clear()
        self._selection_changed(None)

    def open(self, ref: str | None) -> None:
        """Jump to the week of meeting ``ref`` and select it."""
        if ref is None or not self.session.is_unlocked:
            return
        self._wanted = ref
        self._generation += 1  # a load already under way shows the old week: ignore it
        self.session.run(data.meeting_day, ref, done=self._jump, failed=self._not_found)

    def _not_found(self, _error: BaseException) -> None:
        self._wanted = None
        self.reload()

    def _jump(self, day: date) -> None:
        self.anchor = day
        self._moved()

    def selection(self) -> str | None:
        """The selected meeting's id."""
        return self._wanted or self.grid().selected_id()

    def selected_item(self) -> CalendarItem | None:
        """The selected meeting as shown."""
        selected = self.grid().selected_id()
        return self.grid().item(selected) if selected else None

    def _selection_changed(self, meeting_id: object) -> None:
        item = self.grid().item(str(meeting_id)) if meeting_id else None
        if item is not None:
            self._wanted = None
        self.selected_label.setText(item.tooltip() if item else _("No meeting selected."))
        for made in (self.open_button, self.move_button):
            made.setEnabled(item is not None)
        self.cancel_button.setEnabled(item is not None and not item.cancelled)

    # --- actions ----------------------------------------------------------------------

    def open_selected(self) -> None:
        """Open the selected meeting's page."""
        item = self.selected_item()
        if item is not None:
            self.ctx.navigate("meeting", item.id)

    def move_selected(self) -> None:
        """Move the selected occurrence (meeting dialog in move mode)."""
        item = self.selected_item()
        if item is None or not self.session.is_unlocked:
            return
        dialog = MeetingDialog(self.ctx, Choices([], []), day=item.day, meeting=item, parent=self)
        dialog.accepted.connect(lambda: self.open(dialog.result_id))
        self._open_dialog(dialog)

    def cancel_selected(self) -> None:
        """Ask, then cancel the selected occurrence."""
        item = self.selected_item()
        if item is None or item.cancelled or not self.session.is_unlocked:
            return
        box = cancel_question(item, self)
        box.buttonClicked.connect(lambda pressed: self._cancel_answered(box, pressed, item.id))
        self._open_dialog(box)

    def _cancel_answered(self, box: QMessageBox, pressed: QAbstractButton, meeting_id: str) -> None:
        if box.standardButton(pressed) == QMessageBox.StandardButton.Yes:
            self._wanted = meeting_id
            self.session.run(data.cancel_meeting, meeting_id)

    def new(self) -> None:
        """A single meeting (Ctrl+N), on the selected or shown day."""
        self._with_choices(lambda choices: self._new_meeting(choices, self._default_day(), 9))

    def new_series(self) -> None:
        """A meeting series (Ctrl+Shift+N)."""
        self._with_choices(
            lambda choices: self._open_dialog(
                SeriesDialog(self.ctx, choices, day=self._default_day(), parent=self)
            )
        )

    def _day_activated(self, day: object, hour: int) -> None:
        assert isinstance(day, date)
        if self.mode == MONTH:
            self.anchor = day
            self.set_mode(WEEK)
            return
        self._with_choices(lambda choices: self._new_meeting(choices, day, hour))

    def _new_meeting(self, choices: Choices, day: date, hour: int) -> None:
        dialog = MeetingDialog(self.ctx, choices, day=day, start=time(hour, 0), parent=self)
        dialog.accepted.connect(lambda: self.open(dialog.result_id))
        self._open_dialog(dialog)

    def _default_day(self) -> date:
        item = self.selected_item()
        if item is not None:
            return item.day
        first, last = self.period()
        today = self.ctx.today()
        if first <= today <= last:
            return today
        return date(self.anchor.year, self.anchor.month, 1) if self.mode == MONTH else first

    def _with_choices(self, then: Callable[[Choices], None]) -> None:
        if self.session.is_unlocked:
            self.session.run(load_choices, done=then)

    def _open_dialog(self, dialog: QDialog) -> None:
        # The previous dialog goes now, not when it closes: an answer from the
        # database thread may still arrive for it after a lock closed it.
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _menu(self, meeting_id: str, where: QPoint) -> None:
        self.grid().select(meeting_id)
        if self.menu is not None:
            self.menu.deleteLater()
        menu = QMenu(self)
        menu.addAction(_("&Open"), self.open_selected)
        menu.addAction(_("Mo&ve…"), self.move_selected)
        cancel = menu.addAction(_("&Cancel occurrence…"), self.cancel_selected)
        cancel.setEnabled(self.cancel_button.isEnabled())
        self.menu = menu
        menu.popup(where)

    def export_ics(self) -> None:
        """Save the meetings from the first day shown and a year ahead as an .ics file."""
        if not self.session.is_unlocked:
            return
        path = file_dialogs.ask_save_path(
            self, _("Export calendar"), "samraad.ics", _("iCalendar files (*.ics)")
        )
        if path is None:
            return
        first = self.period()[0]
        run_with_progress(
            self,
            self.session,
            _("Exporting the calendar…"),
            data.export_ics,
            path,
            first,
            first + timedelta(days=data.EXPORT_DAYS),
            self.ctx.today(),
            done=lambda count: self.ctx.notify(
                _("{count} meetings exported to {name}.").format(count=count, name=path.name)
            ),
        )
