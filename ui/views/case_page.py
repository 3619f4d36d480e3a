"""One child's case: header, consent, levels, interventions, agreements, SDQ, timeline.

Reached from the Cases list (Enter) or from anywhere with
``ctx.navigate("case", id)``. Alt+Left or Back returns to the list. Every
change goes through a dialog that stays open until the database thread has
saved it; the page then refreshes from the broadcast change.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import case_timeline
from app.services.case_timeline import CaseOverview
from ui.context import Context
from ui.models import case_detail_models as m
from ui.session import message_of
from ui.views.consent_dialog import (
    ConsentDialog,
    FormDialog,
    WithdrawDialog,
    checked,
    day_of,
    error_colour,
    ok_colour,
    save_consent,
    save_withdrawal,
)
from ui.views.new_case_dialog import GuardianDialog, save_guardian
from ui.views.sdq_dialog import SdqDialog, save_sdq
from ui.widgets.id_table import IdTable
from ui.widgets.sdq_chart import SdqChart, chart_data


class CasePage(QWidget):
    """The page of one case (inside the Cases view)."""

    back_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.case_id: str | None = None
        self.data: CaseOverview | None = None
        self.dialog: FormDialog | None = None
        self._generation = 0
        self._focusables: list[QWidget] = []  # per tab: its table, then its buttons
        warn = error_colour(self)

        self.back_button = QPushButton(_("&Back to the list"), self)
        self.back_button.setToolTip("Alt+Left")
        self.back_button.clicked.connect(self.back_requested)
        QShortcut(QKeySequence("Alt+Left"), self, self.back_requested.emit)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        # The commands on the whole case are wired by the Cases view.
        self.named_button = QPushButton(_("Make &named…"), self)
        self.level_button = QPushButton(_("Change &level…"), self)
        self.close_button = QPushButton(_("Cl&ose case…"), self)
        self.reopen_button = QPushButton(_("Re&open case"), self)
        self.report_button = QPushButton(_("Subject-access &report…"), self)
        self.report_button.setToolTip(
            _("Everything the vault holds about the child (PDF and JSON)")
        )
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.consent_state = QLabel(self)
        self.consent_state.setWordWrap(True)

        self.guardians = IdTable(m.guardians_model(), self)
        self.consents = IdTable(m.consents_model(ok_colour(self), warn), self)
        self.levels = IdTable(m.levels_model(), self)
        self.interventions = IdTable(m.interventions_model(), self)
        self.agreements = IdTable(m.agreements_model(warn, ctx.today()), self)
        self.sdq = IdTable(m.sdq_model(), self)
        self.timeline = IdTable(m.timeline_model(), self)
        self.chart = SdqChart(self)
        down, up = Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder
        for table, name, column, order in (
            (self.guardians, _("Guardians"), 0, up),
            (self.consents, _("Consent history"), 0, down),
            (self.levels, _("Level history"), 0, down),
            (self.interventions, _("Interventions"), 3, down),
            (self.agreements, _("Agreements"), 2, up),
            (self.sdq, _("SDQ results"), 0, down),
            (self.timeline, _("Meetings where the child was discussed"), 0, down),
        ):
            table.setAccessibleName(name)
            table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
            table.sortByColumn(column, order)
            cap_widths(table)
        self.timeline.activated_id.connect(self._open_meeting_of_item)
        self.interventions.activated_id.connect(self._open_meeting_of_intervention)
        self.agreements.activated_id.connect(lambda i: self.ctx.navigate("agreement", i))

        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_guardian_button = self._button(_("Add &guardian…"), self.add_guardian)
        self.add_consent_button = self._button(_("Add cons&ent…"), self.add_consent)
        self.withdraw_button = self._button(_("&Withdraw…"), self.withdraw_consent)
        self.add_sdq_button = self._button(_("Add SDQ res&ults…"), self.add_sdq)
        self.consents.selected_id_changed.connect(lambda _id: self._enable())

        self.tabs = QTabWidget(self)
        self.tabs.addTab(
            self._section(
                self.details,
                QLabel("<b>" + _("Guardians") + "</b>", self),
                self.guardians,
                buttons=(self.add_guardian_button,),
            ),
            _("&Details"),
        )
        self.tabs.addTab(
            self._section(self.consents, buttons=(self.add_consent_button, self.withdraw_button)),
            _("&Consent"),
        )
        self.tabs.addTab(self._section(self.levels, buttons=()), _("Le&vels"))
        hint = _("Enter or a double click opens the meeting where it was started.")
        self.tabs.addTab(
            self._section(self.interventions, self._hint(hint), buttons=()), _("&Interventions")
        )
        self.tabs.addTab(self._section(self.agreements, buttons=()), _("&Agreements"))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.sdq)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(1, 2)
        self.tabs.addTab(self._section(splitter, buttons=(self.add_sdq_button,)), _("SD&Q"))
        hint = _("Enter or a double click opens the meeting.")
        self.tabs.addTab(self._section(self.timeline, self._hint(hint), buttons=()), _("&Timeline"))

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.heading, 1)
        commands = (
            self.named_button,
            self.level_button,
            self.close_button,
            self.reopen_button,
            self.report_button,
        )
        for button in commands:
            top.addWidget(button)
        # Tab goes through the commands, the tab bar, then the shown tab's table and buttons.
        chain = [self.back_button, *commands, self.tabs, *self._focusables]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.consent_state)
        layout.addWidget(self.tabs, 1)

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        return button

    def _hint(self, text: str) -> QLabel:
        hint = QLabel(text, self)
        hint.setEnabled(False)  # the palette's quiet text colour
        return hint

    def _section(self, *widgets: QWidget, buttons: tuple[QWidget, ...]) -> QWidget:
        """A tab: the widgets stacked (tables and splitters stretch), buttons below."""
        page = QWidget(self)
        layout = QVBoxLayout(page)
        for widget in widgets:
            layout.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)
            inner = widget.widget(0) if isinstance(widget, QSplitter) else widget
            if inner is not None and not isinstance(inner, QLabel):
                self._focusables.append(inner)
        self._focusables.extend(buttons)
        if buttons:
            row = QHBoxLayout()
            for widget in buttons:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        return page

    # --- loading ------------------------------------------------------------------------

    def show_case(self, case_id: str) -> None:
        """Open ``case_id`` (the advisor opened it: a named case's read is audited)."""
        if case_id != self.case_id:
            self.clear()
            self.tabs.setCurrentIndex(0)
        self.case_id = case_id
        self._load(audited=True)

    def refresh(self) -> None:
        """Read the shown case again after a change."""
        if self.case_id is not None:
            self._load(audited=False)

    def _load(self, audited: bool) -> None:
        self._generation += 1
        generation, case_id = self._generation, self.case_id
        self.session.run(
            case_timeline.overview,
            case_id,
            self.ctx.today(),
            audited,
            done=lambda data: self._loaded(generation, data),
            failed=self._load_failed,
        )

    def _load_failed(self, error: BaseException) -> None:
        self.session.failed.emit(message_of(error))
        self.back_requested.emit()

    def _loaded(self, generation: int, data: CaseOverview) -> None:
        if generation != self._generation or data.case.id != self.case_id:
            return  # an older read of another case
        self.data = data
        today = self.ctx.today()
        self.heading.setText(f"<h2>{escape(data.label(today))}</h2>")
        self.info.setText(m.info_text(data))
        text, ok = m.consent_text(data)
        colour = ok_colour(self) if ok else (error_colour(self) if data.named else "")
        self.consent_state.setText(text)
        self.consent_state.setStyleSheet(f"color: {colour};" if colour else "")
        self.details.setText(m.details_html(data))
        self.guardians.source.set_rows(data.facts.guardians)
        self.consents.source.set_rows(m.consent_lines(data, today))
        self.levels.source.set_rows(m.level_lines(data))
        self.interventions.source.set_rows(data.interventions)
        self.agreements.source.set_rows(data.agreements)
        self.sdq.source.set_rows(data.assessments)
        self.timeline.source.set_rows(data.timeline)
        self.chart.set_data(chart_data(data.assessments, data.series))
        self._enable()

    def _enable(self) -> None:
        data = self.data
        loaded = data is not None
        is_open = loaded and data is not None and data.open
        self.named_button.setVisible(loaded and data is not None and not data.named)
        self.named_button.setEnabled(bool(is_open))
        self.level_button.setEnabled(bool(is_open))
        self.close_button.setVisible(bool(is_open))
        self.reopen_button.setVisible(loaded and not is_open)
        self.report_button.setEnabled(loaded)
        for button in (self.add_guardian_button, self.add_consent_button, self.add_sdq_button):
            button.setEnabled(loaded)
        line = self.consents.source.object_of(self.consents.selected_id() or "")
        self.withdraw_button.setEnabled(line is not None and line.consent.withdrawn_on is None)

    def clear(self) -> None:
        """Forget the case (lock, or another case is about to show)."""
        self._generation += 1
        self.data = None
        self.heading.clear()
        self.info.clear()
        self.consent_state.clear()
        self.details.clear()
        for table in (
            self.guardians,
            self.consents,
            self.levels,
            self.interventions,
            self.agreements,
            self.sdq,
            self.timeline,
        ):
            table.source.clear()
        self.chart.clear()
        self._enable()

    def focus_section(self) -> None:
        """Put the keyboard focus in the current tab."""
        self.tabs.setFocus()

    # --- dialogs --------------------------------------------------------------------------

    def run_dialog(self, dialog: FormDialog, fn: Callable[..., Any], *args: Any) -> None:
        """Open ``dialog``; when submitted, run ``fn(vault, case_id, *args(dialog))``."""
        case_id = self.case_id

        def submit() -> None:
            values = [arg() if callable(arg) else arg for arg in args]
            self.session.run(
                fn,
                case_id,
                *values,
                done=lambda _result: dialog.finish(),
                failed=lambda error: dialog.fail(message_of(error)),
            )

        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()

    def lang(self) -> str:
        return self.ctx.language()

    def add_guardian(self) -> None:
        """Add a parent or other guardian."""
        d = GuardianDialog(self)
        self.run_dialog(
            d,
            save_guardian,
            lambda: d.name.text(),
            lambda: d.relation.text(),
            lambda: d.custody.isChecked(),
            lambda: d.contact.text().strip(),
        )

    def add_consent(self) -> None:
        """Record a consent (with an optional scanned form)."""
        if self.data is None:
            return
        if not self.data.facts.guardians:
            self.session.failed.emit(_("Add the guardian who gave the consent first."))
            return
        d = ConsentDialog(
            self, self.ctx.today(), self.lang(), list(self.data.facts.guardians), self.data.roles
        )
        self.run_dialog(
            d,
            save_consent,
            lambda: checked(d.given_by),
            lambda: d.fields.values(),
            lambda: d.scan_path,
        )

    def withdraw_consent(self) -> None:
        """Record that the selected consent was withdrawn."""
        consent_id = self.consents.selected_id()
        if self.data is None or consent_id is None:
            return
        names = [g.name for g in self.data.facts.guardians]
        d = WithdrawDialog(self, self.ctx.today(), self.lang(), names)
        self.run_dialog(
            d,
            save_withdrawal,
            consent_id,
            lambda: day_of(d.on),
            lambda: d.by.currentText().strip(),
            lambda: d.note.text().strip(),
        )

    def add_sdq(self) -> None:
        """Record an SDQ assessment."""
        if self.data is None:
            return
        facts = self.data.facts
        d = SdqDialog(self, self.ctx.today(), self.lang(), facts.birth_date, facts.age_or_year)
        self.run_dialog(d, save_sdq, lambda: d.values())

    # --- navigation ------------------------------------------------------------------

    def _open_meeting_of_item(self, item_id: str) -> None:
        entry = self.timeline.source.object_of(item_id)
        if entry is not None:
            self.ctx.navigate("meeting", entry.meeting_id)

    def _open_meeting_of_intervention(self, intervention_id: str) -> None:
        row = self.interventions.source.object_of(intervention_id)
        if row is not None and row.meeting_id:
            self.ctx.navigate("meeting", row.meeting_id)


def cap_widths(table: IdTable, widest: int = 320) -> None:
    """After each reload, keep long texts (scope, goals) from widening a column past ``widest``."""

    def cap() -> None:
        for column in range(table.source.columnCount()):
            if table.columnWidth(column) > widest:
                table.setColumnWidth(column, widest)

    # Connected after the table's own resize-to-contents, so it runs after it.
    table.source.modelReset.connect(cap)
