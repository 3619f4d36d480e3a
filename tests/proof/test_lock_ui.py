"""The idle lock in the desktop app (SECURITY.md, threat 3).

tests/ui/test_main_window.py proves the dialog, clipboard and page parts of a
lock; these prove what a thief at an idle laptop cares about: the connection
is closed, the key is gone from the vault object, and even a modal message box
running its own event loop cannot hold the lock off.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.conftest import MakeWindow, make_window, unlock, vault_of
from ui import clipboard
from ui.idle_lock import IdleWatcher

__all__ = ["make_window"]  # the widget fixture, shared with tests/ui


def test_idle_lock_closes_the_connection_and_drops_the_key(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True, idle_ms=300)
    unlock(qtbot, window)
    vault = vault_of(window)
    connection = vault.conn

    qtbot.waitUntil(lambda: not window.session.is_unlocked, timeout=5_000)

    assert vault._key is None
    assert not vault.is_open
    # Asked on the database thread, where the connection lived.
    query = window.session.executor.submit(lambda: connection.execute("SELECT 1"))
    with pytest.raises(Exception, match="(?i)closed"):
        query.result()
    assert window.session._vault is None
    assert window.outer.currentWidget() is window.unlock_view


def test_a_modal_message_box_in_its_own_event_loop_does_not_stop_the_lock(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True, idle_ms=400)
    unlock(qtbot, window)
    clipboard.copy("Copied by Samråd")
    outcome: list[int] = []

    def ask() -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Samråd", "Erase?", parent=window)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        outcome.append(box.exec())  # returns only when the lock closes it

    QTimer.singleShot(0, ask)
    qtbot.waitUntil(lambda: bool(outcome), timeout=5_000)

    assert not window.session.is_unlocked
    assert outcome[0] != QMessageBox.StandardButton.Yes
    assert window.outer.currentWidget() is window.unlock_view


def test_the_recovery_code_is_copied_as_a_secret_and_taken_back(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    view = window.unlock_view
    view.new_passphrase.setText("en lang og god adgangsfrase")
    view.new_passphrase_again.setText("en lang og god adgangsfrase")
    view.create_button.click()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.code_page, timeout=30_000)
    code = view.code_label.text()
    assert code
    # The code cannot be selected past the Copy button (which the lock can undo).
    assert view.code_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction

    view.copy_code_button.click()

    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == code
    assert bytes(mime.data("x-kde-passwordManagerHint").data()) == b"secret"
    view.stored_check.setChecked(True)
    view.continue_button.click()
    assert QGuiApplication.clipboard().text() == ""  # taken back when the page is left


def test_a_secret_leaves_the_clipboard_by_itself_unless_replaced(qtbot: QtBot) -> None:
    clipboard.copy("RECOVERY-CODE", secret=True, clear_after_ms=100)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=2_000)

    clipboard.copy("RECOVERY-CODE", secret=True, clear_after_ms=100)
    QGuiApplication.clipboard().setText("the advisor's own text")
    qtbot.wait(300)
    assert QGuiApplication.clipboard().text() == "the advisor's own text"


def test_passphrase_fields_are_masked(make_window: MakeWindow) -> None:
    window = make_window(with_vault=True)
    view = window.unlock_view
    for field in (
        view.passphrase,
        view.new_passphrase,
        view.new_passphrase_again,
        view.recover_passphrase,
        view.recover_passphrase_again,
    ):
        assert field.echoMode() == QLineEdit.EchoMode.Password, field.accessibleName()


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_laptop_that_slept_past_the_idle_time_locks_when_it_wakes(
    qapp: QApplication, qtbot: QtBot
) -> None:
    # Qt's timers stand still during sleep; the wall clock does not.
    clock = _Clock()
    watcher = IdleWatcher(qapp, 10 * 60_000, wall_clock=clock, check_ms=50)
    try:
        watcher.start()
        clock.now += 11 * 60  # asleep for eleven minutes
        with qtbot.waitSignal(watcher.idle, timeout=2_000):
            pass
    finally:
        watcher.detach()


def test_the_first_touch_after_a_long_sleep_is_not_activity(
    qapp: QApplication, qtbot: QtBot
) -> None:
    clock = _Clock()
    watcher = IdleWatcher(qapp, 10 * 60_000, wall_clock=clock, check_ms=60_000)
    widget = QLineEdit()
    qtbot.addWidget(widget)
    try:
        watcher.start()
        clock.now += 11 * 60
        with qtbot.waitSignal(watcher.idle, timeout=2_000):
            qtbot.keyClick(widget, Qt.Key.Key_A)  # a key pressed before the clock check
    finally:
        watcher.detach()


def test_activity_within_the_idle_time_keeps_the_vault_open(
    qapp: QApplication, qtbot: QtBot
) -> None:
    clock = _Clock()
    watcher = IdleWatcher(qapp, 10 * 60_000, wall_clock=clock, check_ms=20)
    widget = QLineEdit()
    qtbot.addWidget(widget)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    try:
        watcher.start()
        for _ in range(4):
            clock.now += 6 * 60  # 24 minutes in all, never 10 without a key
            qtbot.keyClick(widget, Qt.Key.Key_A)
            qtbot.wait(60)
        assert fired == []
    finally:
        watcher.detach()
