"""First run (create a vault, or explore the demo) and every later unlock.

The passphrase never leaves this widget except into the database thread's
unlock call; the fields are cleared as soon as the call is handed over.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import secrets_policy
from app.i18n import LANGUAGES, _
from app.services import key_memory
from app.store.keyring_cache import KeyringCache
from app.store.vault import Created, Vault, VaultDirectory
from ui import clipboard
from ui.session import Session, message_of
from ui.views.backup_restore import RestoreDialog, backup_filter
from ui.widgets import file_dialogs

LANGUAGE_NAMES = {"da": "Dansk", "nb": "Norsk bokmål", "en": "English"}
COUNTRY_NAMES = {"DK": "Danmark", "NO": "Norge"}


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


class UnlockView(QWidget):
    """The screen shown while no vault is open."""

    #: The advisor picked another language on the first-run page.
    language_chosen = Signal(str)
    #: The advisor asked for the demo vault.
    demo_requested = Signal()
    #: A vault is open (the session has adopted it).
    opened = Signal()

    def __init__(
        self,
        session: Session,
        language: str,
        keyring: Callable[[], KeyringCache] = KeyringCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._keyring = keyring
        self._language = language
        self._recovery_code = ""
        self._created: Vault | None = None
        self.restore_dialog: RestoreDialog | None = None

        self.pages = QStackedWidget(self)
        self.create_page = self._build_create_page()
        self.code_page = self._build_code_page()
        self.unlock_page = self._build_unlock_page()
        self.recover_page = self._build_recover_page()
        for page in (self.create_page, self.code_page, self.unlock_page, self.recover_page):
            self.pages.addWidget(page)

        self.message = QLabel(self)
        self.message.setObjectName("unlockMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setAccessibleName(_("Message"))
        # Good news (a restore finished) is not an error: not in red.
        self.notice = QLabel(self)
        self.notice.setObjectName("unlockNotice")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(_("Notice"))
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()

        column = QVBoxLayout()
        column.addWidget(self.pages)
        column.addWidget(self.progress)
        column.addWidget(self.message)
        column.addWidget(self.notice)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(560)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(holder, 3)
        outer.addStretch(1)
        self.show_start()

    # --- pages ----------------------------------------------------------------

    def _build_create_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        self.new_passphrase = _password_field(_("Passphrase"))
        self.new_passphrase_again = _password_field(_("Passphrase again"))
        self.strength = QLabel()
        self.strength.setAccessibleName(_("Passphrase strength"))
        self.new_passphrase.textChanged.connect(self._update_strength)
        self.country = QComboBox()
        self.country.setAccessibleName(_("Country"))
        for code, name in COUNTRY_NAMES.items():
            self.country.addItem(name, code)
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language"))
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(self._language)))
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_chosen.emit(self.language.currentData())
        )
        form.addRow(_("&Passphrase:"), self.new_passphrase)
        form.addRow(_("&Repeat it:"), self.new_passphrase_again)
        form.addRow("", self.strength)
        form.addRow(_("&Country:"), self.country)
        form.addRow(_("&Language:"), self.language)
        self.create_button = QPushButton(_("Create vault"))
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._create)
        self.new_passphrase_again.returnPressed.connect(self._create)
        self.demo_button = QPushButton(_("Explore with fictional demo data"))
        self.demo_button.clicked.connect(self.demo_requested)
        # Moving to a new laptop: copy the backup file over and restore it here.
        self.first_restore_button = self._restore_button()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(_heading(_("Welcome to Samråd")))
        intro = QLabel(
            _(
                "Samråd keeps your meetings, agendas and minutes about children in an "
                "encrypted vault on this computer. Choose a passphrase of at least 12 "
                "characters; nobody, not even the municipality, can open the vault without it "
                "or the recovery code."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.create_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.first_restore_button)
        layout.addStretch(2)
        return page

    def _build_code_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(_heading(_("Your recovery code")))
        explain = QLabel(
            _(
                "If you forget your passphrase, this code is the only way into the vault. "
                "It is shown only now. Print it or write it down and keep it locked away."
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.code_label = QLabel()
        self.code_label.setObjectName("recoveryCode")
        # Not selectable: a copy goes through the Copy button, which marks it
        # secret for clipboard managers and takes it back after 30 seconds.
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.4)
        self.code_label.setFont(mono)
        self.code_label.setAccessibleName(_("Recovery code"))
        layout.addWidget(self.code_label)
        self.print_code_button = QPushButton(_("&Print…"))
        self.print_code_button.clicked.connect(self._print_code)
        self.stored_check = QCheckBox(_("I have stored the recovery code safely"))
        self.continue_button = QPushButton(_("Continue"))
        self.continue_button.setEnabled(False)
        self.stored_check.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._code_stored)
        self.copy_code_button = QPushButton(_("&Copy (cleared after 30 seconds)"))
        self.copy_code_button.clicked.connect(
            lambda: clipboard.copy(self._recovery_code, secret=True)
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_code_button)
        buttons.addWidget(self.copy_code_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.stored_check)
        layout.addWidget(self.continue_button)
        layout.addStretch(2)
        return page

    def _build_unlock_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(_heading(_("Samråd is locked")))
        self.passphrase = _password_field(_("Passphrase"))
        self.passphrase.setPlaceholderText(_("Passphrase"))
        self.passphrase.returnPressed.connect(self._unlock)
        self.remember = QCheckBox(_("&Remember on this computer"))
        self.remember.setToolTip(
            _("Keeps the key in this computer's password store, so you are not asked again.")
        )
        self.unlock_button = QPushButton(_("&Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        self.forgot_button = QPushButton(_("I have forgotten the passphrase…"))
        self.forgot_button.setFlat(True)
        self.forgot_button.clicked.connect(lambda: self._show(self.recover_page))
        self.restore_button = self._restore_button()
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setEnabled(False)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.remember)
        layout.addWidget(self.unlock_button)
        layout.addWidget(self.forgot_button)
        layout.addWidget(self.restore_button)
        layout.addWidget(self.where)
        layout.addStretch(2)
        return page

    def _restore_button(self) -> QPushButton:
        button = QPushButton(_("Restore from a backup…"))
        button.setFlat(True)
        button.setAccessibleName(_("Restore from a backup"))
        button.clicked.connect(self.start_restore)
        return button

    def _build_recover_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(_heading(_("Open with the recovery code")))
        form = QFormLayout()
        self.code_field = QLineEdit()
        self.code_field.setAccessibleName(_("Recovery code"))
        self.recover_passphrase = _password_field(_("New passphrase"))
        self.recover_passphrase_again = _password_field(_("New passphrase again"))
        form.addRow(_("Recovery &code:"), self.code_field)
        form.addRow(_("&New passphrase:"), self.recover_passphrase)
        form.addRow(_("&Repeat it:"), self.recover_passphrase_again)
        layout.addLayout(form)
        self.recover_button = QPushButton(_("Open and set the new passphrase"))
        self.recover_button.clicked.connect(self._recover)
        back = QPushButton(_("Back"))
        back.clicked.connect(lambda: self._show(self.unlock_page))
        layout.addWidget(self.recover_button)
        layout.addWidget(back)
        layout.addStretch(2)
        return page

    # --- navigation -----------------------------------------------------------

    def show_start(self) -> None:
        """The first-run page if the folder has no vault, else the unlock page."""
        self.message.clear()
        if self.session.directory.exists():
            self.where.setText(str(self.session.data_dir))
            self._show(self.unlock_page)
        else:
            self._show(self.create_page)

    def _show(self, page: QWidget) -> None:
        self.message.clear()
        self.notice.clear()
        self.pages.setCurrentWidget(page)
        first = {
            id(self.create_page): self.new_passphrase,
            id(self.unlock_page): self.passphrase,
            id(self.recover_page): self.code_field,
            id(self.code_page): self.stored_check,
        }.get(id(page))
        if first is not None:
            first.setFocus()

    def try_remembered(self) -> None:
        """Open without a passphrase if this computer remembers the key."""
        if not self.session.directory.exists():
            return
        cache = self._keyring()
        self._busy(True)
        self.session.run_directory(
            key_memory.unlock_remembered, cache, done=self._remembered, failed=self._failed
        )

    def _remembered(self, vault: Vault | None) -> None:
        self._busy(False)
        if vault is not None:
            self._adopt(vault)

    # --- actions --------------------------------------------------------------

    def _update_strength(self, text: str) -> None:
        problem = secrets_policy.passphrase_problem(text) if text else None
        if problem:
            self.strength.setText(problem)
            return
        names = [_("weak"), _("fair"), _("good"), _("strong"), _("very strong")]
        score = secrets_policy.passphrase_strength(text) if text else 0
        self.strength.setText(_("Strength: {level}").format(level=names[score]) if text else "")

    def _create(self) -> None:
        first, second = self.new_passphrase.text(), self.new_passphrase_again.text()
        problem = secrets_policy.passphrase_problem(first)
        if problem:
            self.message.setText(problem)
            return
        if first != second:
            self.message.setText(_("The two passphrases differ; type the same one twice."))
            return
        country = str(self.country.currentData())
        self.new_passphrase.clear()
        self.new_passphrase_again.clear()
        self._busy(True)
        self.session.run_directory(
            VaultDirectory.create, first, country, done=self._vault_created, failed=self._failed
        )

    def _vault_created(self, created: Created) -> None:
        self._busy(False)
        self._created = created.vault
        self._recovery_code = created.recovery_code
        self.code_label.setText(created.recovery_code)
        self.stored_check.setChecked(False)
        self._show(self.code_page)

    def _print_code(self) -> None:
        # Printed straight to the printer: no file holds the code.
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        doc.setPlainText(
            _("Samråd recovery code")
            + "\n\n"
            + self._recovery_code
            + "\n\n"
            + str(self.session.data_dir)
        )
        doc.print_(printer)

    def discard_created(self) -> None:
        """Close a vault just created whose recovery code was never confirmed.

        The vault is complete on disk (its code still works); it was opened on
        the database thread and must be closed there.
        """
        vault, self._created = self._created, None
        self._recovery_code = ""
        self.code_label.clear()
        clipboard.clear_if_ours()
        if vault is not None:
            self.session.executor.submit(vault.close).result()

    def _code_stored(self) -> None:
        vault, self._created = self._created, None
        self._recovery_code = ""
        self.code_label.clear()
        clipboard.clear_if_ours()
        if vault is not None:
            self._adopt(vault)

    def _unlock(self) -> None:
        passphrase = self.passphrase.text()
        if not passphrase:
            self.message.setText(_("Type your passphrase."))
            return
        self.passphrase.clear()
        remember = self.remember.isChecked()
        self._busy(True)
        self.session.run_directory(
            _unlock_and_remember,
            passphrase,
            self._keyring() if remember else None,
            done=self._unlocked,
            failed=self._failed,
        )

    def _unlocked(self, result: tuple[Vault, str | None]) -> None:
        self._busy(False)
        vault, keyring_problem = result
        self._adopt(vault)
        if keyring_problem:
            self.session.failed.emit(keyring_problem)

    def _recover(self) -> None:
        first, second = self.recover_passphrase.text(), self.recover_passphrase_again.text()
        problem = secrets_policy.passphrase_problem(first)
        if problem:
            self.message.setText(problem)
            return
        if first != second:
            self.message.setText(_("The two passphrases differ; type the same one twice."))
            return
        code = self.code_field.text()
        for field in (self.code_field, self.recover_passphrase, self.recover_passphrase_again):
            field.clear()
        self._busy(True)
        self.session.run_directory(
            VaultDirectory.unlock_with_recovery_code,
            code,
            first,
            done=self._recovered,
            failed=self._failed,
        )

    def _recovered(self, vault: Vault) -> None:
        self._busy(False)
        self._adopt(vault)

    def start_restore(self) -> None:
        """Choose a backup file, then ask for its passphrase (the dialog confirms)."""
        path = file_dialogs.ask_open_path(self, _("Restore from a backup"), backup_filter())
        if path is None:
            return
        layout = self.session.directory.layout
        dialog = RestoreDialog(path, self.session.directory.exists(), layout.backups, self)
        dialog.chosen.connect(lambda passphrase, code: self._restore(path, passphrase, code))
        dialog.finished.connect(lambda _r: self._restore_dialog_closed(dialog))
        self.restore_dialog = dialog
        dialog.open()

    def _restore_dialog_closed(self, dialog: RestoreDialog) -> None:
        if self.restore_dialog is dialog:
            self.restore_dialog = None
        dialog.deleteLater()

    def _restore(self, path: Path, passphrase: str | None, code: str | None) -> None:
        self.message.clear()
        self.notice.clear()
        self._busy(True)
        self.session.run_directory(
            VaultDirectory.restore,
            path,
            passphrase,
            code,
            done=lambda _none: self._restored(with_code=code is not None),
            failed=self._failed,
        )

    def _restored(self, *, with_code: bool) -> None:
        self._busy(False)
        self.show_start()
        if with_code:
            # The backup's passphrase is still the one it was made with: the
            # recovery code opens it and sets a new one.
            self._show(self.recover_page)
            self.notice.setText(
                _("Restored. Open it with the recovery code and choose a new passphrase.")
            )
        else:
            self.notice.setText(_("Restored. Unlock with the backup's passphrase."))

    def _adopt(self, vault: Vault) -> None:
        self.message.clear()
        self.session.adopt(vault)
        self.opened.emit()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.message.setText(message_of(error))

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for button in (
            self.create_button,
            self.unlock_button,
            self.recover_button,
            self.restore_button,
            self.first_restore_button,
        ):
            button.setEnabled(not busy)
        if not busy:
            current = self.pages.currentWidget()
            if current is self.unlock_page:
                self.passphrase.setFocus()


def _unlock_and_remember(
    directory: VaultDirectory, passphrase: str, cache: KeyringCache | None
) -> tuple[Vault, str | None]:
    """Unlock; then, if asked, store the key in the keyring (a failure is only reported)."""
    vault = directory.unlock(passphrase)
    if cache is None:
        return vault, None
    try:
        key_memory.remember(vault, cache)
    except key_memory.KeyringUnavailable as exc:
        return vault, exc.message
    return vault, None
