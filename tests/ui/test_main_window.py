"""The placeholder main window and the GUI start-up path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.store.vault import VaultDirectory
from tests.helpers.vaults import PASSPHRASE, open_directory
from ui import main as ui_main
from ui.main_window import ICON_PATH, MainWindow

# The offscreen platform warns on every QMainWindow.show(); Qt says nothing
# else, and any other warning still fails the test.


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[VaultDirectory]:
    """A held, empty data folder; released afterwards."""
    held = open_directory(tmp_path / "vault")
    try:
        yield held
    finally:
        held.release()


def show(qtbot: QtBot, directory: VaultDirectory) -> MainWindow:
    window = MainWindow(directory)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def test_window_shows_with_title_and_icon(qtbot: QtBot, directory: VaultDirectory) -> None:
    window = show(qtbot, directory)

    assert window.isVisible()
    assert window.windowTitle() == "Samråd"
    assert ICON_PATH.is_file()
    assert not window.windowIcon().isNull()


def test_status_says_no_vault_in_an_empty_folder(qtbot: QtBot, directory: VaultDirectory) -> None:
    window = show(qtbot, directory)

    text = window.status_label.text()
    assert text.startswith("No vault yet in ")
    assert str(directory.layout.root) in text


def test_status_says_a_vault_is_there_after_create(qtbot: QtBot, directory: VaultDirectory) -> None:
    directory.create(PASSPHRASE).vault.close()

    window = show(qtbot, directory)

    assert window.status_label.text() == f"A vault is in {directory.layout.root}."


def test_ctrl_q_closes_the_window(qtbot: QtBot, directory: VaultDirectory) -> None:
    window = show(qtbot, directory)
    with qtbot.waitActive(window):
        window.activateWindow()

    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    assert not window.isVisible()


def test_run_gui_refuses_a_second_instance(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[object, ...]] = []

    def record(*args: object) -> None:
        shown.append(args)

    # The real box is modal and would block the test.
    monkeypatch.setattr(ui_main.QMessageBox, "critical", record)
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
