"""“Remember on this computer” in the desktop app (security.md: the keyring).

With keyring's fail backend the app works by passphrase and says once that it
cannot remember the key; with a working backend the next start opens without
the passphrase, and a key removed from the keyring falls back to asking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from app.store.keyring_cache import ALLOWED_BACKENDS, KeyringCache
from app.store.vault import VaultDirectory
from tests.helpers.keyrings import MemoryKeyring, only
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.ui.conftest import TODAY, unlock, wait_idle
from ui.main_window import MainWindow
from ui.preferences import Preferences

Start = Callable[[Callable[[], KeyringCache]], MainWindow]


@pytest.fixture
def start(qtbot: QtBot, tmp_path: Path) -> Iterator[Start]:
    """Start the app on one vault folder, as ``run_gui`` does, with a given keyring."""
    made: list[tuple[MainWindow, VaultDirectory]] = []
    first = open_directory(tmp_path / "vault")
    first.create(PASSPHRASE, "DK").vault.close(auto_backup=False)
    first.release()

    def launch(keyring: Callable[[], KeyringCache]) -> MainWindow:
        for window, directory in made:  # one Samråd at a time holds the folder
            window.close()
            directory.release()
        made.clear()
        directory = open_directory(tmp_path / "vault")
        window = MainWindow(
            directory,
            preferences=Preferences(tmp_path / "config" / "samraad.ini"),
            demo_dir=tmp_path / "demo",
            idle_ms=3_600_000,
            today=TODAY,
            keyring=keyring,
        )
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        window.unlock_view.try_remembered()
        wait_idle(qtbot, window)
        made.append((window, directory))
        return window

    yield launch
    for window, directory in made:
        window.close()
        directory.release()


Remembering = tuple[MemoryKeyring, Callable[[], KeyringCache]]


@pytest.fixture
def remembering() -> Remembering:
    """A working keyring in memory and the cache factory the window uses with it."""
    memory = MemoryKeyring()

    def working() -> KeyringCache:
        return KeyringCache(backend=memory, allowed=only(memory), timeout=2)

    return memory, working


def _unlock_remembering(qtbot: QtBot, window: MainWindow) -> None:
    window.unlock_view.remember.setChecked(True)
    unlock(qtbot, window)


def test_fail_backend_works_by_passphrase_and_says_so_once(start: Start, qtbot: QtBot) -> None:
    def failing() -> KeyringCache:
        return KeyringCache(backend=fail.Keyring(), allowed=ALLOWED_BACKENDS, timeout=2)

    window = start(failing)
    assert not window.session.is_unlocked  # nothing remembered: the passphrase is asked
    said: list[str] = []
    window.session.failed.connect(said.append)

    _unlock_remembering(qtbot, window)

    assert window.session.is_unlocked
    assert window.outer.currentWidget() is window.workspace
    assert len(said) == 1, said
    assert said[0].endswith(".") and "\n" not in said[0]
    assert window.banner.isVisible()
    # The next start still asks for the passphrase, and says nothing more.
    window = start(failing)
    assert not window.session.is_unlocked
    assert window.unlock_view.message.text() == ""


def test_a_remembered_key_opens_the_next_start_without_the_passphrase(
    start: Start, remembering: Remembering, qtbot: QtBot
) -> None:
    memory, working = remembering
    window = start(working)
    _unlock_remembering(qtbot, window)
    assert len(memory.entries) == 1
    assert not window.banner.isVisible()

    window = start(working)

    assert window.session.is_unlocked
    assert window.outer.currentWidget() is window.workspace


def test_a_key_removed_from_the_keyring_falls_back_to_the_passphrase(
    start: Start, remembering: Remembering, qtbot: QtBot
) -> None:
    memory, working = remembering
    window = start(working)
    _unlock_remembering(qtbot, window)
    memory.entries.clear()  # e.g. the advisor cleared the system keyring

    window = start(working)

    assert not window.session.is_unlocked
    assert window.outer.currentWidget() is window.unlock_view
    assert window.unlock_view.message.text() == ""  # no error: it simply asks
    unlock(qtbot, window)
    assert window.session.is_unlocked


def test_a_lock_asks_for_the_passphrase_even_when_the_key_is_remembered(
    start: Start, remembering: Remembering, qtbot: QtBot
) -> None:
    # Otherwise the idle lock would protect nothing on a laptop left open.
    memory, working = remembering
    window = start(working)
    _unlock_remembering(qtbot, window)

    window.lock()
    qtbot.wait(200)

    assert not window.session.is_unlocked
    assert window.outer.currentWidget() is window.unlock_view
