"""Erasure across vaults: tombstones carry it to peers, and erased stays erased.

Two real vaults (fast test KDF): the advisor's (A) and the office's (B), with
real signed and encrypted bundles between them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest

from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import ConsentForm
from app.services import (
    agenda_service,
    cases_service,
    minutes_service,
    retention_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.store import backup, case_data_repo, forums_repo, records, roles_repo, sync_repo
from app.store.vault import Vault, VaultDirectory
from app.sync import bundle, identity
from app.sync.exporter import ERASED, export_bundle
from app.sync.importer import ImportReport, import_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENTS = [str(IDENTITY.to_public())]
TODAY = date(2026, 11, 23)


@dataclass
class Pair:
    a: Vault
    b: Vault
    out: Path

    def bundle(self, source: Vault, **kwargs: Any) -> bytes:
        path = self.out / f"{uuid.uuid4()}.samraad"
        export_bundle(source, path, recipients=RECIPIENTS, **kwargs)
        return path.read_bytes()

    def a_to_b(self) -> ImportReport:
        return load(self.b, self.bundle(self.a, peer_name="office"))

    def b_to_a(self) -> ImportReport:
        return load(self.a, self.bundle(self.b, peer_name=identity.name(self.a)))


def load(vault: Vault, data: bytes) -> ImportReport:
    return import_bundle(vault, data, identities=[str(IDENTITY)], trust_new_sender=True)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    held: list[VaultDirectory] = []
    vaults = []
    for name in ("advisor", "office"):
        directory = open_directory(tmp_path / name)
        held.append(directory)
        vaults.append(directory.create(PASSPHRASE, "DK").vault)
    out = tmp_path / "bundles"
    out.mkdir()
    try:
        yield Pair(vaults[0], vaults[1], out)
    finally:
        for directory in held:
            directory.release()


@dataclass(frozen=True)
class Child:
    case_id: str
    consent_id: str
    item_id: str


def child(vault: Vault, first: str, *, scan: bytes | None = None) -> Child:
    site, _c = sites_service.add_site(vault, f"Skole {first}", SiteKind.SCHOOL, None)
    found = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert found is not None
    meeting, _c = CalendarService(vault).add_meeting(found.id, site, datetime(2026, 11, 20, 12))
    agenda_service.add_general_item(vault, meeting, "Orientering")
    case_id, _c = cases_service.create_anonymous(
        vault, first, site, "Bekymring.", TODAY - timedelta(days=60)
    )
    mother, _c = cases_service.add_guardian(vault, case_id, f"Mor til {first}", "mor", True)
    leader = [r.id for r in roles_repo.list_all(vault.conn) if r.key == "leader"]
    consent_id, _c = cases_service.record_consent(
        vault, case_id, TODAY - timedelta(days=50), ConsentForm.WRITTEN, [mother], leader, scan=scan
    )
    item_id, _c = agenda_service.add_case_item(vault, meeting, case_id, notes="Noter.")
    minutes_service.start(vault, meeting)
    minutes_service.save_field(vault, item_id, "knowledge", f"Viden om {first}.")
    minutes_service.add_agreement(vault, item_id, "Samtale med forældrene", deadline=TODAY)
    return Child(case_id, consent_id, item_id)


def rows_about(vault: Vault, case_id: str) -> dict[str, int]:
    rows = case_data_repo.rows_about_case(vault.conn, case_id)
    return {t: len(r) for t, r in rows.items() if r and t != "audit_log"}


# --- peers erase it too -------------------------------------------------------------------


def test_an_erasure_travels_to_the_peer_as_tombstones(pair: Pair) -> None:
    emma = child(pair.a, "Emma")
    noah = child(pair.a, "Noah")
    pair.a_to_b()
    assert rows_about(pair.b, emma.case_id) == rows_about(pair.a, emma.case_id)
    b_backups_before = backup.auto_backups(pair.b.directory.layout.backups)

    retention_service.erase_case(pair.a, emma.case_id)
    data = pair.bundle(pair.a, peer_name="office")
    report = load(pair.b, data)

    assert rows_about(pair.b, emma.case_id) == {}
    assert rows_about(pair.b, noah.case_id) == rows_about(pair.a, noah.case_id)
    assert report.erased.get("cases") == 1
    assert sum(report.erased.values()) == sum(report.deleted.values()) > 5
    assert report.total_conflicts == 0
    assert retention_service_erased(pair.b, "cases", emma.case_id)
    # Physically gone there too: compacted, the office's old backups replaced.
    after = backup.auto_backups(pair.b.directory.layout.backups)
    assert len(after) == 1 and after[0] not in b_backups_before
    assert sync_repo.meta(pair.b.conn, retention_service.PENDING) is None
    # Nothing comes back to A on the way home.
    back = pair.b_to_a()
    assert rows_about(pair.a, emma.case_id) == {}
    assert sum(back.added.values()) == 0


def retention_service_erased(vault: Vault, table: str, record_id: str) -> bool:
    found = vault.conn.execute(
        "SELECT 1 FROM erased_records WHERE table_name = ? AND record_id = ?", (table, record_id)
    ).fetchone()
    return found is not None


def test_an_erasure_wins_over_an_edit_the_peer_made_meanwhile(pair: Pair) -> None:
    emma = child(pair.a, "Emma")
    pair.a_to_b()
    with pair.b.transaction() as conn:
        records.update(conn, pair.b.ctx, "cases", emma.case_id, {"concern": "Ændret på kontoret."})
        records.update(
            conn, pair.b.ctx, "item_minutes", _minutes_id(pair.b, emma), {"evaluation": "x"}
        )

    retention_service.erase_case(pair.a, emma.case_id)
    report = pair.a_to_b()

    assert rows_about(pair.b, emma.case_id) == {}
    assert report.total_conflicts == 0
    assert sync_repo.open_conflicts(pair.b.conn) == []


def _minutes_id(vault: Vault, who: Child) -> str:
    found = vault.conn.execute(
        "SELECT id FROM item_minutes WHERE agenda_item_id = ?", (who.item_id,)
    ).fetchone()
    assert found is not None
    return str(found[0])


def test_an_erasure_tombstone_says_so_in_every_export_mode(pair: Pair) -> None:
    emma = child(pair.a, "Emma")
    pair.a_to_b()
    retention_service.erase_case(pair.a, emma.case_id)

    for kwargs in ({"peer_name": "office"}, {"everything": True}):
        parsed = bundle.unpack(
            bundle.decrypt(pair.bundle(pair.a, **kwargs), identities=[str(IDENTITY)])
        )
        stones = {(t["table"], t["id"]): t["base"] for t in parsed.tombstones}
        assert stones[("cases", emma.case_id)] == ERASED
        assert all(base == ERASED for base in stones.values())


# --- erased stays erased ------------------------------------------------------------------


def test_an_erased_case_in_an_older_bundle_stays_erased(pair: Pair) -> None:
    emma = child(pair.a, "Emma", scan=b"%PDF-1.4 fictional form")
    noah = child(pair.a, "Noah")
    pair.a_to_b()
    # The office adds a record of its own about Emma, then writes a bundle
    # that holds all of Emma — before it hears of the erasure.
    with pair.b.transaction() as conn:
        records.insert(
            conn,
            pair.b.ctx,
            "agreements",
            {"case_id": emma.case_id, "what": "Kontorets aftale", "status": "open"},
        )
    old_bundle = pair.bundle(pair.b, everything=True)
    erased_rows = rows_about(pair.a, emma.case_id)

    retention_service.erase_case(pair.a, emma.case_id)
    report = load(pair.a, old_bundle)

    assert rows_about(pair.a, emma.case_id) == {}
    assert sum(report.refused.values()) == sum(erased_rows.values()) + 1
    assert report.refused["cases"] == 1 and report.refused["agreements"] == 2
    assert sync_repo.open_conflicts(pair.a.conn) == []  # no copy kept as a "conflict"
    assert rows_about(pair.a, noah.case_id) != {}
    # And the same again: still refused, still no conflict.
    again = load(pair.a, pair.bundle(pair.b, everything=True))
    assert rows_about(pair.a, emma.case_id) == {} and again.refused["cases"] == 1


def test_a_withdrawn_consents_erased_form_does_not_come_back(pair: Pair) -> None:
    emma = child(pair.a, "Emma", scan=b"%PDF-1.4 fictional form")
    pair.a_to_b()
    old_bundle = pair.bundle(pair.b, everything=True)
    cases_service.withdraw_consent(pair.a, emma.consent_id, TODAY, "Mor")
    [due] = retention_service.due(pair.a, TODAY)
    attachment = due.item.attachment_id
    assert attachment is not None
    retention_service.erase_due(pair.a, TODAY)

    report = load(pair.a, old_bundle)

    assert report.refused == {"attachments": 1}
    assert sync_repo.row(pair.a.conn, "attachments", attachment) is None
    consent = sync_repo.row(pair.a.conn, "consents", emma.consent_id)
    assert consent is not None
    assert (consent["withdrawn_on"], consent["attachment_id"]) == (TODAY.isoformat(), None)
    # The office erases the form too once it hears of it; the consent stays there.
    pair.a_to_b()
    assert sync_repo.row(pair.b.conn, "attachments", attachment) is None
    at_office = sync_repo.row(pair.b.conn, "consents", emma.consent_id)
    assert at_office is not None and at_office["withdrawn_on"] == TODAY.isoformat()
    assert at_office["attachment_id"] is None
