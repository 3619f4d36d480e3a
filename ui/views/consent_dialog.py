"""Consent dialogs (add with a scanned form, withdraw), guardians, and the form base.

Every dialog here stays open while its change is saved: the page calls
:meth:`FormDialog.finish` when the database thread is done, or
:meth:`FormDialog.fail` with the one sentence to show. Nothing blocks on
``exec()``; a lock closes them with ``done()`` like any other dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_model import ConsentForm, Guardian
from app.domain.seeded_names import display_name
from app.errors import BadInput
from app.i18n import _
from app.services import cases_service
from app.services.changes import Changes
from app.store.vault import Vault
from ui.widgets import file_dialogs

#: Scanned-form file endings and the media type the vault stores them as.
SCAN_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}


@dataclass(frozen=True)
class Outcome(Changes):
    """What a change touched (broadcast to every view) and the record it made."""

    record_id: str = ""


def outcome(pair: tuple[str, Changes]) -> Outcome:
    """A service's ``(id, Changes)`` as one broadcastable result."""
    record_id, changes = pair
    return Outcome(changes.tables, changes.ids, record_id)


def date_edit(parent: QWidget, day: date, lang: str) -> QDateEdit:
    """A date field with a calendar pop-up, in the advisor's date order."""
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy" if lang == "en" else "dd.MM.yyyy")
    return edit


def day_of(edit: QDateEdit) -> date:
    """The date a date field shows."""
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _dark(widget: QWidget) -> bool:
    return widget.palette().window().color().lightness() < 128


def error_colour(widget: QWidget) -> str:
    """A red that reads on the palette's window colour (light or dark)."""
    return "#ff8a80" if _dark(widget) else "#b3261e"


def ok_colour(widget: QWidget) -> str:
    """A green that reads on the palette's window colour (light or dark)."""
    return "#81c784" if _dark(widget) else "#2e7d32"


class FormDialog(QDialog):
    """A form that says what is wrong inside itself and closes only once saved."""

    #: The form is filled in; the page saves it and calls finish() or fail().
    submitted = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._first_field: QWidget | None = None
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setObjectName("formError")
        self.error.setStyleSheet(f"color: {error_colour(self)};")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The buttons were made first; the cursor starts in the first field.
        if self._first_field is not None:
            self._first_field.setFocus()

    def row(self, text: str, field: QWidget) -> QWidget:
        """Add ``field`` with a label whose mnemonic focuses it."""
        if self._first_field is None:
            self._first_field = field
        label = QLabel(text, self)
        label.setBuddy(field)
        self.form.addRow(label, field)
        return field

    def line(self, text: str) -> QLineEdit:
        """Add a text field."""
        field = QLineEdit(self)
        self.row(text, field)
        return field

    def problem(self) -> str | None:
        """What the advisor must correct before saving (None: the form is complete)."""
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.fail(problem)
            return
        self.error.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.submitted.emit()

    def finish(self) -> None:
        """The change is saved: close."""
        super().accept()

    def fail(self, message: str) -> None:
        """Show why the change was not saved; the form stays as filled in."""
        self.error.setText(message)
        self.error.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)


