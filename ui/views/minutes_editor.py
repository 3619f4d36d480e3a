"""The Minutes tab: attendance, then per agenda item the 8 steps, saved as you type.

There is no save button. Every text field is handed to a :class:`FieldSaver`
which saves it after a short pause in typing and at once when the cursor
leaves the field, when another item is chosen, when the page hides and
before the window locks. Approved minutes are shown read-only; the only
change left is an addendum.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import minutes_service
from app.services.agenda_service import ItemView
from ui.context import Context
from ui.models.agenda_model import (
    AgendaModel,
    PageData,
    agreements_model,
    consent_text,
    interventions_model,
)
from ui.views.addendum_dialog import addenda_text, open_add_addendum
from ui.views.agreement_dialog import open_add_agreement
from ui.views.approve_dialog import ApprovalBar, OutcomeForm, open_approve
from ui.views.intervention_dialog import open_add_intervention
from ui.widgets.id_table import IdTable
from ui.widgets.saved_indicator import FieldSaver, SavedIndicator, StepEdit

#: The free-text fields of an item's minutes.
TEXT_FIELDS = ("knowledge", "discussion", "evaluation", "general_text")
#: Fields shown only for an item about a child.
CASE_ONLY = ("consent", "knowledge", "discussion", "interventions", "evaluation", "outcome")


class MinutesEditor(QWidget):
    """Writes one meeting's minutes item by item."""

    #: Print the minutes; True asks for a folder for the per-child extracts too.
    print_requested = Signal(bool)
    #: Some agenda item has no minutes record yet: the page starts the minutes.
    start_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: PageData | None = None
        self.item_id: str | None = None
        self._loading = False
        self.saver = FieldSaver(ctx.session)
        self.indicator = SavedIndicator(self)
        self.saver.state_changed.connect(self.indicator.show_state)
        self.people: dict[str, str] = {}

        # Left: attendance and the items.
        self.attendance = QListWidget(self)
        self.attendance.setObjectName("attendance")
        self.attendance.itemChanged.connect(self._attendance_changed)
        self.items_model = AgendaModel(self)
        self.items_model.editable = False
        self.items = QListView(self)
        self.items.setObjectName("minutesItems")
        self.items.setModel(self.items_model)
        self.items.setModelColumn(1)
        self.items.selectionModel().currentChanged.connect(self._item_chosen)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_buddy(_("Atte&ndance"), self.attendance, left))
        column.addWidget(self.attendance, 2)
        column.addWidget(_buddy(_("I&tems"), self.items, left))
        column.addWidget(self.items, 3)

        # Right: the steps of the chosen item.
        self.form = QWidget(self)
        steps = QVBoxLayout(self.form)
        self.sections: dict[str, QWidget] = {}
        self.consent = QLabel(self.form)
        self.concern = QLabel(self.form)
        for label in (self.consent, self.concern):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, StepEdit] = {}
        for field in TEXT_FIELDS:
            self.fields[field] = StepEdit(field, self.saver, self.form)
            self.fields[field].typed.connect(self._typed)
        self.agreements_model = agreements_model(self.people, self)
        self.agreements = IdTable(self.agreements_model, self.form)
        self.add_agreement_button = QPushButton(_("Add a&greement…"), self.form)
        self.add_agreement_button.clicked.connect(self.add_agreement)
        self.interventions_model = interventions_model(self.people, self)
        self.interventions = IdTable(self.interventions_model, self.form)
        self.add_intervention_button = QPushButton(_("Add inter&vention…"), self.form)
        self.add_intervention_button.clicked.connect(self.add_intervention)
        self.agreements.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by deadline
        self.interventions.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by start
        for table, wide in ((self.agreements, 0), (self.interventions, 1)):  # what; goal
            table.horizontalHeader().setStretchLastSection(False)
            table.horizontalHeader().setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
            table.setMinimumHeight(90)
            table.setMaximumHeight(150)
        self.outcome = OutcomeForm(ctx.today(), self.form)
        self.outcome.chosen.connect(self._chosen)
        self.outcome.typed.connect(self._typed)
        self.outcome.notification_by.editingFinished.connect(self.saver.flush)
        self.addenda = QLabel(self.form)
        self.addenda.setWordWrap(True)

        def section(key: str, title: str, *widgets: QWidget, buddy: QWidget | None = None) -> None:
            box = QWidget(self.form)
            lines = QVBoxLayout(box)
            lines.setContentsMargins(0, 6, 0, 0)
            heading = _buddy(title, buddy or widgets[0], box)
            heading.setStyleSheet("font-weight: bold;")
            lines.addWidget(heading)
            for widget in widgets:
                if isinstance(widget, QPushButton):
                    lines.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
                else:
                    lines.addWidget(widget)
            self.sections[key] = box
            steps.addWidget(box)

        section("consent", _("1. Consent"), self.consent)
        section("item", _("2. The agenda item"), self.concern)
        section("knowledge", _("3. &Knowledge gathered and shared"), self.fields["knowledge"])
        section("discussion", _("4. Multidisciplinary &discussion"), self.fields["discussion"])
        section("general_text", _("&What was said"), self.fields["general_text"])
        section(
            "agreements",
            _("5. Agreements: who does what, and who keeps contact with the parents"),
            self.agreements,
            self.add_agreement_button,
        )
        section(
            "interventions",
            _("6. Interventions with goals"),
            self.interventions,
            self.add_intervention_button,
        )
        section(
            "evaluation", _("7. &Evaluation of earlier interventions"), self.fields["evaluation"]
        )
        section("outcome", _("8. &Outcome"), self.outcome, buddy=self.outcome.outcome)
        section("addenda", _("Addenda"), self.addenda)
        steps.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.item_title = QLabel(self)
        self.item_title.setStyleSheet("font-weight: bold;")
        self.item_title.setWordWrap(True)
        right = QWidget(self)
        pane = QVBoxLayout(right)
        pane.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.item_title, 1)
        top.addWidget(self.indicator)
        pane.addLayout(top)
        pane.addWidget(scroll, 1)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 700])

        # Bottom: approval, addenda, printing.
        self.bar = ApprovalBar(self)
        self.state = self.bar.state
        self.approve_button = self.bar.approve_button
        self.addendum_button = self.bar.addendum_button
        self.print_button = self.bar.print_button
        self.per_child_button = self.bar.per_child_button
        self.approve_button.clicked.connect(self.approve)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.print_button.clicked.connect(lambda: self.print_requested.emit(False))
        self.per_child_button.clicked.connect(lambda: self.print_requested.emit(True))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.bar)
        self.attendance.setAccessibleName(_("Attendance"))
        self.items.setAccessibleName(_("Agenda items"))
        self.agreements.setAccessibleName(_("Agreements"))
        self.interventions.setAccessibleName(_("Interventions"))
        chain: list[QWidget] = [
            self.attendance,
            self.items,
            self.fields["knowledge"],
            self.fields["discussion"],
            self.fields["general_text"],
            self.agreements,
            self.add_agreement_button,
            self.interventions,
            self.add_intervention_button,
            self.fields["evaluation"],
            *self.outcome.widgets(),
            *self.bar.buttons(),
        ]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self.dialog: QWidget | None = None
        self.clear()

    # --- showing ------------------------------------------------------------------

    @property
    def approved(self) -> bool:
        """True when the minutes shown are approved (and locked)."""
        return self.data is not None and self.data.minutes.approved

    def show_data(self, data: PageData) -> None:
        """Show ``data``; the item on screen keeps what was typed into it."""
        if self.data is None or self.data.meeting_id != data.meeting_id:
            self.saver.discard()
            self.indicator.show_state("")
        self.data = data
        self.people.clear()
        self.people.update({c.id: c.name for c in data.contacts})
        self.outcome.set_contacts(data.contacts)
        self._loading = True
        try:
            self.items_model.set_rows(data.minutes.agenda.items)
            ids = self.items_model.ids()
            wanted = self.item_id if self.item_id in ids else (ids[0] if ids else None)
            if wanted is not None:
                index = self.items_model.index(self.items_model.row_of(wanted), 1)
                self.items.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
            self._fill_attendance(data)
        finally:
            self._loading = False
        self._show_item(wanted)
        self.bar.show_state(data.minutes)
        self.addenda.setText(addenda_text(data.minutes))
        self.sections["addenda"].setVisible(bool(data.minutes.addenda))
        if data.needs_start and self.isVisible():
            self.start_requested.emit()

    def clear(self) -> None:
        """Forget everything shown (lock, another meeting); waiting edits are dropped."""
        self.saver.discard()
        self.indicator.show_state("")
        self.data = None
        self._loading = True
        self.items_model.clear()
        self.attendance.clear()
        for edit in self.fields.values():
            edit.clear()
        self.outcome.notification_by.clear()
        self.agreements_model.clear()
        self.interventions_model.clear()
        self._loading = False
        shown = self.item_id
        self._show_item(None)
        self.item_id = shown  # shown again after an unlock
        self.bar.show_state(None)
        self.addenda.clear()

    def _fill_attendance(self, data: PageData) -> None:
        """Show who attended; the same people are updated in place (the row stays current)."""
        ids = [
            self.attendance.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.attendance.count())
        ]
        if ids != [row[0] for row in data.attendance]:
            self.attendance.clear()
            for contact_id, text, _present in data.attendance:
                entry = QListWidgetItem(text, self.attendance)
                entry.setData(Qt.ItemDataRole.UserRole, contact_id)
        for row, (_contact_id, _text, present) in enumerate(data.attendance):
            entry = self.attendance.item(row)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not data.minutes.approved:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            entry.setFlags(flags)
            entry.setCheckState(Qt.CheckState.Checked if present else Qt.CheckState.Unchecked)

    def _item(self) -> ItemView | None:
        return self.items_model.object_of(self.item_id) if self.item_id else None

    def _show_item(self, item_id: str | None) -> None:
        self.item_id = item_id
        item = self._item()
        self.form.setVisible(item is not None)
        self.item_title.setText(
            item.label if item is not None else _("No items on the agenda yet.")
        )
        if item is None or self.data is None:
            return
        record = self.data.minutes.items.get(item.id)
        writable = record is not None and not self.approved
        known = self.saver.known

        def value(field: str) -> Any:
            key = (item.id, field)
            return known[key] if key in known else getattr(record, field, None)

        self._loading = True
        try:
            for key in CASE_ONLY:
                self.sections[key].setVisible(item.case_id is not None)
            self.sections["general_text"].setVisible(item.case_id is None)
            self.consent.setText(consent_text(item))
            self.concern.setText("\n".join(t for t in (item.text, item.notes) if t) or "—")
            for field, edit in self.fields.items():
                text = value(field) or ""
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
                edit.set_writable(writable)
            self.outcome.show_values(value, self._meeting_day(), writable)
            self.agreements_model.set_rows(self.data.minutes.agreements.get(item.id, []))
            self.interventions_model.set_rows(self.data.minutes.interventions.get(item.id, []))
            self.add_agreement_button.setVisible(writable)
            self.add_intervention_button.setVisible(writable and bool(self.data.types))
        finally:
            self._loading = False

    def _meeting_day(self) -> str:
        assert self.data is not None
        return self.data.minutes.agenda.meeting.start.date().isoformat()

    # --- typing and choosing --------------------------------------------------------

    def _typed(self, field: str, text: str) -> None:
        if not self._loading and self.item_id is not None and not self.approved:
            self.saver.edit(self.item_id, field, text)

    def _chosen(self, field: str, value: object) -> None:
        if not self._loading and self.item_id is not None and not self.approved:
            self.saver.save_now(self.item_id, field, value)

    def _item_chosen(self, current: Any, _previous: Any) -> None:
        if self._loading:
            return
        self.saver.flush()
        self._show_item(self.items_model.ids()[current.row()] if current.isValid() else None)

    def _attendance_changed(self, entry: QListWidgetItem) -> None:
        if self._loading or self.data is None or self.approved:
            return
        present = entry.checkState() == Qt.CheckState.Checked
        contact_id = str(entry.data(Qt.ItemDataRole.UserRole))
        self.ctx.session.run(
            minutes_service.set_attendance, self.data.meeting_id, contact_id, present
        )

    # --- actions ------------------------------------------------------------------

    def add_agreement(self) -> None:
        """Add an agreement to the item shown."""
        if self.data is not None and self.item_id is not None and not self.approved:
            self.dialog = open_add_agreement(self, self.ctx, self.data, self.item_id)

    def add_intervention(self) -> None:
        """Start an intervention for the child of the item shown."""
        item = self._item()
        if self.data is not None and item is not None and item.case_id and not self.approved:
            self.dialog = open_add_intervention(self, self.ctx, self.data, item.id)

    def approve(self) -> None:
        """Ask who approves; the minutes then lock."""
        if self.data is not None and not self.approved:
            self.saver.flush()
            self.dialog = open_approve(self, self.ctx, self.data.meeting_id)

    def add_addendum(self) -> None:
        """Write a dated addendum to approved minutes."""
        if self.data is not None and self.approved:
            self.dialog = open_add_addendum(self, self.ctx, self.data.meeting_id)


def _buddy(text: str, widget: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(widget)
    return label
