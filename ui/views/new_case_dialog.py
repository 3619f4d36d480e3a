"""Opening a case (anonymous or named) and changing it: guardians, name, level, status.

A named case needs a consent valid today (product.md), so the named form
asks for the guardians and the consent too, and the case is created the way
the rule allows it: opened anonymously, guardians and consent recorded, then
named. Each step is its own transaction; should a later step be refused, the
case stays open as an anonymous case and the advisor is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from app.domain.retention import CLOSURE_REASON_LABELS
from app.errors import KnownError
from app.i18n import _
from app.services import cases_service
from app.store.vault import Vault
from ui.session import message_of
from ui.views.consent_dialog import (
    ConsentFields,
    ConsentValues,
    FormDialog,
    Outcome,
    date_edit,
    day_of,
    outcome,
)


def level_names() -> list[str]:
    """The BTI levels 0–3 as the advisor reads them."""
    return [
        _("0 – concern and observation"),
        _("1 – own effort, relay log"),
        _("2 – coordinated effort"),
        _("3 – notification and investigation"),
    ]


def level_combo(parent: QWidget, level: int) -> QComboBox:
    """A choice of level 0–3."""
    box = QComboBox(parent)
    for number, text in enumerate(level_names()):
        box.addItem(text, number)
    box.setCurrentIndex(level)
    return box


def person_combo(
    parent: QWidget, people: list[tuple[str, str]], current: str | None = None
) -> QComboBox:
    """A choice of contact (id, text), with "nobody" first."""
    box = QComboBox(parent)
    box.addItem(_("(nobody yet)"), None)
    for person_id, text in people:
        box.addItem(text, person_id)
        if person_id == current:
            box.setCurrentIndex(box.count() - 1)
    return box


@dataclass(frozen=True)
class NamedPart:
    """What a named case adds: the name, the guardians and the consent."""

    surname: str
    birth_date: date
    guardians: tuple[tuple[str, str], ...]  # (name, relation), each with custody
    consent: ConsentValues


@dataclass(frozen=True)
class NewCase:
    """A case as the advisor described it."""

    first_name: str
    age_or_year: str
    site_id: str
    concern: str
    level: int
    relay_holder_id: str | None
    named: NamedPart | None


@dataclass(frozen=True)
class CaseCreated(Outcome):
    """The new case; ``problem`` says why it could not be named (it is then anonymous)."""

    problem: str = ""


class NewCaseDialog(FormDialog):
    """Ctrl+N on the Cases page: an anonymous or a named case."""

    def __init__(
        self,
        parent: QWidget,
        today: date,
        lang: str,
        sites: list[tuple[str, str]],
        people: list[tuple[str, str]],
        roles: list[tuple[str, str]],
    ) -> None:
        super().__init__(_("New case"), parent)
        self.today = today
        self.anonymous = QRadioButton(_("&Anonymous (first name or pseudonym)"), self)
        self.named = QRadioButton(_("&Named (full name, needs a valid consent)"), self)
        self.anonymous.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.anonymous)
        kinds.addButton(self.named)
        self.form.addRow(self.anonymous)
        self.form.addRow(self.named)
        self.first_name = self.line(_("&First name or pseudonym:"))
        self.age_or_year = self.line(_("Age or &year group:"))
        self.age_or_year.setPlaceholderText(_("e.g. 5 years, 2nd class, born 2019"))
        self.site = QComboBox(self)
        for site_id, name in sites:
            self.site.addItem(name, site_id)
        self.row(_("&Site:"), self.site)
        self.concern = QPlainTextEdit(self)
        self.concern.setTabChangesFocus(True)
        self.concern.setFixedHeight(70)
        self.row(_("C&oncern:"), self.concern)
        self.level = level_combo(self, 0)
        self.row(_("&Level:"), self.level)
        self.relay = person_combo(self, people)
        self.row(_("&Relay holder:"), self.relay)

        # The named case's rows follow; they show only when "Named" is chosen.
        self._first_named_row = self.form.rowCount()
        heading = QLabel("<b>" + _("Name, guardians and consent") + "</b>", self)
        self.form.addRow(heading)
        self.surname = self.line(_("S&urname:"))
        self.birth_date = date_edit(self, date(today.year - 6, 1, 1), lang)
        self.row(_("&Birth date:"), self.birth_date)
        self.guardian, self.relation = self._person_row(_("Guardian's na&me:"))
        self.guardian2, self.relation2 = self._person_row(_("Second guardian (opt&ional):"))
        self.consent = ConsentFields(self, self.form, today, lang, roles)
        self._kind_changed(False)
        self.named.toggled.connect(self._kind_changed)

    def _person_row(self, text: str) -> tuple[QLineEdit, QLineEdit]:
        name = QLineEdit(self)
        relation = QLineEdit(self)
        relation.setPlaceholderText(_("Relation"))
        relation.setAccessibleName(_("Relation"))
        row = QHBoxLayout()
        row.addWidget(name, 3)
        row.addWidget(relation, 2)
        label = QLabel(text, self)
        label.setBuddy(name)
        self.form.addRow(label, row)
        return name, relation

    def _kind_changed(self, named: bool) -> None:
        for row in range(self._first_named_row, self.form.rowCount()):
            self.form.setRowVisible(row, named)
        self.adjustSize()

    def problem(self) -> str | None:
        if not self.first_name.text().strip():
            return _("A case needs a first name or a pseudonym.")
        if self.site.currentData() is None:
            return _("Add a site first (Sites & people).")
        if not self.named.isChecked():
            return None
        if not self.surname.text().strip():
            return _("A named case needs a surname.")
        if day_of(self.birth_date) > self.today:
            return _("The birth date is in the future.")
        if not self.guardian.text().strip():
            return _("Name the guardian who gave the consent.")
        problem = self.consent.problem()
        if problem is not None:
            return problem
        values = self.consent.values()
        if values.given_on > self.today or (
            values.valid_until is not None and values.valid_until < self.today
        ):
            return _("A named case needs a consent that is valid today.")
        return None

    def request(self) -> NewCase:
        """The case as filled in."""
        named = None
        if self.named.isChecked():
            guardians = tuple(
                (name.text().strip(), relation.text().strip())
                for name, relation in (
                    (self.guardian, self.relation),
                    (self.guardian2, self.relation2),
                )
                if name.text().strip()
            )
            named = NamedPart(
                self.surname.text().strip(),
                day_of(self.birth_date),
                guardians,
                self.consent.values(),
            )
        return NewCase(
            first_name=self.first_name.text().strip(),
            age_or_year=self.age_or_year.text().strip(),
            site_id=str(self.site.currentData()),
            concern=self.concern.toPlainText().strip(),
            level=int(self.level.currentData()),
            relay_holder_id=self.relay.currentData(),
            named=named,
        )


def create_case(vault: Vault, new: NewCase, today: date) -> CaseCreated:
    """Open the case (database thread); a named one gets guardians and consent first."""
    case_id, changes = cases_service.create_anonymous(
        vault,
        new.first_name,
        new.site_id,
        new.concern,
        today,
        age_or_year=new.age_or_year,
        level=new.level,
        relay_holder_id=new.relay_holder_id,
    )
    part = new.named
    if part is None:
        return CaseCreated(changes.tables, changes.ids, case_id)
    try:
        guardian_ids = []
        for name, relation in part.guardians:
            gid, more = cases_service.add_guardian(vault, case_id, name, relation, True)
            guardian_ids.append(gid)
            changes |= more
        c = part.consent
        _cid, more = cases_service.record_consent(
            vault,
            case_id,
            c.given_on,
            c.form,
            guardian_ids,
            c.scope_roles,
            purpose=c.purpose,
            valid_until=c.valid_until,
            documented_by=c.documented_by,
        )
        changes |= more
        changes |= cases_service.make_named(vault, case_id, part.surname, part.birth_date, today)
    except KnownError as exc:
        problem = _("The case was opened as an anonymous case: {reason}").format(
            reason=message_of(exc)
        )
        return CaseCreated(changes.tables, changes.ids, case_id, problem)
    return CaseCreated(changes.tables, changes.ids, case_id)


class MakeNamedDialog(FormDialog):
    """Turn an anonymous case into a named one (only with a consent valid today)."""

    def __init__(self, parent: QWidget, today: date, lang: str, first_name: str) -> None:
        super().__init__(_("Make the case named"), parent)
        self.today = today
        note = QLabel(_("The child is named only when a consent valid today is on file."), self)
        note.setWordWrap(True)
        self.form.addRow(note)
        self.form.addRow(_("First name:"), QLabel(first_name, self))
        self.surname = self.line(_("S&urname:"))
        self.birth_date = date_edit(self, date(today.year - 6, 1, 1), lang)
        self.row(_("&Birth date:"), self.birth_date)

    def problem(self) -> str | None:
        if not self.surname.text().strip():
            return _("A named case needs a surname.")
        if day_of(self.birth_date) > self.today:
            return _("The birth date is in the future.")
        return None


class LevelDialog(FormDialog):
    """Change the case's level and relay holder (the history keeps the old ones)."""

    def __init__(
        self,
        parent: QWidget,
        today: date,
        lang: str,
        level: int,
        relay_holder_id: str | None,
        people: list[tuple[str, str]],
    ) -> None:
        super().__init__(_("Change level"), parent)
        self.level = level_combo(self, level)
        self.row(_("&Level:"), self.level)
        self.on = date_edit(self, today, lang)
        self.row(_("&From:"), self.on)
        self.relay = person_combo(self, people, relay_holder_id)
        self.row(_("&Relay holder:"), self.relay)


