"""The Overview in one call, against the fictional demo vault."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain import case_display
from app.domain.case_model import CaseKind
from app.services import (
    agenda_service,
    agreements_service,
    cases_service,
    demo,
    minutes_service,
    overview_service,
    retention_service,
)
from app.services.calendar_service import CalendarService
from app.store import agreements_repo, audit, cases_repo, interventions_repo
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory

TODAY = date(2026, 11, 23)  # a Monday; the demo is built around it


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo vault for the module, copied per test (it takes half a second)."""
    root = tmp_path_factory.mktemp("overview-demo")
    directory = open_directory(root / "vault")
    vault, _summary = demo.create_demo(directory, TODAY, passphrase=PASSPHRASE)
    vault.close(auto_backup=False)
    directory.release()
    return root / "vault"


@pytest.fixture
def vault(demo_dir: Path, tmp_path: Path) -> Iterator[Vault]:
    shutil.copytree(demo_dir, tmp_path / "vault")
    directory = open_directory(tmp_path / "vault")
    opened = directory.unlock(PASSPHRASE)
    try:
        yield opened
    finally:
        opened.close(auto_backup=False)
        directory.release()


def ids(lines: object) -> list[str]:
    return [line.id for line in lines]  # type: ignore[attr-defined]


def test_every_section_agrees_with_its_service(vault: Vault) -> None:
    view = overview_service.gather(vault, TODAY)

    week = CalendarService(vault).week(2026, 48)
    assert ids(view.today_meetings) == [m.id for m in week if m.start.date() == TODAY]
    assert ids(view.week_meetings) == [m.id for m in week if m.start.date() != TODAY]
    assert ids(view.overdue) == ids(agreements_service.overdue(vault, TODAY))
    assert ids(view.due_soon) == ids(agreements_service.due_within(vault, TODAY, 7))
    assert ids(view.expiring_consents) == [
        c.id for _case, c in cases_service.expiring_consents(vault, TODAY, 30)
    ]
    failing = agenda_service.failing_items(vault, TODAY, TODAY + timedelta(days=42))
    assert ids(view.failing_items) == [item.id for _m, item in failing]
    assert ids(view.evaluations) == ids(agreements_service.due_for_evaluation(vault, TODAY))
    assert view.erasure_due == retention_service.due_count(vault, TODAY)
    # The demo has something in most sections (so the page is worth looking at).
    assert view.today_meetings and view.overdue and view.due_soon
    assert view.expiring_consents and view.failing_items


def test_case_labels_name_a_child_only_while_consent_allows(vault: Vault) -> None:
    summaries = {s.row.id: s for s in cases_service.list_cases(vault, TODAY)}
    lines = overview_service.all_agreements(vault, TODAY)
    seen_named = seen_hidden = False
    for line in lines:
        assert line.case_id is not None
        summary = summaries[line.case_id]
        facts = cases_repo.facts(vault.conn, summary.row)
        if summary.row.kind == CaseKind.NAMED and summary.consent_valid_today:
            assert line.case_label == case_display.named_label(facts)
            seen_named = True
        else:
            assert line.case_label == case_display.anonymous_label(facts, TODAY)
            seen_hidden |= summary.row.kind == CaseKind.NAMED
    # The demo has named children with a valid and with an expired/withdrawn consent.
    assert seen_named and seen_hidden


def test_showing_names_is_audited_by_count(vault: Vault) -> None:
    before = len(audit.entries(vault.conn))
    overview_service.gather(vault, TODAY)
    entries = audit.entries(vault.conn)[before:]
    reads = [e for e in entries if e.action == audit.Action.CASE_READ]
    assert len(reads) == 1
    details = json.loads(reads[0].details)
    assert details["purpose"] == "overview"
    assert details["named"] >= 1


def _open_item(vault: Vault) -> tuple[str, str]:
    """(agenda item, case) of a child on today's (not yet approved) agenda."""
    for meeting in CalendarService(vault).between(TODAY, TODAY):
        for item in agenda_service.agenda(vault, meeting.id).items:
            if item.case_id:
                return item.id, item.case_id
    raise AssertionError("the demo has a child on today's agenda")


def test_a_planted_overdue_agreement_and_evaluation_show(vault: Vault) -> None:
    item_id, case_id = _open_item(vault)
    agreement_id, _c = minutes_service.add_agreement(
        vault, item_id, "Ring the parents", deadline=TODAY - timedelta(days=3)
    )
    type_id = interventions_repo.types(vault.conn)[0][0]
    intervention_id, _c = minutes_service.add_intervention(
        vault,
        item_id,
        type_id,
        "Calmer mornings",
        TODAY - timedelta(days=90),
        evaluation_on=TODAY - timedelta(days=1),
    )

    view = overview_service.gather(vault, TODAY)

    planted = next(a for a in view.overdue if a.id == agreement_id)
    assert planted.what == "Ring the parents"
    assert planted.case_id == case_id
    assert planted.case_label
    assert planted.overdue(TODAY) and not planted.due_soon(TODAY)
    evaluation = next(e for e in view.evaluations if e.id == intervention_id)
    assert evaluation.case_id == case_id
    assert evaluation.evaluation_on == TODAY - timedelta(days=1)


def test_a_cancelled_meeting_shows_as_a_cadence_warning(vault: Vault) -> None:
    calendar = CalendarService(vault)
    assert overview_service.gather(vault, TODAY).cadence == ()
    school_meetings = [
        m
        for m in calendar.between(TODAY, TODAY + timedelta(days=6))
        if m.forum_kind == "school-resource-team"
    ]
    cancelled = school_meetings[0]
    calendar.cancel_meeting(cancelled.id)

    warnings = overview_service.gather(vault, TODAY).cadence

    assert [w.site_id for w in warnings] == [cancelled.site_id]
    assert warnings[0].site == cancelled.site_name
    assert warnings[0].gap_days > warnings[0].max_gap_days


def test_all_agreements_lists_done_ones_too(vault: Vault) -> None:
    first = agreements_service.overdue(vault, TODAY)[0]
    agreements_service.set_status(vault, first.id, "done")

    lines = {a.id: a for a in overview_service.all_agreements(vault, TODAY)}

    assert lines[first.id].status == "done"
    assert not lines[first.id].overdue(TODAY)
    assert first.id not in ids(overview_service.gather(vault, TODAY).overdue)
    assert len(lines) == len(agreements_repo.query(vault.conn))
