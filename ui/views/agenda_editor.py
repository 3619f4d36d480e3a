"""The Agenda tab: items in order with time and consent state, suggestions, printing.

Keyboard: Alt+Up / Alt+Down move the selected item, F2 edits its minutes in
place, Enter opens it, Delete removes it (after asking); the buttons carry
mnemonics. Rows can also be dragged to a new place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import agenda_service, cases_service
from app.services.changes import Changes
from ui.context import Context
from ui.models.agenda_model import (
    CONSENT_COLUMN,
    WARNING_COLOUR,
    AgendaModel,
    PageData,
)
from ui.views.agenda_item_dialog import (
    CaseItemDialog,
    ItemDialog,
    SuggestionsBox,
    add_case,
    add_general,
    add_new_case,
    update_item,
)
from ui.widgets.id_table import IdTable


def _changes(result: tuple[str, Changes] | Changes) -> Changes:
    """The Changes of a service result that is ``(new id, Changes)`` or Changes."""
    return result[1] if isinstance(result, tuple) else result


class AgendaEditor(QWidget):
    """Edits one meeting's agenda; every change goes through the session."""

    #: Print the agenda; True asks for a folder for the per-child agendas too.
    print_requested = Signal(bool)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: PageData | None = None
        self._wanted: str | None = None
        self.model = AgendaModel(self)
        self.table = IdTable(self.model, self)
        self.table.setObjectName("agendaTable")
        self.table.setSortingEnabled(False)
        self.table.proxy.sort(-1)  # agenda order, never a column's order
        self.table.setAccessibleName(_("Agenda items"))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.horizontalHeader().setSectionResizeMode(
            CONSENT_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        heading = QLabel(_("Agenda &items"), self)
        heading.setBuddy(self.table)
        self.total = QLabel(self)
        self.locked_note = QLabel(
            _("The minutes are approved: the agenda is part of the record and cannot change."),
            self,
        )
        self.locked_note.setWordWrap(True)
        self.locked_note.hide()

        def button(text: str, slot: Callable[[], None]) -> QPushButton:
            widget = QPushButton(text, self)
            widget.clicked.connect(slot)
            return widget

        self.add_case_button = button(_("Add &case item…"), self.add_case_item)
        self.add_general_button = button(_("Add &general item…"), self.add_general_item)
        self.edit_button = button(_("&Edit…"), self.edit_item)
        self.remove_button = button(_("&Remove…"), self.remove_item)
        self.up_button = button(_("Move &up"), lambda: self.move_item(-1))
        self.up_button.setToolTip("Alt+Up")
        self.down_button = button(_("Move do&wn"), lambda: self.move_item(+1))
        self.down_button.setToolTip("Alt+Down")
        self.print_button = button(
            _("&Save agenda as PDF…"), lambda: self.print_requested.emit(False)
        )
        self.print_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Print).toString())
        self.per_child_button = button(
            _("Per-c&hild agendas…"), lambda: self.print_requested.emit(True)
        )
        self.per_child_button.setToolTip(
            _("Also save one agenda per child named with consent, for the child's record.")
        )
        self.table.installEventFilter(self)  # Alt+Up, Alt+Down, Delete

        self.suggestions_box = SuggestionsBox(self)
        self.suggestions_box.add_requested.connect(lambda case_id: self._add_case(case_id, 15))

        actions = QHBoxLayout()
        for widget in (self.add_case_button, self.add_general_button, self.edit_button):
            actions.addWidget(widget)
        actions.addWidget(self.remove_button)
        actions.addSpacing(12)
        actions.addWidget(self.up_button)
        actions.addWidget(self.down_button)
        actions.addStretch(1)
        printing = QHBoxLayout()
        printing.addWidget(self.total, 1)
        printing.addWidget(self.print_button)
        printing.addWidget(self.per_child_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.locked_note)
        layout.addLayout(actions)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(printing)
        layout.addWidget(self.suggestions_box)

        self.table.activated_id.connect(lambda _id: self.edit_item())
        self.table.selected_id_changed.connect(lambda _id: self._enable())
        self.model.minutes_edited.connect(self._minutes_edited)
        self.model.order_requested.connect(self._reorder)
        chain: list[QWidget] = [
            self.add_case_button,
            self.add_general_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.table,
            self.print_button,
            self.per_child_button,
        ]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self.dialog: QWidget | None = None
        self._enable()

    # --- showing ------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """True once the minutes are approved (the agenda is then read-only)."""
        return self.data is not None and self.data.minutes.approved

    def show_data(self, data: PageData) -> None:
        """Show the agenda of ``data`` and keep the selected item selected."""
        selected, self._wanted = self._wanted or self.table.selected_id(), None
        self.data = data
        agenda = data.minutes.agenda
        self.model.editable = not data.minutes.approved
        self.model.set_rows(agenda.items)
        if selected is not None:
            self.table.select_id(selected)
        elif agenda.items and self.table.selected_id() is None:
            self.table.select_id(agenda.items[0].id)
        self.table.setDragEnabled(not data.minutes.approved)
        self.locked_note.setVisible(data.minutes.approved)
        self._show_total()
        self._show_suggestions()
        self._enable()

    def clear(self) -> None:
        """Forget the agenda (lock, another meeting)."""
        self.data = None
        self.model.clear()
        self.total.clear()
        self._show_suggestions()
        self._enable()

    def _show_total(self) -> None:
        assert self.data is not None
        agenda = self.data.minutes.agenda
        values = {"total": agenda.total_minutes, "length": agenda.meeting_minutes}
        if agenda.over_time:
            text = _("Over time: the items need {total} minutes; the meeting has {length}.")
            self.total.setStyleSheet(f"color: {WARNING_COLOUR};")
        else:
            text = _("{total} of {length} minutes planned.")
            self.total.setStyleSheet("")
        self.total.setText(text.format(**values))

    def _show_suggestions(self) -> None:
        found = self.data.suggestions if self.data is not None and not self.locked else ()
        self.suggestions_box.show_suggestions(found)

    def _enable(self) -> None:
        has_meeting = self.data is not None
        editable = has_meeting and not self.locked
        selected = self.table.selected_id() is not None
        for widget in (self.add_case_button, self.add_general_button):
            widget.setEnabled(editable)
        for widget in (self.edit_button, self.remove_button, self.up_button, self.down_button):
            widget.setEnabled(editable and selected)
        named = has_meeting and any(
            i.case_id and i.named_allowed
            for i in self.data.minutes.agenda.items  # type: ignore[union-attr]
        )
        self.print_button.setEnabled(has_meeting)
        self.per_child_button.setEnabled(bool(named))

    # --- changing -------------------------------------------------------------------

    def _run(self, fn: Callable[..., Any], *args: object, select: bool = False) -> None:
        """Run a mutation; with ``select`` the new item becomes the selected one."""

        def done(result: Any) -> None:
            changes = _changes(result)
            if select and isinstance(result, tuple):
                self._wanted = str(result[0])  # selected when the reload shows it
            if not isinstance(result, Changes):  # (id, Changes): broadcast it ourselves
                self.ctx.session.changed.emit(changes)

        self.ctx.session.run(fn, *args, done=done)

    def _meeting_id(self) -> str | None:
        return self.data.meeting_id if self.data is not None else None

    def add_general_item(self) -> None:
        """Ask for a general item's title, time and notes."""
        if self._meeting_id() is None or self.locked:
            return
        dialog = ItemDialog(None, self)
        dialog.accepted.connect(
            lambda: self._run(
                add_general,
                self._meeting_id(),
                dialog.title.text().strip(),
                dialog.minutes.value(),
                dialog.notes.toPlainText(),
                select=True,
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def add_case_item(self) -> None:
        """Choose a case (or create an anonymous one) to put on the agenda."""
        if self.data is None or self.locked:
            return
        self.ctx.session.run(cases_service.list_cases, self.ctx.today(), done=self._choose_case)

    def _choose_case(self, cases: list[cases_service.CaseSummary]) -> None:
        data = self.data
        if data is None:
            return
        meeting = data.minutes.agenda.meeting
        present = {i.case_id for i in data.minutes.agenda.items if i.case_id}
        dialog = CaseItemDialog(cases, meeting.site_id, data.site_names, present, self)

        def accepted() -> None:
            case_id = dialog.chosen_case()
            if case_id is not None:
                self._add_case(case_id, dialog.minutes.value())
                return
            self._run(
                add_new_case,
                data.meeting_id,
                meeting.site_id,
                dialog.first_name.text(),
                dialog.age.text(),
                dialog.concern.toPlainText(),
                self.ctx.today(),
                dialog.minutes.value(),
                select=True,
            )

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _add_case(self, case_id: str, minutes: int) -> None:
        if self._meeting_id() is not None:
            self._run(add_case, self._meeting_id(), case_id, minutes, select=True)

    def edit_item(self) -> None:
        """Edit the selected item's title, time and notes."""
        item_id = self.table.selected_id()
        item = self.model.object_of(item_id) if item_id else None
        if item is None or self.locked:
            return
        dialog = ItemDialog(item, self)

        def accepted() -> None:
            title = dialog.title.text().strip()
            notes = dialog.notes.toPlainText()
            self._run(
                update_item,
                item.id,
                title if item.case_id is None and title != item.label else None,
                dialog.minutes.value(),
                notes if notes != item.notes else None,
                dialog.override_reason(),
            )

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def remove_item(self) -> None:
        """Ask, then take the selected item off the agenda."""
        item_id = self.table.selected_id()
        item = self.model.object_of(item_id) if item_id else None
        if item is None or self.locked:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Remove item"),
            _("Remove “{item}” from the agenda?").format(item=item.label),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self._run(agenda_service.remove_item, item.id)

        box.finished.connect(answered)
        box.finished.connect(box.deleteLater)
        self.dialog = box
        box.open()

    def move_item(self, step: int) -> None:
        """Move the selected item one place up (-1) or down (+1)."""
        item_id = self.table.selected_id()
        if item_id is None or self.locked:
            return
        order = self.model.moved(item_id, step)
        if order is not None:
            self.table.select_id(item_id)
            self._reorder(order)

    def _reorder(self, order: list[str]) -> None:
        if self._meeting_id() is not None:
            self._run(agenda_service.reorder, self._meeting_id(), order)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.ShortcutOverride and self._own_key(event):
                event.accept()  # ours, not a window shortcut's
                return True
            if event.type() == QEvent.Type.KeyPress and self._own_key(event):
                if event.key() == Qt.Key.Key_Delete:
                    self.remove_item()
                else:
                    self.move_item(-1 if event.key() == Qt.Key.Key_Up else +1)
                return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _own_key(event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return modifiers == Qt.KeyboardModifier.AltModifier
        return event.key() == Qt.Key.Key_Delete and modifiers == Qt.KeyboardModifier.NoModifier

    def _minutes_edited(self, item_id: str, minutes: int) -> None:
        self._run(update_item, item_id, None, minutes, None, None)
