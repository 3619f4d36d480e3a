"""The Sync page's export section: for whom, what, then "Export…" to a chosen file.

Encrypted for the office's public key (from Settings) or for a bundle
passphrase typed twice; the scope is a peer's changes since the last
exchange, chosen cases, or everything. The file is chosen with
:func:`ui.widgets.file_dialogs.ask_save_path`; the work runs with a progress
dialog on the database thread.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import sync_service
from app.services.sync_service import ExportDone, SyncOverview
from app.sync.bundle import FILE_EXTENSION
from ui.context import Context
from ui.models.sync_models import CaseChoiceModel
from ui.widgets import file_dialogs
from ui.widgets.progress import run_with_progress


def bundle_filter() -> str:
    """The file-dialog filter for bundles."""
    return _("Samråd bundles (*{ext})").format(ext=FILE_EXTENSION)


class ExportPanel(QGroupBox):
    """Export: recipient, scope and the Export… button."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(_("Export"), parent)
        self.ctx = ctx
        self._office_key = ""

        # --- for whom -------------------------------------------------------
        self.office_radio = QRadioButton(_("The &office's public key"), self)
        self.office_label = QLabel(self)
        self.office_label.setWordWrap(True)
        self.settings_button = QPushButton(_("Open Setti&ngs"), self)
        self.settings_button.clicked.connect(lambda: ctx.navigate("settings", None))
        self.passphrase_radio = QRadioButton(_("A bundle &passphrase"), self)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Bundle passphrase"))
        self.passphrase.setPlaceholderText(_("Passphrase"))
        self.repeat = QLineEdit(self)
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(_("Repeat the bundle passphrase"))
        self.repeat.setPlaceholderText(_("Repeat the passphrase"))
        self._who = QButtonGroup(self)
        self._who.addButton(self.office_radio)
        self._who.addButton(self.passphrase_radio)
        self.passphrase_radio.setChecked(True)

        # --- what -----------------------------------------------------------
        self.peer_radio = QRadioButton(_("Changes since the last exchange &with"), self)
        self.peer_combo = QComboBox(self)
        self.peer_combo.setEditable(True)
        self.peer_combo.setAccessibleName(_("Exchange partner"))
        self.peer_combo.setMinimumContentsLength(18)
        line = self.peer_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("Name of the other vault"))
        self.cases_radio = QRadioButton(_("C&hosen cases"), self)
        self.cases_model = CaseChoiceModel(self)
        self.case_list = QListView(self)
        self.case_list.setModel(self.cases_model)
        self.case_list.setAccessibleName(_("Cases to export (Space checks)"))
        self.case_list.setMaximumHeight(140)
        self.all_radio = QRadioButton(_("E&verything"), self)
        self._what = QButtonGroup(self)
        for radio in (self.peer_radio, self.cases_radio, self.all_radio):
            self._what.addButton(radio)
        self.peer_radio.setChecked(True)

        self.export_button = QPushButton(_("&Export…"), self)
        self.export_button.clicked.connect(self.export)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        office_row = QHBoxLayout()
        office_row.addWidget(self.office_label, 1)
        office_row.addWidget(self.settings_button)
        phrase_row = QHBoxLayout()
        phrase_row.addWidget(self.passphrase)
        phrase_row.addWidget(self.repeat)
        who = QVBoxLayout()
        who.addWidget(self.office_radio)
        who.addLayout(office_row)
        who.addWidget(self.passphrase_radio)
        who.addLayout(phrase_row)
        peer_row = QHBoxLayout()
        peer_row.addWidget(self.peer_radio)
        peer_row.addWidget(self.peer_combo, 1)
        what = QVBoxLayout()
        what.addLayout(peer_row)
        what.addWidget(self.cases_radio)
        what.addWidget(self.case_list)
        what.addWidget(self.all_radio)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        form = QFormLayout(self)
        form.addRow(_("Encrypt for:"), who)
        form.addRow(_("What:"), what)
        form.addRow(buttons)

        for first, second in (
            (self.office_radio, self.settings_button),
            (self.settings_button, self.passphrase_radio),
            (self.passphrase_radio, self.passphrase),
            (self.passphrase, self.repeat),
            (self.repeat, self.peer_radio),
            (self.peer_radio, self.peer_combo),
            (self.peer_combo, self.cases_radio),
            (self.cases_radio, self.case_list),
            (self.case_list, self.all_radio),
            (self.all_radio, self.export_button),
        ):
            QWidget.setTabOrder(first, second)
        self._who.buttonToggled.connect(lambda *_a: self._update())
        self._what.buttonToggled.connect(lambda *_a: self._update())
        self.peer_combo.activated.connect(lambda _i: self.peer_radio.setChecked(True))
        self.show_overview(None)

    # --- content -------------------------------------------------------------

    def show_overview(self, overview: SyncOverview | None) -> None:
        """Fill in the office key, the peers and the cases (None: nothing, locked)."""
        self._office_key = overview.office_recipient if overview else ""
        if self._office_key:
            self.office_label.setText(self._office_key)
            self.office_label.setToolTip(self._office_key)
        else:
            self.office_label.setText(_("No office key is set yet; add it under Settings (Sync)."))
            self.office_label.setToolTip("")
        self.settings_button.setVisible(not self._office_key)
        typed = self.peer_combo.currentText()
        self.peer_combo.clear()
        self.peer_combo.addItems(list(overview.peers) if overview else [])
        self.peer_combo.setCurrentText(typed)
        if overview is None:
            self.cases_model.clear()
        else:
            self.cases_model.set_cases(overview.cases)
        if self._office_key and not self.passphrase.text():
            self.office_radio.setChecked(True)
        self._update()

    def clear(self) -> None:
        """Forget the passphrase, the office key, the peers and the cases (lock)."""
        self.passphrase.clear()
        self.repeat.clear()
        self.peer_combo.clearEditText()
        self.status.clear()
        self.show_overview(None)

    def _update(self) -> None:
        self.office_radio.setEnabled(bool(self._office_key))
        if not self._office_key and self.office_radio.isChecked():
            self.passphrase_radio.setChecked(True)
        by_phrase = self.passphrase_radio.isChecked()
        self.passphrase.setEnabled(by_phrase)
        self.repeat.setEnabled(by_phrase)
        self.peer_combo.setEnabled(self.peer_radio.isChecked())
        self.case_list.setEnabled(self.cases_radio.isChecked())

    # --- export ----------------------------------------------------------------

    def _problem(self) -> str | None:
        if self.passphrase_radio.isChecked():
            if not self.passphrase.text():
                return _("Type a bundle passphrase (twice).")
            if self.passphrase.text() != self.repeat.text():
                return _("The two passphrases differ.")
        elif not self._office_key:
            return _("No office key is set yet; add it under Settings (Sync).")
        if self.peer_radio.isChecked() and not self.peer_combo.currentText().strip():
            return _("Choose or type the name of the other vault.")
        if self.cases_radio.isChecked() and not self.cases_model.checked_ids():
            return _("Check at least one case.")
        return None

    def export(self) -> None:
        """Ask where to write the bundle, then write it."""
        problem = self._problem()
        if problem:
            self.status.setText(problem)
            return
        self.status.clear()
        today: date = self.ctx.today()
        path = file_dialogs.ask_save_path(
            self,
            _("Export a bundle"),
            f"samraad-{today.isoformat()}{FILE_EXTENSION}",
            bundle_filter(),
        )
        if path is None:
            return
        by_phrase = self.passphrase_radio.isChecked()
        peer = self.peer_combo.currentText().strip()
        work = partial(
            sync_service.export,
            out=path,
            recipient="" if by_phrase else self._office_key,
            passphrase=self.passphrase.text() if by_phrase else None,
            peer_name=peer if self.peer_radio.isChecked() else None,
            case_ids=self.cases_model.checked_ids() if self.cases_radio.isChecked() else (),
            everything=self.all_radio.isChecked(),
        )
        self.export_button.setEnabled(False)
        run_with_progress(
            self,
            self.ctx.session,
            _("Writing the bundle…"),
            work,
            done=self._exported,
            failed=self._failed,
        )

    def _exported(self, done: ExportDone) -> None:
        self.export_button.setEnabled(True)
        self.passphrase.clear()
        self.repeat.clear()
        message = _("Bundle written to {name}: {records} records, {deleted} deletions.").format(
            name=done.result.path.name, records=done.result.records, deleted=done.result.tombstones
        )
        self.status.setText(message)
        self.ctx.notify(message)

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(message)
