"""Backing up and restoring from the window (Settings and the unlock screen).

The work itself is the core's: :meth:`Vault.backup_to` and
:meth:`VaultDirectory.restore`, each run on the database thread. This module
holds what both screens share: the file name and filter, the status of the
automatic backups, and the dialog asking for the secret a backup opens with.
The dialog is opened with ``open()`` (never a blocking ``exec()``); tests fill
it and press its button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.store import backup
from app.store.vault import Vault
from ui.models.sync_models import stamp_text


def backup_file_name(today: date) -> str:
    """The name suggested for a backup made on ``today``."""
    return f"samraad-backup-{today.isoformat()}{backup.SUFFIX}"


def backup_filter() -> str:
    """The file-dialog filter for backup files."""
    return _("Samråd backups (*{suffix})").format(suffix=backup.SUFFIX)


def with_backup_suffix(path: Path) -> Path:
    """``path`` ending in the backup suffix (added when the advisor left it out)."""
    if path.name.lower().endswith(backup.SUFFIX):
        return path
    return path.with_name(path.name + backup.SUFFIX)


@dataclass(frozen=True)
class BackupStatus:
    """Where the automatic backups are and when the newest was made (no personal data)."""

    folder: Path
    newest_at: str | None


def backup_status(vault: Vault) -> BackupStatus:
    """Read on the database thread: the backups folder and its newest automatic backup."""
    folder = vault.directory.layout.backups
    latest = backup.latest_auto_backup(folder)
    return BackupStatus(folder=folder, newest_at=latest.header.created_at if latest else None)


def newest_backup_text(status: BackupStatus) -> str:
    """The newest automatic backup's time as the advisor reads it."""
    if status.newest_at is None:
        return _("None yet: one is made when Samråd locks or closes after a change.")
    return stamp_text(status.newest_at)


def selectable_label(text: str = "") -> QLabel:
    """A label whose text can be selected and copied, with mouse or keyboard."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return label


class RestoreDialog(QDialog):
    """Asks for the passphrase (or the recovery code) a backup was made with.

    It is also the confirmation: it says what happens to the vault in the
    folder, and nothing happens until its Restore button is pressed.
    """

    #: (passphrase or None, recovery code or None): exactly one is given.
    chosen = Signal(object, object)

    def __init__(
        self, source: Path, replaces: bool, backups_folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Restore from a backup"))
        self.setAccessibleName(_("Restore from a backup"))
        file_label = selectable_label(str(source))
        file_label.setAccessibleName(_("Backup file"))
        if replaces:
            consequence = _(
                "The vault in this folder is replaced by the backup. It is not deleted: "
                "it is set aside in {folder}."
            ).format(folder=backups_folder)
        else:
            consequence = _("The backup becomes the vault on this computer.")
        self.consequence = QLabel(consequence, self)
        self.consequence.setWordWrap(True)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Passphrase of the backup"))
        self.code = QLineEdit(self)
        self.code.setAccessibleName(_("Recovery code"))
        self.passphrase_label = QLabel(_("&Passphrase:"), self)
        self.passphrase_label.setBuddy(self.passphrase)
        self.code_label = QLabel(_("Recovery &code:"), self)
        self.code_label.setBuddy(self.code)
        self.use_code = QCheckBox(_("I have the recovery code &instead"), self)
        self.use_code.toggled.connect(self._update)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setAccessibleName(_("Message"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.restore_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.restore_button.setText(_("&Restore"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(_("Backup file:"), file_label)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.consequence)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.use_code)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update(False)

    def _update(self, use_code: bool) -> None:
        self.problem.clear()
        self.passphrase_label.setVisible(not use_code)
        self.passphrase.setVisible(not use_code)
        self.code_label.setVisible(use_code)
        self.code.setVisible(use_code)
        if use_code:
            self.explain.setText(
                _(
                    "Type the recovery code. Afterwards, open the vault with the recovery code "
                    "and choose a new passphrase."
                )
            )
            self.code.setFocus()
        else:
            self.explain.setText(_("Type the passphrase that was valid when the backup was made."))
            self.passphrase.setFocus()

    def accept(self) -> None:
        """Hand over the secret (the fields are cleared at once), or say what is missing."""
        if self.use_code.isChecked():
            code = self.code.text().strip()
            if not code:
                self.problem.setText(_("Type the recovery code."))
                return
            passphrase = None
        else:
            passphrase, code = self.passphrase.text(), None
            if not passphrase:
                self.problem.setText(_("Type the passphrase the backup was made with."))
                return
        self.passphrase.clear()
        self.code.clear()
        super().accept()
        self.chosen.emit(passphrase, code)
