"""Dialogs for agenda items: a general item (add, edit), a case item (choose or create).

Every dialog of the meeting page is opened with ``open()`` (never a blocking
``exec()``); the page reads the fields when :attr:`QDialog.accepted` fires,
so tests fill the fields and call ``accept()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.seeded_names import display_name
from app.i18n import _, current_language, ngettext
from app.services import agenda_service, cases_service
from app.services.agenda_service import LEAK_OVERRIDE_REASONS, ItemView
from app.services.cases_service import CaseSummary
from app.services.changes import Changes
from app.store.contacts_repo import Contact
from app.store.vault import Vault
from ui.models.agenda_model import cases_model
from ui.models.id_table_model import ID_ROLE
from ui.widgets.id_table import IdTable


class FormDialog(QDialog):
    """A small form with OK and Cancel; OK is enabled only while the form is valid."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        """The OK button (disabled while the form is incomplete)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def set_valid(self, valid: bool) -> None:
        """Enable or disable OK."""
        self.ok_button.setEnabled(valid)

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()


def date_edit(day: date, parent: QWidget | None = None) -> QDateEdit:
    """A date field with a calendar, written as the chosen language writes dates."""
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    if current_language() == "en":
        edit.setLocale(QLocale(QLocale.Language.English))
        edit.setDisplayFormat("d MMM yyyy")
    else:
        edit.setDisplayFormat("dd.MM.yyyy")
    return edit


def date_of(edit: QDateEdit) -> date:
    """The date a date field shows."""
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def contact_combo(
    contacts: Sequence[Contact], none_text: str, parent: QWidget | None = None
) -> QComboBox:
    """A choice of contacts (name, role and site), first a "nobody" entry."""
    box = QComboBox(parent)
    box.addItem(none_text, None)
    for contact in sorted(contacts, key=lambda c: c.name.casefold()):
        details = ", ".join(p for p in (display_name(contact.role), contact.site) if p)
        box.addItem(f"{contact.name} ({details})" if details else contact.name, contact.id)
    return box


def minutes_spin(value: int, parent: QWidget | None = None) -> QSpinBox:
    """Minutes allotted to an item (0–600)."""
    spin = QSpinBox(parent)
    spin.setRange(0, 600)
    spin.setSingleStep(5)
    spin.setValue(value)
    spin.setSuffix(" " + _("min"))
    return spin


def leak_reasons() -> list[tuple[str, str]]:
    """The fixed reasons for printing despite a leak warning, as the advisor reads them."""
    words = {
        "not-about-the-child": _("The words found are not about the child"),
        "common-word": _("It is a common word here, not the child's name"),
        "guardians-agreed": _("The guardians agreed to this text"),
    }
    return [(key, words[key]) for key in LEAK_OVERRIDE_REASONS]


class ItemDialog(FormDialog):
    """Add or edit a general item, or edit a case item's time and notes."""

    def __init__(self, item: ItemView | None, parent: QWidget | None = None) -> None:
        editing = item is not None
        super().__init__(_("Edit agenda item") if editing else _("Add general item"), parent)
        self.item = item
        general = item is None or item.case_id is None
        self.title = QLineEdit(self)
        self.title.setText(item.label if item is not None and general else "")
        if general:
            self.form.addRow(_("&Title:"), self.title)
        else:
            assert item is not None
            label = QLabel(item.label, self)
            label.setWordWrap(True)
            self.form.addRow(_("Child:"), label)
        self.minutes = minutes_spin(item.minutes if item is not None else 15, self)
        self.form.addRow(_("&Minutes allotted:"), self.minutes)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setPlainText(item.notes if item is not None else "")
        self.notes.setFixedHeight(90)
        self.form.addRow(_("&Notes:"), self.notes)
        self.override = QComboBox(self)
        if item is not None and item.leak and not item.leak_override:
            warning = QLabel(item.leak, self)
            warning.setWordWrap(True)
            self.form.addRow(_("Warning:"), warning)
            self.override.addItem(_("No — correct the text instead"), None)
            for key, text in leak_reasons():
                self.override.addItem(text, key)
            self.form.addRow(_("&Print anyway because:"), self.override)
        else:
            self.override.hide()
        self.title.textChanged.connect(self._check)
        self._check()
        self.resize(460, self.sizeHint().height())

    def _check(self) -> None:
        general = self.item is None or self.item.case_id is None
        self.set_valid(not general or bool(self.title.text().strip()))

    def override_reason(self) -> str | None:
        """The chosen reason for printing despite the leak warning, if any."""
        value = self.override.currentData() if self.override.isVisibleTo(self) else None
        return str(value) if value else None


