"""The Calendar page: week and month view, series, single meetings, move, cancel, ICS."""

from __future__ import annotations

import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services.calendar_service import CalendarService
from app.store import forums_repo
from tests.ui.conftest import unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.calendar_view import CalendarView
from ui.views.meeting_dialog import MeetingDialog
from ui.views.series_dialog import SeriesDialog
from ui.widgets import file_dialogs


def on_vault(window: MainWindow, fn, *args):  # type: ignore[no-untyped-def]
    """Run ``fn(CalendarService)`` on the database thread."""
    return window.session.executor.call(lambda v: fn(CalendarService(v), *args), vault_of(window))


def calendar(qtbot: QtBot, window: MainWindow) -> CalendarView:
    window.navigate("calendar")
    wait_idle(qtbot, window)
    view = window.views["calendar"]
    assert isinstance(view, CalendarView)
    return view


def shown_ids(view: CalendarView) -> list[str]:
    return [item.id for item in view.grid().items()]


def forum_id(window: MainWindow, kind: str) -> str:
    forum = window.session.executor.call(
        lambda v: forums_repo.by_kind(v.conn, kind), vault_of(window)
    )
    assert forum is not None
    return forum.id


def test_week_month_holidays_and_the_ics_export(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = calendar(qtbot, demo_window)

    # The demo week, with its ISO week number; weekends narrow.
    expected = on_vault(demo_window, lambda s: s.week(2026, 48))
    assert expected
    assert shown_ids(view) == [m.id for m in expected]
    assert view.header.text() == "Week 48 · 23–29 Nov 2026"
    block = view.week_grid.block(expected[0].id)
    assert block is not None and block.isVisible()
    assert "Day-care consultation" in block.accessibleName()
    assert "09:00–11:00" in block.toolTip()
    assert view.week_grid.columns()[5][1] < view.week_grid.columns()[0][1] / 2

    # Next, Page Up twice, Home.
    view.next_button.click()
    wait_idle(qtbot, demo_window)
    assert view.header.text().startswith("Week 49 ·")
    assert shown_ids(view) == [m.id for m in on_vault(demo_window, lambda s: s.week(2026, 49))]
    assert view.week_grid.focus_first()
    for _twice in range(2):
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_PageUp)
        wait_idle(qtbot, demo_window)
    assert view.header.text().startswith("Week 47 ·")
    assert view.focusWidget() is view.week_grid.blocks()[0]  # the keyboard stays in the grid
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Home)
    wait_idle(qtbot, demo_window)
    assert view.header.text().startswith("Week 48 ·")

    # Ctrl+2: the month, a row per ISO week.
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, demo_window)
    assert view.stack.currentWidget() is view.month_grid
    assert view.header.text() == "November 2026"
    grid = view.month_grid
    assert [monday.isocalendar().week for monday in grid.weeks()] == [44, 45, 46, 47, 48, 49]
    in_month = [i.id for i in grid.items() if i.day.month == 11]
    assert in_month == [m.id for m in on_vault(demo_window, lambda s: s.month(2026, 11))]
    assert all(b.accessibleName() for b in grid.blocks())

    # December: Christmas, the extra closure day and the school holiday are shaded.
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_PageDown)
    wait_idle(qtbot, demo_window)
    assert view.header.text() == "December 2026"
    assert grid.day_info(date(2026, 12, 25)).holiday == "Christmas Day"
    assert grid.day_info(date(2026, 12, 24)).holiday == "Closure day"
    assert grid.day_info(date(2026, 12, 21)).school_holiday == "School holiday"
    assert grid.day_info(date(2026, 12, 15)).text() == ""

    # A double click on a day opens its week.
    christmas = grid.cell(date(2026, 12, 25)).center().toPoint()
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=christmas)
    wait_idle(qtbot, demo_window)
    assert view.stack.currentWidget() is view.scroll
    assert view.header.text().startswith("Week 52 ·")
    assert view.week_grid.day_info(date(2026, 12, 26)).holiday == "Second Day of Christmas"

    # Export ICS: from the first day shown, a year ahead, to the chosen file (0600).
    target = tmp_path / "out" / "calendar.ics"
    target.parent.mkdir()
    asked: list[str] = []

    def ask(_parent: object, _title: str, name: str, _filters: str) -> Path:
        asked.append(name)
        return target

    monkeypatch.setattr(file_dialogs, "ask_save_path", ask)
    view.export_button.click()
    wait_idle(qtbot, demo_window)

    assert asked == ["samraad.ics"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    shown_monday = date(2026, 12, 21)
    expected = on_vault(demo_window, lambda s: s.between(shown_monday, date(2027, 12, 21)))
    assert len(events) == len(expected) > 0
    assert [str(e["UID"]).split("@")[0] for e in events] == [m.id for m in expected]
    assert not list(target.parent.glob(".*tmp*"))


# A popup menu asks the offscreen platform for things it cannot do.
@pytest.mark.qt_log_ignore(
    "^This plugin does not support raise\\(\\)$",
    "^This plugin does not support grabbing the keyboard$",
)
def test_keyboard_moves_between_blocks_enter_opens_and_a_lock_keeps_the_place(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = calendar(qtbot, demo_window)
    mon9, mon13, tue, wed = (i.id for i in view.week_grid.items()[:4])
    assert view.week_grid.focus_first()
    assert view.selection() == mon9

    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Down)
    assert view.selection() == mon13
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Right)
    assert view.selection() == tue
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Left)
    assert view.selection() == mon13
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
    assert view.selection() == wed
    assert "Åbrink Skole" in view.selected_label.text()

    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert view.menu is not None and view.menu.isVisible()
    assert [a.text() for a in view.menu.actions()] == ["&Open", "Mo&ve…", "&Cancel occurrence…"]
    view.menu.close()

    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Return)
    assert demo_window.current_view() is demo_window.views["meeting"]

    # Opening a meeting elsewhere jumps to its week; a lock brings it back.
    later = on_vault(demo_window, lambda s: s.week(2027, 3))[0]
    demo_window.navigate("calendar", later.id)
    wait_idle(qtbot, demo_window)
    assert view.header.text().startswith("Week 3 ·")
    assert view.selection() == later.id
    demo_window.lock()
    assert view.week_grid.items() == []
    unlock(qtbot, demo_window)
    wait_idle(qtbot, demo_window)
    assert demo_window.current_view() is view
    assert view.header.text().startswith("Week 3 ·")
    assert view.selection() == later.id


