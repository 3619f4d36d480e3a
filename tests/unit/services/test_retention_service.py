"""Retention and erasure against a real SQLCipher vault (app/services/retention_service.py).

"Really gone" is checked on the files themselves. They are encrypted, so a
plain byte search would prove nothing: the tests decrypt every page of the
database, the -wal file and each managed backup with the vault key (AES-256-CBC
pages, as SQLCipher 4 writes them) and search the plaintext — and first check
that the same search finds the marker before the erasure.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import CaseStatus, ConsentForm
from app.domain.dates import add_months
from app.domain.retention import ClosureReason, DueReason, ItemKind, RetentionRules
from app.errors import BadInput
from app.services import (
    agenda_service,
    cases_service,
    minutes_service,
    retention_service,
    sdq_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.services.cases_service import RetentionOver
from app.store import (
    audit,
    backup,
    case_data_repo,
    forums_repo,
    interventions_repo,
    roles_repo,
    sync_repo,
)
from app.store.vault import Vault, VaultDirectory
from app.sync.exporter import export_bundle
from tests.helpers.vaults import FAST_KDF, PASSPHRASE, open_directory

TODAY = date(2026, 11, 23)
PAGE = 4096
RESERVE = 80  # SQLCipher 4: 16-byte IV + 64-byte HMAC-SHA512 at the end of each page
WAL_HEADER, FRAME_HEADER = 32, 24
# Local bookkeeping that names erased ids (no personal data) by design.
ID_ONLY_TABLES = {"erased_records", "change_log", "audit_log", "sync_base"}


# --- decrypting the files -----------------------------------------------------------------


def decrypt_page(key: bytes, page: bytes, number: int) -> bytes:
    start = 16 if number == 1 else 0  # page 1 begins with the file's salt
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE - RESERVE]) + decryptor.finalize()


def database_plaintext(key: bytes, data: bytes) -> bytes:
    pages = [data[i : i + PAGE] for i in range(0, len(data) - len(data) % PAGE, PAGE)]
    return b"".join(decrypt_page(key, page, n) for n, page in enumerate(pages, start=1))


def wal_plaintext(key: bytes, data: bytes) -> bytes:
    out = []
    frame = FRAME_HEADER + PAGE
    for offset in range(WAL_HEADER, len(data) - frame + 1, frame):
        number = int.from_bytes(data[offset : offset + 4], "big")
        out.append(decrypt_page(key, data[offset + FRAME_HEADER : offset + frame], number))
    return b"".join(out)


def backup_plaintext(key: bytes, path: Path) -> bytes:
    parsed = backup.read_header(path)
    return database_plaintext(key, path.read_bytes()[parsed.db_offset :])


def plaintexts(key: bytes, root: Path) -> dict[str, bytes]:
    """Decrypted content of the database, its WAL and every managed backup."""
    found: dict[str, bytes] = {}
    db, wal = root / "vault.db", root / "vault.db-wal"
    found["vault.db"] = database_plaintext(key, db.read_bytes())
    found["vault.db-wal"] = wal_plaintext(key, wal.read_bytes()) if wal.exists() else b""
    for path in sorted((root / "backups").rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if path.name.endswith(backup.SUFFIX):
            found[name] = backup_plaintext(key, path)
        elif path.name == "vault.db":
            found[name] = database_plaintext(key, path.read_bytes())
        elif path.name == "vault.db-wal":
            found[name] = wal_plaintext(key, path.read_bytes())
        else:
            found[name] = path.read_bytes()
    return found


def holding(key: bytes, root: Path, needle: bytes) -> list[str]:
    return [name for name, text in plaintexts(key, root).items() if needle in text]


# --- a case with every kind of record ------------------------------------------------


@dataclass(frozen=True)
class World:
    site: str
    meeting: str
    general_item: str


@dataclass(frozen=True)
class Child:
    case_id: str
    item_id: str
    consent_id: str


def roles(vault: Vault) -> dict[str, str]:
    return {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}


def forum(vault: Vault, kind: ForumKind) -> str:
    found = forums_repo.by_kind(vault.conn, str(kind))
    assert found is not None
    return found.id


def world(vault: Vault, day: date = TODAY - timedelta(days=1)) -> World:
    site, _c = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
    meeting = new_meeting(vault, site, day)
    general, _c = agenda_service.add_general_item(vault, meeting, "Orientering", minutes=10)
    return World(site, meeting, general)


def new_meeting(vault: Vault, site: str, day: date) -> str:
    meeting_id, _c = CalendarService(vault).add_meeting(
        forum(vault, ForumKind.SCHOOL_RESOURCE_TEAM),
        site,
        datetime(day.year, day.month, day.day, 12),
    )
    return meeting_id


def child(vault: Vault, w: World, first: str, marker: str, *, opened: date | None = None) -> Child:
    """A named case with guardians, levels, a consent with a scan, an agenda item with
    minutes, an agreement, an intervention and SDQ answers — the marker in its text."""
    opened = opened or TODAY - timedelta(days=90)
    case_id, _c = cases_service.create_anonymous(
        vault, first, w.site, f"Bekymring {marker} i frikvarteret.", opened, age_or_year="2. kl."
    )
    mother, _c = cases_service.add_guardian(vault, case_id, f"Mor {marker}", "mor", True)
    cases_service.set_level(vault, case_id, 2, opened + timedelta(days=3))
    scope = [roles(vault)[k] for k in ("leader", "teacher", "ppr")]
    consent_id, _c = cases_service.record_consent(
        vault,
        case_id,
        opened,
        ConsentForm.WRITTEN,
        [mother],
        scope,
        purpose=f"Samarbejde {marker}.",
        scan=b"%PDF-1.4 scan " + marker.encode() + b" %%EOF",
    )
    cases_service.make_named(vault, case_id, f"Hansen{first}", date(2016, 5, 1), opened)
    item_id, _c = agenda_service.add_case_item(vault, w.meeting, case_id, notes=f"Note {marker}")
    minutes_service.start(vault, w.meeting)
    minutes_service.save_field(vault, item_id, "knowledge", f"Viden {marker} om barnet.")
    minutes_service.add_agreement(vault, item_id, f"Aftale {marker}", deadline=TODAY)
    kind = interventions_repo.types(vault.conn)[0][0]
    minutes_service.add_intervention(vault, item_id, kind, f"Mål {marker}", TODAY)
    sdq_service.record_answers(vault, case_id, TODAY, "parent", 9, "0120120120120120120120120")
    return Child(case_id, item_id, consent_id)


def every_id_about(vault: Vault, case_id: str) -> dict[str, set[str]]:
    rows = case_data_repo.rows_about_case(vault.conn, case_id)
    return {t: {str(r["id"]) for r in rs} for t, rs in rows.items() if t != "audit_log"}


def tables(vault: Vault) -> list[str]:
    return [
        r[0]
        for r in vault.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]


def rows_mentioning(vault: Vault, needles: set[str]) -> dict[str, int]:
    """Table → rows with any column equal to, or text containing, one of ``needles``."""
    hits: dict[str, int] = {}
    for table in tables(vault):
        for row in vault.conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                if any(n in text for n in needles):
                    hits[table] = hits.get(table, 0) + 1
                    break
    return hits


def marker() -> str:
    return f"zqx{uuid.uuid4().hex[:16]}"


# --- erasure ------------------------------------------------------------------------------


def test_erasing_a_case_removes_every_record_about_it_and_keeps_the_rest(vault: Vault) -> None:
    w = world(vault)
    secret, kept_marker = marker(), marker()
    gone = child(vault, w, "Emma", secret)
    kept = child(vault, w, "Noah", kept_marker)
    ids = every_id_about(vault, gone.case_id)
    assert set(ids) == set(case_data_repo.CASE_TABLES) - {"audit_log"}
    assert all(ids.values()), {t: len(v) for t, v in ids.items()}  # every kind of record
    kept_before = case_data_repo.rows_about_case(vault.conn, kept.case_id)
    kept_before.pop("audit_log")

    result = retention_service.erase_case(vault, gone.case_id)

    assert result.cases == (gone.case_id,)
    assert result.counts == {t: len(v) for t, v in ids.items()}
    every = {i for v in ids.values() for i in v}
    assert result.changes.ids == every
    # No row anywhere refers to it or holds its text — outside the id-only bookkeeping.
    hits = rows_mentioning(vault, every | {secret})
    assert set(hits) <= ID_ONLY_TABLES, hits
    assert secret not in json.dumps(rows_mentioning(vault, {secret}))
    # The other child, the meeting and its general content are untouched.
    kept_after = case_data_repo.rows_about_case(vault.conn, kept.case_id)
    kept_after.pop("audit_log")
    assert kept_after == kept_before
    assert sync_repo.row(vault.conn, "meetings", w.meeting) is not None
    assert sync_repo.row(vault.conn, "agenda_items", w.general_item) is not None
    assert vault.self_test().ok


def test_each_erased_record_leaves_a_delete_for_peers_and_an_erased_id(vault: Vault) -> None:
    w = world(vault)
    gone = child(vault, w, "Emma", marker())
    ids = every_id_about(vault, gone.case_id)

    retention_service.erase_case(vault, gone.case_id)

    deleted = {(t, r) for t, r, _s, _a in sync_repo.deleted_records(vault.conn)}
    erased = {
        (t, r) for t, r in vault.conn.execute("SELECT table_name, record_id FROM erased_records")
    }
    expected = {(t, i) for t, v in ids.items() for i in v}
    assert expected <= deleted
    assert erased == expected
    assert vault.conn.execute("SELECT * FROM erased_records").description is not None
    columns = [r[1] for r in vault.conn.execute("PRAGMA table_info(erased_records)")]
    assert columns == ["table_name", "record_id", "erased_at"]  # ids only


def test_the_audit_entry_names_only_the_case_id_and_counts(vault: Vault) -> None:
    w = world(vault)
    secret = marker()
    gone = child(vault, w, "Emma", secret)

    retention_service.erase_case(vault, gone.case_id)

    [entry] = [e for e in audit.entries(vault.conn) if e.action == retention_service.ERASED]
    assert (entry.entity, entry.entity_id) == ("case", gone.case_id)
    details = json.loads(entry.details)
    assert set(details) <= set(case_data_repo.CASE_TABLES) | {"bundles"}
    assert all(type(v) is int for v in details.values())
    assert details["cases"] == 1 and details["attachments"] == 1 and details["bundles"] == 0
    text = json.dumps([e.__dict__ for e in audit.entries(vault.conn)], ensure_ascii=False)
    for word in (secret, "Emma", "HansenEmma", "Mor"):
        assert word not in text
    assert audit.first_broken_entry(vault.conn) is None


def test_an_erased_markers_text_is_gone_from_database_wal_and_managed_backups(
    vault_dir: Path, tmp_path: Path
) -> None:
    secret = marker()
    directory = open_directory(vault_dir)
    try:
        vault = directory.create(PASSPHRASE, "DK").vault
        key = vault.database_key()
        w = world(vault)
        gone = child(vault, w, "Emma", secret)
        child(vault, w, "Noah", marker())
        vault.close()  # automatic backup 1 holds the case
        # A restore sets the replaced vault aside in backups/replaced-*/ (with the case).
        vault = directory.unlock(PASSPHRASE)
        manual = tmp_path / "manual.samraad-backup"
        vault.backup_to(manual)
        vault.close()
        directory.restore(manual, passphrase=PASSPHRASE)
        vault = directory.unlock(PASSPHRASE)
        sites_service.add_district(vault, "Åbrink")
        vault.close()  # automatic backup 2
        vault = directory.unlock(PASSPHRASE)
        backups = vault_dir / "backups"
        assert len(backup.auto_backups(backups)) == 2
        assert list(backups.glob("replaced-*"))
        # The search works: before the erasure it finds the marker in the
        # database or its WAL, and in every automatic backup.
        before = holding(key, vault_dir, secret.encode())
        assert {"vault.db", "vault.db-wal"} & set(before), before
        assert {p.relative_to(vault_dir).as_posix() for p in backup.auto_backups(backups)} <= set(
            before
        )

        # The full-text index stores words prefix-compressed: its copy of the
        # marker may lack the first letters, never the last ones.
        tail = secret[-10:].encode()
        assert vault.conn.execute(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (secret,)
        ).fetchone() == (3,)  # the case, its agenda item, its minutes

        result = retention_service.erase_case(vault, gone.case_id)

        assert holding(key, vault_dir, secret.encode()) == []
        assert holding(key, vault_dir, tail) == []
        assert vault.conn.execute(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (secret,)
        ).fetchone() == (0,)
        assert (vault_dir / "vault.db-wal").stat().st_size == 0
        # Not vacuous: the same decryption still finds the other child's text.
        assert b"HansenNoah" in plaintexts(key, vault_dir)["vault.db"]
        assert result.cleanup.removed_backups == 3  # two automatic, one set-aside vault
        assert result.cleanup.new_backup is not None
        assert backup.auto_backups(backups) == [result.cleanup.new_backup]
        assert not list(backups.glob("replaced-*"))
        # The new backup is a whole vault (it has the other child), just not this one.
        assert b"HansenNoah" in backup_plaintext(key, result.cleanup.new_backup)
        vault.close()
        assert holding(key, vault_dir, tail) == []
        assert all(
            secret.encode() not in p.read_bytes() for p in vault_dir.rglob("*") if p.is_file()
        )
    finally:
        directory.release()


def test_an_unfinished_clean_up_is_finished_later(vault: Vault) -> None:
    assert retention_service.finish_pending(vault) is None
    with vault.transaction() as conn:
        sync_repo.set_meta(conn, retention_service.PENDING, vault.now())

    done = retention_service.finish_pending(vault)

    assert done is not None and done.new_backup is not None
    assert sync_repo.meta(vault.conn, retention_service.PENDING) is None
    assert retention_service.finish_pending(vault) is None


def test_erasing_an_unknown_case_is_refused(vault: Vault) -> None:
    with pytest.raises(BadInput):
        retention_service.erase_case(vault, "no-such-case")


# --- exported bundles that may still hold the case --------------------------------------


def test_the_bundles_exported_with_the_case_are_named(vault: Vault, tmp_path: Path) -> None:
    w = world(vault)
    gone = child(vault, w, "Emma", marker())
    other = child(vault, w, "Noah", marker())
    recipients = [str(pyrage.x25519.Identity.generate().to_public())]
    out = tmp_path / "out"
    out.mkdir()
    export_bundle(vault, out / "emma.samraad", recipients=recipients, case_ids=[gone.case_id])
    export_bundle(vault, out / "noah.samraad", recipients=recipients, case_ids=[other.case_id])
    export_bundle(vault, out / "all.samraad", recipients=recipients, everything=True)
    export_bundle(vault, out / "office.samraad", recipients=recipients, peer_name="Kontoret")
    (out / "all.samraad").unlink()  # the advisor deleted this one already
    listed = retention_service.bundles_holding(vault, [gone.case_id])
    assert [Path(b.path).name for b in listed] == ["emma.samraad", "all.samraad", "office.samraad"]

    result = retention_service.erase_case(vault, gone.case_id)

    assert [(Path(b.path).name, b.exists) for b in result.bundles] == [
        ("emma.samraad", True),
        ("all.samraad", False),
        ("office.samraad", True),
    ]
    assert {b.mode for b in result.bundles} == {"cases", "all", "peer"}
    assert [b.peer_name for b in result.bundles if b.mode == "peer"] == ["Kontoret"]
    [entry] = [e for e in audit.entries(vault.conn) if e.action == retention_service.ERASED]
    assert json.loads(entry.details)["bundles"] == 3
    # The export log forgets the erased case (and a file that held only it, whose
    # name may name the child); the other child's bundles stay listed.
    assert retention_service.bundles_holding(vault, [gone.case_id]) == []
    assert len(retention_service.bundles_holding(vault, [other.case_id])) == 3
    paths = [r[0] for r in vault.conn.execute("SELECT path FROM bundle_exports")]
    assert sorted(Path(p).name for p in paths) == ["all.samraad", "noah.samraad", "office.samraad"]


# --- what is due ----------------------------------------------------------------------------


def test_the_due_list_follows_the_meetings_and_closures_in_the_vault(vault: Vault) -> None:
    w = world(vault)
    long_ago = add_months(TODAY, -13)
    old_meeting = new_meeting(vault, w.site, long_ago)
    quiet, _c = cases_service.create_anonymous(
        vault, "Ida", w.site, "Træt.", long_ago - timedelta(days=20)
    )
    agenda_service.add_case_item(vault, old_meeting, quiet)
    recent, _c = cases_service.create_anonymous(
        vault, "Bo", w.site, "Uro.", long_ago - timedelta(days=20)
    )
    agenda_service.add_case_item(vault, old_meeting, recent)
    agenda_service.add_case_item(vault, w.meeting, recent)  # discussed again yesterday
    named = child(vault, w, "Emma", marker(), opened=add_months(TODAY, -70)).case_id
    cases_service.close_case(vault, named, add_months(TODAY, -60), ClosureReason.MOVED)
    fresh = child(vault, w, "Noah", marker(), opened=add_months(TODAY, -70)).case_id
    cases_service.close_case(vault, fresh, add_months(TODAY, -59), ClosureReason.RESOLVED)

    entries = retention_service.due(vault, TODAY)

    # Longest overdue first.
    assert [(e.item.case_id, e.item.reason) for e in entries] == [
        (quiet, DueReason.ANONYMOUS_INACTIVE),
        (named, DueReason.NAMED_CLOSED),
    ]
    assert (entries[0].item.since, entries[0].item.due_on) == (long_ago, add_months(TODAY, -1))
    assert (entries[0].case.first_name, entries[0].case.site_name) == ("Ida", "Nordskov Skole")
    assert (entries[1].item.since, entries[1].item.due_on) == (add_months(TODAY, -60), TODAY)
    assert retention_service.due_count(vault, TODAY) == 2
    # A cancelled meeting did not discuss anyone.
    CalendarService(vault).cancel_meeting(w.meeting)
    assert recent in {e.item.case_id for e in retention_service.due(vault, TODAY)}


def test_the_rules_are_settings_the_advisor_can_change(vault: Vault) -> None:
    assert retention_service.rules(vault) == RetentionRules()
    changes = retention_service.set_rules(vault, RetentionRules(6, 24, 7))
    assert "settings" in changes.tables
    assert retention_service.rules(vault) == RetentionRules(6, 24, 7)
    assert audit.entries(vault.conn)[-1].action == retention_service.RULES_CHANGED
    with pytest.raises(BadInput):
        retention_service.set_rules(vault, RetentionRules(anonymous_months=0))
    assert retention_service.rules(vault) == RetentionRules(6, 24, 7)


def test_erase_due_erases_every_due_case_and_nothing_else(vault: Vault) -> None:
    w = world(vault)
    old = child(vault, w, "Emma", marker(), opened=add_months(TODAY, -80)).case_id
    cases_service.close_case(vault, old, add_months(TODAY, -61), ClosureReason.REFERRED)
    current = child(vault, w, "Noah", marker()).case_id

    result = retention_service.erase_due(vault, TODAY)

    assert result.cases == (old,)
    assert cases_service.get_case(vault, current).id == current
    assert retention_service.due(vault, TODAY) == []
    empty = retention_service.erase_due(vault, TODAY)
    assert (empty.cases, empty.forms, empty.counts) == ((), (), {})


# --- a withdrawn consent's scanned form ---------------------------------------------------


def test_a_withdrawn_consents_form_is_due_at_once_and_the_withdrawal_stays(vault: Vault) -> None:
    w = world(vault)
    secret = marker()
    emma = child(vault, w, "Emma", secret)
    cases_service.withdraw_consent(vault, emma.consent_id, TODAY, "Mor", "Ønsker det ikke.")
    [entry] = retention_service.due(vault, TODAY)
    assert (entry.item.kind, entry.item.reason) == (
        ItemKind.CONSENT_FORM,
        DueReason.CONSENT_WITHDRAWN,
    )
    assert entry.item.consent_id == emma.consent_id
    attachment = entry.item.attachment_id
    assert attachment is not None

    result = retention_service.erase_due(vault, TODAY)

    assert result.forms == (emma.consent_id,) and result.cases == ()
    assert result.counts == {"attachments": 1}
    assert sync_repo.row(vault.conn, "attachments", attachment) is None
    consent = sync_repo.row(vault.conn, "consents", emma.consent_id)
    assert consent is not None
    assert (consent["withdrawn_on"], consent["attachment_id"]) == (TODAY.isoformat(), None)
    assert retention_service.due(vault, TODAY) == []
    assert [e.action for e in audit.entries(vault.conn)].count(retention_service.FORM_ERASED) == 1
    assert rows_mentioning(vault, {"%PDF-1.4 scan " + secret}) == {}


def test_erase_form_refuses_a_consent_without_a_form(vault: Vault) -> None:
    with pytest.raises(BadInput):
        retention_service.erase_form(vault, "no-such-consent")


# --- closing and reopening ----------------------------------------------------------------


def test_closing_records_date_and_reason(vault: Vault) -> None:
    w = world(vault)
    case_id = child(vault, w, "Emma", marker()).case_id

    cases_service.close_case(vault, case_id, TODAY, ClosureReason.MOVED)

    row = cases_service.get_case(vault, case_id)
    assert (row.status, row.closed_on, row.closure_reason) == ("closed", TODAY.isoformat(), "moved")
    with pytest.raises(BadInput):
        cases_service.close_case(vault, case_id, TODAY, "bored")
    with pytest.raises(BadInput):
        cases_service.close_case(vault, case_id, TODAY - timedelta(days=400))


def test_reopening_within_the_period_clears_the_due_date(vault: Vault) -> None:
    w = world(vault)
    case_id = child(vault, w, "Emma", marker(), opened=add_months(TODAY, -70)).case_id
    cases_service.close_case(vault, case_id, add_months(TODAY, -59), ClosureReason.RESOLVED)
    later = add_months(TODAY, 1)
    assert [e.item.case_id for e in retention_service.due(vault, later)] == [case_id]

    cases_service.reopen_case(vault, case_id, TODAY)

    row = cases_service.get_case(vault, case_id)
    assert (row.status, row.closed_on) == (CaseStatus.OPEN, None)
    assert retention_service.due(vault, later) == []
    assert retention_service.due(vault, add_months(TODAY, 120)) == []
    with pytest.raises(BadInput):
        cases_service.reopen_case(vault, case_id, TODAY)  # open already


def test_reopening_after_the_period_is_refused(vault: Vault) -> None:
    w = world(vault)
    case_id = child(vault, w, "Emma", marker(), opened=add_months(TODAY, -70)).case_id
    cases_service.close_case(vault, case_id, add_months(TODAY, -60), ClosureReason.RESOLVED)

    with pytest.raises(RetentionOver):
        cases_service.reopen_case(vault, case_id, TODAY)

    assert cases_service.get_case(vault, case_id).status == CaseStatus.CLOSED


def test_reopening_takes_today_from_the_vault_clock(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 10, 0).astimezone()
    directory = VaultDirectory.open(
        tmp_path / "clocked",
        clock=lambda: now,
        passphrase_kdf=FAST_KDF,
        recovery_kdf=FAST_KDF,
    )
    try:
        vault = directory.create(PASSPHRASE, "DK").vault
        w = world(vault)
        case_id, _c = cases_service.create_anonymous(vault, "Ida", w.site, "Træt.", TODAY)
        cases_service.close_case(vault, case_id, TODAY)
        cases_service.reopen_case(vault, case_id)
        row = sync_repo.row(vault.conn, "cases", case_id)
        assert row is not None and row["reopened_on"] == TODAY.isoformat()
    finally:
        directory.release()
