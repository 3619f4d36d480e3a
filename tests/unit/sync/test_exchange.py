"""Export and import between real vaults (app/sync/exporter.py, importer.py).

Every vault here is a real SQLCipher vault in a temp dir (fast test KDF);
bundles are really signed and encrypted with age.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyrage
import pytest

from app import i18n
from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import ConsentForm
from app.domain.merge import content_hash
from app.errors import BadInput
from app.services import agenda_service, cases_service, demo, sites_service
from app.services.calendar_service import CalendarService
from app.store import audit, case_data_repo, forums_repo, records, roles_repo, sync_repo
from app.store.vault import Vault, VaultDirectory
from app.sync import bundle, identity
from app.sync.bundle import BadBundle
from app.sync.exporter import ExportResult, export_bundle
from app.sync.importer import ImportReport, UnknownSender, import_bundle
from app.sync.records import comparable
from tests.helpers.vaults import PASSPHRASE, open_directory

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENTS = [str(IDENTITY.to_public())]
IDENTITIES = [str(IDENTITY)]
TODAY = date(2026, 11, 23)
SCAN = b"%PDF-1.4 fictional scanned consent form\x00\xff\x10"
SYNC_TABLES = sync_repo.SYNC_TABLES

# --- helpers -------------------------------------------------------------------------

Dump = dict[str, list[dict[str, Any]]]


def dump(vault: Vault) -> Dump:
    """Every row of every table that travels."""
    return {t: sync_repo.all_rows(vault.conn, t) for t in SYNC_TABLES}


def contents(vault: Vault) -> dict[str, dict[str, str]]:
    """Table → id → content hash (who wrote the seeded rows differs between vaults)."""
    return {
        t: {r["id"]: content_hash(comparable(t, r)) for r in rows}
        for t, rows in dump(vault).items()
    }


def snapshot(vault: Vault) -> tuple[int, Dump]:
    """What "the vault is unchanged" compares: the change log's head and all content."""
    return vault.change_seq(), dump(vault)


