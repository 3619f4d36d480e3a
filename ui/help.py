"""The offline guide (F1): HTML shipped in resources/help, shown by Qt.

One page per screen and language: ``resources/help/<lang>/<screen>.html``,
with ``index.html`` as the contents. A page missing in the current language
falls back to English, and an unknown screen to the contents. Nothing is
fetched from a network: links are followed only to other pages of the guide.

The dialog is a non-modal child of the main window, so the lock closes it
like every other dialog, and F1 on another screen reuses it.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _

# resources/ sits next to ui/ both in the source tree and in the PyInstaller
# bundle (as for the icon in ui/main_window.py); build.spec must copy
# resources/help to the same relative place.
HELP_DIR = Path(__file__).resolve().parent.parent / "resources" / "help"

#: The screens with a page: the unlock screen and every page of the main window.
SCREENS = (
    "unlock",
    "overview",
    "calendar",
    "meeting",
    "cases",
    "agreements",
    "sites",
    "sync",
    "settings",
)
#: The contents page of each language.
INDEX = "index"
#: The language every page exists in.
FALLBACK_LANGUAGE = "en"

_NAME = re.compile(r"^[a-z][a-z-]*$")


def help_dir() -> Path:
    """The folder holding ``<lang>/<screen>.html`` (looked up at call time, for tests)."""
    return HELP_DIR


def page_path(screen: str, lang: str) -> Path | None:
    """The page to show for ``screen`` in ``lang``, or None if the guide is missing.

    Order: the screen in ``lang``, the screen in English, the contents in
    ``lang``, the contents in English.
    """
    root = help_dir()
    langs = [lang, FALLBACK_LANGUAGE] if _NAME.match(lang) else [FALLBACK_LANGUAGE]
    names = [screen, INDEX] if _NAME.match(screen) else [INDEX]
    for name in names:
        for language in dict.fromkeys(langs):
            candidate = root / language / f"{name}.html"
            if candidate.is_file():
                return candidate
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


class HelpDialog(QDialog):
    """A window beside the main window showing one page of the guide."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("helpDialog")
        self.setModal(False)
        self.setAccessibleName(_("Guide"))
        self.setWindowTitle(_("Samråd guide"))
        self.resize(620, 700)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setAccessibleName(_("Guide text"))
        # Links are followed by us, and only to the guide's own pages.
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.browser.sourceChanged.connect(lambda _url: self._show_title())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.back_button = QPushButton(_("&Back"), self)
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Back).toString())
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.contents_button = QPushButton(_("&Contents"), self)
        self.contents_button.clicked.connect(lambda: self.show_page(INDEX))
        for button in (self.back_button, self.contents_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.setFocusProxy(self.browser)

    # --- pages ------------------------------------------------------------------

    def page(self) -> Path | None:
        """The file shown now (None: nothing)."""
        url = self.browser.source()
        return Path(url.toLocalFile()) if url.isLocalFile() else None

    def show_page(self, screen: str) -> None:
        """Show the page for ``screen`` in this dialog's language (with the fallbacks)."""
        path = page_path(screen, self.lang)
        if path is None:
            self.browser.clear()
            self.browser.setPlainText(_("The guide is not installed with this copy of Samråd."))
            self._show_title()
            return
        url = QUrl.fromLocalFile(str(path))
        if self.browser.source() == url:
            self.browser.reload()
        else:
            self.browser.setSource(url)

    def _follow(self, url: QUrl) -> None:
        """Follow a link within the guide; anything else is ignored (offline)."""
        if url.scheme() not in ("", "file"):
            return
        if not url.path() and url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())
            return
        target = self.browser.source().resolved(url)
        path = Path(target.toLocalFile())
        if path.suffix == ".html" and path.is_file() and _inside(path, help_dir()):
            self.browser.setSource(target)

    def _show_title(self) -> None:
        title = self.browser.documentTitle()
        self.setWindowTitle(
            _("Samråd guide: {page}").format(page=title) if title else _("Samråd guide")
        )


def open_help(parent: QWidget, screen: str, lang: str) -> HelpDialog:
    """Show the guide's page for ``screen`` in ``lang`` (reusing an open guide window)."""
    found = parent.findChildren(HelpDialog, options=Qt.FindChildOption.FindDirectChildrenOnly)
    dialog: HelpDialog | None = None
    for old in found:
        if old.lang == lang and dialog is None:
            dialog = old
        else:  # built in another language: its buttons would speak that one
            old.hide()
            old.deleteLater()
    if dialog is None:
        dialog = HelpDialog(lang, parent)
    dialog.show_page(screen)
    # A child dialog stays above its window; activating it brings it forward.
    dialog.show()
    dialog.activateWindow()
    dialog.browser.setFocus()
    return dialog