class CloseCaseDialog(FormDialog):
    """Close a case: the day and why (the retention period starts then)."""

    def __init__(self, parent: QWidget, today: date, lang: str, opened_on: date) -> None:
        super().__init__(_("Close case"), parent)
        self.opened_on = opened_on
        self.on = date_edit(self, today, lang)
        self.row(_("&Closed on:"), self.on)
        self.reason = QComboBox(self)
        for key, label in CLOSURE_REASON_LABELS.items():
            self.reason.addItem(_(label), str(key))
        self.row(_("&Reason:"), self.reason)
        note = QLabel(
            _("A named case is kept for the retention period after it is closed, then erased."),
            self,
        )
        note.setWordWrap(True)
        self.form.addRow(note)

    def problem(self) -> str | None:
        if day_of(self.on) < self.opened_on:
            return _("A case cannot be closed before it was opened.")
        return None


class GuardianDialog(FormDialog):
    """Add a parent or other guardian of the child."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(_("Add guardian"), parent)
        self.name = self.line(_("&Name:"))
        self.relation = self.line(_("&Relation:"))
        self.relation.setPlaceholderText(_("e.g. mother, father, foster parent"))
        self.custody = QCheckBox(_("Has &custody"), self)
        self.custody.setChecked(True)
        self.form.addRow("", self.custody)
        self.contact = self.line(_("C&ontact (phone or e-mail):"))

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return _("A guardian needs a name.")
        return None


def save_guardian(
    vault: Vault, case_id: str, name: str, relation: str, custody: bool, contact: str
) -> Outcome:
    """Record a guardian (database thread)."""
    return outcome(cases_service.add_guardian(vault, case_id, name, relation, custody, contact))
