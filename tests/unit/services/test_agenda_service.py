"""The agenda service against a real SQLCipher vault: items, the consent guard, leaks, printing."""

from __future__ import annotations

import io
import json
import os
import random
import re
import stat
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.domain import case_display
from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import CaseFacts, CaseKind, ConsentForm
from app.errors import BadInput
from app.services import agenda_service, cases_service, demo, sites_service
from app.services.agenda_service import ItemView, LeakBlocked
from app.services.calendar_service import CalendarService
from app.store import agenda_repo, audit, cases_repo, consents_repo, forums_repo, roles_repo
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory

TODAY = date(2026, 11, 23)
GIVEN = date(2026, 9, 1)
MEETING_START = datetime(2026, 11, 24, 12, 30)  # a Tuesday; the team meets for 120 min
MEETING_DAY = MEETING_START.date()
SCHOOL_ROLES = frozenset(
    {"leader", "teacher", "ppr", "psychologist", "health-visitor", "ssp-worker"}
)
SCOPE_REASON = "The consent does not cover every invited role."
WITHDRAWN_REASON = "The consent was withdrawn on or before the meeting date."


# --- helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    case_id: str
    first: str
    surname: str
    born: date
    consent_id: str

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.surname}"


def roles(vault: Vault) -> dict[str, str]:
    return {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}


def role_set(vault: Vault, keys: set[str] | frozenset[str]) -> frozenset[str]:
    by_key = roles(vault)
    return frozenset(by_key[k] for k in keys)


def forum(vault: Vault, kind: ForumKind = ForumKind.SCHOOL_RESOURCE_TEAM) -> str:
    found = forums_repo.by_kind(vault.conn, str(kind))
    assert found is not None
    return found.id


def school(vault: Vault, name: str = "Nordskov Skole") -> str:
    site_id, _changes = sites_service.add_site(vault, name, SiteKind.SCHOOL, None)
    return site_id


def meeting(
    vault: Vault,
    site_id: str,
    start: datetime = MEETING_START,
    kind: ForumKind = ForumKind.SCHOOL_RESOURCE_TEAM,
    minutes: int | None = None,
) -> str:
    meeting_id, _changes = CalendarService(vault).add_meeting(
        forum(vault, kind), site_id, start, minutes
    )
    return meeting_id


def anonymous(vault: Vault, site_id: str, first: str = "Ida", concern: str = "Træt.") -> str:
    case_id, _changes = cases_service.create_anonymous(
        vault, first, site_id, concern, TODAY - timedelta(days=60), age_or_year="5 år"
    )
    return case_id


def named_child(
    vault: Vault,
    site_id: str,
    first: str = "Noah",
    surname: str = "Skov",
    born: date = date(2017, 11, 23),
    *,
    guardians: tuple[str, ...] = ("Line Skov",),
    scope: frozenset[str] = SCHOOL_ROLES,
    valid_until: date | None = None,
    concern: str = "Trækker sig fra legen og virker ked af det.",
) -> Child:
    """A named case whose guardians all consented (one consent) for ``scope`` role keys."""
    case_id, _changes = cases_service.create_anonymous(
        vault, first, site_id, concern, GIVEN - timedelta(days=30), level=2
    )
    givers = [
        cases_service.add_guardian(vault, case_id, name, "forælder", True)[0] for name in guardians
    ]
    consent_id, _changes = cases_service.record_consent(
        vault,
        case_id,
        GIVEN,
        ConsentForm.WRITTEN,
        givers,
        sorted(role_set(vault, scope)),
        valid_until=valid_until,
    )
    cases_service.make_named(vault, case_id, surname, born, GIVEN + timedelta(days=1))
    return Child(case_id, first, surname, born, consent_id)


def items(vault: Vault, meeting_id: str) -> list[ItemView]:
    return list(agenda_service.agenda(vault, meeting_id).items)


def item_of(vault: Vault, meeting_id: str, case_id: str) -> ItemView:
    [found] = [i for i in items(vault, meeting_id) if i.case_id == case_id]
    return found


def facts(vault: Vault, case_id: str) -> CaseFacts:
    row = cases_repo.get(vault.conn, case_id)
    assert row is not None
    return cases_repo.facts(vault.conn, row)


