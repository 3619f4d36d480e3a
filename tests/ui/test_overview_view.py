"""The Overview page: the demo's counts, Enter on a line, empty sections, the lock."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import (
    agenda_service,
    agreements_service,
    cases_service,
    minutes_service,
    retention_service,
)
from app.services.calendar_service import CalendarService
from app.store.vault import Vault
from tests.ui.conftest import TODAY, MakeWindow, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.erasure_dialog import ErasureDialog
from ui.views.overview_view import OverviewView, Section


def overview(window: MainWindow) -> OverviewView:
    view = window.views["overview"]
    assert isinstance(view, OverviewView)
    return view


def shown_ids(section: Section) -> list[str]:
    return section.model.ids()


def spy_open(window: MainWindow, page: str) -> list[str | None]:
    """Record the refs a page is opened with (and still open it)."""
    opened: list[str | None] = []
    view = window.views[page]
    original = view.open

    def record(ref: str | None) -> None:
        opened.append(ref)
        original(ref)

    view.open = record  # type: ignore[method-assign]
    return opened


def press_enter_on(qtbot: QtBot, section: Section, record_id: str) -> None:
    section.table.setFocus()
    assert section.table.select_id(record_id)
    qtbot.keyClick(section.table, Qt.Key.Key_Return)


def test_the_demo_overview_shows_what_the_services_say(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    window = demo_window
    view = overview(window)
    assert window.current_view() is view

    def expected(vault: Vault) -> dict[str, object]:
        week = CalendarService(vault).between(TODAY, TODAY + timedelta(days=6))
        return {
            "today": [m.id for m in week if m.start.date() == TODAY],
            "week": [m.id for m in week if m.start.date() != TODAY],
            "overdue": [a.id for a in agreements_service.overdue(vault, TODAY)],
            "due": [a.id for a in agreements_service.due_within(vault, TODAY, 7)],
            "consents": [c.id for _k, c in cases_service.expiring_consents(vault, TODAY, 30)],
            "failing": [
                i.id
                for _m, i in agenda_service.failing_items(vault, TODAY, TODAY + timedelta(days=42))
            ],
            "evaluations": [i.id for i in agreements_service.due_for_evaluation(vault, TODAY)],
            "erasure": retention_service.due_count(vault, TODAY),
        }

    want = window.session.executor.call(expected, vault_of(window))

    assert shown_ids(view.today_section) == want["today"]
    assert shown_ids(view.week_section) == want["week"]
    assert shown_ids(view.overdue_section) == want["overdue"]
    assert shown_ids(view.due_section) == want["due"]
    assert shown_ids(view.consent_section) == want["consents"]
    assert shown_ids(view.failing_section) == want["failing"]
    assert shown_ids(view.evaluation_section) == want["evaluations"]
    overdue = len(want["overdue"])  # type: ignore[arg-type]
    assert view.overdue_section.heading.text() == f"&Overdue agreements ({overdue})"
    assert "Week 48" in view.week_section.heading.text()
    assert "Week 48" in view.date_label.text()
    # Sections with nothing say so quietly; those with lines show a table.
    assert view.evaluation_section.nothing.isVisible() == (not want["evaluations"])
    assert view.cadence_section.nothing.isVisible()
    assert not view.cadence_section.table.isVisible()
    assert view.overdue_section.table.isVisible()
    assert not view.overdue_section.nothing.isVisible()
    assert str(want["erasure"]) in view.erasure_button.text()
    for section in view.sections:
        qtmodeltester.check(section.model)  # type: ignore[attr-defined]


def test_a_planted_overdue_agreement_appears_and_leads_to_its_case(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    window = demo_window
    view = overview(window)

    def plant(vault: Vault) -> tuple[str, str]:
        for meeting in CalendarService(vault).between(TODAY, TODAY):
            for item in agenda_service.agenda(vault, meeting.id).items:
                if item.case_id:
                    agreement_id, _c = minutes_service.add_agreement(
                        vault, item.id, "Ring the parents", deadline=TODAY - timedelta(days=2)
                    )
                    return agreement_id, item.case_id
        raise AssertionError("no child on today's agenda")

    agreement_id, case_id = window.session.executor.call(plant, vault_of(window))
    view.reload()
    wait_idle(qtbot, window)

    assert agreement_id in shown_ids(view.overdue_section)
    row = view.overdue_section.model.row_of(agreement_id)
    index = view.overdue_section.model.index(row, 0)
    assert view.overdue_section.model.data(index) == "21 Nov 2026 (2 days late)"
    assert view.overdue_section.model.data(index.siblingAtColumn(2)) == "Ring the parents"

    cases_opened = spy_open(window, "cases")
    press_enter_on(qtbot, view.overdue_section, agreement_id)
    wait_idle(qtbot, window)

    agreements = window.views["agreements"]
    assert window.current_view() is agreements
    assert agreements.selection() == agreement_id
    qtbot.keyClick(agreements.table, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    wait_idle(qtbot, window)

    assert window.current_view() is window.views["cases"]
    assert cases_opened == [case_id]

    # Done elsewhere while the Overview is hidden: gone when it shows again.
    window.session.run(agreements_service.set_status, agreement_id, "done")
    wait_idle(qtbot, window)
    window.navigate("overview")
    wait_idle(qtbot, window)
    assert agreement_id not in shown_ids(view.overdue_section)


def test_tab_and_enter_open_meetings_and_cases_and_a_lock_clears(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    window = demo_window
    view = overview(window)
    view.today_section.table.setFocus()
    qtbot.waitUntil(view.today_section.table.hasFocus)
    qtbot.keyClick(view.today_section.table, Qt.Key.Key_Tab)
    assert view.week_section.table.hasFocus()
    # Tabbing in makes the first line current, so Enter opens it at once.
    assert view.week_section.table.selected_id() == shown_ids(view.week_section)[0]

    meetings = spy_open(window, "meeting")
    cases = spy_open(window, "cases")

    first_meeting = shown_ids(view.today_section)[0]
    press_enter_on(qtbot, view.today_section, first_meeting)
    assert window.pages.currentWidget() is window.views["meeting"]
    assert meetings == [first_meeting]

    window.navigate("overview")
    wait_idle(qtbot, window)
    consent = view.consent_section.model.row_object(0)
    press_enter_on(qtbot, view.consent_section, consent.id)
    assert window.current_view() is window.views["cases"]
    assert cases == [consent.case_id]

    window.navigate("overview")
    wait_idle(qtbot, window)
    failing = view.failing_section.model.row_object(0)
    press_enter_on(qtbot, view.failing_section, failing.id)
    assert meetings[-1] == failing.meeting_id

    window.navigate("overview")
    wait_idle(qtbot, window)
    view.erasure_button.click()
    assert isinstance(view.erasure_dialog, ErasureDialog) and view.erasure_dialog.isVisible()
    wait_idle(qtbot, window)
    view.erasure_dialog.reject()

    window.lock()
    assert all(not section.model.ids() for section in view.sections)
    unlock(qtbot, window)
    assert window.current_view() is view
    assert shown_ids(view.overdue_section)


def test_an_empty_vault_says_nothing_everywhere(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = overview(window)

    for section in view.sections:
        assert section.nothing.isVisible(), section.heading.text()
        assert not section.table.isVisible()
        assert section.nothing.text() == "Nothing"
    assert view.erasure_nothing.isVisible()
