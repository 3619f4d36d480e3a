"""The offline guide (F1): the right page, in the right language, closed by the lock."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from app import i18n
from tests.ui.conftest import MakeWindow, unlock
from ui import help as guide
from ui.help import HELP_DIR, SCREENS, HelpDialog, open_help
from ui.main_window import MainWindow

#: The languages a page must exist in (every language Samråd ships).
SHIPPED = i18n.LANGUAGES
_LINK = re.compile(r'href="([^"]+)"')


def press_f1(qtbot: QtBot, window: MainWindow) -> HelpDialog:
    """Press F1 in the main window, as the advisor does; returns the guide shown."""
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialogs = window.findChildren(HelpDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert isinstance(dialog, HelpDialog)
    return dialog


def shown_page(dialog: HelpDialog) -> Path:
    page = dialog.page()
    assert page is not None
    return page


def test_f1_on_the_overview_opens_its_page_in_the_current_language(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    window.set_language("da")
    try:
        assert window.current_view() is window.views["overview"]

        dialog = press_f1(qtbot, window)

        assert dialog.isVisible()
        assert not dialog.isModal()
        assert dialog.parent() is window
        assert shown_page(dialog) == HELP_DIR / "da" / "overview.html"
        text = dialog.browser.toPlainText()
        assert "Dagsordenspunkter, som samtykket ikke dækker" in text  # UTF-8 read as such
        assert dialog.windowTitle().endswith("Overblik")
        assert dialog.accessibleName()
    finally:
        window.set_language("en")  # also removes Qt's Danish translator


def test_f1_follows_the_screen_and_reuses_the_open_guide(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    first = press_f1(qtbot, window)  # locked: the unlock screen's page
    assert shown_page(first) == HELP_DIR / "en" / "unlock.html"

    unlock(qtbot, window)
    window.navigate("calendar")
    second = press_f1(qtbot, window)

    assert second is first
    assert shown_page(second) == HELP_DIR / "en" / "calendar.html"


def test_escape_closes_the_guide(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    dialog = open_help(window, "unlock", "en")
    with qtbot.waitActive(dialog):
        dialog.activateWindow()

    qtbot.keyClick(dialog.browser, Qt.Key.Key_Escape)

    assert not dialog.isVisible()


def test_a_page_missing_in_the_language_falls_back_to_english(
    make_window: MakeWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "help"
    shutil.copytree(HELP_DIR, copy)
    (copy / "nb" / "sync.html").unlink()
    monkeypatch.setattr(guide, "HELP_DIR", copy)
    window = make_window()

    dialog = open_help(window, "sync", "nb")

    assert shown_page(dialog) == copy / "en" / "sync.html"
    assert "Trust this sender?" in dialog.browser.toPlainText()


def test_an_unknown_screen_shows_the_contents_of_the_language(make_window: MakeWindow) -> None:
    window = make_window()

    dialog = open_help(window, "no-such-screen", "da")

    assert shown_page(dialog) == HELP_DIR / "da" / "index.html"


def test_a_link_to_another_page_is_followed_and_back_returns(make_window: MakeWindow) -> None:
    window = make_window()
    dialog = open_help(window, "agreements", "en")

    dialog.browser.anchorClicked.emit(QUrl("overview.html"))
    assert shown_page(dialog) == HELP_DIR / "en" / "overview.html"
    assert dialog.back_button.isEnabled()

    dialog.back_button.click()
    assert shown_page(dialog) == HELP_DIR / "en" / "agreements.html"


def test_a_link_leading_out_of_the_guide_is_not_followed(make_window: MakeWindow) -> None:
    window = make_window()
    dialog = open_help(window, "sync", "en")

    for outside in ("https://example.org/", "../../../README.md", "file:///etc/passwd"):
        dialog.browser.anchorClicked.emit(QUrl(outside))

    assert shown_page(dialog) == HELP_DIR / "en" / "sync.html"


def test_every_screen_of_the_window_has_a_page_in_every_language(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    names = {view.name for view in window.views.values()} | {"unlock"}

    assert set(SCREENS) == names
    for lang in SHIPPED:
        for name in (*SCREENS, "index"):
            page = HELP_DIR / lang / f"{name}.html"
            assert page.is_file(), f"{page} is missing"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_page_is_offline_and_its_links_lead_to_pages_of_the_guide(lang: str) -> None:
    for page in sorted((HELP_DIR / lang).glob("*.html")):
        html = page.read_text("utf-8")
        assert "<title>" in html, page
        assert "<script" not in html.lower(), page
        assert "src=" not in html.lower(), page  # no images or anything fetched
        for target in _LINK.findall(html):
            assert "://" not in target, f"{page}: {target}"
            assert (page.parent / target.split("#")[0]).is_file(), f"{page}: {target}"


def test_the_lock_closes_the_guide(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    dialog = press_f1(qtbot, window)
    assert dialog.isVisible()

    window.lock()

    assert not window.session.is_unlocked
    assert not dialog.isVisible()
