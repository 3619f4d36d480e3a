"""Due for erasure: the Overview's count opens the list; erasing asks first, then is for good."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.services import cases_service, retention_service, sync_service
from app.services.cases_service import CaseNotFound
from app.services.retention_service import DueEntry
from tests.ui.conftest import TODAY, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.erasure_dialog import ErasureDialog
from ui.views.overview_view import OverviewView


def overview(window: MainWindow) -> OverviewView:
    view = window.views["overview"]
    assert isinstance(view, OverviewView)
    return view


def open_dialog(window: MainWindow, qtbot: QtBot) -> ErasureDialog:
    """Open the list the way the advisor does: the Overview's count."""
    view = overview(window)
    assert window.current_view() is view
    assert view.erasure_button.isVisible()
    view.erasure_button.click()
    dialog = view.erasure_dialog
    assert isinstance(dialog, ErasureDialog) and dialog.isVisible()
    wait_idle(qtbot, window)
    return dialog


def due_now(window: MainWindow) -> list[DueEntry]:
    return window.session.executor.call(retention_service.due, vault_of(window), TODAY)


def by_name(window: MainWindow) -> dict[str, str]:
    """The demo's due cases: first name → case id (Karla anonymous, Viggo named)."""
    return {e.case.first_name: e.item.case_id for e in due_now(window)}


def shown(dialog: ErasureDialog, column: int) -> list[str]:
    model = dialog.table.model()
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def ask(dialog: ErasureDialog, button: QPushButton) -> QMessageBox:
    """Press an erase button; the question it opens (not yet answered)."""
    button.click()
    box = dialog.question
    assert isinstance(box, QMessageBox) and box.isVisible()
    # One clear sentence that this cannot be undone; Cancel unless told otherwise.
    assert "cannot be undone" in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    return box


def wait_erased(qtbot: QtBot, window: MainWindow, dialog: ErasureDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    wait_idle(qtbot, window)


def test_the_list_asks_first_erases_for_good_and_a_lock_closes_it(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    window = demo_window
    names = by_name(window)
    assert set(names) == {"Karla", "Viggo"}
    assert "2 cases" in overview(window).erasure_button.text()

    dialog = open_dialog(window, qtbot)

    # Both due cases, longest overdue first (Viggo due 23 Sep, Karla 23 Oct 2026).
    assert dialog.table.source.ids() == [names["Viggo"], names["Karla"]]
    assert shown(dialog, 0) == ["Viggo", "Karla"]
    assert shown(dialog, 1) == ["Nordskov Skole", "Børnehuset Bikuben"]
    assert shown(dialog, 2) == [
        "Named case: 5 years since it was closed",
        "Anonymous case: 1 year since the last meeting about it",
    ]
    assert shown(dialog, 3) == ["23 Sep 2021", "23 Oct 2025"]
    assert shown(dialog, 4) == ["23 Sep 2026", "23 Oct 2026"]
    assert dialog.table.selected_id() == names["Viggo"]  # the first line is ready
    assert dialog.erase_selected_button.isEnabled() and dialog.erase_all_button.isEnabled()
    assert dialog.table.accessibleName() and dialog.erase_all_button.accessibleName()
    qtmodeltester.check(dialog.table.source)  # type: ignore[attr-defined]

    # Cancel, and Enter on the question (its default button), erase nothing.
    box = ask(dialog, dialog.erase_selected_button)
    assert "Viggo" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, window)
    box = ask(dialog, dialog.erase_all_button)
    assert "2 lines" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert not dialog.busy and dialog.question is None
    assert dialog.table.source.ids() == [names["Viggo"], names["Karla"]]
    assert by_name(window) == names

    # Yes erases the selected case: busy meanwhile, then gone everywhere.
    assert dialog.table.select_id(names["Karla"])
    box = ask(dialog, dialog.erase_selected_button)
    assert "Karla" in box.text() and "Børnehuset Bikuben" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert dialog.busy and dialog.progress.isVisible()
    assert not dialog.erase_all_button.isEnabled() and not dialog.close_button.isEnabled()
    wait_erased(qtbot, window, dialog)

    assert dialog.table.source.ids() == [names["Viggo"]]
    assert [e.item.case_id for e in due_now(window)] == [names["Viggo"]]
    with pytest.raises(CaseNotFound):
        window.session.executor.call(cases_service.get_case, vault_of(window), names["Karla"])
    window.session.executor.call(cases_service.get_case, vault_of(window), names["Viggo"])
    assert dialog.status.text().startswith("Erased 1 case and 0 scanned consent forms:")
    assert not dialog.progress.isVisible()
    assert not dialog.warning.isVisible()  # no bundle held Karla
    # The erasure's changes reached the Overview: its count went down.
    assert "1 case or withdrawn consent form" in overview(window).erasure_button.text()

    # A lock closes the list and an open question; nothing more is erased.
    box = ask(dialog, dialog.erase_all_button)
    window.lock()
    assert not box.isVisible() and not dialog.isVisible()
    assert dialog.table.source.ids() == []  # nothing about a child stays on screen
    unlock(qtbot, window)
    assert list(by_name(window)) == ["Viggo"]

    # While erasing, the list cannot be closed, but a lock closes it and waits
    # for the erasure to finish (it is never cut off half-way).
    dialog = open_dialog(window, qtbot)
    ask(dialog, dialog.erase_all_button).button(QMessageBox.StandardButton.Yes).click()
    assert dialog.busy
    dialog.reject()
    assert dialog.isVisible()
    window.lock()
    assert not dialog.isVisible()
    unlock(qtbot, window)
    assert due_now(window) == []
    assert overview(window).erasure_nothing.isVisible()


def test_erase_all_names_the_bundles_that_may_still_hold_a_case(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = demo_window
    names = by_name(window)
    bundle = tmp_path / "to-the-office.samraad"
    office = str(pyrage.x25519.Identity.generate().to_public())
    window.session.executor.call(
        lambda v: sync_service.export(v, bundle, recipient=office, case_ids=(names["Karla"],)),
        vault_of(window),
    )
    dialog = open_dialog(window, qtbot)

    box = ask(dialog, dialog.erase_all_button)
    box.button(QMessageBox.StandardButton.Yes).click()
    wait_erased(qtbot, window, dialog)

    assert due_now(window) == []
    assert dialog.table.source.ids() == []
    assert dialog.nothing.isVisible() and not dialog.erase_all_button.isEnabled()
    assert dialog.status.text().startswith("Erased 2 cases and 0 scanned consent forms:")
    assert dialog.warning.isVisible()
    assert str(bundle) in dialog.warning.text()
    assert "may still hold" in dialog.warning.text()
    view = overview(window)
    assert view.erasure_nothing.isVisible() and not view.erasure_button.isVisible()
