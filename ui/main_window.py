"""The main window (a placeholder until the UI issue builds the screens)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from app.i18n import _
from app.store.vault import VaultDirectory

# resources/ sits next to ui/ both in the source tree and in the PyInstaller
# bundle (build.spec copies it to the same relative place).
ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "samraad.svg"


def app_icon() -> QIcon:
    """The Samråd icon, or an empty icon if the file is missing (never an error)."""
    return QIcon(str(ICON_PATH)) if ICON_PATH.is_file() else QIcon()


class MainWindow(QMainWindow):
    """Shows which data folder this window holds and whether a vault is in it."""

    def __init__(self, directory: VaultDirectory) -> None:
        super().__init__()
        self.setWindowTitle(_("Samråd"))
        self.setWindowIcon(app_icon())
        self.resize(900, 600)

        self.quit_action = QAction(_("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.quit_action.triggered.connect(self.close)
        self.addAction(self.quit_action)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        title = QLabel(_("Samråd"), central)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 28px; font-weight: 600;")
        if directory.exists():
            state = _("A vault is in {path}.")
        else:
            state = _("No vault yet in {path}; create one with “samraad init”.")
        self.status_label = QLabel(state.format(path=directory.layout.root), central)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setWordWrap(True)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.setCentralWidget(central)
