"""The minutes editor: autosave as you type (never lost), agreements, approval, addenda."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import minutes_service
from app.services.calendar_service import CalendarService
from app.services.minutes_service import MinutesView
from app.store.vault import Vault
from tests.ui.conftest import TODAY, unlock, vault_of, wait_idle
from tests.ui.test_meeting_view import find_meeting, open_meeting
from ui.main_window import MainWindow
from ui.views import meeting_view
from ui.views.meeting_view import MeetingView as MeetingPage


def minutes_of(window: MainWindow, meeting_id: str) -> MinutesView:
    """The minutes as stored (read on the database thread)."""
    return window.session.executor.call(minutes_service.view, vault_of(window), meeting_id)


def open_minutes(qtbot: QtBot, window: MainWindow, *, past: bool = False) -> MeetingPage:
    """A meeting on its Minutes tab (reached with Ctrl+PgDown), ready to type in."""
    view = open_meeting(qtbot, window, find_meeting(window, past=past).id)
    view.agenda.table.setFocus()
    qtbot.keyClick(view.agenda.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == meeting_view.MINUTES_TAB
    if not past:
        field = view.minutes.fields["knowledge"]
        qtbot.waitUntil(lambda: not field.isReadOnly())
    wait_idle(qtbot, window)
    return view


def approved_meeting(vault: Vault) -> str:
    """A meeting of the demo whose minutes are approved."""
    for meeting in CalendarService(vault).between(TODAY - timedelta(days=70), TODAY):
        if minutes_service.view(vault, meeting.id).approved:
            return meeting.id
    raise AssertionError("the demo has approved minutes")


def item_ids(view: MeetingPage) -> list[str]:
    return view.minutes.items_model.ids()


def test_typing_is_saved_without_pressing_anything(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = open_minutes(qtbot, demo_window)
    editor = view.minutes
    meeting_id = view.data.meeting_id  # type: ignore[union-attr]
    first, second = item_ids(view)[:2]
    assert editor.item_id == first

    # A pause in typing saves.
    qtbot.keyClicks(editor.fields["knowledge"], "Mor fortæller om bedre søvn.")
    assert editor.indicator.text() == "Saving…"
    qtbot.waitUntil(lambda: editor.indicator.text() == "Saved", timeout=5_000)
    stored = minutes_of(demo_window, meeting_id)
    assert stored.items[first].knowledge == "Mor fortæller om bedre søvn."

    # Choosing another item at once, before the pause ends, saves too.
    qtbot.keyClicks(editor.fields["discussion"], "Enighed om en fælles plan.")
    editor.items.setFocus()
    qtbot.keyClick(editor.items, Qt.Key.Key_Down)
    assert editor.item_id == second
    assert editor.fields["discussion"].toPlainText() != "Enighed om en fælles plan."
    wait_idle(qtbot, demo_window)
    assert minutes_of(demo_window, meeting_id).items[first].discussion == (
        "Enighed om en fælles plan."
    )
    qtbot.keyClick(editor.items, Qt.Key.Key_Up)
    assert editor.fields["discussion"].toPlainText() == "Enighed om en fælles plan."

    # So does leaving the page.
    qtbot.keyClicks(editor.fields["knowledge"], " Kort note")
    demo_window.navigate("overview")
    wait_idle(qtbot, demo_window)
    assert "Kort note" in minutes_of(demo_window, meeting_id).items[first].knowledge


def test_locking_right_after_typing_still_saves(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = open_minutes(qtbot, demo_window)
    meeting_id = view.data.meeting_id  # type: ignore[union-attr]
    first = item_ids(view)[0]

    qtbot.keyClicks(view.minutes.fields["evaluation"], "Indsatsen virker.")
    demo_window.lock()

    assert not demo_window.session.is_unlocked
    assert view.minutes.fields["evaluation"].toPlainText() == ""  # nothing stays on screen
    unlock(qtbot, demo_window)
    assert minutes_of(demo_window, meeting_id).items[first].evaluation == "Indsatsen virker."
    qtbot.waitUntil(lambda: view.data is not None)
    assert demo_window.current_view() is view


def test_attendance_agreement_intervention_and_outcome(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = open_minutes(qtbot, demo_window)
    editor = view.minutes
    meeting_id = view.data.meeting_id  # type: ignore[union-attr]
    first = item_ids(view)[0]

    person = editor.attendance.item(0)
    contact_id = person.data(Qt.ItemDataRole.UserRole)
    person.setCheckState(Qt.CheckState.Checked)
    wait_idle(qtbot, demo_window)
    assert editor.attendance.item(0).checkState() == Qt.CheckState.Checked
    assert (contact_id, True) in {
        (a[0], a[4]) for a in minutes_of(demo_window, meeting_id).attendance
    }

    editor.add_agreement_button.click()
    dialog = editor.dialog
    qtbot.keyClicks(dialog.what, "Ring til forældrene")
    dialog.owner.setCurrentIndex(1)
    deadline = TODAY + timedelta(days=10)
    dialog.deadline.setDate(deadline)
    dialog.parent_contact.setChecked(True)
    dialog.accept()
    wait_idle(qtbot, demo_window)

    assert editor.agreements_model.rowCount() == 1
    agreement = minutes_of(demo_window, meeting_id).agreements[first][0]
    assert (agreement.what, agreement.deadline, agreement.parent_contact) == (
        "Ring til forældrene",
        deadline.isoformat(),
        True,
    )
    assert agreement.owner_contact_id is not None

    editor.add_intervention_button.click()
    dialog = editor.dialog
    dialog.goal.setPlainText("Færre konflikter i frikvarteret.")
    dialog.accept()
    wait_idle(qtbot, demo_window)
    assert editor.interventions_model.rowCount() == 1
    assert minutes_of(demo_window, meeting_id).interventions[first][0].goal.startswith("Færre")

    outcome = editor.outcome.outcome
    outcome.setCurrentIndex(outcome.findData("notification"))
    outcome.activated.emit(outcome.currentIndex())
    wait_idle(qtbot, demo_window)
    record = minutes_of(demo_window, meeting_id).items[first]
    meeting_day = view.data.minutes.agenda.meeting.start.date()  # type: ignore[union-attr]
    assert (record.outcome, record.notification_on) == ("notification", meeting_day.isoformat())
    assert editor.outcome.notification_by.isVisibleTo(editor)


def test_approve_locks_the_editor_then_addendum_and_print(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_minutes(qtbot, demo_window)
    editor = view.minutes
    meeting_id = view.data.meeting_id  # type: ignore[union-attr]
    qtbot.keyClicks(editor.fields["knowledge"], "Sidste ord")

    editor.approve_button.click()
    dialog = editor.dialog
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.by, "Distriktsrådgiver")
    dialog.accept()
    wait_idle(qtbot, demo_window)

    stored = minutes_of(demo_window, meeting_id)
    assert stored.approved and stored.approved_by == "Distriktsrådgiver"
    assert stored.items[item_ids(view)[0]].knowledge == "Sidste ord"  # saved before approval
    assert view.badge.isVisible()
    assert all(field.isReadOnly() for field in editor.fields.values())
    assert not editor.approve_button.isVisible() and editor.addendum_button.isVisible()
    assert not editor.add_agreement_button.isVisibleTo(editor)
    assert not view.agenda.add_general_button.isEnabled()

    editor.addendum_button.click()
    dialog = editor.dialog
    qtbot.keyClicks(dialog.author, "Distriktsrådgiver")
    dialog.text.setPlainText("Rettelse: mødet sluttede kl. 11.")
    dialog.accept()
    wait_idle(qtbot, demo_window)
    assert minutes_of(demo_window, meeting_id).addenda[0].text == "Rettelse: mødet sluttede kl. 11."
    assert "Rettelse" in editor.addenda.text()

    target = tmp_path / "minutes.pdf"
    monkeypatch.setattr(meeting_view.file_dialogs, "ask_save_path", lambda *_a: target)
    view.print_()  # Ctrl+P on the Minutes tab
    wait_idle(qtbot, demo_window)
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_approved_minutes_cannot_be_edited_and_the_ui_does_not_try(
    demo_window: MainWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(minutes_service, "save_field", lambda *a: calls.append(a))

    meeting_id = demo_window.session.executor.call(approved_meeting, vault_of(demo_window))
    view = open_meeting(qtbot, demo_window, meeting_id)
    view.tabs.setCurrentIndex(meeting_view.MINUTES_TAB)
    wait_idle(qtbot, demo_window)
    editor = view.minutes
    before = editor.fields["knowledge"].toPlainText()

    qtbot.keyClicks(editor.fields["knowledge"], "ændring")
    editor.fields["knowledge"].clearFocus()
    wait_idle(qtbot, demo_window)

    assert editor.fields["knowledge"].toPlainText() == before
    assert calls == [] and editor.indicator.text() == ""
    assert view.badge.isVisible()
    assert not editor.outcome.outcome.isEnabled()
    assert editor.attendance.count() == 0 or not (
        editor.attendance.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable
    )
    assert not editor.add_agreement_button.isVisibleTo(editor)

    assert editor.agreements_model.rowCount() > 0
    qtmodeltester.check(editor.agreements_model)
    qtmodeltester.check(editor.interventions_model)
    qtmodeltester.check(editor.items_model)