def export(vault: Vault, out_dir: Path, **kwargs: Any) -> tuple[bytes, ExportResult]:
    """Export to a fresh file (for the test key unless a passphrase is given)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{uuid.uuid4()}{bundle.FILE_EXTENSION}"
    if "passphrase" not in kwargs:
        kwargs.setdefault("recipients", RECIPIENTS)
    result = export_bundle(vault, out, **kwargs)
    assert result.path == out
    return out.read_bytes(), result


def load(vault: Vault, data: bytes, **kwargs: Any) -> ImportReport:
    """Import with the test key."""
    if "passphrase" not in kwargs:
        kwargs.setdefault("identities", IDENTITIES)
    return import_bundle(vault, data, **kwargs)


def is_empty(report: ImportReport) -> bool:
    return not (report.added or report.updated or report.deleted or report.conflicts)


def name_of(vault: Vault, table: str, record_id: str, column: str = "name") -> Any:
    found = sync_repo.row(vault.conn, table, record_id)
    assert found is not None, (table, record_id)
    return found[column]


def hash_of(vault: Vault, table: str, record_id: str) -> str:
    found = sync_repo.row(vault.conn, table, record_id)
    assert found is not None, (table, record_id)
    return content_hash(comparable(table, found))


def update(vault: Vault, table: str, record_id: str, **values: Any) -> None:
    """A local edit the way the repositories make one (timestamps, writer)."""
    with vault.transaction() as conn:
        assert records.update(conn, vault.ctx, table, record_id, values)


def remove(vault: Vault, table: str, record_id: str) -> None:
    with vault.transaction() as conn:
        assert records.delete(conn, table, record_id)


def set_name(vault: Vault, name: str) -> None:
    with vault.transaction() as conn:
        sync_repo.set_meta(conn, identity.NAME, name)


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[Callable[[str], Vault]]:
    """Fresh vaults, each in its own directory (so each has its own vault id)."""
    held: list[tuple[VaultDirectory, Vault]] = []

    def make(name: str) -> Vault:
        directory = open_directory(tmp_path / "vaults" / name)
        vault = directory.create(PASSPHRASE, "DK").vault
        held.append((directory, vault))
        return vault

    yield make
    for directory, vault in held:
        if vault.is_open and vault.conn.in_transaction:
            # Only after a failed test left a transaction open (see the dangling
            # reference case); without this the vault could not even be closed.
            vault.conn.execute("ROLLBACK")
        directory.release()


# --- a demo vault, made once per module (filling it takes seconds) ----------------


@dataclass(frozen=True)
class Demo:
    vault: Vault
    scan_consent_id: str
    emma_id: str


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    base = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        # The autouse per-test fixture has not run yet at module scope.
        mp.setenv("SAMRAAD_LOG_DIR", str(base / "logs"))
        mp.setenv("SAMRAAD_DATA_DIR", str(base / "default-data"))
        mp.setenv("XDG_CONFIG_HOME", str(base / "config"))
        mp.setenv("XDG_DATA_HOME", str(base / "share"))
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        i18n.set_language("en")
        directory = open_directory(base / "vault")
        vault = directory.create(PASSPHRASE, "DK").vault
        demo.fill(vault, TODAY, random.Random(1))
        cases = {c["first_name"]: c["id"] for c in sync_repo.all_rows(vault.conn, "cases")}
        guardian, _c = cases_service.add_guardian(vault, cases["Ida"], "Gitte Lund", "mor", True)
        consent, _c = cases_service.record_consent(
            vault,
            cases["Ida"],
            date(2026, 10, 1),
            ConsentForm.WRITTEN,
            [guardian],
            [r.id for r in roles_repo.list_all(vault.conn)][:3],
            purpose="Samarbejde om trivsel.",
            scan=SCAN,
        )
        try:
            yield Demo(vault, consent, cases["Emma"])
        finally:
            directory.release()


# --- two offices that already exchanged a baseline --------------------------------


@dataclass
class Pair:
    """Vault A ("alpha") exports to peer "office"; vault B is that office."""

    a: Vault
    b: Vault
    out: Path
    district: str  # has a site: never deleted
    spare: str  # no site
    site: str
    case: str
    consent: str

    def a_to_b(self) -> tuple[ExportResult, ImportReport]:
        data, result = export(self.a, self.out, peer_name="office")
        return result, load(self.b, data, trust_new_sender=True)

    def b_to_a(self) -> tuple[ExportResult, ImportReport]:
        data, result = export(self.b, self.out, peer_name=identity.name(self.a))
        return result, load(self.a, data, trust_new_sender=True)


@pytest.fixture
def pair(make_vault: Callable[[str], Vault], tmp_path: Path) -> Pair:
    a, b = make_vault("a"), make_vault("b")
    set_name(a, "alpha")
    set_name(b, "office")
    district, _c = sites_service.add_district(a, "Nordskov skoledistrikt")
    spare, _c = sites_service.add_district(a, "Åbrink skoledistrikt")
    site, _c = sites_service.add_site(a, "Nordskov Skole", SiteKind.SCHOOL, district)
    case, _c = cases_service.create_anonymous(a, "Ida", site, "Trækker sig.", TODAY)
    guardian, _c = cases_service.add_guardian(a, case, "Mette Holm", "mor", True)
    consent, _c = cases_service.record_consent(
        a,
        case,
        date(2026, 10, 1),
        ConsentForm.WRITTEN,
        [guardian],
        [r.id for r in roles_repo.list_all(a.conn)][:2],
        purpose="Tværfagligt samarbejde.",
    )
    result = Pair(a, b, tmp_path / "bundles", district, spare, site, case, consent)
    _r, report = result.a_to_b()
    assert report.added["districts"] == 2 and report.total_conflicts == 0
    return result


# --- round trip -------------------------------------------------------------------------


def test_everything_round_trips_into_a_fresh_vault(
    demo_vault: Demo, make_vault: Callable[[str], Vault], tmp_path: Path
) -> None:
    a = demo_vault.vault
    b = make_vault("b")
    assert b.vault_id != a.vault_id
    seeded = {t: {r["id"] for r in sync_repo.all_rows(b.conn, t)} for t in SYNC_TABLES}

    data, result = export(a, tmp_path / "out", everything=True)
    report = load(b, data, trust_new_sender=True)

    rows_a, rows_b = dump(a), dump(b)
    assert result.records == sum(len(r) for r in rows_a.values())
    assert result.tombstones == 0 and report.total_conflicts == 0
    assert not report.updated and not report.deleted
    for table in SYNC_TABLES:
        assert [r["id"] for r in rows_b[table]] == [r["id"] for r in rows_a[table]], table
        new = len(rows_a[table]) - len(seeded[table])
        assert report.added.get(table, 0) == new, table
        for mine, theirs in zip(rows_a[table], rows_b[table], strict=True):
            if mine == theirs:
                continue
            # Only rows both vaults seeded themselves differ: in who wrote them.
            assert mine["id"] in seeded[table], (table, mine["id"])
            assert {k for k in mine if mine[k] != theirs[k]} == {"writer_vault_id"}
            assert content_hash(comparable(table, mine)) == content_hash(comparable(table, theirs))
    # Case data really arrived (not just seeds) and the scanned form is byte-equal.
    assert len(rows_b["cases"]) == 12 and len(rows_b["meetings"]) > 100
    consent = sync_repo.row(b.conn, "consents", demo_vault.scan_consent_id)
    assert consent is not None and consent["attachment_id"]
    attachment = sync_repo.row(b.conn, "attachments", consent["attachment_id"])
    assert attachment is not None and bytes(attachment["data"]) == SCAN
    assert result.counts["attachments"] == 1


def test_importing_the_same_bundle_again_changes_nothing(
    demo_vault: Demo, make_vault: Callable[[str], Vault], tmp_path: Path
) -> None:
    b = make_vault("b")
    data, _r = export(demo_vault.vault, tmp_path / "out", everything=True)
    first = load(b, data, trust_new_sender=True)
    assert first.added
    before = snapshot(b)
    again = load(b, data)
    assert is_empty(again)
    assert again.bundle_id == first.bundle_id
    assert snapshot(b) == before
    assert sync_repo.open_conflicts(b.conn) == []


# --- incremental exchange with a peer ------------------------------------------------


def test_incremental_exports_send_only_what_changed(pair: Pair) -> None:
    a, b = pair.a, pair.b
    # A second export to the same peer carries just the new district.
    new, _c = sites_service.add_district(a, "Søndervig skoledistrikt")
    result, report = pair.a_to_b()
    assert result.counts == {"districts": 1} and result.tombstones == 0
    assert report.added == {"districts": 1} and not report.updated
    assert name_of(b, "districts", new) == "Søndervig skoledistrikt"
    # Nothing changed: an empty (but valid) bundle.
    result, report = pair.a_to_b()
    assert result.records == 0 and result.tombstones == 0 and is_empty(report)

    # B edits, exports back to the peer named after A: A gets the edit, no conflict.
    update(b, "districts", pair.district, name="Nordskov Nord")
    result, report = pair.b_to_a()
    assert result.counts == {"districts": 1}
    assert report.updated == {"districts": 1} and report.total_conflicts == 0
    assert name_of(a, "districts", pair.district) == "Nordskov Nord"
    assert sync_repo.open_conflicts(a.conn) == []
    # A does not echo B's edit back.
    result, report = pair.a_to_b()
    assert result.records == 0 and is_empty(report)

    # An edit on A of a record B never changed wins at B.
    update(a, "districts", pair.spare, name="Åbrink Syd")
    update(a, "cases", pair.case, concern="Meget fravær.")
    result, report = pair.a_to_b()
    assert result.counts == {"districts": 1, "cases": 1}
    assert report.updated == {"districts": 1, "cases": 1} and report.total_conflicts == 0
    assert name_of(b, "districts", pair.spare) == "Åbrink Syd"
    assert name_of(b, "cases", pair.case, "concern") == "Meget fravær."
    assert sync_repo.open_conflicts(b.conn) == []
    assert contents(a) == contents(b)


def test_both_sides_editing_the_same_record_is_a_listed_conflict(pair: Pair) -> None:
    a, b = pair.a, pair.b
    update(a, "districts", pair.district, name="Nordskov (A)")
    update(b, "districts", pair.district, name="Nordskov (B)")
    _r, report = pair.a_to_b()
    assert report.conflicts == {"districts": 1} and not report.updated
    assert name_of(b, "districts", pair.district) == "Nordskov (B)"  # local kept
    [conflict] = sync_repo.open_conflicts(b.conn)
    assert (conflict["table_name"], conflict["record_id"], conflict["kind"]) == (
        "districts",
        pair.district,
        "update",
    )
    assert json.loads(conflict["kept"])["name"] == "Nordskov (B)"
    assert json.loads(conflict["other"])["name"] == "Nordskov (A)"
    assert conflict["other_hash"] == hash_of(a, "districts", pair.district)
    # The same bundle's version is listed once, however often it arrives.
    _r, report = pair.a_to_b()
    assert report.total_conflicts == 0 and len(sync_repo.open_conflicts(b.conn)) == 1
    # B's version travels back; A had not changed it since: the two agree again.
    _r, report = pair.b_to_a()
    assert report.updated == {"districts": 1} and report.total_conflicts == 0
    assert name_of(a, "districts", pair.district) == "Nordskov (B)"
    assert hash_of(a, "districts", pair.district) == hash_of(b, "districts", pair.district)


def test_a_deletion_travels_as_a_tombstone(pair: Pair) -> None:
    a, b = pair.a, pair.b
    remove(a, "districts", pair.spare)
    result, report = pair.a_to_b()
    assert result.tombstones == 1 and result.records == 0
    assert report.deleted == {"districts": 1} and report.total_conflicts == 0
    assert sync_repo.row(b.conn, "districts", pair.spare) is None
    assert contents(a) == contents(b)
    # Sent once: the next export does not repeat it.
    result, report = pair.a_to_b()
    assert result.tombstones == 0 and is_empty(report)


def test_a_deletion_of_a_record_the_peer_changed_is_a_conflict(pair: Pair) -> None:
    a, b = pair.a, pair.b
    remove(a, "districts", pair.spare)
    update(b, "districts", pair.spare, name="Åbrink (B)")
    _r, report = pair.a_to_b()
    assert report.conflicts == {"districts": 1} and not report.deleted
    assert name_of(b, "districts", pair.spare) == "Åbrink (B)"
    [conflict] = sync_repo.open_conflicts(b.conn)
    assert conflict["kind"] == "delete" and conflict["other"] is None
    assert json.loads(conflict["kept"])["name"] == "Åbrink (B)"


def test_a_withdrawal_wins_over_a_concurrent_edit(pair: Pair) -> None:
    a, b = pair.a, pair.b
    cases_service.withdraw_consent(b, pair.consent, date(2026, 11, 20), "Mette Holm", "Nej tak.")
    update(a, "consents", pair.consent, purpose="Skoleskift.")
    _r, report = pair.b_to_a()
    row = sync_repo.row(a.conn, "consents", pair.consent)
    assert row is not None and row["withdrawn_on"] == "2026-11-20"
    assert report.conflicts == {"consents": 1}
    [conflict] = sync_repo.open_conflicts(a.conn)
    assert conflict["kind"] == "withdrawal" and conflict["record_id"] == pair.consent
    assert json.loads(conflict["kept"])["withdrawn_on"] == "2026-11-20"
    other = json.loads(conflict["other"])
    assert other["purpose"] == "Skoleskift." and other["withdrawn_on"] is None
    # And the other way round: B keeps its withdrawal.
    _r, report = pair.a_to_b()
    row = sync_repo.row(b.conn, "consents", pair.consent)
    assert row is not None and row["withdrawn_on"] == "2026-11-20"
    assert hash_of(a, "consents", pair.consent) == hash_of(b, "consents", pair.consent)


def test_a_withdrawal_here_is_kept_against_an_incoming_edit(pair: Pair) -> None:
    a, b = pair.a, pair.b
    cases_service.withdraw_consent(b, pair.consent, date(2026, 11, 20), "Mette Holm")
    update(a, "consents", pair.consent, purpose="Skoleskift.")
    _r, report = pair.a_to_b()
    row = sync_repo.row(b.conn, "consents", pair.consent)
    assert row is not None and row["withdrawn_on"] == "2026-11-20"
    assert row["purpose"] == "Tværfagligt samarbejde."
    assert report.conflicts == {"consents": 1}
    [conflict] = sync_repo.open_conflicts(b.conn)
    assert conflict["kind"] == "update"
    assert json.loads(conflict["other"])["purpose"] == "Skoleskift."


def test_an_older_bundle_arriving_late_changes_nothing(pair: Pair) -> None:
    a, b = pair.a, pair.b
    district, _c = sites_service.add_district(a, "X")
    update(a, "districts", pair.spare, name="Åbrink X")
    b1, _r = export(a, pair.out, peer_name="office")
    update(a, "districts", district, name="Y")
    update(a, "districts", pair.spare, name="Åbrink Y")
    b2, _r = export(a, pair.out, peer_name="office")
    report = load(b, b2)
    assert name_of(b, "districts", district) == "Y"
    before = snapshot(b)
    report = load(b, b1)
    assert is_empty(report)
    assert name_of(b, "districts", district) == "Y"
    assert name_of(b, "districts", pair.spare) == "Åbrink Y"
    assert snapshot(b) == before
    assert sync_repo.open_conflicts(b.conn) == []


# --- who sent it -------------------------------------------------------------------------


def test_an_unknown_sender_needs_trust(make_vault: Callable[[str], Vault], tmp_path: Path) -> None:
    a, b = make_vault("a"), make_vault("b")
    sites_service.add_district(a, "Nordskov skoledistrikt")
    data, _r = export(a, tmp_path / "out", everything=True)
    before = snapshot(b)
    with pytest.raises(UnknownSender):
        load(b, data)
    assert snapshot(b) == before
    assert sync_repo.peers(b.conn) == []
    report = load(b, data, trust_new_sender=True)
    assert report.added == {"districts": 1}
    [peer] = sync_repo.peers(b.conn)
    assert peer.vault_id == a.vault_id and peer.public_key == identity.public_key(a)


def test_a_known_vault_with_a_different_key_is_refused(pair: Pair) -> None:
    a, b = pair.a, pair.b
    update(a, "districts", pair.spare, name="Åbrink (forged)")
    new_key = base64.b64encode(bundle.new_signing_key()).decode("ascii")
    with a.transaction() as conn:
        sync_repo.set_meta(conn, identity.SIGNING_KEY, new_key)
    data, _r = export(a, pair.out, peer_name="office")
    before = snapshot(b)
    for trust in (False, True):
        with pytest.raises(BadBundle):
            load(b, data, trust_new_sender=trust)
        assert snapshot(b) == before
    assert name_of(b, "districts", pair.spare) == "Åbrink skoledistrikt"


def test_a_vault_refuses_its_own_bundle(pair: Pair) -> None:
    data, _r = export(pair.a, pair.out, everything=True)
    before = snapshot(pair.a)
    with pytest.raises(BadInput) as raised:
        load(pair.a, data, trust_new_sender=True)
    assert type(raised.value) is BadInput
    assert snapshot(pair.a) == before


# --- rejected bundles leave the vault unchanged --------------------------------------


def forge(
    sender: Vault,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    tombstones: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """A bundle properly signed by ``sender`` holding exactly these rows."""
    plain = bundle.pack(
        rows,
        tombstones,
        {},
        source_vault_id=sender.vault_id,
        source_name=identity.name(sender),
        created_at=sender.now(),
        seq_range=(1, 10_000),
        signing_key=identity.signing_key(sender),
    )
    return bundle.encrypt(plain, recipients=RECIPIENTS)


def _row(sender: Vault, **values: Any) -> dict[str, Any]:
    now = sender.now()
    return {
        "id": str(uuid.uuid4()),
        "created_at": now,
        "updated_at": now,
        "writer_vault_id": sender.vault_id,
        "_seq": 9_999,
        **values,
    }


def _district(sender: Vault, name: Any = "Ny skoledistrikt") -> dict[str, Any]:
    return _row(sender, name=name)


def _contact(sender: Vault, site_id: str | None) -> dict[str, Any]:
    return _row(
        sender,
        name="Per Lien",
        role_id=None,
        site_id=site_id,
        organisation="",
        phone="",
        email="",
    )


def _role(sender: Vault, position: Any) -> dict[str, Any]:
    return _row(sender, key=None, name="Ergoterapeut", position=position)


BAD_BUNDLES: dict[str, Callable[[Vault], bytes]] = {
    "integer column holds a string": lambda a: forge(
        a, {"districts": [_district(a)], "roles": [_role(a, "3")]}
    ),
    "text column holds an integer": lambda a: forge(a, {"districts": [_district(a, name=7)]}),
    "NOT NULL column is null": lambda a: forge(a, {"districts": [_district(a, name=None)]}),
    "missing column": lambda a: forge(
        a,
        {
            "districts": [
                _district(a),
                {k: v for k, v in _district(a).items() if k != "name"},
            ]
        },
    ),
    "extra column": lambda a: forge(a, {"districts": [{**_district(a), "secret": "x"}]}),
    "unknown table": lambda a: forge(
        a, {"districts": [_district(a)], "secrets": [{"id": "s1", "_seq": 1}]}
    ),
    "tombstone of an unknown table": lambda a: forge(
        a,
        {"districts": [_district(a)]},
        [{"table": "secrets", "id": "s1", "seq": 1, "at": a.now()}],
    ),
    "overlong id": lambda a: forge(a, {"districts": [{**_district(a), "id": "x" * 65}]}),
    "dangling reference": lambda a: forge(
        a,
        {"districts": [_district(a)], "contacts": [_contact(a, str(uuid.uuid4()))]},
    ),
    "check constraint": lambda a: forge(
        a,
        {
            "districts": [_district(a)],
            "sites": [
                _row(
                    a,
                    name="Skolen",
                    kind="castle",
                    district_id=None,
                    address="",
                    leader="",
                )
            ],
        },
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_a_bad_record_rejects_the_whole_bundle(pair: Pair, case: str) -> None:
    data = BAD_BUNDLES[case](pair.a)
    before = snapshot(pair.b)
    audit_before = len(audit.entries(pair.b.conn))
    with pytest.raises(BadInput) as raised:
        load(pair.b, data)
    if case in ("dangling reference", "check constraint"):
        assert isinstance(raised.value, BadBundle)
    assert snapshot(pair.b) == before
    assert len(audit.entries(pair.b.conn)) == audit_before


def test_the_forged_bundles_are_otherwise_valid(pair: Pair) -> None:
    """The control for the test above: the same construction, with good rows, imports."""
    district = _district(pair.a)
    contact = _contact(pair.a, pair.site)
    report = load(pair.b, forge(pair.a, {"districts": [district], "contacts": [contact]}))
    assert report.added == {"districts": 1, "contacts": 1}
    assert name_of(pair.b, "contacts", contact["id"]) == "Per Lien"


def test_an_overlong_field_is_refused_by_pack_and_by_import(pair: Pair) -> None:
    too_long = "x" * (bundle.MAX_FIELD_CHARS + 1)
    with pytest.raises(BadBundle) as raised:
        forge(pair.a, {"districts": [_district(pair.a, too_long)]})
    assert raised.value.kind == "field_too_long"
    # A bundle from a writer without the limit: refused on import, nothing written.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bundle, "MAX_FIELD_CHARS", bundle.MAX_FIELD_CHARS + 10)
        data = forge(pair.a, {"districts": [_district(pair.a, too_long)]})
    before = snapshot(pair.b)
    with pytest.raises(BadBundle) as raised:
        load(pair.b, data)
    assert raised.value.kind == "field_too_long"
    assert snapshot(pair.b) == before
    # Exactly at the limit is fine.
    at_limit = _district(pair.a, "y" * bundle.MAX_FIELD_CHARS)
    assert load(pair.b, forge(pair.a, {"districts": [at_limit]})).added == {"districts": 1}
    assert name_of(pair.b, "districts", at_limit["id"]) == at_limit["name"]


def test_a_bundle_for_another_key_is_refused(pair: Pair) -> None:
    update(pair.a, "districts", pair.spare, name="Åbrink Ny")
    other = pyrage.x25519.Identity.generate()
    data, _r = export(pair.a, pair.out, peer_name="office", recipients=[str(other.to_public())])
    before = snapshot(pair.b)
    with pytest.raises(BadBundle) as raised:
        load(pair.b, data)
    assert raised.value.kind == "not_for_your_key"
    assert snapshot(pair.b) == before
    # The intended holder can open it.
    assert load(pair.b, data, identities=[str(other)]).updated == {"districts": 1}


def test_a_wrong_bundle_passphrase_is_refused(pair: Pair) -> None:
    update(pair.a, "districts", pair.spare, name="Åbrink Ny")
    data, _r = export(pair.a, pair.out, peer_name="office", passphrase="kaffe på kontoret")
    before = snapshot(pair.b)
    with pytest.raises(BadBundle) as raised:
        load(pair.b, data, passphrase="te på kontoret")
    assert raised.value.kind == "wrong_passphrase"
    assert snapshot(pair.b) == before


# --- export by case ------------------------------------------------------------------


def test_exporting_one_case_brings_what_it_needs_and_no_other_child(
    demo_vault: Demo, make_vault: Callable[[str], Vault], tmp_path: Path
) -> None:
    a, emma = demo_vault.vault, demo_vault.emma_id
    b = make_vault("b")
    data, result = export(a, tmp_path / "out", case_ids=[emma])
    report = load(b, data, trust_new_sender=True)
    assert report.total_conflicts == 0

    assert [c["id"] for c in sync_repo.all_rows(b.conn, "cases")] == [emma]
    about = case_data_repo.rows_about_case(a.conn, emma)
    for table in (
        "guardians",
        "case_levels",
        "consents",
        "consent_guardians",
        "consent_roles",
        "agenda_items",
        "item_minutes",
        "agreements",
        "interventions",
        "sdq_assessments",
    ):
        ids = {r["id"] for r in about[table]}
        assert ids, table  # the demo gives Emma all of these
        assert {r["id"] for r in sync_repo.all_rows(b.conn, table)} == ids, table
        assert sync_repo.rows_by_id(b.conn, table, ids) == sync_repo.rows_by_id(a.conn, table, ids)
    # What the case's records refer to arrived too …
    case = sync_repo.row(a.conn, "cases", emma)
    assert case is not None
    site = sync_repo.row(b.conn, "sites", case["site_id"])
    assert site is not None and sync_repo.row(b.conn, "districts", site["district_id"])
    meetings = {i["meeting_id"] for i in about["agenda_items"]}
    assert {m["id"] for m in sync_repo.rows_by_id(b.conn, "meetings", meetings)} == meetings
    owners = {g["owner_contact_id"] for g in about["agreements"]} - {None}
    assert owners
    assert {c["id"] for c in sync_repo.rows_by_id(b.conn, "contacts", owners)} == owners
    # … including whether those minutes were approved (the lock on them).
    minutes_meetings = {m["meeting_id"] for m in about["item_minutes"]}
    approvals_a = [
        m
        for m in sync_repo.all_rows(a.conn, "meeting_minutes")
        if m["meeting_id"] in minutes_meetings
    ]
    assert approvals_a, "the demo approves the minutes Emma is in"
    assert sync_repo.rows_by_id(b.conn, "meeting_minutes", [m["id"] for m in approvals_a]) == (
        approvals_a
    )
    # … and nothing about any other child.
    for table in SYNC_TABLES:
        for row in sync_repo.all_rows(b.conn, table):
            assert row.get("case_id") in (None, emma), (table, row["id"])
    for item in sync_repo.all_rows(b.conn, "agenda_items"):
        assert item["case_id"] == emma
    assert sum(result.counts.values()) == result.records


def test_exporting_an_unknown_case_is_refused(pair: Pair) -> None:
    with pytest.raises(BadInput):
        export(pair.a, pair.out, case_ids=["no-such-case"])


# --- progress and audit -------------------------------------------------------------


def test_progress_counts_up(
    demo_vault: Demo, make_vault: Callable[[str], Vault], tmp_path: Path
) -> None:
    calls: list[tuple[str, int, int]] = []
    data, result = export(
        demo_vault.vault,
        tmp_path / "out",
        everything=True,
        progress=lambda t, d, n: calls.append((t, d, n)),
    )
    _check_progress(calls, result.records)

    calls.clear()
    load(
        make_vault("b"),
        data,
        trust_new_sender=True,
        progress=lambda t, d, n: calls.append((t, d, n)),
    )
    _check_progress(calls, result.records + result.tombstones)


def _check_progress(calls: list[tuple[str, int, int]], total: int) -> None:
    assert len(calls) > 5
    done = [d for _t, d, _n in calls]
    assert done == sorted(done) and len(set(done)) == len(done)  # strictly increasing
    assert {n for _t, _d, n in calls} == {total}
    assert done[-1] == total
    tables = [t for t, _d, _n in calls]
    assert tables == sorted(tables, key=SYNC_TABLES.index) and len(set(tables)) == len(tables)


def test_export_and_import_are_audited_with_counts_only(pair: Pair) -> None:
    a, b = pair.a, pair.b
    district, _c = sites_service.add_district(a, "Søndervig skoledistrikt")
    update(a, "districts", pair.spare, name="Åbrink Vest")
    remove(a, "districts", pair.spare)
    before_a, before_b = len(audit.entries(a.conn)), len(audit.entries(b.conn))
    result, report = pair.a_to_b()
    new_a = audit.entries(a.conn)[before_a:]
    new_b = audit.entries(b.conn)[before_b:]
    assert [e.action for e in new_a] == [audit.Action.EXPORT]
    assert [e.action for e in new_b] == [audit.Action.IMPORT]
    assert json.loads(new_a[0].details) == {
        "mode": "peer",
        "records": result.records,
        "tombstones": 1,
        "attachments": 0,
    }
    assert json.loads(new_b[0].details) == {
        "added": 1,
        "updated": 0,
        "deleted": 1,
        "conflicts": 0,
    }
    assert report.added == {"districts": 1}
    names = ("Søndervig", "Åbrink", "Nordskov", "Ida", "Mette", "alpha", "office")
    for entry in (*new_a, *new_b):
        text = json.dumps([entry.action, entry.entity, entry.entity_id, entry.details])
        assert not any(n in text for n in names), text
    assert audit.first_broken_entry(a.conn) is None and audit.first_broken_entry(b.conn) is None


def test_a_meeting_and_its_agenda_travel(pair: Pair) -> None:
    """Calendar records and the references between them survive a peer exchange."""
    a, b = pair.a, pair.b
    forum = next(f for f in forums_repo.list_all(a.conn) if f.kind == ForumKind.DIALOGUE)
    meeting, _c = CalendarService(a).add_meeting(
        forum.id, pair.site, datetime.combine(date(2026, 12, 1), time(10, 0))
    )
    item, _c = agenda_service.add_case_item(a, meeting, pair.case, minutes=20)
    _r, report = pair.a_to_b()
    assert report.added == {"meetings": 1, "agenda_items": 1}
    assert contents(a) == contents(b)
    CalendarService(b).annotate(meeting, "Lokale 2")
    _r, report = pair.b_to_a()
    assert report.updated == {"meetings": 1}
    assert name_of(a, "meetings", meeting, "note") == "Lokale 2"
    assert name_of(a, "agenda_items", item, "case_id") == pair.case


def test_crossing_bundles_with_edits_of_the_same_record_list_a_conflict(pair: Pair) -> None:
    """Both offices export, then both import (the usual exchange): concurrent
    edits of one record must not silently swap sides."""
    a, b = pair.a, pair.b
    update(a, "districts", pair.district, name="Nordskov (A)")
    update(b, "districts", pair.district, name="Nordskov (B)")
    from_a, _r = export(a, pair.out, peer_name="office")
    from_b, _r = export(b, pair.out, peer_name=identity.name(a))
    load(b, from_a)
    load(a, from_b, trust_new_sender=True)
    listed = [
        c
        for c in (*sync_repo.open_conflicts(a.conn), *sync_repo.open_conflicts(b.conn))
        if c["record_id"] == pair.district
    ]
    names = {name_of(a, "districts", pair.district), name_of(b, "districts", pair.district)}
    assert listed, f"no conflict listed; A and B now hold {names}"
    # Both edits survive: as a current value or as a listed version.
    seen = names | {json.loads(c[k])["name"] for c in listed for k in ("kept", "other") if c[k]}
    assert {"Nordskov (A)", "Nordskov (B)"} <= seen


def test_crossing_bundles_never_undo_a_withdrawal(pair: Pair) -> None:
    a, b = pair.a, pair.b
    cases_service.withdraw_consent(a, pair.consent, date(2026, 11, 20), "Mette Holm")
    update(b, "consents", pair.consent, purpose="Skoleskift.")
    from_a, _r = export(a, pair.out, peer_name="office")
    from_b, _r = export(b, pair.out, peer_name=identity.name(a))
    load(b, from_a)
    load(a, from_b, trust_new_sender=True)
    for vault in (a, b):
        assert name_of(vault, "consents", pair.consent, "withdrawn_on") == "2026-11-20"


def test_a_bundle_arriving_before_the_one_it_builds_on_can_be_imported_later(
    pair: Pair,
) -> None:
    """b2 refers to a site that only b1 carries: b2 first is refused with the
    vault unchanged and usable; b1 then b2 brings both."""
    a, b = pair.a, pair.b
    district, _c = sites_service.add_district(a, "Søndervig skoledistrikt")
    b1, _r = export(a, pair.out, peer_name="office")
    site, _c = sites_service.add_site(a, "Søndervig Skole", SiteKind.SCHOOL, district)
    b2, _r = export(a, pair.out, peer_name="office")
    before = snapshot(b)
    with pytest.raises(BadBundle):
        load(b, b2)
    assert not b.conn.in_transaction, "the failed import left its transaction open"
    assert snapshot(b) == before
    sites_service.add_district(b, "Åbrink Nord")  # the vault still takes writes
    assert load(b, b1).added == {"districts": 1}
    assert load(b, b2).added == {"sites": 1}
    assert name_of(b, "sites", site) == "Søndervig Skole"
