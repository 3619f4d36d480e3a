"""Dialogs of an import: how to open the bundle, and "trust this sender?".

Both are opened with ``open()`` (never a blocking ``exec()``); tests fill
them and call ``accept()``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from ui.widgets import file_dialogs


class ImportDialog(QDialog):
    """Asks for the identity file or the bundle passphrase of one bundle."""

    #: (identity file or None, passphrase or None): exactly one is given.
    chosen = Signal(object, object)

    def __init__(self, bundle_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import a bundle"))
        self.identity_path: Path | None = None
        intro = QLabel(_("How is {name} opened?").format(name=bundle_name), self)
        intro.setWordWrap(True)
        self.passphrase_radio = QRadioButton(_("With the bundle &passphrase"), self)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Bundle passphrase"))
        self.identity_radio = QRadioButton(_("With an &identity file (age key)"), self)
        self.identity_label = QLabel(_("No file chosen."), self)
        self.choose_button = QPushButton(_("&Choose…"), self)
        self.choose_button.clicked.connect(self.choose_identity)
        group = QButtonGroup(self)
        group.addButton(self.passphrase_radio)
        group.addButton(self.identity_radio)
        self.passphrase_radio.setChecked(True)
        group.buttonToggled.connect(lambda *_a: self._update())
        self.passphrase.textEdited.connect(lambda _t: self.passphrase_radio.setChecked(True))
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("&Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity_label, 1)
        identity_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.passphrase_radio)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.identity_radio)
        layout.addLayout(identity_row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update()

    def _update(self) -> None:
        self.passphrase.setEnabled(self.passphrase_radio.isChecked())
        self.choose_button.setEnabled(self.identity_radio.isChecked())

    def choose_identity(self) -> None:
        """Ask for the age identity file (the office's private key)."""
        path = file_dialogs.ask_open_path(
            self, _("Choose the identity file"), _("Identity files (*.txt *.key);;All files (*)")
        )
        if path is None:
            return
        self.identity_path = path
        self.identity_label.setText(path.name)
        self.identity_radio.setChecked(True)

    def accept(self) -> None:
        """Hand over the chosen way to open the bundle, if complete."""
        if self.passphrase_radio.isChecked():
            if not self.passphrase.text():
                self.problem.setText(_("Type the bundle passphrase."))
                return
            self.chosen.emit(None, self.passphrase.text())
        else:
            if self.identity_path is None:
                self.problem.setText(_("Choose the identity file."))
                return
            self.chosen.emit(self.identity_path, None)
        self.passphrase.clear()
        super().accept()

    def reject(self) -> None:
        """Close without importing; the typed passphrase is forgotten."""
        self.passphrase.clear()
        super().reject()


class TrustDialog(QDialog):
    """ "Trust this sender?" for a bundle from a vault not exchanged with before."""

    def __init__(self, name: str, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Trust this sender?"))
        text = QLabel(
            _(
                "This bundle comes from {name}, a vault this one has not exchanged bundles "
                "with before. Compare its key fingerprint with the one on that vault's Sync "
                "page before you trust it."
            ).format(name=name),
            self,
        )
        text.setWordWrap(True)
        self.fingerprint = QLabel(fingerprint, self)
        self.fingerprint.setAccessibleName(_("Key fingerprint"))
        font = self.fingerprint.font()
        font.setFamily("monospace")
        font.setBold(True)
        self.fingerprint.setFont(font)
        buttons = QDialogButtonBox(self)
        trust = buttons.addButton(_("&Trust and import"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.fingerprint)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        trust.setDefault(False)
