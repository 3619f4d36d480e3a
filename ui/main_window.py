"""The main window (a placeholder until the UI issue builds the screens)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from app.i18n import _
from app.store.vault import VaultDirectory


class MainWindow(QMainWindow):
    """Shows which data folder this window holds and whether a vault is in it."""

    def __init__(self, directory: VaultDirectory) -> None:
        super().__init__()
        self.setWindowTitle("Samråd")
        self.resize(900, 600)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        title = QLabel("Samråd", central)
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
