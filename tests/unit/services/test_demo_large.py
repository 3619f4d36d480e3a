"""The large demo generator (app/services/demo_large.py), at a small scale factor.

The shape and the proportions are those of ``samraad demo --size large``;
only the counts are 5 % of it (2 % for the seed test), so each vault here
builds in about a second. The rows must be valid for the services that read them: the case
list, agendas, minutes, printing and sync run on them here.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest

from app.services import (
    agenda_service,
    agreements_service,
    case_report,
    cases_service,
    demo_large,
    minutes_print,
    minutes_service,
)
from app.services.calendar_service import CalendarService
from app.store import sync_repo
from app.store.vault import Vault
from app.sync.exporter import export_bundle
from app.sync.importer import import_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory

TODAY = date(2026, 11, 23)
FACTOR = 0.05
SCALE = demo_large.scaled(FACTOR)
TINY = demo_large.scaled(0.02)
IDENTITY = pyrage.x25519.Identity.generate()


def build(
    root: Path, seed: int, scale: demo_large.Scale = SCALE
) -> tuple[Any, Vault, demo_large.LargeSummary]:
    directory = open_directory(root)
    vault = directory.create(PASSPHRASE, "DK").vault
    summary = demo_large.fill_large(vault, TODAY, random.Random(seed), scale)
    return directory, vault, summary


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One vault for the module's read-mostly tests (built once: about a second)."""
    directory, vault, summary = build(tmp_path_factory.mktemp("large"), seed=7)
    try:
        yield vault, summary
    finally:
        vault.close(auto_backup=False)
        directory.release()


def count(vault: Vault, table: str, where: str = "1") -> int:
    return int(vault.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0])


def test_scales_are_proportional_to_the_large_vault() -> None:
    large, huge = demo_large.LARGE, demo_large.HUGE
    assert (large.districts, large.cases, large.agenda_items) == (3, 5000, 20000)
    assert (large.agreements, large.consents, large.sdq, large.held_meetings) == (
        20000,
        3000,
        3000,
        2000,
    )
    assert huge.districts == 30 and huge.years == large.years == 5
    for name in ("cases", "agenda_items", "agreements", "consents", "sdq", "held_meetings"):
        assert getattr(huge, name) == 10 * getattr(large, name)
        assert getattr(SCALE, name) == round(FACTOR * getattr(large, name))
    assert demo_large.scale_for("huge") == huge
    with pytest.raises(ValueError):
        demo_large.scaled(0)


def test_counts_match_the_scale(large: tuple[Vault, demo_large.LargeSummary]) -> None:
    vault, summary = large
    assert summary.cases == count(vault, "cases") == SCALE.cases
    assert summary.anonymous_cases == count(vault, "cases", "kind = 'anonymous'")
    assert summary.anonymous_cases == round(SCALE.cases * SCALE.anonymous_share)
    assert summary.agenda_items == count(vault, "agenda_items") == SCALE.agenda_items
    assert summary.agreements == count(vault, "agreements") == SCALE.agreements
    assert summary.consents == count(vault, "consents") == SCALE.consents
    assert summary.sdq_assessments == count(vault, "sdq_assessments") == SCALE.sdq
    assert summary.interventions == count(vault, "interventions") == SCALE.interventions
    assert summary.held_meetings == count(vault, "meetings", "status = 'held'")
    assert summary.held_meetings >= SCALE.held_meetings
    assert summary.meetings == count(vault, "meetings")
    # Minutes of every held meeting with an agenda; approved ones are audited.
    assert count(vault, "item_minutes") == count(
        vault,
        "agenda_items i JOIN meetings m ON m.id = i.meeting_id",
        "m.status = 'held'",
    )
    assert count(vault, "audit_log", "action = 'minutes.approved'") == count(
        vault, "meeting_minutes", "approved_on IS NOT NULL"
    )
    # Five years of an advisor: most old cases are closed, with a reason.
    assert 0 < count(vault, "cases", "status = 'closed'") < SCALE.cases
    assert count(vault, "cases", "status = 'closed' AND closure_reason IS NULL") == 0


def test_vault_is_whole_and_every_reference_holds(
    large: tuple[Vault, demo_large.LargeSummary],
) -> None:
    vault, _summary = large
    assert vault.self_test().ok
    conn = vault.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # A child is discussed at meetings of its own site, once per meeting.
    assert (
        count(
            vault,
            "agenda_items i JOIN cases c ON c.id = i.case_id"
            " JOIN meetings m ON m.id = i.meeting_id",
            "c.site_id != m.site_id",
        )
        == 0
    )
    assert conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM agenda_items WHERE case_id IS NOT NULL"
        " GROUP BY meeting_id, case_id HAVING COUNT(*) > 1)"
    ).fetchone() == (0,)
    # Positions run 1, 2, 3 … on every agenda.
    for meeting_id, positions in conn.execute(
        "SELECT meeting_id, group_concat(position) FROM"
        " (SELECT meeting_id, position FROM agenda_items ORDER BY meeting_id, position)"
        " GROUP BY meeting_id"
    ):
        assert [int(p) for p in positions.split(",")] == list(range(1, positions.count(",") + 2)), (
            meeting_id
        )
    # Named cases have their name, birth date and a consent; anonymous ones none of it.
    assert count(vault, "cases", "kind = 'named' AND id NOT IN (SELECT case_id FROM consents)") == 0
    assert count(vault, "cases", "kind = 'anonymous' AND surname IS NOT NULL") == 0
    # Every record row went through the change log (sync depends on it).
    for table in sync_repo.SYNC_TABLES:
        missing = conn.execute(
            f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM change_log c"
            " WHERE c.table_name = ? AND c.record_id = t.id)",
            (table,),
        ).fetchone()[0]
        assert missing == 0, table


