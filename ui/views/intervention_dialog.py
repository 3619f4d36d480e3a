"""Start an intervention at a child's item: type, goal, responsible, start, evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.domain.dates import add_months
from app.domain.seeded_names import display_name
from app.i18n import _
from app.services import minutes_service
from app.services.changes import Changes
from app.services.minutes_service import EVALUATION_MONTHS
from app.store.contacts_repo import Contact
from app.store.vault import Vault
from ui.context import Context
from ui.models.agenda_model import PageData
from ui.views.agenda_item_dialog import FormDialog, contact_combo, date_edit, date_of


class InterventionDialog(FormDialog):
    """The fields of a new intervention; evaluation defaults to three months on."""

    def __init__(
        self,
        types: Sequence[tuple[str, str]],
        contacts: Sequence[Contact],
        meeting_day: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Add intervention"), parent)
        self.type = QComboBox(self)
        for type_id, name in types:
            self.type.addItem(display_name(name), type_id)
        self.goal = QPlainTextEdit(self)
        self.goal.setTabChangesFocus(True)
        self.goal.setFixedHeight(80)
        self.goal.setMinimumWidth(340)
        self.responsible = contact_combo(contacts, _("Not decided yet"), self)
        self.start = date_edit(meeting_day, self)
        self.evaluation = date_edit(add_months(meeting_day, EVALUATION_MONTHS), self)
        self.form.addRow(_("&Intervention:"), self.type)
        self.form.addRow(_("&Goal:"), self.goal)
        self.form.addRow(_("&Responsible:"), self.responsible)
        self.form.addRow(_("&Start:"), self.start)
        self.form.addRow(_("&Evaluation on:"), self.evaluation)
        self._evaluation_touched = False
        self._moving = False
        self.evaluation.dateChanged.connect(self._touched)
        self.start.dateChanged.connect(self._start_moved)
        self.start.dateChanged.connect(self._check)
        self.evaluation.dateChanged.connect(self._check)
        self.goal.textChanged.connect(self._check)
        self._check()

    def _touched(self) -> None:
        if not self._moving:
            self._evaluation_touched = True

    def _start_moved(self) -> None:
        if self._evaluation_touched:
            return
        self._moving = True
        day = add_months(date_of(self.start), EVALUATION_MONTHS)
        self.evaluation.setDate(QDate(day.year, day.month, day.day))
        self._moving = False

    def _check(self) -> None:
        self.set_valid(
            self.type.count() > 0
            and bool(self.goal.toPlainText().strip())
            and date_of(self.evaluation) >= date_of(self.start)
        )

    def values(self) -> tuple[str, str, date, str | None, date]:
        """(type id, goal, start, responsible contact id, evaluation date)."""
        responsible = self.responsible.currentData()
        return (
            str(self.type.currentData()),
            self.goal.toPlainText().strip(),
            date_of(self.start),
            str(responsible) if responsible else None,
            date_of(self.evaluation),
        )


def open_add_intervention(
    parent: QWidget, ctx: Context, data: PageData, item_id: str
) -> InterventionDialog:
    """Open the dialog; when accepted, the intervention starts for the item's child."""
    day = data.minutes.agenda.meeting.start.date()
    dialog = InterventionDialog(data.types, data.contacts, day, parent)

    def accepted() -> None:
        ctx.session.run(_add, item_id, *dialog.values())

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _add(
    vault: Vault,
    item_id: str,
    type_id: str,
    goal: str,
    start: date,
    responsible: str | None,
    evaluation: date,
) -> Changes:
    return minutes_service.add_intervention(
        vault,
        item_id,
        type_id,
        goal,
        start,
        responsible_contact_id=responsible,
        evaluation_on=evaluation,
    )[1]
