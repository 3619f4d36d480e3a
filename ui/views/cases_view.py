"""The Cases page: the list of children, and one case's page in the same place.

The list is searchable (Ctrl+F), sortable by any column and filtered to
open, closed or all cases; Enter opens the selected case's page, and Back
or Alt+Left returns to the list with the same row selected. Ctrl+N opens a
new case; Ctrl+P on a case page writes its subject-access report.

This view also carries out the commands on a case as a whole (name it,
change its level, close, reopen, report); the page itself edits its
sections (guardians, consents, SDQ).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import case_report, cases_service, sites_service
from app.services.sites_service import Directory
from ui.context import Context
from ui.models import case_detail_models as m
from ui.models.cases_model import (
    SHOW_ALL,
    SHOW_CLOSED,
    SHOW_OPEN,
    CaseLine,
    cases_model,
    load_cases,
    shown,
)
from ui.session import message_of
from ui.views.base_view import View
from ui.views.case_page import CasePage, cap_widths
from ui.views.consent_dialog import day_of, error_colour
from ui.views.new_case_dialog import (
    CaseCreated,
    CloseCaseDialog,
    LevelDialog,
    MakeNamedDialog,
    NewCaseDialog,
    create_case,
)
from ui.widgets import file_dialogs
from ui.widgets.id_table import IdTable
from ui.widgets.progress import run_with_progress


class CasesView(View):
    """The list of cases, and the page of the case opened from it."""

    name = "cases"
    tables = frozenset(
        {
            "cases",
            "guardians",
            "consents",
            "case_levels",
            "sdq_assessments",
            "interventions",
            "agreements",
            "agenda_items",
            "item_minutes",
            "meetings",
            "meeting_minutes",
            "sites",
            "contacts",
            "roles",
        }
    )

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._lines: list[CaseLine] = []
        self._selected: str | None = None
        self._list_stale = True
        self.new_dialog: NewCaseDialog | None = None

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Filter by name, site, relay holder… (Ctrl+F)"))
        self.filter.setAccessibleName(_("Filter the cases"))
        self.filter.setClearButtonEnabled(True)
        self.show_combo = QComboBox(self)
        for text, key in (
            (_("Open cases"), SHOW_OPEN),
            (_("Closed cases"), SHOW_CLOSED),
            (_("All cases"), SHOW_ALL),
        ):
            self.show_combo.addItem(text, key)
        show_label = QLabel(_("Sho&w:"), self)
        show_label.setBuddy(self.show_combo)
        self.new_button = QPushButton(_("&New case…"), self)
        self.new_button.setToolTip("Ctrl+N")
        self.new_button.clicked.connect(self.new)
        self.open_button = QPushButton(_("&Open case"), self)
        self.open_button.setToolTip(_("Enter"))
        self.open_button.clicked.connect(self._open_selected)
        self.table = IdTable(cases_model(error_colour(self)), self)
        self.table.setAccessibleName(_("Cases"))
        self.table.setTabKeyNavigation(False)
        self.table.proxy.setSortLocaleAware(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        cap_widths(self.table)
        self.count = QLabel(self)
        self.filter.textChanged.connect(self.table.set_filter)
        self.filter.textChanged.connect(lambda _t: self._count())
        self.filter.returnPressed.connect(self.table.setFocus)
        self.show_combo.currentIndexChanged.connect(lambda _i: self._apply())
        self.table.activated_id.connect(self.open)
        self.table.selected_id_changed.connect(self._selection_changed)

        list_page = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<h2>{self.title()}</h2>", list_page))
        top.addStretch(1)
        top.addWidget(self.filter, 2)
        top.addWidget(show_label)
        top.addWidget(self.show_combo)
        top.addWidget(self.new_button)
        top.addWidget(self.open_button)
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(top)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.count)

        self.page = CasePage(ctx, self)
        self.page.back_requested.connect(self.show_list)
        self.page.named_button.clicked.connect(self.make_named)
        self.page.level_button.clicked.connect(self.change_level)
        self.page.close_button.clicked.connect(self.close_case)
        self.page.reopen_button.clicked.connect(self.reopen_case)
        self.page.report_button.clicked.connect(self.write_report)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self._enable()

    def title(self) -> str:
        """The page title."""
        return _("Cases")

    # --- the list ---------------------------------------------------------------------

    def page_shown(self) -> bool:
        """Whether a case's page (not the list) is shown."""
        return self.stack.currentWidget() is self.page

    def reload(self) -> None:
        """Read the list (now, or when it is next shown) and the open case."""
        if self.page_shown():
            self._list_stale = True
            self.page.refresh()
            return
        self._list_stale = False
        self.session.run(load_cases, self.ctx.today(), done=self._listed)

    def _listed(self, lines: list[CaseLine]) -> None:
        self._lines = lines
        self._apply()

    def _apply(self) -> None:
        which = str(self.show_combo.currentData())
        self.table.source.set_rows(shown(self._lines, which))
        self.table.select_id(self._selected)
        self._count()
        self._enable()

    def _count(self) -> None:
        n = self.table.proxy.rowCount()
        self.count.setText(ngettext("{n} case", "{n} cases", n).format(n=n))

    def _selection_changed(self, case_id: str | None) -> None:
        if case_id is not None:
            self._selected = case_id
        self._enable()

    def _enable(self) -> None:
        self.open_button.setEnabled(self.table.selected_id() is not None)

    def _open_selected(self) -> None:
        case_id = self.table.selected_id()
        if case_id is not None:
            self.open(case_id)

    def show_list(self) -> None:
        """Back from a case's page to the list, the same case selected."""
        self.stack.setCurrentIndex(0)
        if self._list_stale and self.session.is_unlocked:
            self.reload()
        self.table.select_id(self._selected)
        self.table.setFocus()

    # --- View contract -------------------------------------------------------------------

    def open(self, ref: str | None) -> None:
        """Show the page of case ``ref``; None shows the list."""
        if ref is None:
            self.show_list()
            return
        self._selected = ref
        self.stack.setCurrentWidget(self.page)
        self.page.show_case(ref)
        self.page.focus_section()

    def clear(self) -> None:
        """Forget every row and the open case (locked)."""
        self._lines = []
        self.table.source.clear()
        self.page.clear()
        self.page.case_id = None
        self.stack.setCurrentIndex(0)
        self._list_stale = True
        self._count()

    def selection(self) -> str | None:
        """The open case, to show again after unlocking (the list keeps its own row)."""
        return self.page.case_id if self.page_shown() else None

    def focus_filter(self) -> None:
        """Ctrl+F: the list's filter."""
        if self.page_shown():
            self.show_list()
        self.filter.setFocus()
        self.filter.selectAll()

    def print_(self) -> None:
        """Ctrl+P on a case's page: the subject-access report."""
        if self.page_shown():
            self.write_report()

    # --- new case -----------------------------------------------------------------------

    def new(self) -> None:
        """Ctrl+N: the new-case dialog (once the sites and people are read)."""
        self.session.run(sites_service.directory, done=self._open_new_dialog)

    def _open_new_dialog(self, directory: Directory) -> None:
        dialog = NewCaseDialog(
            self,
            self.ctx.today(),
            self.ctx.language(),
            [(s.id, s.name) for s in sorted(directory.sites, key=lambda s: s.name.casefold())],
            m.person_choices_of(directory.contacts),
            list(directory.roles),
        )
        self.new_dialog = dialog

        def created(result: CaseCreated) -> None:
            dialog.finish()
            self._selected = result.record_id
            if self.page_shown():
                self.show_list()
            self.table.select_id(result.record_id)
            self.ctx.notify(_("The case was opened."))
            if result.problem:
                self.session.failed.emit(result.problem)

        dialog.submitted.connect(
            lambda: self.session.run(
                create_case,
                dialog.request(),
                self.ctx.today(),
                done=created,
                failed=lambda error: dialog.fail(message_of(error)),
            )
        )
        dialog.open()

    # --- commands on the open case --------------------------------------------------------

    def make_named(self) -> None:
        """Name the child (the service checks the consent)."""
        data = self.page.data
        if data is None:
            return
        today = self.ctx.today()
        d = MakeNamedDialog(self.page, today, self.ctx.language(), data.facts.first_name)
        self.page.run_dialog(
            d,
            cases_service.make_named,
            lambda: d.surname.text().strip(),
            lambda: day_of(d.birth_date),
            today,
        )

    def change_level(self) -> None:
        """Change the level and the relay holder."""
        data = self.page.data
        if data is None:
            return
        d = LevelDialog(
            self.page,
            self.ctx.today(),
            self.ctx.language(),
            data.case.level,
            data.case.relay_holder_id,
            m.person_choices(data),
        )
        self.page.run_dialog(
            d,
            cases_service.set_level,
            lambda: int(d.level.currentData()),
            lambda: day_of(d.on),
            lambda: d.relay.currentData(),
        )

    def close_case(self) -> None:
        """Close the case with a date and a reason."""
        data = self.page.data
        if data is None:
            return
        opened = date.fromisoformat(data.case.opened_on)
        d = CloseCaseDialog(self.page, self.ctx.today(), self.ctx.language(), opened)
        self.page.run_dialog(
            d, cases_service.close_case, lambda: day_of(d.on), lambda: str(d.reason.currentData())
        )

    def reopen_case(self) -> None:
        """Reopen a closed case (refused once its retention period is over)."""
        if self.page.case_id is not None:
            self.session.run(cases_service.reopen_case, self.page.case_id, self.ctx.today())

    def write_report(self) -> None:
        """The subject-access report: a PDF where the advisor chooses, the JSON beside it."""
        case_id = self.page.case_id
        if case_id is None:
            return
        path = file_dialogs.ask_save_path(
            self,
            _("Save the subject-access report (PDF and JSON)"),
            _("subject-access-report") + ".pdf",
            _("PDF files (*.pdf)"),
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        json_path = path.with_suffix(".json")
        run_with_progress(
            self,
            self.session,
            _("Writing the subject-access report…"),
            case_report.write,
            case_id,
            path,
            json_path,
            self.ctx.today(),
            done=lambda _files: self.ctx.notify(
                _("Saved {pdf} and {json}. They are not encrypted: keep them safe.").format(
                    pdf=path.name, json=json_path.name
                )
            ),
        )
