"""The cases service against a real SQLCipher vault: validation, consents, naming, audit."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.calendar_model import SiteKind
from app.domain.case_model import CaseKind, CaseStatus, ConsentForm
from app.errors import BadInput
from app.services import cases_service, sites_service
from app.services.cases_service import CaseNotFound, ConsentMissing
from app.store import audit, cases_repo, consents_repo, roles_repo, settings_repo
from app.store.vault import Vault

TODAY = date(2026, 11, 23)
GIVEN = date(2026, 9, 1)
SCHOOL_ROLES = ("leader", "teacher", "ppr", "psychologist", "health-visitor", "ssp-worker")
CUSTODY_REASON = "No contact by court order."
NOT_EVERY_HOLDER = "Not every guardian with custody has consented."


# --- helpers ------------------------------------------------------------------------


def school(vault: Vault, name: str = "Nordskov Skole") -> str:
    site_id, _changes = sites_service.add_site(vault, name, SiteKind.SCHOOL, None)
    return site_id


def role_ids(vault: Vault, *keys: str) -> list[str]:
    by_key = {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}
    return [by_key[k] for k in keys or SCHOOL_ROLES]


def anonymous(vault: Vault, site_id: str, first: str = "Noah", level: int = 0) -> str:
    case_id, _changes = cases_service.create_anonymous(
        vault, first, site_id, "Trækker sig fra legen.", TODAY - timedelta(days=90), level=level
    )
    return case_id


def guardian(vault: Vault, case_id: str, name: str = "Line Skov", custody: bool = True) -> str:
    gid, _changes = cases_service.add_guardian(vault, case_id, name, "mor", custody)
    return gid


def consent(
    vault: Vault,
    case_id: str,
    givers: list[str],
    *,
    valid_until: date | None = None,
    given_on: date = GIVEN,
) -> str:
    cid, _changes = cases_service.record_consent(
        vault,
        case_id,
        given_on,
        ConsentForm.WRITTEN,
        givers,
        role_ids(vault),
        purpose="Tværfagligt samarbejde.",
        valid_until=valid_until,
    )
    return cid


def named(vault: Vault, site_id: str, first: str, surname: str, born: date) -> str:
    """A named case with one custody holder and an open-ended consent."""
    case_id = anonymous(vault, site_id, first)
    consent(vault, case_id, [guardian(vault, case_id, f"Mor {surname}")])
    cases_service.make_named(vault, case_id, surname, born, TODAY)
    return case_id


def count(vault: Vault, table: str) -> int:
    return int(vault.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def case_reads(vault: Vault) -> list[audit.AuditEntry]:
    return [e for e in audit.entries(vault.conn) if e.action == audit.Action.CASE_READ]


def set_attachment_limit(vault: Vault, limit: int) -> None:
    with vault.transaction() as conn:
        settings_repo.put(conn, vault.ctx, cases_service.ATTACHMENT_LIMIT_SETTING, str(limit))


# --- creating cases and guardians ---------------------------------------------------


def test_create_anonymous_opens_an_anonymous_case_with_its_first_level(vault: Vault) -> None:
    site_id = school(vault)
    case_id, changes = cases_service.create_anonymous(
        vault, "  Ida  ", site_id, "Meget fravær.", TODAY, age_or_year=" 2.b ", level=1
    )
    assert changes.tables == {"cases"} and changes.ids == {case_id}
    row = cases_service.get_case(vault, case_id)
    assert (row.kind, row.status, row.first_name, row.age_or_year) == (
        CaseKind.ANONYMOUS,
        CaseStatus.OPEN,
        "Ida",
        "2.b",
    )
    assert (row.surname, row.birth_date, row.site_id, row.level) == (None, None, site_id, 1)
    assert row.opened_on == TODAY.isoformat() and row.closed_on is None
    assert cases_repo.level_history(vault.conn, case_id) == [(TODAY, 1, None)]


@pytest.mark.parametrize(
    ("first", "site", "level"),
    [
        ("", "school", 0),
        ("   ", "school", 0),
        ("Ida", "no-such-site", 0),
        ("Ida", "school", -1),
        ("Ida", "school", 4),
    ],
    ids=["empty-name", "blank-name", "unknown-site", "level-minus-one", "level-four"],
)
def test_create_anonymous_refuses_bad_input_and_writes_nothing(
    vault: Vault, first: str, site: str, level: int
) -> None:
    site_id = school(vault) if site == "school" else site
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        cases_service.create_anonymous(vault, first, site_id, "x", TODAY, level=level)
    assert vault.change_seq() == seq
    assert count(vault, "cases") == count(vault, "case_levels") == 0


def test_add_guardian_records_name_relation_and_custody(vault: Vault) -> None:
    case_id = anonymous(vault, school(vault))
    mother, changes = cases_service.add_guardian(
        vault, case_id, " Line Skov ", " mor ", True, "+45 12 34 56 78"
    )
    father, _changes = cases_service.add_guardian(vault, case_id, "Mads Krogh", "far", False)
    assert changes.tables == {"guardians"} and changes.ids == {mother}
    stored = {g.id: g for g in cases_repo.guardians(vault.conn, case_id)}
    assert set(stored) == {mother, father}
    assert (stored[mother].name, stored[mother].relation, stored[mother].has_custody) == (
        "Line Skov",
        "mor",
        True,
    )
    assert stored[mother].contact == "+45 12 34 56 78"
    assert stored[father].has_custody is False

    seq = vault.change_seq()
    with pytest.raises(BadInput):
        cases_service.add_guardian(vault, case_id, "  ", "mor", True)
    with pytest.raises(CaseNotFound):
        cases_service.add_guardian(vault, "no-such-case", "Line Skov", "mor", True)
    assert vault.change_seq() == seq


# --- recording consents -------------------------------------------------------------

LIMIT = 1000


@pytest.mark.parametrize(
    "problem",
    [
        "other-case-guardian",
        "no-giver",
        "oral-undocumented",
        "ends-before-given",
        "no-roles",
        "scan-too-large",
        "scan-wrong-type",
        "unknown-role",
    ],
)
def test_record_consent_refuses_bad_input_and_writes_nothing(vault: Vault, problem: str) -> None:
    site_id = school(vault)
    case_id = anonymous(vault, site_id, "Noah")
    own = guardian(vault, case_id, "Line Skov")
    other_case = anonymous(vault, site_id, "Ida")
    stranger = guardian(vault, other_case, "Anne Bruun")
    set_attachment_limit(vault, LIMIT)
    arguments: dict[str, object] = {
        "given_by": [own],
        "scope_roles": role_ids(vault),
        "form": ConsentForm.WRITTEN,
    }
    changes: dict[str, dict[str, object]] = {
        "other-case-guardian": {"given_by": [own, stranger]},
        "no-giver": {"given_by": []},
        "oral-undocumented": {"form": ConsentForm.ORAL, "documented_by": "   "},
        "ends-before-given": {"valid_until": GIVEN - timedelta(days=1)},
        "no-roles": {"scope_roles": []},
        "scan-too-large": {"scan": b"%PDF" + b"x" * (LIMIT - 3)},
        "scan-wrong-type": {"scan": b"hello", "scan_media_type": "text/plain"},
        "unknown-role": {"scope_roles": [*role_ids(vault), "no-such-role"]},
    }
    arguments.update(changes[problem])
    seq = vault.change_seq()

    with pytest.raises(BadInput):
        cases_service.record_consent(vault, case_id, GIVEN, **arguments)  # type: ignore[arg-type]

    assert vault.change_seq() == seq
    assert cases_service.consents(vault, case_id) == []
    assert count(vault, "consents") == count(vault, "attachments") == 0


def test_record_consent_for_an_unknown_case_is_case_not_found(vault: Vault) -> None:
    with pytest.raises(CaseNotFound):
        cases_service.record_consent(
            vault, "no-such-case", GIVEN, ConsentForm.WRITTEN, ["g"], role_ids(vault)
        )


def test_record_consent_keeps_form_givers_scope_and_accepts_a_scan_at_the_limit(
    vault: Vault,
) -> None:
    case_id = anonymous(vault, school(vault))
    mother = guardian(vault, case_id, "Line Skov")
    father = guardian(vault, case_id, "Mads Krogh")
    set_attachment_limit(vault, LIMIT)
    assert cases_service.attachment_limit(vault) == LIMIT
    scope = role_ids(vault, "leader", "ppr")
    oral, changes = cases_service.record_consent(
        vault,
        case_id,
        GIVEN,
        ConsentForm.ORAL,
        [mother, father],
        scope,
        purpose="Drøftelse i ressourceteamet.",
        valid_until=GIVEN,  # the last valid day may be the first
        documented_by="  Pædagog Anne  ",
    )
    written, _changes = cases_service.record_consent(
        vault,
        case_id,
        GIVEN + timedelta(days=1),
        ConsentForm.WRITTEN,
        [mother],
        scope,
        scan=b"\x89PNG" + b"\0" * (LIMIT - 4),
        scan_media_type="image/png",
    )
    assert changes.tables == {"consents"} and changes.ids == {oral}
    stored = {c.id: c for c in cases_service.consents(vault, case_id)}
    assert set(stored) == {oral, written}
    assert stored[oral].form is ConsentForm.ORAL
    assert stored[oral].documented_by == "Pædagog Anne"
    assert stored[oral].given_by == {mother, father}
    assert stored[oral].scope_roles == set(scope)
    assert stored[oral].valid_until == GIVEN
    assert stored[oral].purpose == "Drøftelse i ressourceteamet."
    assert stored[written].given_by == {mother} and stored[written].valid_until is None
    assert count(vault, "attachments") == 1


def test_a_scanned_form_is_stored_in_the_vault_and_only_encrypted_on_disk(
    vault: Vault, vault_dir: Path
) -> None:
    case_id = anonymous(vault, school(vault))
    mother = guardian(vault, case_id)
    marker = f"SAMRAAD-SCAN-MARKER-{uuid.uuid4().hex}".encode()
    scan = b"%PDF-1.4\n" + marker + b"\n" + marker * 50 + b"\n%%EOF\n"
    consent_id, _changes = cases_service.record_consent(
        vault, case_id, GIVEN, ConsentForm.WRITTEN, [mother], role_ids(vault), scan=scan
    )
    row = vault.conn.execute(
        "SELECT attachment_id FROM consents WHERE id = ?", (consent_id,)
    ).fetchone()
    assert row[0] is not None
    assert consents_repo.attachment(vault.conn, row[0]) == ("application/pdf", scan)

    vault.close()

    files = [p for p in vault_dir.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) > len(scan)  # the database is there
    for path in files:
        data = path.read_bytes()
        assert marker not in data, path
        assert marker[:24] not in data, path


# --- naming a case ------------------------------------------------------------------


def two_custody_holders(vault: Vault) -> tuple[str, str, str]:
    case_id = anonymous(vault, school(vault), "Emma")
    return case_id, guardian(vault, case_id, "Mette Holm"), guardian(vault, case_id, "Jonas Dal")


def assert_still_anonymous(vault: Vault, case_id: str) -> None:
    row = cases_service.get_case(vault, case_id)
    assert (row.kind, row.surname, row.birth_date) == (CaseKind.ANONYMOUS, None, None)


BORN = date(2019, 4, 12)


def test_make_named_without_any_consent_is_refused(vault: Vault) -> None:
    case_id, _mother, _father = two_custody_holders(vault)
    seq = vault.change_seq()
    with pytest.raises(ConsentMissing) as caught:
        cases_service.make_named(vault, case_id, "Holm Østergård", BORN, TODAY)
    message = str(caught.value)
    assert "There is no consent for this child." in message
    assert "\n" not in message and "Østergård" not in message
    assert vault.change_seq() == seq
    assert_still_anonymous(vault, case_id)


def test_make_named_with_consent_from_one_of_two_custody_holders_is_refused(
    vault: Vault,
) -> None:
    case_id, mother, _father = two_custody_holders(vault)
    consent(vault, case_id, [mother])
    seq = vault.change_seq()
    with pytest.raises(ConsentMissing) as caught:
        cases_service.make_named(vault, case_id, "Holm Østergård", BORN, TODAY)
    message = str(caught.value)
    assert NOT_EVERY_HOLDER in message
    assert message.count(NOT_EVERY_HOLDER) == 1 and "\n" not in message
    assert "Østergård" not in message and BORN.isoformat() not in message
    assert vault.change_seq() == seq
    assert_still_anonymous(vault, case_id)


def test_make_named_with_both_custody_holders_names_the_case(vault: Vault) -> None:
    case_id, mother, father = two_custody_holders(vault)
    consent(vault, case_id, [mother])
    consent(vault, case_id, [father], given_on=GIVEN + timedelta(days=3))
    changes = cases_service.make_named(vault, case_id, " Holm Østergård ", BORN, TODAY)
    assert changes.ids == {case_id}
    row = cases_service.get_case(vault, case_id)
    assert (row.kind, row.surname, row.birth_date) == (
        CaseKind.NAMED,
        "Holm Østergård",
        BORN.isoformat(),
    )
    assert row.first_name == "Emma"


def test_make_named_with_one_holder_and_a_recorded_custody_exception(vault: Vault) -> None:
    case_id, mother, _father = two_custody_holders(vault)
    consent(vault, case_id, [mother])
    cases_service.set_custody_exception(vault, case_id, "   ")  # blank: no reason recorded
    with pytest.raises(ConsentMissing):
        cases_service.make_named(vault, case_id, "Holm", BORN, TODAY)
    assert cases_service.get_case(vault, case_id).custody_exception is None

    cases_service.set_custody_exception(vault, case_id, CUSTODY_REASON)
    assert cases_service.get_case(vault, case_id).custody_exception == CUSTODY_REASON
    cases_service.make_named(vault, case_id, "Holm", BORN, TODAY)
    assert cases_service.get_case(vault, case_id).kind == CaseKind.NAMED


def test_make_named_refuses_a_named_case_a_blank_surname_and_a_future_birth(
    vault: Vault,
) -> None:
    site_id = school(vault)
    done = named(vault, site_id, "Noah", "Skov", date(2017, 11, 23))
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        cases_service.make_named(vault, done, "Dal", date(2017, 11, 23), TODAY)
    assert vault.change_seq() == seq
    assert cases_service.get_case(vault, done).surname == "Skov"

    pending = anonymous(vault, site_id, "Ida")
    consent(vault, pending, [guardian(vault, pending)])
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        cases_service.make_named(vault, pending, "  ", BORN, TODAY)
    with pytest.raises(BadInput):
        cases_service.make_named(vault, pending, "Dal", TODAY + timedelta(days=1), TODAY)
    assert vault.change_seq() == seq
    assert_still_anonymous(vault, pending)


# --- withdrawing, levels, closing ---------------------------------------------------


def summary_of(vault: Vault, case_id: str, today: date = TODAY) -> cases_service.CaseSummary:
    [found] = [s for s in cases_service.list_cases(vault, today) if s.row.id == case_id]
    return found


def test_withdrawn_consent_is_not_valid_today_in_the_case_list(vault: Vault) -> None:
    site_id = school(vault)
    case_id = named(vault, site_id, "Noah", "Skov", date(2017, 11, 23))
    [only] = cases_service.consents(vault, case_id)
    before = summary_of(vault, case_id)
    assert before.consent_valid_today and before.consent_reasons == ()

    seq = vault.change_seq()
    with pytest.raises(BadInput):
        cases_service.withdraw_consent(vault, "no-such-consent", TODAY, "Line Skov")
    with pytest.raises(BadInput):
        cases_service.withdraw_consent(vault, only.id, TODAY, "   ")
    assert vault.change_seq() == seq

    changes = cases_service.withdraw_consent(
        vault, only.id, TODAY, " Line Skov ", "Ønsker ikke navn."
    )
    assert changes.ids == {only.id}
    [withdrawn] = cases_service.consents(vault, case_id)
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_by) == (TODAY, "Line Skov")
    after = summary_of(vault, case_id)
    assert after.consent_valid_today is False
    assert after.consent_reasons == ("The consent has been withdrawn.",)
    # The day before the withdrawal it was still in force.
    assert summary_of(vault, case_id, TODAY - timedelta(days=1)).consent_valid_today
    assert after.row.kind == CaseKind.NAMED  # withdrawal does not un-name the case


def test_set_level_keeps_the_history_of_levels_and_relay_holders(vault: Vault) -> None:
    site_id = school(vault)
    holder, _changes = sites_service.add_contact(vault, "Anne Bruun", None, site_id)
    case_id = anonymous(vault, site_id, level=0)
    opened = TODAY - timedelta(days=90)
    cases_service.set_level(vault, case_id, 2, TODAY - timedelta(days=10), holder)
    changes = cases_service.set_level(vault, case_id, 3, TODAY)
    assert changes.ids == {case_id}
    row = cases_service.get_case(vault, case_id)
    assert (row.level, row.relay_holder_id) == (3, None)
    expected = [(opened, 0, None), (TODAY - timedelta(days=10), 2, holder), (TODAY, 3, None)]
    assert cases_repo.level_history(vault.conn, case_id) == expected

    seq = vault.change_seq()
    for bad in (-1, 4):
        with pytest.raises(BadInput):
            cases_service.set_level(vault, case_id, bad, TODAY)
    with pytest.raises(CaseNotFound):
        cases_service.set_level(vault, "no-such-case", 1, TODAY)
    assert vault.change_seq() == seq
    assert cases_repo.level_history(vault.conn, case_id) == expected


def test_close_and_reopen_a_case(vault: Vault) -> None:
    site_id = school(vault)
    first = anonymous(vault, site_id, "Alma")
    second = anonymous(vault, site_id, "Bo")
    cases_service.close_case(vault, first, TODAY)
    row = cases_service.get_case(vault, first)
    assert (row.status, row.closed_on) == (CaseStatus.CLOSED, TODAY.isoformat())
    assert [s.row.id for s in cases_service.list_cases(vault, TODAY)] == [second, first]

    cases_service.reopen_case(vault, first)
    row = cases_service.get_case(vault, first)
    assert (row.status, row.closed_on) == (CaseStatus.OPEN, None)
    assert [s.row.id for s in cases_service.list_cases(vault, TODAY)] == [first, second]
    with pytest.raises(CaseNotFound):
        cases_service.close_case(vault, "no-such-case", TODAY)


# --- listing and audit --------------------------------------------------------------


def test_list_cases_audits_a_read_only_when_named_cases_exist_and_names_no_one(
    vault: Vault,
) -> None:
    site_id = school(vault)
    anonymous(vault, site_id, "Ida")
    anonymous(vault, site_id, "Malik")
    assert len(cases_service.list_cases(vault, TODAY)) == 2
    assert case_reads(vault) == []

    born = date(2017, 11, 23)
    named(vault, site_id, "Noah", "Skov", born)
    before = len(audit.entries(vault.conn))
    summaries = cases_service.list_cases(vault, TODAY)
    assert len(summaries) == 3
    new = audit.entries(vault.conn)[before:]
    assert [e.action for e in new] == [audit.Action.CASE_READ]
    [entry] = new
    assert (entry.entity, entry.entity_id) == ("case", None)
    assert json.loads(entry.details) == {"purpose": "list", "named": 1}
    stored = " ".join(str(v) for v in (entry.at, entry.entity, entry.entity_id, entry.details))
    for secret in ("Noah", "Skov", "Mor Skov", born.isoformat(), "23.11.2017", "231117"):
        assert secret not in stored
    assert audit.first_broken_entry(vault.conn) is None


def test_expiring_consents_lists_those_running_out_within_30_days_only(vault: Vault) -> None:
    site_id = school(vault)

    def case_with(valid_until: date | None, first: str) -> tuple[str, str]:
        case_id = anonymous(vault, site_id, first)
        return case_id, consent(vault, case_id, [guardian(vault, case_id)], valid_until=valid_until)

    soon = case_with(TODAY + timedelta(days=10), "Alma")
    last_day = case_with(TODAY + timedelta(days=30), "Bo")
    ends_today = case_with(TODAY, "Cille")
    case_with(TODAY + timedelta(days=31), "Dan")
    case_with(TODAY - timedelta(days=1), "Eva")
    case_with(None, "Finn")
    withdrawn_case, withdrawn = case_with(TODAY + timedelta(days=5), "Gry")
    cases_service.withdraw_consent(vault, withdrawn, TODAY - timedelta(days=2), "Line Skov")
    closed_case, _closed = case_with(TODAY + timedelta(days=5), "Hans")
    cases_service.close_case(vault, closed_case, TODAY)

    found = cases_service.expiring_consents(vault, TODAY)
    assert [(case_id, c.id) for case_id, c in found] == [ends_today, soon, last_day]
    assert all(c.valid_until is not None for _case, c in found)
    assert withdrawn_case not in {case_id for case_id, _c in found}
    assert [c.id for _case, c in cases_service.expiring_consents(vault, TODAY, 10)] == [
        ends_today[1],
        soon[1],
    ]


# --- schema -------------------------------------------------------------------------

NATIONAL_ID = re.compile(
    r"cpr|personnummer|person_?number|national_?id|f(?:ø|oe|o)dsels_?n(?:umme)?r|(?:^|_)fnr(?:_|$)"
    r"|(?:^|_)ssn(?:_|$)|social_?security|personal_?id",
    re.IGNORECASE,
)


def test_no_column_anywhere_is_named_like_a_national_id(vault: Vault) -> None:
    tables = [
        row[0]
        for row in vault.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    assert {"cases", "guardians", "consents", "attachments", "agenda_items"} <= set(tables)
    columns: list[tuple[str, str]] = []
    for table in tables:
        info = vault.conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        columns.extend((table, str(row[1])) for row in info)
    assert len(columns) > 100
    offending = [(t, c) for t, c in columns if NATIONAL_ID.search(c) or NATIONAL_ID.search(t)]
    assert offending == []
    # The pattern is not vacuous.
    for name in ("cpr", "child_cpr", "personnummer", "national_id", "fodselsnummer", "fnr"):
        assert NATIONAL_ID.search(name), name
