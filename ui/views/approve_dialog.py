"""Approving minutes, and step 8's outcome fields that approval applies to the case.

Approval locks the minutes; at that moment each item's new level, new relay
holder and "close the case" outcome are applied to the child's case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.i18n import _
from app.services import minutes_service
from app.services.minutes_service import OUTCOMES, MinutesView
from app.store.contacts_repo import Contact
from ui.context import Context
from ui.formatting import day_text
from ui.views.agenda_item_dialog import (
    FormDialog,
    contact_combo,
    date_edit,
    date_of,
    qdate,
    refill_contacts,
    select_data,
)


class ApproveDialog(FormDialog):
    """Asks who approves and when; says that the minutes lock."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(_("Approve minutes"), parent)
        note = QLabel(
            _(
                "Approved minutes are locked: later corrections can only be added as "
                "dated addenda. New levels, relay holders and closed cases take effect now."
            ),
            self,
        )
        note.setWordWrap(True)
        self.by = QLineEdit(self)
        self.by.setMinimumWidth(320)
        self.on = date_edit(today, self)
        self.form.addRow(note)
        self.form.addRow(_("Approved &by:"), self.by)
        self.form.addRow(_("&Date:"), self.on)
        self.ok_button.setText(_("&Approve"))
        self.by.textChanged.connect(lambda text: self.set_valid(bool(text.strip())))
        self.set_valid(False)

    def values(self) -> tuple[str, date]:
        """(approved by, approval date)."""
        return self.by.text().strip(), date_of(self.on)


def open_approve(parent: QWidget, ctx: Context, meeting_id: str) -> ApproveDialog:
    """Open the dialog; when accepted, the minutes are approved (and lock)."""
    dialog = ApproveDialog(ctx.today(), parent)
    dialog.accepted.connect(
        lambda: ctx.session.run(minutes_service.approve, meeting_id, *dialog.values())
    )
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class ApprovalBar(QWidget):
    """Under the minutes: their state, Approve (or Add addendum once approved), printing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.approve_button = QPushButton(_("A&pprove…"), self)
        self.addendum_button = QPushButton(_("Add addend&um…"), self)
        self.print_button = QPushButton(_("&Save minutes as PDF…"), self)
        self.per_child_button = QPushButton(_("Per-c&hild extracts…"), self)
        self.per_child_button.setToolTip(
            _("Also save one extract per child named with consent, for the child's record.")
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state, 1)
        for button in self.buttons():
            row.addWidget(button)

    def buttons(self) -> list[QWidget]:
        """The buttons in tab order."""
        return [self.approve_button, self.addendum_button, self.print_button, self.per_child_button]

    def show_state(self, minutes: MinutesView | None) -> None:
        """Show the state of ``minutes`` (None: nothing shown)."""
        self.state.setText(state_text(minutes) if minutes is not None else "")
        approved = minutes is not None and minutes.approved
        self.approve_button.setVisible(not approved)
        self.approve_button.setEnabled(minutes is not None and bool(minutes.agenda.items))
        self.addendum_button.setVisible(approved)
        self.print_button.setEnabled(minutes is not None)
        self.per_child_button.setEnabled(
            minutes is not None and any(i.case_id and i.named_allowed for i in minutes.agenda.items)
        )


def state_text(minutes: MinutesView) -> str:
    """One line about the minutes: a draft saved as typed, or approved when and by whom."""
    if minutes.approved_on is not None:
        return _(
            "Approved on {date} by {name}. The minutes are locked; corrections are addenda."
        ).format(date=day_text(minutes.approved_on), name=minutes.approved_by)
    return _("Draft: everything you type is saved as you go.")


def outcome_names() -> dict[str | None, str]:
    """Step 8's outcomes as the advisor reads them."""
    names: dict[str | None, str] = {
        None: _("Not decided"),
        "continue-locally": _("Continue locally"),
        "network-meeting": _("Refer to a network meeting"),
        "notification": _("Notification made"),
        "close-case": _("Close the case"),
    }
    assert set(OUTCOMES) <= set(names)
    return names


def level_names() -> dict[int | None, str]:
    """The levels (BTI 0–3) a case can move to."""
    return {
        None: _("Unchanged"),
        0: _("0 – concern and observation"),
        1: _("1 – own effort, relay log"),
        2: _("2 – coordinated effort"),
        3: _("3 – notification and investigation"),
    }


class OutcomeForm(QWidget):
    """Step 8: the outcome, a notification's date and author, a new level and relay holder."""

    #: (field, value) chosen: saved at once.
    chosen = Signal(str, object)
    #: (field, text) typed: saved after a pause.
    typed = Signal(str, str)

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.outcome = QComboBox(self)
        self.outcome.setAccessibleName(_("Outcome"))
        for key, text in outcome_names().items():
            self.outcome.addItem(text, key)
        self.notification_on = date_edit(today, self)
        self.notification_by = QLineEdit(self)
        self.notification_by.setObjectName("notification_by")
        self.level = QComboBox(self)
        for level, text in level_names().items():
            self.level.addItem(text, level)
        self.relay = contact_combo((), _("Unchanged"), self)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(self.outcome)
        self.form.addRow(_("Noti&fication made on:"), self.notification_on)
        self.form.addRow(_("Notified &by:"), self.notification_by)
        self.form.addRow(_("New &level:"), self.level)
        self.form.addRow(_("New &relay holder:"), self.relay)
        self.outcome.activated.connect(self._outcome_chosen)
        self.notification_on.dateChanged.connect(
            lambda: self._emit("notification_on", date_of(self.notification_on).isoformat())
        )
        self.notification_by.textChanged.connect(self._by_typed)
        self.level.activated.connect(lambda: self._emit("new_level", self.level.currentData()))
        self.relay.activated.connect(
            lambda: self._emit("new_relay_holder_id", self.relay.currentData())
        )

    def widgets(self) -> list[QWidget]:
        """The fields in tab order."""
        return [self.outcome, self.notification_on, self.notification_by, self.level, self.relay]

    def set_contacts(self, contacts: Sequence[Contact]) -> None:
        """The people who can hold the relay."""
        refill_contacts(self.relay, contacts, _("Unchanged"))

    def show_values(self, value: Callable[[str], object], meeting_day: str, writable: bool) -> None:
        """Show an item's step 8 (``value(field)`` gives the newest value of a field)."""
        self._loading = True
        try:
            select_data(self.outcome, value("outcome"))
            select_data(self.level, value("new_level"))
            select_data(self.relay, value("new_relay_holder_id"))
            self.notification_on.setDate(qdate(str(value("notification_on") or meeting_day)))
            by = str(value("notification_by") or "")
            if self.notification_by.text() != by:
                self.notification_by.setText(by)
            for widget in (self.outcome, self.level, self.relay, self.notification_on):
                widget.setEnabled(writable)
            self.notification_by.setReadOnly(not writable)
            self._show_notification()
        finally:
            self._loading = False

    def _show_notification(self) -> None:
        notification = self.outcome.currentData() == "notification"
        self.form.setRowVisible(self.notification_on, notification)
        self.form.setRowVisible(self.notification_by, notification)

    def _emit(self, field: str, value: object) -> None:
        if not self._loading:
            self.chosen.emit(field, value)

    def _by_typed(self, text: str) -> None:
        if not self._loading:
            self.typed.emit("notification_by", text)

    def _outcome_chosen(self) -> None:
        self._emit("outcome", self.outcome.currentData())
        self._show_notification()
        if self.outcome.currentData() == "notification":
            # The date shown is the date saved: record it with the outcome.
            self._emit("notification_on", date_of(self.notification_on).isoformat())
