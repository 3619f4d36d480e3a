"""Add an agreement at an agenda item: what, who, by when, who keeps the parent contact."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget

from app.i18n import _
from app.services import minutes_service
from app.services.changes import Changes
from app.store.contacts_repo import Contact
from app.store.vault import Vault
from ui.context import Context
from ui.models.agenda_model import PageData
from ui.views.agenda_item_dialog import FormDialog, contact_combo, date_edit, date_of

#: A new agreement's deadline, counted from the meeting.
DEFAULT_DAYS = 14


class AgreementDialog(FormDialog):
    """The fields of a new agreement; the page saves them when accepted."""

    def __init__(
        self, contacts: Sequence[Contact], meeting_day: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Add agreement"), parent)
        self.what = QLineEdit(self)
        self.what.setMinimumWidth(340)
        self.owner = contact_combo(contacts, _("Not decided yet"), self)
        self.has_deadline = QCheckBox(_("&Deadline:"), self)
        self.has_deadline.setChecked(True)
        self.deadline = date_edit(meeting_day + timedelta(days=DEFAULT_DAYS), self)
        self.deadline.setAccessibleName(_("Deadline"))
        self.parent_contact = QCheckBox(_("This person keeps the contact with the &parents"), self)
        self.form.addRow(_("&What is to be done:"), self.what)
        self.form.addRow(_("&Who:"), self.owner)
        self.form.addRow(self.has_deadline, self.deadline)
        self.form.addRow("", self.parent_contact)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.what.textChanged.connect(lambda text: self.set_valid(bool(text.strip())))
        self.set_valid(False)

    def values(self) -> tuple[str, str | None, date | None, bool]:
        """(what, owner contact id, deadline, keeps the parent contact)."""
        owner = self.owner.currentData()
        return (
            self.what.text().strip(),
            str(owner) if owner else None,
            date_of(self.deadline) if self.has_deadline.isChecked() else None,
            self.parent_contact.isChecked(),
        )


def open_add_agreement(
    parent: QWidget, ctx: Context, data: PageData, item_id: str
) -> AgreementDialog:
    """Open the dialog; when accepted, the agreement is added to ``item_id``."""
    dialog = AgreementDialog(data.contacts, data.minutes.agenda.meeting.start.date(), parent)

    def accepted() -> None:
        ctx.session.run(_add, item_id, *dialog.values())

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _add(
    vault: Vault,
    item_id: str,
    what: str,
    owner: str | None,
    deadline: date | None,
    parent_contact: bool,
) -> Changes:
    return minutes_service.add_agreement(
        vault,
        item_id,
        what,
        owner_contact_id=owner,
        deadline=deadline,
        parent_contact=parent_contact,
    )[1]