def checklist(parent: QWidget, name: str, items: list[tuple[str, str]]) -> QListWidget:
    """A list of (id, text) with a check box each (Space toggles)."""
    widget = QListWidget(parent)
    widget.setAccessibleName(name)
    for item_id, text in items:
        item = QListWidgetItem(text, widget)
        item.setData(Qt.ItemDataRole.UserRole, item_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
    row = widget.sizeHintForRow(0) if widget.count() else widget.fontMetrics().height() + 4
    rows = min(7, max(widget.count(), 1))
    widget.setFixedHeight(rows * row + 2 * widget.frameWidth() + 4)
    return widget


def checked(widget: QListWidget) -> list[str]:
    """The ids of the checked items."""
    return [
        str(widget.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


def set_checked(widget: QListWidget, ids: set[str]) -> None:
    """Check exactly the items with these ids."""
    for i in range(widget.count()):
        item = widget.item(i)
        on = item.data(Qt.ItemDataRole.UserRole) in ids
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


# --- consent ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentValues:
    """A consent as the advisor filled it in."""

    given_on: date
    form: ConsentForm
    documented_by: str
    valid_until: date | None
    scope_roles: tuple[str, ...]
    purpose: str


class ConsentFields:
    """The fields of a consent, added to a dialog's form (also used for new named cases)."""

    def __init__(
        self,
        dialog: FormDialog,
        form: QFormLayout,
        today: date,
        lang: str,
        roles: list[tuple[str, str]],
    ) -> None:
        def row(text: str, field: QWidget) -> None:
            label = QLabel(text, dialog)
            label.setBuddy(field)
            form.addRow(label, field)

        self.given_on = date_edit(dialog, today, lang)
        row(_("&Given on:"), self.given_on)
        self.form = QComboBox(dialog)
        self.form.addItem(_("Written form"), str(ConsentForm.WRITTEN))
        self.form.addItem(_("Oral, documented"), str(ConsentForm.ORAL))
        row(_("&How:"), self.form)
        self.documented_by = QLineEdit(dialog)
        self.documented_by.setEnabled(False)
        row(_("&Documented by:"), self.documented_by)
        self.form.currentIndexChanged.connect(
            lambda _i: self.documented_by.setEnabled(self.form.currentData() == ConsentForm.ORAL)
        )
        self.has_end = QCheckBox(_("&Valid until:"), dialog)
        self.has_end.setChecked(True)
        self.valid_until = date_edit(dialog, today + timedelta(days=365), lang)
        self.valid_until.setAccessibleName(_("Valid until"))
        self.has_end.toggled.connect(self.valid_until.setEnabled)
        form.addRow(self.has_end, self.valid_until)
        names = [(role_id, display_name(name)) for role_id, name in roles]
        self.scope = checklist(dialog, _("Roles the consent covers"), names)
        row(_("&Covers the roles:"), self.scope)
        self.purpose = QLineEdit(dialog)
        row(_("&Purpose:"), self.purpose)

    def until(self) -> date | None:
        """The last valid day, or None for a consent without an end."""
        return day_of(self.valid_until) if self.has_end.isChecked() else None

    def problem(self) -> str | None:
        """What is missing, in one sentence."""
        if not checked(self.scope):
            return _("Say which roles the consent covers.")
        if self.form.currentData() == ConsentForm.ORAL and not self.documented_by.text().strip():
            return _("An oral consent must say who documented it.")
        until = self.until()
        if until is not None and until < day_of(self.given_on):
            return _("A consent cannot end before it was given.")
        return None

    def values(self) -> ConsentValues:
        """The consent as filled in."""
        return ConsentValues(
            given_on=day_of(self.given_on),
            form=ConsentForm(self.form.currentData()),
            documented_by=self.documented_by.text().strip(),
            valid_until=self.until(),
            scope_roles=tuple(checked(self.scope)),
            purpose=self.purpose.text().strip(),
        )


class ConsentDialog(FormDialog):
    """Add a consent: who gave it, when, how, its scope, and an optional scanned form."""

    def __init__(
        self,
        parent: QWidget,
        today: date,
        lang: str,
        guardians: list[Guardian],
        roles: list[tuple[str, str]],
    ) -> None:
        super().__init__(_("Add consent"), parent)
        givers = [(g.id, f"{g.name} ({g.relation})" if g.relation else g.name) for g in guardians]
        self.given_by = checklist(self, _("Guardians who gave the consent"), givers)
        set_checked(self.given_by, {g.id for g in guardians if g.has_custody})
        self.row(_("Given &by:"), self.given_by)
        self.fields = ConsentFields(self, self.form, today, lang, roles)
        self.scan_path: Path | None = None
        self.scan_label = QLabel(_("No scanned form attached."), self)
        self.attach_button = QPushButton(_("&Attach scanned form…"), self)
        self.attach_button.clicked.connect(self.choose_scan)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_label, 1)
        scan_row.addWidget(self.attach_button)
        self.form.addRow(_("Scanned form:"), scan_row)

    def choose_scan(self) -> None:
        """Pick the scanned form; it is read on the database thread when saving."""
        path = file_dialogs.ask_open_path(
            self,
            _("Attach the scanned consent form"),
            _("Scanned forms (*.pdf *.jpg *.jpeg *.png *.tif *.tiff)"),
        )
        if path is None:
            return
        self.scan_path = path
        self.scan_label.setText(path.name)

    def problem(self) -> str | None:
        if not checked(self.given_by):
            return _("Say which guardian gave the consent.")
        return self.fields.problem()


def save_consent(
    vault: Vault,
    case_id: str,
    given_by: list[str],
    values: ConsentValues,
    scan_path: Path | None,
) -> Outcome:
    """Record the consent; the scanned form is read here, on the database thread."""
    scan: bytes | None = None
    media_type = "application/pdf"
    if scan_path is not None:
        media_type = SCAN_TYPES.get(scan_path.suffix.lower(), "")
        if not media_type:
            raise BadInput(_("The scanned form must be a PDF, JPEG, PNG or TIFF file."))
        try:
            size = scan_path.stat().st_size
            if size > cases_service.attachment_limit(vault):
                raise BadInput(_("The scanned form is larger than the allowed size."))
            scan = scan_path.read_bytes()
        except OSError:
            raise BadInput(_("The file {name} cannot be read.").format(name=scan_path)) from None
    return outcome(
        cases_service.record_consent(
            vault,
            case_id,
            values.given_on,
            values.form,
            given_by,
            values.scope_roles,
            purpose=values.purpose,
            valid_until=values.valid_until,
            documented_by=values.documented_by,
            scan=scan,
            scan_media_type=media_type,
        )
    )


class WithdrawDialog(FormDialog):
    """Record that a consent was withdrawn: when, by whom, a note."""

    def __init__(self, parent: QWidget, today: date, lang: str, guardians: list[str]) -> None:
        super().__init__(_("Withdraw consent"), parent)
        self.on = date_edit(self, today, lang)
        self.row(_("&Withdrawn on:"), self.on)
        self.by = QComboBox(self)
        self.by.setEditable(True)
        self.by.addItems(guardians)
        self.row(_("Withdrawn &by:"), self.by)
        self.note = self.line(_("&Note:"))

    def problem(self) -> str | None:
        if not self.by.currentText().strip():
            return _("Say who withdrew the consent.")
        return None


def save_withdrawal(
    vault: Vault, _case_id: str, consent_id: str, on: date, by: str, note: str
) -> Changes:
    """Record a consent's withdrawal (database thread)."""
    return cases_service.withdraw_consent(vault, consent_id, on, by, note)