def test_series_and_single_meetings_are_made_through_the_dialogs(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = calendar(qtbot, demo_window)
    view.new_button.setFocus()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view.new_button, Qt.Key.Key_N, shift_ctrl)
    wait_idle(qtbot, demo_window)
    dialog = view.dialog
    assert isinstance(dialog, SeriesDialog) and dialog.isVisible()

    # An end before the first meeting is refused before anything is sent.
    dialog.until_radio.click()
    dialog.until.setDate(QDate(2026, 11, 1))
    assert not dialog.ok.isEnabled()
    assert dialog.preview.text() == "The series ends before its first meeting."

    dialog.forum.setCurrentIndex(dialog.forum.findText("Other meeting"))
    dialog.site.setCurrentIndex(dialog.site.findText("Dagplejen Nordskov"))
    dialog.first.setDate(QDate(2026, 11, 27))
    dialog.start.setTime(QTime(8, 0))
    dialog.weekday.setCurrentIndex(4)
    dialog.count_radio.click()
    dialog.count.setValue(3)
    assert "FREQ=WEEKLY;BYDAY=FR;COUNT=3" in dialog.preview.text()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, demo_window)

    made = [
        m
        for m in on_vault(demo_window, lambda s: s.between(date(2026, 11, 1), date(2027, 1, 31)))
        if m.site_name == "Dagplejen Nordskov"
    ]
    assert [m.start.replace(tzinfo=None) for m in made] == [
        datetime(2026, 11, 27, 8),
        datetime(2026, 12, 4, 8),
        datetime(2026, 12, 11, 8),
    ]
    assert made[0].id in shown_ids(view)

    # Ctrl+N: one network meeting; the forum's length is the default.
    with qtbot.waitActive(demo_window):  # offscreen does not re-activate it after a dialog
        demo_window.activateWindow()
    view.new_button.setFocus()
    qtbot.keyClick(view.new_button, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, demo_window)
    single = view.dialog
    assert isinstance(single, MeetingDialog)
    assert single.date.date() == QDate(2026, 11, 23)
    single.forum.setCurrentIndex(single.forum.findText("Network meeting"))
    assert single.duration.value() == 90
    single.site.setCurrentIndex(single.site.findText("Åbrink Skole"))
    single.date.setDate(QDate(2026, 11, 27))
    single.start.setTime(QTime(8, 15))
    single.buttons.accepted.emit()
    wait_idle(qtbot, demo_window)

    assert single.result_id is not None
    meeting = on_vault(demo_window, lambda s: s.get(single.result_id))
    assert (meeting.forum_kind, meeting.site_name) == ("network", "Åbrink Skole")
    assert meeting.start.replace(tzinfo=None) == datetime(2026, 11, 27, 8, 15)
    assert meeting.end.replace(tzinfo=None) == datetime(2026, 11, 27, 9, 45)
    assert view.selection() == meeting.id