def pdf_text(path: Path) -> str:
    """All pages' text, NFC, whitespace runs made one space."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def pdf_info(path: Path) -> str:
    metadata = PdfReader(io.BytesIO(path.read_bytes())).metadata
    assert metadata is not None
    return unicodedata.normalize("NFC", " ".join(str(v) for v in metadata.values()))


def has_word(text: str, word: str) -> bool:
    """``word`` as a whole word, in any capitalisation."""
    pattern = rf"(?<!\w){re.escape(unicodedata.normalize('NFC', word))}(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def surname_parts(surname: str) -> list[str]:
    return [p for p in re.split(r"[\s-]+", surname) if p]


def date_forms(day: date) -> list[str]:
    return [
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        day.isoformat(),
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}",
    ]


def assert_private(path: Path) -> None:
    assert path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)


def assert_anonymised(text: str, children: list[tuple[str, date]]) -> None:
    """No surname part and no written birth date of any of ``children`` in ``text``."""
    for surname, born in children:
        for part in surname_parts(surname):
            assert not has_word(text, part), part
        for form in date_forms(born):
            assert form not in text, form


def audit_since(vault: Vault, seq: int) -> list[audit.AuditEntry]:
    return [e for e in audit.entries(vault.conn) if e.seq > seq]


def last_audit_seq(vault: Vault) -> int:
    entries = audit.entries(vault.conn, limit=1)
    return entries[0].seq if entries else 0


def single_sentence(message: str) -> bool:
    return message.endswith(".") and "\n" not in message and not re.search(r"[.!?]\s", message)


# --- items ----------------------------------------------------------------------------


def positions(vault: Vault, meeting_id: str) -> list[tuple[str, int]]:
    return [(i.id, i.position) for i in items(vault, meeting_id)]


def test_items_are_added_updated_and_reordered_with_positions_one_to_n(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    ida = anonymous(vault, site_id, "Ida")
    malik = anonymous(vault, site_id, "Malik")
    first, changes = agenda_service.add_case_item(
        vault, meeting_id, ida, minutes=20, notes="Opfølgning."
    )
    assert changes.tables == {"agenda_items"} and changes.ids == {first}
    general, _c = agenda_service.add_general_item(
        vault, meeting_id, "  Orientering  ", minutes=10, notes="Nyt fra ledelsen."
    )
    third, _c = agenda_service.add_case_item(vault, meeting_id, malik)
    assert positions(vault, meeting_id) == [(first, 1), (general, 2), (third, 3)]
    assert CalendarService(vault).get(meeting_id).agenda_item_count == 3

    view = {i.id: i for i in items(vault, meeting_id)}
    assert (view[first].kind, view[first].case_id, view[first].minutes) == ("case", ida, 20)
    assert view[first].notes == "Opfølgning." and view[first].label == "Ida (5 år)"
    assert (view[general].kind, view[general].label, view[general].minutes) == (
        "general",
        "Orientering",
        10,
    )
    assert view[third].minutes == 15  # the default

    agenda_service.update_item(vault, first, notes="Ny tekst.", minutes=30)
    agenda_service.update_item(vault, general, title=" Planlægning ")
    view = {i.id: i for i in items(vault, meeting_id)}
    assert (view[first].notes, view[first].minutes) == ("Ny tekst.", 30)
    assert view[general].label == "Planlægning"

    changes = agenda_service.reorder(vault, meeting_id, [third, first, general])
    assert changes.tables == {"agenda_items"}
    assert positions(vault, meeting_id) == [(third, 1), (first, 2), (general, 3)]

    seq = vault.change_seq()
    for bad_order in (
        [third, first],
        [third, first, general, "no-such-item"],
        [third, first, first],
    ):
        with pytest.raises(BadInput):
            agenda_service.reorder(vault, meeting_id, bad_order)
    with pytest.raises(BadInput):
        agenda_service.add_case_item(vault, meeting_id, ida)  # already on the agenda
    with pytest.raises(BadInput):
        agenda_service.add_case_item(vault, meeting_id, "no-such-case")
    with pytest.raises(BadInput):
        agenda_service.add_general_item(vault, meeting_id, "   ")
    with pytest.raises(BadInput):
        agenda_service.add_general_item(vault, meeting_id, "Punkt", minutes=601)
    with pytest.raises(BadInput):
        agenda_service.update_item(vault, general, title="  ")
    with pytest.raises(BadInput):
        agenda_service.update_item(vault, first, minutes=-1)
    with pytest.raises(BadInput):
        agenda_service.update_item(vault, "no-such-item", notes="x")
    with pytest.raises(BadInput):
        agenda_service.remove_item(vault, "no-such-item")
    with pytest.raises(BadInput):
        agenda_service.add_general_item(vault, "no-such-meeting", "Punkt")
    assert vault.change_seq() == seq
    assert positions(vault, meeting_id) == [(third, 1), (first, 2), (general, 3)]

    # The same child may be on another meeting's agenda.
    other = meeting(vault, site_id, MEETING_START + timedelta(days=14))
    agenda_service.add_case_item(vault, other, ida)


def test_removing_an_item_leaves_positions_one_to_n(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    a, _c = agenda_service.add_general_item(vault, meeting_id, "A")
    b, _c = agenda_service.add_general_item(vault, meeting_id, "B")
    c, _c = agenda_service.add_general_item(vault, meeting_id, "C")
    changes = agenda_service.remove_item(vault, b)
    assert changes.ids == {b}
    assert agenda_repo.get(vault.conn, b) is None
    # The printed agenda numbers its items: "1., 3." would read as a lost item.
    assert positions(vault, meeting_id) == [(a, 1), (c, 2)]
    d, _c = agenda_service.add_general_item(vault, meeting_id, "D")
    assert positions(vault, meeting_id) == [(a, 1), (c, 2), (d, 3)]


def test_sl49a_exists_only_in_denmark(tmp_path: Path) -> None:
    directory = open_directory(tmp_path / "norway")
    try:
        vault = directory.create(PASSPHRASE, "NO").vault
        assert vault.country == "NO"
        site_id = school(vault, "Nordli skole")
        meeting_id = meeting(vault, site_id)
        case_id = anonymous(vault, site_id, "Ola")
        seq = vault.change_seq()
        with pytest.raises(BadInput) as caught:
            agenda_service.add_case_item(vault, meeting_id, case_id, sl49a=True)
        assert single_sentence(str(caught.value))
        assert vault.change_seq() == seq
        assert items(vault, meeting_id) == []

        item_id, _c = agenda_service.add_case_item(vault, meeting_id, case_id)
        seq = vault.change_seq()
        with pytest.raises(BadInput):
            agenda_service.update_item(vault, item_id, sl49a=True)
        assert vault.change_seq() == seq
        assert item_of(vault, meeting_id, case_id).sl49a is False
    finally:
        directory.release()


# --- invited roles and the consent guard ----------------------------------------------


def test_invited_roles_default_to_the_forums_roles_and_can_be_set(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    view = agenda_service.agenda(vault, meeting_id)
    assert view.invited_roles == role_set(vault, SCHOOL_ROLES)
    dialogue = meeting(vault, site_id, MEETING_START + timedelta(days=1), ForumKind.DIALOGUE)
    assert agenda_service.agenda(vault, dialogue).invited_roles == role_set(
        vault, {"leader", "parent", "pedagogue", "teacher"}
    )

    chosen = sorted(role_set(vault, {"leader", "police"}))
    changes = agenda_service.set_invited_roles(vault, meeting_id, chosen)
    assert changes.ids == {meeting_id}
    assert agenda_service.agenda(vault, meeting_id).invited_roles == frozenset(chosen)
    agenda_service.set_invited_roles(vault, meeting_id, [])
    assert agenda_service.agenda(vault, meeting_id).invited_roles == frozenset()
    agenda_service.set_invited_roles(vault, meeting_id, None)
    assert agenda_service.agenda(vault, meeting_id).invited_roles == role_set(vault, SCHOOL_ROLES)
    with pytest.raises(BadInput):
        agenda_service.set_invited_roles(vault, "no-such-meeting", chosen)


def test_consent_without_an_invited_role_anonymises_the_child_until_the_role_is_dropped(
    vault: Vault,
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    without_ssp = SCHOOL_ROLES - {"ssp-worker"}
    child = named_child(vault, site_id, scope=without_ssp)
    agenda_service.add_case_item(vault, meeting_id, child.case_id)
    case = facts(vault, child.case_id)
    anonymous_label = case_display.anonymous_label(case, MEETING_DAY)
    named_label = case_display.named_label(case)
    assert "Skov" in named_label and "Skov" not in anonymous_label

    item = item_of(vault, meeting_id, child.case_id)
    assert item.named_allowed is False
    assert item.consent_reasons == (SCOPE_REASON,)
    assert item.label == item.anonymous_label == anonymous_label

    agenda_service.set_invited_roles(vault, meeting_id, sorted(role_set(vault, without_ssp)))
    item = item_of(vault, meeting_id, child.case_id)
    assert item.named_allowed is True and item.consent_reasons == ()
    assert item.label == named_label and item.anonymous_label == anonymous_label

    # Inviting a role outside the consent anonymises the child again.
    agenda_service.set_invited_roles(
        vault, meeting_id, sorted(role_set(vault, without_ssp | {"police"}))
    )
    item = item_of(vault, meeting_id, child.case_id)
    assert item.named_allowed is False and item.consent_reasons == (SCOPE_REASON,)
    assert item.label == anonymous_label


def test_consent_withdrawn_the_day_before_the_meeting_anonymises_the_child(
    vault: Vault,
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    later = named_child(vault, site_id, "Emma", "Holm", date(2019, 4, 12))
    before = named_child(vault, site_id, "Noah", "Skov", date(2017, 11, 23))
    for child in (later, before):
        agenda_service.add_case_item(vault, meeting_id, child.case_id)
        assert item_of(vault, meeting_id, child.case_id).named_allowed

    cases_service.withdraw_consent(
        vault, later.consent_id, MEETING_DAY + timedelta(days=1), "Mette Holm"
    )
    cases_service.withdraw_consent(
        vault, before.consent_id, MEETING_DAY - timedelta(days=1), "Line Skov"
    )
    kept = item_of(vault, meeting_id, later.case_id)
    assert kept.named_allowed and "Holm" in kept.label
    gone = item_of(vault, meeting_id, before.case_id)
    assert gone.named_allowed is False
    assert gone.consent_reasons == (WITHDRAWN_REASON,)
    assert gone.label == gone.anonymous_label and "Skov" not in gone.label


def test_sl49a_names_the_child_for_the_meeting_and_the_child_pdf_cites_49a(
    vault: Vault, tmp_path: Path
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    child = named_child(vault, site_id)
    cases_service.withdraw_consent(vault, child.consent_id, TODAY - timedelta(days=5), "Line Skov")
    item_id, _c = agenda_service.add_case_item(vault, meeting_id, child.case_id)
    assert item_of(vault, meeting_id, child.case_id).named_allowed is False

    agenda_service.update_item(vault, item_id, sl49a=True)
    item = item_of(vault, meeting_id, child.case_id)
    assert item.sl49a and item.named_allowed
    assert item.label == case_display.named_label(facts(vault, child.case_id))
    assert "Skov" not in item.anonymous_label
    # A §49a exchange is not a consent problem to chase.
    assert agenda_service.failing_items(vault, MEETING_DAY, MEETING_DAY) == []

    per_child = tmp_path / "children"
    per_child.mkdir()
    printed = agenda_service.print_agenda(vault, meeting_id, tmp_path / "agenda.pdf", per_child)
    [child_pdf] = printed.per_child
    text = pdf_text(child_pdf)
    assert "49 a" in text
    assert child.full_name in text and "23.11.2017" in text
    assert_anonymised(pdf_text(printed.agenda), [(child.surname, child.born)])
    # The flag names the child on this item only: the case stays as it was.
    assert cases_service.get_case(vault, child.case_id).kind == CaseKind.NAMED
    agenda_service.update_item(vault, item_id, sl49a=False)
    assert item_of(vault, meeting_id, child.case_id).named_allowed is False


def test_an_anonymous_case_shared_under_sl49a_is_named_for_that_meeting_only(
    vault: Vault, tmp_path: Path
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    case_id = anonymous(vault, site_id, "Malik")
    # The name for the per-child agenda must come with the flag.
    with pytest.raises(BadInput, match="49 a"):
        agenda_service.add_case_item(vault, meeting_id, case_id, sl49a=True)
    assert agenda_repo.of_meeting(vault.conn, meeting_id) == []
    agenda_service.add_case_item(
        vault,
        meeting_id,
        case_id,
        sl49a=True,
        sl49a_surname="Qorvani",
        sl49a_birth_date=date(2020, 3, 14),
    )
    item = item_of(vault, meeting_id, case_id)
    assert item.named_allowed and "Qorvani" in item.label
    per_child = tmp_path / "children"
    per_child.mkdir()
    out = tmp_path / "agenda.pdf"
    printed = agenda_service.print_agenda(vault, meeting_id, out, per_child)
    assert_private(out)
    assert "Malik" in pdf_text(out) and "Qorvani" not in pdf_text(out)
    assert len(printed.per_child) == 1
    child_text = pdf_text(printed.per_child[0])
    assert "Malik Qorvani" in child_text and "14.03.2020" in child_text
    assert "49 a" in child_text
    # The case itself stays anonymous: the next meeting does not name the child.
    assert cases_repo.get(vault.conn, case_id).kind == "anonymous"  # type: ignore[union-attr]
    later = meeting(vault, site_id, MEETING_START + timedelta(days=14))
    agenda_service.add_case_item(vault, later, case_id)
    assert item_of(vault, later, case_id).label == "Malik (5 år)"
    assert not item_of(vault, later, case_id).named_allowed


def test_total_minutes_and_over_time(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    first, _c = agenda_service.add_general_item(vault, meeting_id, "Orientering", minutes=60)
    agenda_service.add_case_item(vault, meeting_id, anonymous(vault, site_id), minutes=60)
    view = agenda_service.agenda(vault, meeting_id)
    assert (view.total_minutes, view.meeting_minutes, view.over_time) == (120, 120, False)
    agenda_service.update_item(vault, first, minutes=61)
    view = agenda_service.agenda(vault, meeting_id)
    assert (view.total_minutes, view.over_time) == (121, True)
    empty = meeting(vault, site_id, MEETING_START + timedelta(days=14))
    view = agenda_service.agenda(vault, empty)
    assert (view.items, view.total_minutes, view.over_time) == ((), 0, False)


# --- suggestions and failing items ----------------------------------------------------


def test_suggestions_carry_forward_open_cases_from_the_previous_meeting(vault: Vault) -> None:
    site_id = school(vault)
    other_site = school(vault, "Åbrink Skole")
    older = meeting(vault, site_id, MEETING_START - timedelta(days=28))
    previous = meeting(vault, site_id, MEETING_START - timedelta(days=14))
    elsewhere = meeting(vault, other_site, MEETING_START - timedelta(days=7))
    dialogue = meeting(
        vault, site_id, MEETING_START - timedelta(days=7), ForumKind.DIALOGUE, minutes=60
    )
    current = meeting(vault, site_id)

    only_older = anonymous(vault, site_id, "Alma")
    carried = anonymous(vault, site_id, "Bo")
    closed = anonymous(vault, site_id, "Cille")
    already = anonymous(vault, site_id, "Dan")
    from_dialogue = anonymous(vault, site_id, "Eva")
    from_elsewhere = anonymous(vault, other_site, "Finn")
    agenda_service.add_case_item(vault, older, only_older)
    for case_id in (carried, closed, already):
        agenda_service.add_case_item(vault, previous, case_id)
    agenda_service.add_general_item(vault, previous, "Orientering")
    agenda_service.add_case_item(vault, dialogue, from_dialogue)
    agenda_service.add_case_item(vault, elsewhere, from_elsewhere)
    cases_service.close_case(vault, closed, TODAY)
    agenda_service.add_case_item(vault, current, already)

    assert agenda_service.suggestions(vault, current) == [carried]
    # The first meeting has nothing before it.
    assert agenda_service.suggestions(vault, older) == []
    cases_service.reopen_case(vault, closed)
    assert set(agenda_service.suggestions(vault, current)) == {carried, closed}


def test_suggestions_for_a_meeting_on_29_february(vault: Vault) -> None:
    site_id = school(vault)
    leap_day = datetime(2028, 2, 29, 12, 30)
    previous = meeting(vault, site_id, leap_day - timedelta(days=14))
    current = meeting(vault, site_id, leap_day)
    case_id = anonymous(vault, site_id, "Bo")
    agenda_service.add_case_item(vault, previous, case_id)
    assert agenda_service.suggestions(vault, current) == [case_id]


def test_failing_items_lists_named_items_whose_consent_fails(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    later = meeting(vault, site_id, MEETING_START + timedelta(days=60))
    valid = named_child(vault, site_id, "Emma", "Holm", date(2019, 4, 12))
    withdrawn = named_child(vault, site_id, "Noah", "Skov", date(2017, 11, 23))
    narrow = named_child(
        vault, site_id, "Åsa", "Ødegård", date(2018, 2, 27), scope=frozenset({"leader"})
    )
    flagged = named_child(vault, site_id, "Liva", "Dal", date(2018, 6, 1))
    cases_service.withdraw_consent(vault, withdrawn.consent_id, TODAY, "Line Skov")
    cases_service.withdraw_consent(vault, flagged.consent_id, TODAY, "Line Skov")
    for child in (valid, withdrawn, narrow):
        agenda_service.add_case_item(vault, meeting_id, child.case_id)
    agenda_service.add_case_item(vault, meeting_id, flagged.case_id, sl49a=True)
    agenda_service.add_case_item(vault, meeting_id, anonymous(vault, site_id))
    agenda_service.add_general_item(vault, meeting_id, "Orientering")
    agenda_service.add_case_item(vault, later, withdrawn.case_id)

    found = agenda_service.failing_items(vault, MEETING_DAY, MEETING_DAY)
    assert [(m.id, i.case_id) for m, i in found] == [
        (meeting_id, withdrawn.case_id),
        (meeting_id, narrow.case_id),
    ]
    assert found[0][1].consent_reasons == (WITHDRAWN_REASON,)
    assert found[1][1].consent_reasons == (SCOPE_REASON,)
    for _meeting, item in found:
        assert not item.named_allowed and item.label == item.anonymous_label
    wider = agenda_service.failing_items(vault, MEETING_DAY, MEETING_DAY + timedelta(days=90))
    assert len(wider) == 3 and wider[-1][0].id == later


# --- the leak check -------------------------------------------------------------------

LEAKS = {
    "surname-in-concern": ("Far Skov ringer ofte til skolen.", "", "Skov"),
    "cpr-in-notes": ("Træt om morgenen.", "Mor oplyser CPR 231119-1234.", "231119"),
}


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_a_leak_blocks_printing_until_overridden_and_an_edit_clears_the_override(
    vault: Vault, tmp_path: Path, leak: str
) -> None:
    concern, notes, secret = LEAKS[leak]
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    child = named_child(vault, site_id, concern=concern)
    item_id, _c = agenda_service.add_case_item(vault, meeting_id, child.case_id, notes=notes)
    item = item_of(vault, meeting_id, child.case_id)
    assert item.leak is not None and item.leak_override is None
    out = tmp_path / "out" / "agenda.pdf"
    per_child = tmp_path / "children"
    out.parent.mkdir()
    per_child.mkdir()

    audit_seq = last_audit_seq(vault)
    with pytest.raises(LeakBlocked) as caught:
        agenda_service.print_agenda(vault, meeting_id, out, per_child)
    message = str(caught.value)
    assert single_sentence(message), message
    assert message == item.leak
    for hidden in (secret, "Skov", "231119", "1234", "Line"):
        assert hidden not in message
    assert list(out.parent.iterdir()) == [] and list(per_child.iterdir()) == []
    assert [e.action for e in audit_since(vault, audit_seq)] == []

    seq = vault.change_seq()
    with pytest.raises(BadInput):
        agenda_service.override_leak(vault, item_id, "because I say so")
    with pytest.raises(BadInput):
        agenda_service.override_leak(vault, "no-such-item", "common-word")
    assert vault.change_seq() == seq
    assert audit_since(vault, audit_seq) == []

    agenda_service.override_leak(vault, item_id, "common-word")
    assert item_of(vault, meeting_id, child.case_id).leak_override == "common-word"
    overrides = [e for e in audit_since(vault, audit_seq) if e.action == "agenda.leak_override"]
    assert [(e.entity, e.entity_id) for e in overrides] == [("agenda_item", item_id)]
    assert json.loads(overrides[0].details) == {"reason": "common-word"}
    printed = agenda_service.print_agenda(vault, meeting_id, out, per_child)
    assert_private(printed.agenda)
    assert secret in pdf_text(printed.agenda)  # printed as written, by the advisor's choice

    agenda_service.update_item(vault, item_id, notes=notes + " Opdateret.")
    assert item_of(vault, meeting_id, child.case_id).leak_override is None
    out.unlink()
    with pytest.raises(LeakBlocked):
        agenda_service.print_agenda(vault, meeting_id, out, per_child)
    assert not out.exists()


def test_an_override_survives_an_edit_that_leaves_the_text_alone(
    vault: Vault, tmp_path: Path
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    case_id = anonymous(vault, site_id, "Ida", concern="Mor oplyser CPR 231119-1234.")
    item_id, _c = agenda_service.add_case_item(vault, meeting_id, case_id)
    with pytest.raises(LeakBlocked):
        agenda_service.print_agenda(vault, meeting_id, tmp_path / "a.pdf")
    agenda_service.override_leak(vault, item_id, "not-about-the-child")
    agenda_service.update_item(vault, item_id, minutes=25)  # not a text change: kept
    assert item_of(vault, meeting_id, case_id).leak_override == "not-about-the-child"
    agenda_service.print_agenda(vault, meeting_id, tmp_path / "a.pdf")
    assert (tmp_path / "a.pdf").is_file()


# --- printing -------------------------------------------------------------------------


def test_print_agenda_is_anonymised_and_names_only_children_with_a_basis(
    vault: Vault, tmp_path: Path
) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    emma = named_child(
        vault,
        site_id,
        "Emma",
        "Holm Østergård",
        date(2019, 4, 12),
        guardians=("Mette Holm", "Jonas Østergård"),
    )
    sukru = named_child(vault, site_id, "Şükrü", "Nguyễn", date(2016, 9, 3), guardians=("Anh",))
    noah = named_child(vault, site_id, "Noah", "Skov", date(2017, 11, 23))
    asa = named_child(
        vault,
        site_id,
        "Åsa",
        "Ødegård",
        date(2018, 2, 27),
        guardians=("Kari Ødegård",),
        scope=frozenset({"leader"}),
    )
    expired = named_child(
        vault, site_id, "Liva", "Dal", date(2018, 6, 1), valid_until=MEETING_DAY - timedelta(1)
    )
    cases_service.withdraw_consent(vault, noah.consent_id, TODAY, "Line Skov")
    children = [emma, sukru, noah, asa, expired]
    for child in children:
        agenda_service.add_case_item(vault, meeting_id, child.case_id, notes="Status.")
    ida = anonymous(vault, site_id, "Ida")
    agenda_service.add_case_item(vault, meeting_id, ida)
    agenda_service.add_general_item(vault, meeting_id, "Orientering", notes="Nyt fra ledelsen.")
    allowed = {i.case_id for i in items(vault, meeting_id) if i.case_id and i.named_allowed}
    assert allowed == {emma.case_id, sukru.case_id}

    out = tmp_path / "agenda.pdf"
    per_child = tmp_path / "children"
    per_child.mkdir()
    audit_seq = last_audit_seq(vault)
    printed = agenda_service.print_agenda(vault, meeting_id, out, per_child)

    assert printed.agenda == out
    assert_private(out)
    text = pdf_text(out)
    assert "Orientering" in text and "Ida (5 år)" in text
    for child in children:
        assert child.first in text  # the anonymised label: first name and age
    everyone = [(c.surname, c.born) for c in children]
    assert_anonymised(text, everyone)
    info = pdf_info(out)
    for child in children:
        assert not has_word(info, child.first)
        assert_anonymised(info, [(child.surname, child.born)])

    assert len(printed.per_child) == 2
    by_name = {}
    for path in printed.per_child:
        assert_private(path)
        assert path.parent == per_child
        assert not any(has_word(path.name, part) for c in children for part in c.full_name.split())
        by_name[path] = pdf_text(path)
        info = pdf_info(path)
        for child in children:
            assert not has_word(info, child.first)
            assert_anonymised(info, [(child.surname, child.born)])
    for child, born_text in ((emma, "12.04.2019"), (sukru, "03.09.2016")):
        [child_text] = [t for t in by_name.values() if child.full_name in t]
        assert born_text in child_text
        assert GIVEN.isoformat() in child_text  # the consent basis: given on
        others = [c for c in children if c is not child]
        assert_anonymised(child_text, [(c.surname, c.born) for c in others])
    assert sorted(p.name for p in per_child.iterdir()) == sorted(p.name for p in printed.per_child)

    new = audit_since(vault, audit_seq)
    reads = [e for e in new if e.action == audit.Action.CASE_READ]
    assert sorted(e.entity_id or "" for e in reads) == sorted([emma.case_id, sukru.case_id])
    assert all(json.loads(e.details) == {"purpose": "print"} for e in reads)
    prints = [e for e in new if e.action == audit.Action.PRINT]
    assert [(e.entity, e.entity_id) for e in prints] == [("meeting", meeting_id)]
    assert json.loads(prints[0].details) == {"document": "agenda", "per_child": 2}
    logged = " ".join(e.details + str(e.entity_id) for e in new)
    for child in children:
        assert child.surname not in logged and child.first not in logged

    # Without a folder for the children only the meeting agenda is written.
    audit_seq = last_audit_seq(vault)
    again = agenda_service.print_agenda(vault, meeting_id, tmp_path / "again.pdf")
    assert again.per_child == ()
    assert [e.action for e in audit_since(vault, audit_seq)] == [audit.Action.PRINT]


# --- the demo vault -------------------------------------------------------------------

DEMO_TODAY = date(2026, 11, 23)


def test_demo_agendas_print_without_names_except_for_children_with_consent(
    vault: Vault, tmp_path: Path
) -> None:
    demo.fill(vault, DEMO_TODAY, random.Random(1))
    named_rows = [r for r in cases_repo.list_all(vault.conn) if r.kind == CaseKind.NAMED]
    assert len(named_rows) == 4
    children = {
        r.id: (r.first_name, r.surname or "", date.fromisoformat(r.birth_date or ""))
        for r in named_rows
    }
    everyone = [(surname, born) for _first, surname, born in children.values()]
    consents = consents_repo.of_cases(vault.conn, list(children))
    withdrawn = {cid for cid, cs in consents.items() if any(c.withdrawn_on for c in cs)}
    expired = {
        cid
        for cid, cs in consents.items()
        if all(c.valid_until is not None and c.valid_until < DEMO_TODAY for c in cs)
    }
    assert len(withdrawn) == len(expired) == 1

    meetings = [
        m
        for m in CalendarService(vault).between(
            DEMO_TODAY - timedelta(days=400), DEMO_TODAY + timedelta(days=400)
        )
        if m.agenda_item_count
    ]
    assert meetings
    seen: dict[str, bool] = {}
    for number, m in enumerate(meetings):
        view = agenda_service.agenda(vault, m.id)
        per_child = tmp_path / f"children-{number}"
        per_child.mkdir()
        out = tmp_path / f"agenda-{number}.pdf"
        printed = agenda_service.print_agenda(vault, m.id, out, per_child)
        assert_private(out)
        text = pdf_text(out)
        assert_anonymised(text, everyone)
        info = pdf_info(out)
        for first, surname, born in children.values():
            assert not has_word(info, first)
            assert_anonymised(info, [(surname, born)])

        child_texts = [pdf_text(p) for p in printed.per_child]
        expected = 0
        for item in view.items:
            if item.case_id not in children:
                continue
            first, surname, born = children[item.case_id]
            full = f"{first} {surname}"
            valid = any(
                c.given_on <= m.start.date()
                and (c.valid_until is None or m.start.date() <= c.valid_until)
                and (c.withdrawn_on is None or c.withdrawn_on > m.start.date())
                for c in consents[item.case_id]
            )
            seen[item.case_id] = valid
            assert item.named_allowed is valid
            # Before the withdrawal or expiry the consent still held: only the
            # agendas from the demo's "today" on must anonymise these children.
            upcoming = m.start.date() >= DEMO_TODAY
            if upcoming and (item.case_id in withdrawn or item.case_id in expired):
                assert not valid
                assert item.label == item.anonymous_label and surname not in item.label
                assert not any(full in t for t in child_texts)
            if valid:
                expected += 1
                [mine] = [t for t in child_texts if full in t]
                assert f"{born.day:02d}.{born.month:02d}.{born.year}" in mine
        assert len(printed.per_child) == expected
    # Every named demo child was on some agenda; the valid ones got per-child PDFs.
    assert set(seen) == set(children)
    assert {cid for cid, ok in seen.items() if not ok} == withdrawn | expired
    assert sum(seen.values()) == 2
