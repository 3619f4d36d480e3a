"""The meeting page's agenda: items, order by keyboard and by dragging, printing."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import agenda_service, cases_service
from app.services.calendar_service import CalendarService, MeetingView
from app.store.vault import Vault
from tests.ui.conftest import TODAY, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.models.agenda_model import AgendaModel, cases_model
from ui.views import meeting_view
from ui.views.agenda_item_dialog import CaseItemDialog
from ui.views.meeting_view import MeetingView as MeetingPage


def _meetings(vault: Vault, first: date, last: date) -> list[MeetingView]:
    return CalendarService(vault).between(first, last)


def find_meeting(window: MainWindow, *, past: bool = False, items: int = 2) -> MeetingView:
    """A planned meeting after today (or an approved one before) with some items."""
    first, last = (
        (TODAY - timedelta(days=70), TODAY) if past else (TODAY, TODAY + timedelta(days=21))
    )
    found = window.session.executor.call(_meetings, vault_of(window), first, last)
    return next(
        m
        for m in found
        if m.agenda_item_count >= items
        and (past or m.start.date() > TODAY)
        and m.status != "cancelled"
    )


def open_meeting(qtbot: QtBot, window: MainWindow, meeting_id: str) -> MeetingPage:
    """Open a meeting the way the calendar does, and wait for it to show."""
    window.ctx.navigate("meeting", meeting_id)
    view = window.views["meeting"]
    assert isinstance(view, MeetingPage)
    qtbot.waitUntil(lambda: view.data is not None and view.data.meeting_id == meeting_id)
    wait_idle(qtbot, window)
    return view


def agenda_of(window: MainWindow, meeting_id: str) -> agenda_service.AgendaView:
    return window.session.executor.call(agenda_service.agenda, vault_of(window), meeting_id)


def shown_labels(view: MeetingPage) -> list[str]:
    table = view.agenda.table
    return [str(table.model().index(row, 1).data()) for row in range(table.model().rowCount())]


def test_header_tabs_and_models(
    demo_window: MainWindow,
    qtbot: QtBot,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    meeting = find_meeting(demo_window)
    view = open_meeting(qtbot, demo_window, meeting.id)

    assert demo_window.current_view() is view
    assert meeting.site_name in view.heading.text()
    assert f"Week {meeting.start.isocalendar().week}" in view.when.text()
    assert "Planned" in view.when.text()
    assert not view.badge.isVisible()
    assert view.tabs.currentIndex() == meeting_view.AGENDA_TAB
    assert len(shown_labels(view)) == meeting.agenda_item_count
    assert view.agenda.total.text().endswith("minutes planned.")

    view.agenda.table.setFocus()
    qtbot.keyClick(view.agenda.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == meeting_view.MINUTES_TAB
    field = view.minutes.fields["knowledge"]
    qtbot.waitUntil(lambda: not field.isReadOnly())  # the minutes were started
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == meeting_view.AGENDA_TAB

    qtmodeltester.check(view.agenda.model)
    cases = demo_window.session.executor.call(
        cases_service.list_cases, vault_of(demo_window), TODAY
    )
    model = cases_model({})
    model.set_rows(cases)
    qtmodeltester.check(model)
    qtmodeltester.check(AgendaModel())


def test_add_general_existing_and_new_anonymous_case_items(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    meeting = find_meeting(demo_window)
    view = open_meeting(qtbot, demo_window, meeting.id)

    view.agenda.add_general_button.click()
    dialog = view.agenda.dialog
    assert not dialog.ok_button.isEnabled()  # a general item needs a title
    qtbot.keyClicks(dialog.title, "Planning of the spring")
    dialog.minutes.setValue(25)
    dialog.accept()
    wait_idle(qtbot, demo_window)

    assert "Planning of the spring" in shown_labels(view)
    stored = agenda_of(demo_window, meeting.id).items[-1]
    assert (stored.label, stored.minutes) == ("Planning of the spring", 25)
    assert view.agenda.table.selected_id() == stored.id

    before = {i.case_id for i in agenda_of(demo_window, meeting.id).items}
    view.new()  # Ctrl+N on the Agenda tab: a case item
    qtbot.waitUntil(lambda: isinstance(view.agenda.dialog, CaseItemDialog))
    dialog = view.agenda.dialog
    dialog.this_site.setChecked(False)  # every open case
    offered = dialog.model.ids()
    assert offered and not before & set(offered)  # no child twice on one agenda
    qtbot.keyClicks(dialog.filter, dialog.model.row_object(0).row.first_name)
    dialog.table.select_id(offered[0])
    dialog.accept()
    wait_idle(qtbot, demo_window)

    after = agenda_of(demo_window, meeting.id).items
    assert after[-1].case_id == offered[0]
    assert view.agenda.table.selected_id() == after[-1].id

    view.agenda.add_case_button.click()
    qtbot.waitUntil(lambda: view.agenda.dialog is not dialog)
    dialog = view.agenda.dialog
    qtbot.keyClicks(dialog.first_name, "Pusling")
    assert dialog.new_case.isChecked()
    qtbot.keyClicks(dialog.age, "3 år")
    dialog.concern.setPlainText("Sover dårligt.")
    dialog.accept()
    wait_idle(qtbot, demo_window)

    assert "Pusling (3 år)" in shown_labels(view)
    item = agenda_of(demo_window, meeting.id).items[-1]
    assert item.label == "Pusling (3 år)" and item.case_id is not None
    case = demo_window.session.executor.call(
        cases_service.get_case, vault_of(demo_window), item.case_id
    )
    assert (case.kind, case.site_id, case.concern) == (
        "anonymous",
        meeting.site_id,
        "Sover dårligt.",
    )


def test_reorder_by_keyboard_and_drag_edit_time_and_remove(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    meeting = find_meeting(demo_window, items=3)
    view = open_meeting(qtbot, demo_window, meeting.id)
    first, second, third = agenda_of(demo_window, meeting.id).items[:3]
    table = view.agenda.table
    table.setFocus()
    table.select_id(first.id)

    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    wait_idle(qtbot, demo_window)
    assert [i.id for i in agenda_of(demo_window, meeting.id).items][:2] == [second.id, first.id]
    assert table.selected_id() == first.id
    assert shown_labels(view)[:2] == [second.label, first.label]
    qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    wait_idle(qtbot, demo_window)
    assert [i.id for i in agenda_of(demo_window, meeting.id).items][:3] == [
        first.id,
        second.id,
        third.id,
    ]

    model = view.agenda.model
    ids = model.ids()
    dragged = model.mimeData([model.index(0, 0)])  # first row dropped after the last
    assert model.dropMimeData(dragged, Qt.DropAction.MoveAction, len(ids), 0, QModelIndex())
    wait_idle(qtbot, demo_window)
    assert [i.id for i in agenda_of(demo_window, meeting.id).items] == [*ids[1:], ids[0]]

    assert model.setData(model.index(model.row_of(second.id), 2), 200)  # F2 in the cell
    wait_idle(qtbot, demo_window)
    assert agenda_of(demo_window, meeting.id).items[0].minutes == 200
    assert view.agenda.total.text().startswith("Over time")

    table.select_id(second.id)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    box = view.agenda.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.No).click()
    wait_idle(qtbot, demo_window)
    assert second.id in {i.id for i in agenda_of(demo_window, meeting.id).items}
    view.agenda.remove_button.click()
    view.agenda.dialog.button(QMessageBox.StandardButton.Yes).click()
    wait_idle(qtbot, demo_window)
    assert second.id not in {i.id for i in agenda_of(demo_window, meeting.id).items}
    assert second.id not in model.ids()


def test_print_agenda_and_per_child_agendas(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = demo_window.session.executor.call(
        _meetings, vault_of(demo_window), TODAY, TODAY + timedelta(days=21)
    )
    meeting = next(
        m
        for m in found
        if any(i.named_allowed and i.case_id for i in agenda_of(demo_window, m.id).items)
    )
    view = open_meeting(qtbot, demo_window, meeting.id)
    target = tmp_path / "out" / "agenda"
    target.parent.mkdir()
    asked: list[str] = []

    def ask_save_path(_parent: object, _title: str, name: str, _filters: str) -> Path:
        asked.append(name)
        return target

    monkeypatch.setattr(meeting_view.file_dialogs, "ask_save_path", ask_save_path)
    with qtbot.waitActive(demo_window):
        demo_window.activateWindow()
    qtbot.keyClick(demo_window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, demo_window)

    written = target.with_name("agenda.pdf")  # ".pdf" is added when missing
    assert asked and asked[0].endswith(".pdf")
    assert written.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600

    folder = tmp_path / "children"
    folder.mkdir()
    monkeypatch.setattr(meeting_view.file_dialogs, "ask_directory", lambda *_a: folder)
    assert view.agenda.per_child_button.isEnabled()
    view.agenda.per_child_button.click()
    wait_idle(qtbot, demo_window)

    files = list(folder.iterdir())
    assert files and all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_leaking_item_blocks_the_print_with_its_sentence(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = find_meeting(demo_window)
    view = open_meeting(qtbot, demo_window, meeting.id)
    view.agenda.add_general_button.click()
    dialog = view.agenda.dialog
    dialog.title.setText("Opfølgning")
    dialog.notes.setPlainText("CPR 010203-1234 skal ikke stå her.")
    dialog.accept()
    wait_idle(qtbot, demo_window)
    target = tmp_path / "agenda.pdf"
    monkeypatch.setattr(meeting_view.file_dialogs, "ask_save_path", lambda *_a: target)

    view.print_()
    wait_idle(qtbot, demo_window)

    assert not target.exists()
    assert demo_window.banner.isVisible()
    assert "cannot be printed anonymised" in demo_window.banner_text.text()
    assert "cannot be printed" in view.agenda.model.index(len(shown_labels(view)) - 1, 3).data()

    # Printing anyway takes an explicit, fixed reason (audited), never a silent default.
    view.agenda.edit_item()  # the new item is the selected one
    dialog = view.agenda.dialog
    assert dialog.override.currentData() is None
    dialog.override.setCurrentIndex(dialog.override.findData("not-about-the-child"))
    dialog.accept()
    wait_idle(qtbot, demo_window)
    view.print_()
    wait_idle(qtbot, demo_window)
    assert target.read_bytes().startswith(b"%PDF")


def test_suggestions_offer_carry_forward_cases(demo_window: MainWindow, qtbot: QtBot) -> None:
    def with_suggestions(vault: Vault) -> tuple[str, list[str]]:
        for m in CalendarService(vault).between(TODAY, TODAY + timedelta(days=60)):
            found = agenda_service.suggestions(vault, m.id)
            if found:
                return m.id, found
        raise AssertionError("the demo has no carry-forward suggestion")

    meeting_id, suggested = demo_window.session.executor.call(
        with_suggestions, vault_of(demo_window)
    )
    view = open_meeting(qtbot, demo_window, meeting_id)
    button = view.agenda.suggestions_box.findChild(object, f"suggestion-{suggested[0]}")
    assert button is not None and view.agenda.suggestions_box.isVisible()

    button.click()
    wait_idle(qtbot, demo_window)

    assert suggested[0] in {i.case_id for i in agenda_of(demo_window, meeting_id).items}


def test_lock_clears_the_page_and_unlock_brings_the_meeting_back(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    meeting = find_meeting(demo_window)
    view = open_meeting(qtbot, demo_window, meeting.id)

    demo_window.lock()

    assert view.agenda.model.rowCount() == 0
    assert view.heading.text() == ""
    unlock(qtbot, demo_window)
    qtbot.waitUntil(lambda: view.data is not None)
    assert demo_window.current_view() is view
    assert view.data is not None and view.data.meeting_id == meeting.id