def test_move_cancel_and_conflicts_change_the_vault_and_the_marks(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = calendar(qtbot, demo_window)
    first, _mon13, tuesday, wednesday = view.week_grid.items()[:4]
    block = view.week_grid.block(first.id)
    assert block is not None
    qtbot.mouseClick(block, Qt.MouseButton.LeftButton)
    assert view.selection() == first.id
    assert view.move_button.isEnabled()

    view.move_button.click()
    dialog = view.dialog
    assert isinstance(dialog, MeetingDialog) and dialog.meeting is not None
    dialog.date.setDate(QDate(2026, 11, 27))
    dialog.start.setTime(QTime(10, 0))
    dialog.accept()
    wait_idle(qtbot, demo_window)

    moved = on_vault(demo_window, lambda s: s.get(first.id))
    assert moved.start.replace(tzinfo=None) == datetime(2026, 11, 27, 10, 0)
    assert moved.end - moved.start == first.end - first.start
    item = view.week_grid.item(first.id)
    assert item is not None and item.day == date(2026, 11, 27)
    assert view.selection() == first.id

    view.cancel_button.click()
    box = view.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.Yes).click()
    wait_idle(qtbot, demo_window)

    assert on_vault(demo_window, lambda s: s.get(first.id)).status == "cancelled"
    item = view.week_grid.item(first.id)
    assert item is not None and item.cancelled
    assert "cancelled" in item.label
    assert not view.cancel_button.isEnabled()

    # A double booking and too little travel time are marked, with the reason.
    assert (tuesday.day, tuesday.span, tuesday.conflict) == (date(2026, 11, 24), "12:30–14:30", "")
    assert wednesday.site == "Åbrink Skole" and wednesday.span == "12:30–14:30"
    network, dialogue = forum_id(demo_window, "network"), forum_id(demo_window, "dialogue")
    sites = {m.site_name: m.site_id for m in on_vault(demo_window, lambda s: s.week(2026, 48))}
    elsewhere = sites["Søndervig Skole"]
    overlap, _c = on_vault(
        demo_window,
        lambda s: s.add_meeting(network, elsewhere, datetime(2026, 11, 24, 13, 0), 60),
    )
    travel, _c = on_vault(
        demo_window,
        lambda s: s.add_meeting(dialogue, elsewhere, datetime(2026, 11, 25, 14, 40), 30),
    )
    view.reload()
    wait_idle(qtbot, demo_window)

    marked = view.week_grid.item(tuesday.id)
    assert marked is not None
    assert (
        marked.conflict
        == "Double booking: overlaps Network meeting at Søndervig Skole (13:00–14:00)."
    )
    block = view.week_grid.block(tuesday.id)
    assert block is not None and "Double booking" in block.toolTip()
    assert "Double booking" in block.accessibleDescription()
    assert view.week_grid.item(overlap).conflict.startswith("Double booking")  # type: ignore[union-attr]
    late = view.week_grid.item(travel)
    assert late is not None
    assert late.conflict == (
        "Too little travel time: 10 min to or from School resource team at Åbrink Skole "
        "(12:30–14:30); the travel buffer is 30 min."
    )
