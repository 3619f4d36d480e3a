"""Fixtures for widget tests: a main window on a real temporary vault."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services import demo
from app.store.vault import Vault, VaultDirectory
from tests.helpers.vaults import PASSPHRASE, open_directory
from ui.main_window import MainWindow
from ui.preferences import Preferences

#: The day the UI tests live on (the demo is built around it).
TODAY = date(2026, 11, 23)


def wait_idle(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> None:
    """Wait until every database operation has delivered its result."""
    qtbot.waitUntil(lambda: window.session.pending == 0, timeout=timeout)


def unlock(qtbot: QtBot, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    """Unlock through the unlock screen, as the advisor does."""
    window.unlock_view.passphrase.setText(passphrase)
    window.unlock_view.unlock_button.click()
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=10_000)
    wait_idle(qtbot, window)


MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MakeWindow]:
    """Build a shown main window on ``tmp_path/vault``; cleaned up afterwards."""
    made: list[tuple[MainWindow, VaultDirectory]] = []

    def make(
        *, with_vault: bool = False, with_demo: bool = False, idle_ms: int = 3_600_000
    ) -> MainWindow:
        directory = open_directory(tmp_path / "vault")
        if with_demo:
            vault, _summary = demo.create_demo(directory, TODAY, passphrase=PASSPHRASE)
            vault.close(auto_backup=False)
        elif with_vault:
            directory.create(PASSPHRASE, "DK").vault.close(auto_backup=False)
        window = MainWindow(
            directory,
            preferences=Preferences(tmp_path / "config" / "samraad.ini"),
            demo_dir=tmp_path / "demo",
            idle_ms=idle_ms,
            today=TODAY,
        )
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        made.append((window, directory))
        return window

    yield make
    for window, _directory in made:
        window.close()
        window.session.directory.release()


@pytest.fixture
def demo_window(make_window: MakeWindow, qtbot: QtBot) -> MainWindow:
    """An unlocked window on the (small, fictional) demo vault."""
    window = make_window(with_demo=True)
    unlock(qtbot, window)
    return window


def vault_of(window: MainWindow) -> Vault:
    """The open vault, for assertions run on the database thread."""
    vault = window.session._vault
    assert vault is not None
    return vault