class CaseItemDialog(FormDialog):
    """Put a child on the agenda: an existing case, or a new anonymous one."""

    def __init__(
        self,
        cases: Sequence[CaseSummary],
        site_id: str,
        site_names: dict[str, str],
        present: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Add case item"), parent)
        self.site_id = site_id
        self._cases = [c for c in cases if c.row.status == "open" and c.row.id not in present]
        self.existing = QRadioButton(_("An &existing case"), self)
        self.new_case = QRadioButton(_("A new &anonymous case"), self)
        group = QButtonGroup(self)
        group.addButton(self.existing)
        group.addButton(self.new_case)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Search…"))
        self.filter.setAccessibleName(_("Search the cases"))
        self.filter.setClearButtonEnabled(True)
        self.this_site = QCheckBox(_("Only this &site"), self)
        self.this_site.setChecked(True)
        self.model = cases_model(site_names, self)
        self.table = IdTable(self.model, self)
        self.table.setAccessibleName(_("Cases"))
        self.table.setMinimumHeight(180)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.first_name = QLineEdit(self)
        self.age = QLineEdit(self)
        self.concern = QPlainTextEdit(self)
        self.concern.setTabChangesFocus(True)
        self.concern.setFixedHeight(70)
        self.minutes = minutes_spin(15, self)

        self.form.addRow(self.existing)
        self.form.addRow(self.filter)
        self.form.addRow(self.this_site)
        self.form.addRow(self.table)
        self.form.addRow(self.new_case)
        self.form.addRow(_("&First name or pseudonym:"), self.first_name)
        self.form.addRow(_("A&ge or year group:"), self.age)
        self.form.addRow(_("&Concern:"), self.concern)
        self.form.addRow(_("&Minutes allotted:"), self.minutes)

        self.filter.textChanged.connect(self.table.set_filter)
        self.filter.textChanged.connect(lambda _t: self.existing.setChecked(True))
        self.this_site.toggled.connect(self._fill)
        self.existing.toggled.connect(self._check)
        self.new_case.toggled.connect(self._check)
        self.first_name.textChanged.connect(self._check)
        self.first_name.textEdited.connect(lambda _t: self.new_case.setChecked(True))
        self.table.selected_id_changed.connect(lambda _i: self._check())
        self.table.clicked.connect(lambda _i: self.existing.setChecked(True))
        self.table.activated_id.connect(lambda _i: self.accept())
        self.this_site.setChecked(any(c.row.site_id == site_id for c in self._cases))
        self.existing.setChecked(bool(self._cases))
        self.new_case.setChecked(not self._cases)
        self._fill()
        self.resize(620, 620)

    def _fill(self) -> None:
        shown = [
            c
            for c in self._cases
            if not self.this_site.isChecked() or c.row.site_id == self.site_id
        ]
        self.model.set_rows(shown)
        first = self.table.proxy.index(0, 0)  # the first row as sorted on screen
        if first.isValid():
            self.table.select_id(str(first.data(ID_ROLE)))
        self._check()

    def _check(self) -> None:
        if self.existing.isChecked():
            self.set_valid(self.table.selected_id() is not None)
        else:
            self.set_valid(bool(self.first_name.text().strip()))

    def chosen_case(self) -> str | None:
        """The chosen existing case, or None when a new case is to be made."""
        return self.table.selected_id() if self.existing.isChecked() else None


class SuggestionsBox(QWidget):
    """Carry-forward suggestions, each child with an Add button."""

    #: The case id of a suggestion the advisor added.
    add_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = QVBoxLayout(self)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.hide()

    def show_suggestions(self, found: Sequence[tuple[str, str]]) -> None:
        """Show (case id, label) suggestions; none hides the box."""
        while self.lines.count():
            child = self.lines.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        self.setVisible(bool(found))
        if not found:
            return
        title = ngettext(
            "Suggested from earlier meetings, agreements and evaluations ({n} child):",
            "Suggested from earlier meetings, agreements and evaluations ({n} children):",
            len(found),
        )
        self.lines.addWidget(QLabel(title.format(n=len(found)), self))
        for case_id, label in found:
            row = QWidget(self)
            line = QHBoxLayout(row)
            line.setContentsMargins(12, 0, 0, 0)
            line.addWidget(QLabel(label, row))
            add = QPushButton(_("Add"), row)
            add.setObjectName(f"suggestion-{case_id}")
            add.setAccessibleName(_("Add {child} to the agenda").format(child=label))
            add.clicked.connect(lambda _c=False, cid=case_id: self.add_requested.emit(cid))
            line.addWidget(add)
            line.addStretch(1)
            self.lines.addWidget(row)


def refill_contacts(box: QComboBox, contacts: Sequence[Contact], none_text: str) -> None:
    """Replace the contacts of a :func:`contact_combo`, keeping the choice."""
    chosen = box.currentData()
    fresh = contact_combo(contacts, none_text)
    box.blockSignals(True)
    box.clear()
    for row in range(fresh.count()):
        box.addItem(fresh.itemText(row), fresh.itemData(row))
    select_data(box, chosen)
    box.blockSignals(False)
    fresh.deleteLater()


def select_data(box: QComboBox, value: object) -> None:
    """Choose the entry whose data is ``value`` (the first entry if none is)."""
    row = box.findData(value) if value is not None else 0
    box.setCurrentIndex(max(row, 0))


def qdate(iso_day: str) -> QDate:
    """A QDate from ``YYYY-MM-DD``."""
    day = date.fromisoformat(iso_day)
    return QDate(day.year, day.month, day.day)


# --- what the dialogs change, run on the database thread --------------------------


def add_general(
    vault: Vault, meeting_id: str, title: str, minutes: int, notes: str
) -> tuple[str, Changes]:
    """Add a general item (database thread)."""
    return agenda_service.add_general_item(vault, meeting_id, title, minutes=minutes, notes=notes)


def add_case(vault: Vault, meeting_id: str, case_id: str, minutes: int) -> tuple[str, Changes]:
    """Put an existing case on the agenda (database thread)."""
    return agenda_service.add_case_item(vault, meeting_id, case_id, minutes=minutes)


def add_new_case(
    vault: Vault,
    meeting_id: str,
    site_id: str,
    first_name: str,
    age: str,
    concern: str,
    today: date,
    minutes: int,
) -> tuple[str, Changes]:
    """Open an anonymous case at the meeting's site and put it on the agenda."""
    case_id, made = cases_service.create_anonymous(
        vault, first_name, site_id, concern, today, age_or_year=age
    )
    item_id, added = agenda_service.add_case_item(vault, meeting_id, case_id, minutes=minutes)
    return item_id, made | added


def update_item(
    vault: Vault,
    item_id: str,
    title: str | None,
    minutes: int | None,
    notes: str | None,
    override: str | None,
) -> Changes:
    """Change an item; with ``override`` it may print despite a leak warning."""
    changes = agenda_service.update_item(vault, item_id, title=title, minutes=minutes, notes=notes)
    if override is not None:
        changes |= agenda_service.override_leak(vault, item_id, override)
    return changes