def snapshot(vault: Vault) -> tuple[list[tuple[Any, ...]], ...]:
    conn = vault.conn
    cases = sorted(
        conn.execute(
            "SELECT c.kind, first_name, surname, birth_date, age_or_year, s.name, concern, level,"
            " status, opened_on, closed_on FROM cases c JOIN sites s ON s.id = c.site_id"
        ).fetchall()
    )
    items = sorted(
        conn.execute(
            "SELECT m.start_utc, s.name, i.position, i.kind, i.title, i.notes, c.first_name,"
            " c.opened_on, im.knowledge, im.discussion, im.outcome FROM agenda_items i"
            " JOIN meetings m ON m.id = i.meeting_id JOIN sites s ON s.id = m.site_id"
            " LEFT JOIN cases c ON c.id = i.case_id"
            " LEFT JOIN item_minutes im ON im.agenda_item_id = i.id"
        ).fetchall(),
        key=repr,
    )
    agreements = sorted(
        conn.execute("SELECT what, deadline, status, parent_contact FROM agreements").fetchall()
    )
    return cases, items, agreements


def test_the_same_seed_gives_the_same_vault(tmp_path: Path) -> None:
    snapshots = []
    for name, seed in (("one", 1), ("two", 1), ("three", 2)):
        directory, vault, _summary = build(tmp_path / name, seed, TINY)
        try:
            snapshots.append(snapshot(vault))
        finally:
            vault.close(auto_backup=False)
            directory.release()
    assert snapshots[0] == snapshots[1]
    assert all(snapshots[0])
    assert snapshots[2] != snapshots[0]


def test_the_services_read_the_generated_rows(
    large: tuple[Vault, demo_large.LargeSummary], tmp_path: Path
) -> None:
    vault, summary = large
    listed = cases_service.list_cases(vault, TODAY)
    assert len(listed) == summary.cases
    assert any(c.consent_valid_today for c in listed)
    assert agreements_service.overdue(vault, TODAY)
    calendar = CalendarService(vault)
    past = [
        m
        for m in calendar.between(TODAY - timedelta(days=400), TODAY - timedelta(days=1))
        if m.agenda_item_count
    ]
    assert past
    # Agendas and approved minutes print without a leak warning.
    approved = [m for m in past if minutes_service.view(vault, m.id).approved]
    meeting = max(approved, key=lambda m: m.agenda_item_count)
    out = tmp_path / "out"
    for folder in (out / "children", out / "extracts"):
        folder.mkdir(parents=True)
    agenda = agenda_service.agenda(vault, meeting.id)
    assert len(agenda.items) == meeting.agenda_item_count
    agenda_service.print_agenda(vault, meeting.id, out / "agenda.pdf", out / "children")
    minutes = minutes_service.view(vault, meeting.id)
    assert minutes.items and minutes.attendance
    minutes_print.print_minutes(vault, meeting.id, out / "minutes.pdf", out / "extracts")
    named = next(c for c in listed if c.row.kind == "named")
    case_report.write(vault, named.row.id, out / "case.pdf", out / "case.json", TODAY)
    for meeting_view in past:
        for item in agenda_service.agenda(vault, meeting_view.id).items:
            assert item.leak is None


def test_a_bundle_of_everything_imports_into_an_empty_vault(
    large: tuple[Vault, demo_large.LargeSummary], tmp_path: Path
) -> None:
    vault, summary = large
    out = tmp_path / "all.samraad"
    result = export_bundle(vault, out, recipients=[str(IDENTITY.to_public())], everything=True)
    assert result.counts["cases"] == summary.cases
    directory = open_directory(tmp_path / "other")
    try:
        other = directory.create(PASSPHRASE, "DK").vault
        report = import_bundle(
            other, out.read_bytes(), identities=[str(IDENTITY)], trust_new_sender=True
        )
        assert report.added["cases"] == summary.cases
        assert report.added["agenda_items"] == summary.agenda_items
        assert report.total_conflicts == 0
        assert count(other, "agreements") == summary.agreements
        assert other.self_test().ok
        other.close(auto_backup=False)
    finally:
        directory.release()
