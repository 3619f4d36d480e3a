"""The advisor's whole journey, driven through the widgets of the main window.

Issue 6 ("Done when") and the plaintext leak scan of issue 9 both need one
run through the product as an advisor makes it: first run → create the vault
→ a site and a contact → a meeting series → open a meeting → an anonymous and
a named case with consent → both on the agenda → the agenda PDF → minutes
typed (autosaved) → an agreement with a deadline → approval → the Overview.

Everything is done the way a person does it: clicks on buttons, navigation
items, tabs, table rows and calendar blocks; text typed with
``qtbot.keyClicks`` into the real fields; dialogs are found as the app opens
them (a visible top-level window of the expected class). No service is called
to change anything; the vault is only *read*, after :func:`wait_idle`, for a
caller's assertions (see :meth:`Journey.on_vault`).

The one exception is the operating system's file chooser, which a test
cannot drive: :meth:`Journey.save_agenda_pdf` replaces
``ui.widgets.file_dialogs.ask_save_path`` (and ``ask_directory`` for the
per-child folder) with functions that answer with a path under the
journey's export folder.

Each step is a method, so a test can assert what the advisor sees after each
milestone; :meth:`Journey.run` runs them all. The strings typed come from a
:class:`Plan`, so the leak scan can plant unusual ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.helpers.vaults import open_directory
from tests.ui.conftest import TODAY, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.preferences import Preferences
from ui.views import sites_view
from ui.views.agenda_item_dialog import CaseItemDialog
from ui.views.agreement_dialog import AgreementDialog
from ui.views.approve_dialog import ApproveDialog
from ui.views.base_view import View
from ui.views.calendar_view import CalendarView
from ui.views.cases_view import CasesView
from ui.views.consent_dialog import ConsentDialog
from ui.views.meeting_view import MINUTES_TAB, MeetingView
from ui.views.new_case_dialog import GuardianDialog, MakeNamedDialog, NewCaseDialog
from ui.views.overview_view import OverviewView
from ui.views.series_dialog import SeriesDialog
from ui.views.sites_view import SitesView
from ui.widgets import file_dialogs

D = TypeVar("D", bound=QWidget)
V = TypeVar("V", bound=View)

#: How long one step may wait for the database thread or a dialog (a loaded CI machine).
WAIT_MS = 15_000


@dataclass(frozen=True)
class Plan:
    """What the advisor types along the way (the leak scan plants unusual strings)."""

    passphrase: str = "journey passphrase 2026"
    country: str = "DK"
    language: str = "en"
    site_name: str = "Solsikken"
    contact_name: str = "Hanne Leder"
    contact_role: str = "Leader"
    forum: str = "Day-care consultation"
    anonymous_first_name: str = "Pusling"
    anonymous_age: str = "3 år"
    anonymous_concern: str = "Sover dårligt."
    child_first_name: str = "Freja"
    child_age: str = "5 år"
    child_surname: str = "Testesen"
    child_birth_date: date = date(2021, 3, 14)
    concern: str = "Trækker sig fra legen."
    guardian_name: str = "Karen Testesen"
    guardian_relation: str = "mor"
    consent_purpose: str = "Samarbejde med dagtilbuddet"
    minutes_text: str = "Mor fortæller om bedre søvn."
    agreement_text: str = "Ring til forældrene"
    deadline_days: int = 3  # from today: inside the Overview's "due within 7 days"
    approver: str = "Distriktsrådgiver"
    meetings_in_series: int = 3


@dataclass
class Journey:
    """Drives one main window through the journey; remembers what it made."""

    qtbot: QtBot
    window: MainWindow
    export_dir: Path  # where the PDFs the advisor saves on purpose go
    monkeypatch: pytest.MonkeyPatch
    plan: Plan = field(default_factory=Plan)
    today: date = TODAY

    recovery_code_shown: str = ""
    site_id: str = ""
    contact_id: str = ""
    meeting_id: str = ""
    anonymous_case_id: str = ""
    named_case_id: str = ""
    anonymous_item_id: str = ""
    named_item_id: str = ""
    agenda_pdf: Path | None = None
    per_child_pdfs: list[Path] = field(default_factory=list)
    saved_asked: list[str] = field(default_factory=list)

    # --- the whole journey ------------------------------------------------------

    def run(self, *, per_child: bool = True) -> Journey:
        """Every step in order."""
        self.first_run()
        self.add_site_and_contact()
        self.create_series()
        self.open_meeting()
        self.add_cases()
        self.put_cases_on_agenda()
        self.save_agenda_pdf(per_child=per_child)
        self.type_minutes()
        self.add_agreement()
        self.approve()
        self.open_overview()
        return self

    # --- steps --------------------------------------------------------------------

    def first_run(self) -> None:
        """Empty folder → first-run page → passphrase twice, country, language → code → go."""
        window, plan = self.window, self.plan
        unlock = window.unlock_view
        assert window.outer.currentWidget() is unlock
        assert unlock.pages.currentWidget() is unlock.create_page
        # The language first: choosing another one rebuilds every widget.
        unlock.language.setCurrentIndex(unlock.language.findData(plan.language))
        unlock = window.unlock_view
        unlock.country.setCurrentIndex(unlock.country.findData(plan.country))
        self.qtbot.keyClicks(unlock.new_passphrase, plan.passphrase)
        self.qtbot.keyClicks(unlock.new_passphrase_again, plan.passphrase)
        self.click(unlock.create_button)
        self.wait_for(lambda: unlock.pages.currentWidget() is unlock.code_page)
        self.recovery_code_shown = unlock.code_label.text()
        assert not unlock.continue_button.isEnabled()  # not before "I have stored it"
        self.click(unlock.stored_check)
        self.click(unlock.continue_button)
        self.wait_for(
            lambda: window.session.is_unlocked and window.outer.currentWidget() is window.workspace
        )
        self.idle()

    def add_site_and_contact(self) -> None:
        """Sites & people: a site, then a person working there."""
        plan = self.plan
        view = self.goto("sites", SitesView)
        assert view.tabs.currentWidget() is view.sites
        self.click(view.add_button)
        dialog = self.dialog(sites_view.FormDialog)
        self.qtbot.keyClicks(self.form_field(dialog.form, 0, QLineEdit), plan.site_name)
        self.ok(dialog)
        self.wait_for(lambda: view.sites.source.rowCount() == 1)
        self.site_id = view.sites.source.ids()[0]

        self.click_tab(view.tabs, view.tabs.indexOf(view.contacts))
        self.click(view.add_button)
        dialog = self.dialog(sites_view.FormDialog)
        self.qtbot.keyClicks(self.form_field(dialog.form, 0, QLineEdit), plan.contact_name)
        role = self.form_field(dialog.form, 1)
        role.setCurrentIndex(role.findText(plan.contact_role))  # type: ignore[attr-defined]
        site = self.form_field(dialog.form, 2)
        site.setCurrentIndex(site.findData(self.site_id))  # type: ignore[attr-defined]
        assert role.currentIndex() > 0 and site.currentIndex() > 0  # type: ignore[attr-defined]
        self.ok(dialog)
        self.wait_for(lambda: view.contacts.source.rowCount() == 1)
        self.contact_id = view.contacts.source.ids()[0]

    def create_series(self) -> None:
        """Calendar: a series whose first meeting is today (approval needs no future date)."""
        plan = self.plan
        view = self.goto("calendar", CalendarView)
        self.click(view.series_button)
        dialog = self.dialog(SeriesDialog)
        dialog.forum.setCurrentIndex(dialog.forum.findText(plan.forum))
        assert dialog.forum.currentText() == plan.forum
        dialog.site.setCurrentIndex(dialog.site.findData(self.site_id))
        dialog.first.setDate(qdate(self.today))
        dialog.weekday.setCurrentIndex(self.today.weekday())  # after the forum's defaults
        self.click(dialog.count_radio)
        dialog.count.setValue(plan.meetings_in_series)
        assert dialog.ok.isEnabled(), dialog.preview.text()
        self.click(dialog.ok)
        self.wait_closed(dialog)
        self.wait_for(lambda: any(i.day == self.today for i in view.week_grid.items()))

    def open_meeting(self) -> MeetingView:
        """Calendar: click today's meeting, then Open."""
        view = self.goto("calendar", CalendarView)
        self.wait_for(lambda: any(i.day == self.today for i in view.week_grid.items()))
        item = next(i for i in view.week_grid.items() if i.day == self.today)
        block = view.week_grid.block(item.id)
        assert block is not None
        self.qtbot.mouseClick(block, Qt.MouseButton.LeftButton)
        assert view.selection() == item.id
        self.click(view.open_button)
        page = self.window.views["meeting"]
        assert isinstance(page, MeetingView)
        self.wait_for(lambda: page.data is not None and page.data.meeting_id == item.id)
        self.idle()
        assert self.window.current_view() is page
        self.meeting_id = item.id
        return page

    def add_cases(self) -> None:
        """Cases: an anonymous case; a second case named on its page after guardian and consent."""
        plan = self.plan
        view = self.goto("cases", CasesView)

        self.anonymous_case_id = self._new_case(
            view, plan.anonymous_first_name, plan.anonymous_age, plan.anonymous_concern
        )
        self.named_case_id = self._new_case(
            view, plan.child_first_name, plan.child_age, plan.concern
        )

        # Its page (Open case), then guardian, consent and the name.
        self.click(view.open_button)
        page = view.page
        case_id = self.named_case_id
        self.wait_for(lambda: page.data is not None and page.data.case.id == case_id)

        self.click(page.add_guardian_button)
        guardian = self.dialog(GuardianDialog)
        self.qtbot.keyClicks(guardian.name, plan.guardian_name)
        self.qtbot.keyClicks(guardian.relation, plan.guardian_relation)
        self.ok(guardian)
        self.wait_closed(guardian)
        self.wait_for(lambda: page.guardians.source.rowCount() == 1)

        self.click_tab(page.tabs, 1)  # Consent
        self.click(page.add_consent_button)
        consent = self.dialog(ConsentDialog)
        assert consent.given_by.item(0).checkState() == Qt.CheckState.Checked  # has custody
        scope = consent.fields.scope
        for row in range(scope.count()):  # every role: the meeting's roles are covered
            scope.item(row).setCheckState(Qt.CheckState.Checked)
        self.qtbot.keyClicks(consent.fields.purpose, plan.consent_purpose)
        self.ok(consent)
        self.wait_closed(consent)
        self.wait_for(lambda: page.consents.source.rowCount() == 1)

        self.click(page.named_button)
        naming = self.dialog(MakeNamedDialog)
        self.qtbot.keyClicks(naming.surname, plan.child_surname)
        naming.birth_date.setDate(qdate(plan.child_birth_date))
        self.ok(naming)
        self.wait_closed(naming)
        self.wait_for(lambda: page.data is not None and page.data.named)

        self.click(page.back_button)

        def listed_as_named() -> bool:
            line = view.table.source.object_of(case_id)
            return not view.page_shown() and line is not None and line.named

        self.wait_for(listed_as_named)
        self.idle()

    def _new_case(self, view: CasesView, first_name: str, age: str, concern: str) -> str:
        before = set(view.table.source.ids())
        self.click(view.new_button)
        dialog = self.dialog(NewCaseDialog)
        assert dialog.anonymous.isChecked()
        self.qtbot.keyClicks(dialog.first_name, first_name)
        self.qtbot.keyClicks(dialog.age_or_year, age)
        dialog.site.setCurrentIndex(dialog.site.findData(self.site_id))
        self.qtbot.keyClicks(dialog.concern, concern)
        self.ok(dialog)
        self.wait_closed(dialog)
        self.wait_for(lambda: len(set(view.table.source.ids()) - before) == 1)
        (case_id,) = set(view.table.source.ids()) - before
        self.wait_for(lambda: view.table.selected_id() == case_id)
        return case_id

    def put_cases_on_agenda(self) -> MeetingView:
        """Meeting page (via the calendar): both cases through the "Add case item" dialog."""
        page = self.open_meeting()
        agenda = page.agenda
        for case_id, first_name in (
            (self.anonymous_case_id, self.plan.anonymous_first_name),
            (self.named_case_id, self.plan.child_first_name),
        ):
            self.click(agenda.add_case_button)
            dialog = self.dialog(CaseItemDialog)
            self.qtbot.keyClicks(dialog.filter, first_name)  # typing chooses "existing"
            assert dialog.existing.isChecked()
            assert dialog.table.proxy.rowCount() == 1
            self.click_row(dialog.table, 0)
            assert dialog.chosen_case() == case_id
            self.ok(dialog)
            self.wait_closed(dialog)
            self.wait_for(lambda cid=case_id: self._item_of(page, cid) is not None)  # type: ignore[misc]
        anonymous = self._item_of(page, self.anonymous_case_id)
        named = self._item_of(page, self.named_case_id)
        assert anonymous is not None and named is not None
        self.anonymous_item_id, self.named_item_id = anonymous, named
        return page

    @staticmethod
    def _item_of(page: MeetingView, case_id: str) -> str | None:
        model = page.agenda.model
        for item_id in model.ids():
            item = model.object_of(item_id)
            if item is not None and item.case_id == case_id:
                return item_id
        return None

    def save_agenda_pdf(self, *, per_child: bool = True) -> None:
        """The agenda as PDF (and, with ``per_child``, one agenda per named child)."""
        page = self.meeting_page()
        self.export_dir.mkdir(parents=True, exist_ok=True)
        children = self.export_dir / "per-child"

        # The operating system's file chooser cannot be driven from a test: answer
        # for it with a file in the export folder (named as the app suggested).
        def ask_save_path(_parent: object, _title: str, suggested: str, _filters: str) -> Path:
            self.saved_asked.append(suggested)
            return self.export_dir / suggested

        def ask_directory(_parent: object, _title: str) -> Path:
            children.mkdir(exist_ok=True)
            return children

        self.monkeypatch.setattr(file_dialogs, "ask_save_path", ask_save_path)
        self.monkeypatch.setattr(file_dialogs, "ask_directory", ask_directory)

        self.click(page.agenda.print_button)
        self.wait_for(lambda: bool(self.saved_asked))
        target = self.export_dir / self.saved_asked[-1]
        self.wait_for(target.exists)
        self.idle()
        self.agenda_pdf = target
        if per_child:
            assert page.agenda.per_child_button.isEnabled()
            self.click(page.agenda.per_child_button)
            self.wait_for(lambda: children.is_dir() and any(children.iterdir()))
            self.idle()
            self.per_child_pdfs = sorted(children.iterdir())

    def type_minutes(self) -> None:
        """Minutes tab: choose the named child's item and type (no save button)."""
        page = self.meeting_page()
        self.click_tab(page.tabs, MINUTES_TAB)
        editor = page.minutes
        model = editor.items_model
        self.wait_for(lambda: self.named_item_id in model.ids())
        index = model.index(model.row_of(self.named_item_id), 1)
        rect = editor.items.visualRect(index)
        self.qtbot.mouseClick(editor.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.wait_for(lambda: editor.item_id == self.named_item_id)
        field = editor.fields["knowledge"]
        self.wait_for(lambda: not field.isReadOnly())  # the minutes were started
        self.qtbot.keyClicks(field, self.plan.minutes_text)
        self.wait_for(lambda: editor.indicator.text() == "Saved")
        self.idle()

    def add_agreement(self) -> None:
        """Minutes tab: an agreement with an owner and a deadline a few days ahead."""
        plan = self.plan
        editor = self.meeting_page().minutes
        self.click(editor.add_agreement_button)
        dialog = self.dialog(AgreementDialog)
        self.qtbot.keyClicks(dialog.what, plan.agreement_text)
        dialog.owner.setCurrentIndex(dialog.owner.findData(self.contact_id))
        assert dialog.has_deadline.isChecked()
        dialog.deadline.setDate(qdate(self.deadline))
        self.ok(dialog)
        self.wait_closed(dialog)
        self.wait_for(lambda: editor.agreements_model.rowCount() == 1)

    @property
    def deadline(self) -> date:
        """The agreement's deadline."""
        return self.today + timedelta(days=self.plan.deadline_days)

    def approve(self) -> None:
        """Approve the minutes: who approves; the page then shows the approved badge."""
        page = self.meeting_page()
        self.click(page.minutes.approve_button)
        dialog = self.dialog(ApproveDialog)
        assert not dialog.ok_button.isEnabled()  # not before someone is named
        self.qtbot.keyClicks(dialog.by, self.plan.approver)
        self.ok(dialog)
        self.wait_closed(dialog)
        self.wait_for(lambda: page.badge.isVisible())
        self.idle()

    def open_overview(self) -> OverviewView:
        """The Overview, with its lines read again."""
        view = self.goto("overview", OverviewView)
        self.wait_for(lambda: view.overview is not None)
        return view

    # --- reading (assertions only) ----------------------------------------------------

    def on_vault(self, fn: Callable[..., Any], *args: object) -> Any:
        """``fn(vault, *args)`` on the database thread, once every operation has finished."""
        self.idle()
        return self.window.session.executor.call(fn, vault_of(self.window), *args)

    def meeting_page(self) -> MeetingView:
        """The Meeting page, which must be the page shown."""
        page = self.window.views["meeting"]
        assert isinstance(page, MeetingView)
        assert self.window.current_view() is page
        return page

    # --- driving helpers --------------------------------------------------------------

    def idle(self) -> None:
        """Wait until every database operation has delivered its result."""
        wait_idle(self.qtbot, self.window, timeout=WAIT_MS)

    def wait_for(self, condition: Callable[[], object]) -> None:
        """Wait until ``condition()`` is true (events keep flowing meanwhile)."""
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=WAIT_MS)

    def click(self, widget: QWidget) -> None:
        """A left click on a widget the advisor can see and use."""
        assert widget.isVisible(), f"{widget!r} is not shown"
        assert widget.isEnabled(), f"{widget!r} is disabled"
        if isinstance(widget, QAbstractButton):
            assert widget.text() or widget.accessibleName(), "a button without a name"
        if isinstance(widget, (QCheckBox, QRadioButton)):
            # On the box itself: a wide check box ignores clicks right of its text.
            where = QPoint(min(8, widget.width() // 2), widget.height() // 2)
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=where)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def click_tab(self, tabs: QTabWidget, index: int) -> None:
        """Click a tab's label in the tab bar."""
        bar = tabs.tabBar()
        assert bar.isTabEnabled(index) and bar.isTabVisible(index)
        self.qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        assert tabs.currentIndex() == index

    def click_row(self, table: Any, row: int) -> None:
        """Click the first cell of a table row (as sorted and filtered on screen)."""
        rect = table.visualRect(table.model().index(row, 0))
        point = QPoint(rect.left() + 4, rect.center().y())
        self.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)

    def goto(self, name: str, kind: type[V]) -> V:
        """Click the page's entry in the navigation list."""
        nav = self.window.nav
        rows = [r for r in range(nav.count()) if nav.item(r).data(Qt.ItemDataRole.UserRole) == name]
        assert rows, f"no navigation entry for {name}"
        item = nav.item(rows[0])
        rect = nav.visualItemRect(item)
        self.qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        view = self.window.views[name]
        assert isinstance(view, kind)
        self.wait_for(lambda: self.window.current_view() is view)
        self.idle()
        return view

    def dialog(self, kind: type[D]) -> D:
        """The one visible window of class ``kind`` the app has just opened."""
        found: list[D] = []

        def shown() -> bool:
            found[:] = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, kind) and shiboken6.isValid(w) and w.isVisible()
            ]
            return len(found) == 1

        self.qtbot.waitUntil(shown, timeout=WAIT_MS)
        dialog = found[0]
        assert dialog.windowTitle(), "a dialog without a title"
        return dialog

    def ok(self, dialog: QWidget) -> None:
        """Click the dialog's OK (or Create, Approve…) button."""
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        button = box.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        self.click(button)

    def wait_closed(self, dialog: QWidget) -> None:
        """Wait until a dialog is gone (closed, or deleted after closing) and the work is done."""
        self.wait_for(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
        self.idle()
        self.activate()

    def activate(self) -> None:
        """Give the main window the focus back after a dialog, as a window manager does.

        The offscreen platform leaves no window active once a dialog closed,
        and a click focuses (selects) a calendar block only in an active window.
        """
        if not self.window.isActiveWindow():
            with self.qtbot.waitActive(self.window, timeout=WAIT_MS):
                self.window.activateWindow()

    @staticmethod
    def form_field(form: QFormLayout, row: int, kind: type[QWidget] = QWidget) -> Any:
        """The field widget of a form row."""
        item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        widget = item.widget() if item is not None else None
        assert isinstance(widget, kind)
        return widget


def qdate(day: date) -> QDate:
    """A QDate for a date field."""
    return QDate(day.year, day.month, day.day)


@contextmanager
def journey_window(qtbot: QtBot, root: Path, today: date = TODAY) -> Iterator[MainWindow]:
    """A shown main window on the empty folder ``root/vault`` (the first run).

    The preferences file is ``root/config/samraad.ini`` and the demo folder
    ``root/demo``: nothing the window writes lands outside ``root``, except
    where the environment (HOME, XDG_*, TMPDIR) says.
    """
    directory = open_directory(root / "vault")
    window = MainWindow(
        directory,
        preferences=Preferences(root / "config" / "samraad.ini"),
        demo_dir=root / "demo",
        idle_ms=3_600_000,
        today=today,
    )
    qtbot.addWidget(window)
    try:
        with qtbot.waitExposed(window):
            window.show()
        yield window
    finally:
        window.close()
        window.session.directory.release()
