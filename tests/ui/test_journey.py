"""Issue 6, "Done when": the whole journey through the widgets, milestone by milestone.

First run → vault → site and contact → series → a meeting → an anonymous and
a named case with consent → both on the agenda → agenda PDF → minutes typed
(autosaved) → agreement with a deadline → approval → the Overview lists the
agreement as due. The driver (``tests/ui/journey.py``) clicks and types; this
test checks what the advisor sees after each step, and that the vault holds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.services import agenda_service, cases_service, minutes_service, sites_service
from tests.ui.conftest import TODAY, MakeWindow
from tests.ui.journey import Journey
from ui.formatting import day_text
from ui.views.meeting_view import AGENDA_TAB, MINUTES_TAB


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_the_advisor_journey_from_first_run_to_the_overview(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()  # an empty folder: the first-run page
    journey = Journey(qtbot, window, tmp_path / "exports", monkeypatch)
    plan = journey.plan

    # First run: create the vault, see the recovery code once, then the Overview.
    journey.first_run()
    assert len(journey.recovery_code_shown) >= 20
    assert window.unlock_view.code_label.text() == ""  # the code is not kept on screen
    assert window.current_view() is window.views["overview"]
    assert window.saved_label.text() == "All changes saved"
    assert journey.on_vault(lambda v: v.country) == "DK"

    # Sites & people: one site and one person, as rows of the tables.
    journey.add_site_and_contact()
    sites = window.views["sites"]
    assert sites.sites.source.row_object(0).name == plan.site_name  # type: ignore[attr-defined]
    person = sites.contacts.source.row_object(0)  # type: ignore[attr-defined]
    assert (person.name, person.site) == (plan.contact_name, plan.site_name)
    stored = journey.on_vault(sites_service.directory)
    assert [s.name for s in stored.sites] == [plan.site_name]
    assert [c.name for c in stored.contacts] == [plan.contact_name]

    # Calendar: the series' first meeting is today, in this week's grid.
    journey.create_series()
    calendar = window.views["calendar"]
    today_items = [i for i in calendar.week_grid.items() if i.day == TODAY]  # type: ignore[attr-defined]
    assert len(today_items) == 1
    block = calendar.week_grid.block(today_items[0].id)  # type: ignore[attr-defined]
    assert block is not None and block.isVisible()
    assert plan.forum in block.accessibleName()

    # The meeting page: heading, date line and an empty agenda.
    page = journey.open_meeting()
    assert plan.site_name in page.heading.text()
    assert "Planned" in page.when.text()
    assert page.tabs.currentIndex() == AGENDA_TAB
    assert page.agenda.model.rowCount() == 0

    # Cases: one anonymous, one named with guardian and a consent valid today.
    journey.add_cases()
    cases = window.views["cases"]
    lines = {i: cases.table.source.object_of(i) for i in cases.table.source.ids()}  # type: ignore[attr-defined]
    named_line = lines[journey.named_case_id]
    anonymous_line = lines[journey.anonymous_case_id]
    assert named_line.named and plan.child_surname in named_line.label
    assert named_line.consent_ok
    assert not anonymous_line.named
    assert anonymous_line.label.startswith(plan.anonymous_first_name)
    summaries = {s.row.id: s for s in journey.on_vault(cases_service.list_cases, TODAY)}
    assert summaries[journey.named_case_id].row.kind == "named"
    assert summaries[journey.named_case_id].consent_valid_today
    assert summaries[journey.anonymous_case_id].row.kind == "anonymous"

    # Both on the agenda; the named child's consent covers this meeting.
    page = journey.put_cases_on_agenda()
    assert page.agenda.model.rowCount() == 2
    agenda = journey.on_vault(agenda_service.agenda, journey.meeting_id)
    by_case = {i.case_id: i for i in agenda.items}
    assert set(by_case) == {journey.anonymous_case_id, journey.named_case_id}
    assert by_case[journey.named_case_id].named_allowed
    assert page.agenda.per_child_button.isEnabled()

    # Agenda PDF (anonymised) and the named child's own agenda.
    journey.save_agenda_pdf(per_child=True)
    assert journey.saved_asked[0] == f"agenda-{TODAY.isoformat()}.pdf"
    assert journey.agenda_pdf is not None
    assert journey.agenda_pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(journey.agenda_pdf)
    assert plan.site_name in text and plan.anonymous_first_name in text
    assert plan.child_surname not in text  # the meeting agenda never names a child
    assert len(journey.per_child_pdfs) == 1
    assert journey.per_child_pdfs[0].read_bytes().startswith(b"%PDF")
    assert plan.child_surname in pdf_text(journey.per_child_pdfs[0])
    assert "Saved to" in window.statusBar().currentMessage()

    # Minutes: typed, and saved without any save button.
    journey.type_minutes()
    assert page.tabs.currentIndex() == MINUTES_TAB
    assert page.minutes.indicator.text() == "Saved"
    assert page.minutes.fields["knowledge"].toPlainText() == plan.minutes_text
    minutes = journey.on_vault(minutes_service.view, journey.meeting_id)
    assert minutes.items[journey.named_item_id].knowledge == plan.minutes_text

    # An agreement with a deadline, listed under step 5.
    journey.add_agreement()
    shown = page.minutes.agreements_model.row_object(0)
    assert shown.what == plan.agreement_text
    (agreement,) = journey.on_vault(minutes_service.view, journey.meeting_id).agreements[
        journey.named_item_id
    ]
    assert (agreement.what, agreement.deadline, agreement.owner_contact_id) == (
        plan.agreement_text,
        journey.deadline.isoformat(),
        journey.contact_id,
    )

    # Approval locks the minutes.
    journey.approve()
    assert page.badge.text() == "✓ Approved"
    assert all(field.isReadOnly() for field in page.minutes.fields.values())
    assert not page.minutes.approve_button.isVisible()
    approved = journey.on_vault(minutes_service.view, journey.meeting_id)
    assert approved.approved and approved.approved_by == plan.approver
    assert approved.items[journey.named_item_id].knowledge == plan.minutes_text

    # The Overview lists the agreement as due (and today's meeting).
    overview = journey.open_overview()
    assert window.current_view() is overview
    due = overview.due_section
    assert due.table.isVisible()
    rows = [due.model.row_object(r) for r in range(due.model.rowCount())]
    assert [r.what for r in rows] == [plan.agreement_text]
    assert rows[0].id == agreement.id
    shown_deadline = due.model.index(0, 0).data()
    assert shown_deadline == day_text(journey.deadline)
    assert due.model.index(0, 3).data() == plan.contact_name
    assert due.heading.text().endswith("(1)")
    assert overview.overdue_section.model.rowCount() == 0
    assert journey.meeting_id in overview.today_section.model.ids()
