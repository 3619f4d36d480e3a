"""The main window: first run, unlock, lock (by hand and when idle), language, demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app import i18n
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.ui.conftest import MakeWindow, unlock, vault_of, wait_idle
from ui import clipboard
from ui import main as ui_main
from ui.main_window import ICON_PATH, MainWindow


def test_window_shows_with_title_and_icon(make_window: MakeWindow) -> None:
    window = make_window()

    assert window.windowTitle() == "Samråd"
    assert ICON_PATH.is_file()
    assert not window.windowIcon().isNull()


def test_an_empty_folder_starts_on_the_first_run_page(make_window: MakeWindow) -> None:
    window = make_window()

    assert window.outer.currentWidget() is window.unlock_view
    assert window.unlock_view.pages.currentWidget() is window.unlock_view.create_page
    assert not window.lock_action.isEnabled()


def test_first_run_creates_a_vault_and_shows_the_recovery_code_once(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    view = window.unlock_view
    view.new_passphrase.setText(PASSPHRASE)
    view.new_passphrase_again.setText(PASSPHRASE)
    view.create_button.click()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.code_page, timeout=10_000)

    code = view.code_label.text()
    assert len(code.replace("-", "")) == 32
    assert not view.continue_button.isEnabled()
    view.stored_check.setChecked(True)
    view.continue_button.click()

    assert window.session.is_unlocked
    assert window.outer.currentWidget() is window.workspace
    assert view.code_label.text() == ""
    assert window.session.directory.exists()


def test_differing_passphrases_are_refused_with_one_sentence(make_window: MakeWindow) -> None:
    window = make_window()
    view = window.unlock_view
    view.new_passphrase.setText(PASSPHRASE)
    view.new_passphrase_again.setText(PASSPHRASE + "x")
    view.create_button.click()

    assert view.message.text() == "The two passphrases differ; type the same one twice."
    assert not window.session.directory.exists()


def test_unlock_with_the_passphrase_shows_the_overview(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    assert window.unlock_view.pages.currentWidget() is window.unlock_view.unlock_page

    unlock(qtbot, window)

    assert window.current_view() is window.views["overview"]
    assert window.unlock_view.passphrase.text() == ""


def test_a_wrong_passphrase_says_so_and_stays_locked(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    window.unlock_view.passphrase.setText("not the passphrase at all")
    window.unlock_view.unlock_button.click()
    wait_idle(qtbot, window)

    assert not window.session.is_unlocked
    assert "passphrase" in window.unlock_view.message.text().lower()


def test_ctrl_l_locks_closes_the_vault_and_restores_the_page(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    window.navigate("sites")
    vault = vault_of(window)
    with qtbot.waitActive(window):
        window.activateWindow()

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert not window.session.is_unlocked
    assert not vault.is_open
    assert vault._key is None
    assert window.outer.currentWidget() is window.unlock_view
    unlock(qtbot, window)
    assert window.current_view() is window.views["sites"]


def test_idle_lock_closes_an_open_dialog_and_clears_our_clipboard(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True, idle_ms=300)
    unlock(qtbot, window)
    vault = vault_of(window)

    class Stubborn(QDialog):
        def reject(self) -> None:  # a dialog that refuses Escape must not stop a lock
            pass

    dialog = Stubborn(window)
    dialog.open()
    clipboard.copy("Copied by Samråd")

    qtbot.waitUntil(lambda: not window.session.is_unlocked, timeout=5_000)

    assert not dialog.isVisible()
    assert not vault.is_open
    assert QGuiApplication.clipboard().text() == ""
    assert window.outer.currentWidget() is window.unlock_view


def test_the_clipboard_is_left_alone_when_it_holds_something_else(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    clipboard.copy("ours")
    QGuiApplication.clipboard().setText("the advisor's own text")

    window.lock()

    assert QGuiApplication.clipboard().text() == "the advisor's own text"


def test_activity_restarts_the_idle_timer(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True, idle_ms=600)
    unlock(qtbot, window)
    for _ in range(6):
        qtbot.wait(200)
        qtbot.keyClick(window.nav, Qt.Key.Key_Down)

    assert window.session.is_unlocked


def test_choosing_a_language_on_the_first_run_page_retranslates(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window()
    view = window.unlock_view
    view.language.setCurrentIndex(view.language.findData("da"))
    try:
        assert i18n.current_language() == "da"
        assert window.unlock_view is not view
        assert window.quit_action.text() == "&Afslut"
        assert window.preferences.language() == "da"
    finally:
        i18n.set_language("en")


def test_explore_opens_the_fictional_demo_vault(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()

    window.unlock_view.demo_button.click()
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=30_000)

    assert window.session.data_dir == tmp_path / "demo"
    assert (tmp_path / "demo").is_dir()
    assert not (tmp_path / "vault" / "vault.db").exists()
    window.lock()  # the demo's locked screen offers no restore into the demo folder
    assert window.unlock_view.pages.currentWidget() is window.unlock_view.unlock_page
    assert window.unlock_view.unlock_button.isVisible()
    assert not window.unlock_view.restore_button.isVisible()


def test_run_gui_refuses_a_second_instance(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[object, ...]] = []

    def record(*args: object) -> None:
        shown.append(args)

    # The real box is modal and would block the test.
    monkeypatch.setattr(ui_main.QMessageBox, "information", record)
    held = open_directory(tmp_path)
    try:
        status = ui_main.run_gui(tmp_path, "en")
    finally:
        held.release()

    assert status == 2
    assert len(shown) == 1
    parent, title, message = shown[0]
    assert parent is None
    assert title == "Samråd"
    assert isinstance(message, str)
    assert "already open" in message


def test_the_window_is_a_main_window(make_window: MakeWindow) -> None:
    assert isinstance(make_window(), MainWindow)


def test_closing_on_the_recovery_code_page_closes_the_new_vault_cleanly(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    view = window.unlock_view
    view.new_passphrase.setText("en lang og god adgangsfrase")
    view.new_passphrase_again.setText("en lang og god adgangsfrase")
    view.create_button.click()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.code_page, timeout=30_000)

    window.close()  # before "I have stored it"
    window.session.directory.release()

    # The folder is free again and the vault opens with its passphrase.
    directory = open_directory(tmp_path / "vault")
    try:
        directory.unlock("en lang og god adgangsfrase").close(auto_backup=False)
    finally:
        directory.release()
