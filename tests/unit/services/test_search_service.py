"""The Ctrl+K search against a real SQLCipher vault, written through the
services the UI uses (cases, calendar, agenda, minutes) and through sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyrage
import pytest

from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import ConsentForm
from app.i18n import translator
from app.services import (
    agenda_service,
    cases_service,
    minutes_service,
    search_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.services.search_service import MARK_END, MARK_START, SearchHit
from app.store import audit, forums_repo, roles_repo, search_repo, sync_repo
from app.store.vault import Vault
from app.sync import bundle
from app.sync.exporter import export_bundle
from app.sync.importer import import_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.unit.store.test_search_repo import HOSTILE

TODAY = date(2026, 11, 23)
GIVEN = date(2026, 9, 1)
MEETING_START = datetime(2026, 11, 24, 12, 30)  # local time
MEETING_DAY = MEETING_START.date()
SCHOOL_ROLES = frozenset(
    {"leader", "teacher", "ppr", "psychologist", "health-visitor", "ssp-worker"}
)
IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENTS = [str(IDENTITY.to_public())]
IDENTITIES = [str(IDENTITY)]
DA = translator("da")


@dataclass(frozen=True)
class World:
    site_id: str
    meeting_id: str
    ida: str  # anonymous case
    noah: str  # named case, surname Sørensen
    ida_item: str
    noah_item: str
    general: str


def build(vault: Vault) -> World:
    site_id, _c = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
    forum = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert forum is not None
    calendar = CalendarService(vault)
    meeting_id, _c = calendar.add_meeting(forum.id, site_id, MEETING_START)
    calendar.annotate(meeting_id, "Lokale Bøgen, husk tolk")
    ida, _c = cases_service.create_anonymous(
        vault, "Ida", site_id, "Træt om morgenen.", TODAY - timedelta(days=60), age_or_year="5 år"
    )
    noah, _c = cases_service.create_anonymous(
        vault, "Noah", site_id, "Trækker sig fra legen.", GIVEN - timedelta(days=30), level=2
    )
    guardian, _c = cases_service.add_guardian(vault, noah, "Line Sørensen", "mor", True)
    by_key = {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}
    cases_service.record_consent(
        vault, noah, GIVEN, ConsentForm.WRITTEN, [guardian], sorted(by_key[k] for k in SCHOOL_ROLES)
    )
    cases_service.make_named(vault, noah, "Sørensen", date(2017, 11, 23), GIVEN + timedelta(days=1))
    ida_item, _c = agenda_service.add_case_item(vault, meeting_id, ida)
    noah_item, _c = agenda_service.add_case_item(
        vault, meeting_id, noah, notes="Skifter klasse efter jul."
    )
    general, _c = agenda_service.add_general_item(
        vault, meeting_id, "Orientering om Ålborg-projektet", notes="Nyt fra forvaltningen."
    )
    minutes_service.start(vault, meeting_id)
    minutes_service.save_field(vault, ida_item, "discussion", "Ida har det svært i frikvarteret.")
    return World(site_id, meeting_id, ida, noah, ida_item, noah_item, general)


@pytest.fixture
def world(vault: Vault) -> World:
    return build(vault)


def find(vault: Vault, text: str, **kwargs: object) -> list[SearchHit]:
    return search_service.search(vault, text, today=TODAY, **kwargs)  # type: ignore[arg-type]


def keys(hits: list[SearchHit]) -> list[tuple[str, str, str | None]]:
    return [(h.kind, h.ref_id, h.item_id) for h in hits]


def audit_entries(vault: Vault, since: int) -> list[audit.AuditEntry]:
    return [e for e in audit.entries(vault.conn) if e.seq > since]


def last_seq(vault: Vault) -> int:
    return max(e.seq for e in audit.entries(vault.conn))


# --- each kind --------------------------------------------------------------------------


def test_a_case_is_found_by_its_words_and_shown_by_its_label(vault: Vault, world: World) -> None:
    hits = find(vault, "træt morgen")
    assert keys(hits) == [("case", world.ida, None)]
    assert hits[0].title == "Ida (5 år)"
    assert hits[0].when == TODAY - timedelta(days=60)
    assert f"{MARK_START}Træt{MARK_END} om {MARK_START}morgenen{MARK_END}" in hits[0].snippet


def test_a_named_case_shows_its_name_and_the_read_is_audited(vault: Vault, world: World) -> None:
    before = last_seq(vault)
    hits = find(vault, "Sørensen")
    assert keys(hits) == [("case", world.noah, None)]
    assert hits[0].title == "Noah Sørensen (born 2017-11-23)"
    entries = audit_entries(vault, before)
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [("case.read", "case", None)]
    assert json.loads(entries[0].details) == {"purpose": "search", "named": 1}
    # A search without a named case is not a read of one.
    before = last_seq(vault)
    find(vault, "Ida")
    assert audit_entries(vault, before) == []


def test_a_meeting_is_found_by_its_site_forum_and_note(vault: Vault, world: World) -> None:
    for text in ("bøgen", "tolk", "nordskov skole", "resource team"):
        hits = [h for h in find(vault, text) if h.kind == "meeting"]
        assert keys(hits) == [("meeting", world.meeting_id, None)], text
        assert hits[0].title == "School resource team, Nordskov Skole"
        assert hits[0].when == MEETING_DAY


def test_agenda_items_open_their_meeting_and_name_no_child(vault: Vault, world: World) -> None:
    hits = find(vault, "Ålborg")
    assert keys(hits) == [("agenda_item", world.meeting_id, world.general)]
    assert hits[0].title == "Orientering om Ålborg-projektet – School resource team, Nordskov Skole"
    assert hits[0].when == MEETING_DAY
    hits = find(vault, "klasse jul")
    assert keys(hits) == [("agenda_item", world.meeting_id, world.noah_item)]
    # The named child's item shows the anonymous label on the meeting's day.
    assert hits[0].title == "Noah (9 years) – School resource team, Nordskov Skole"
    assert "Sørensen" not in hits[0].title


def test_minutes_are_found_and_open_their_item(vault: Vault, world: World) -> None:
    hits = find(vault, "frikvarter")
    assert keys(hits) == [("minutes", world.meeting_id, world.ida_item)]
    assert hits[0].title == "Ida (5 år) – School resource team, Nordskov Skole"
    assert hits[0].when == MEETING_DAY
    assert f"{MARK_START}frikvarteret{MARK_END}" in hits[0].snippet


def test_addenda_are_minutes_of_the_whole_meeting(vault: Vault, world: World) -> None:
    minutes_service.approve(vault, world.meeting_id, "AB", MEETING_DAY)
    minutes_service.add_addendum(
        vault, world.meeting_id, "AB", "Rettelse: mødet sluttede tidligt.", MEETING_DAY
    )
    hits = find(vault, "rettelse")
    assert keys(hits) == [("minutes", world.meeting_id, None)]
    assert hits[0].title == "Addendum – School resource team, Nordskov Skole"


def test_titles_follow_the_requested_language(vault: Vault, world: World) -> None:
    hits = [h for h in find(vault, "bøgen", lang="da") if h.kind == "meeting"]
    assert hits[0].title == DA("{forum}, {site}").format(
        forum=DA("School resource team"), site="Nordskov Skole"
    )


# --- matching ---------------------------------------------------------------------------


def test_danish_letters_match_with_or_without_them(vault: Vault, world: World) -> None:
    for text in ("sorensen", "SØRENSEN", "sørensen", "Sorensen", "søren", "sor"):
        assert [h.ref_id for h in find(vault, text) if h.kind == "case"] == [world.noah], text


def test_other_accents_are_ignored(vault: Vault, world: World) -> None:
    case_id, _c = cases_service.create_anonymous(
        vault, "Şükrü", world.site_id, "Müller-Lüdenscheidt og José", TODAY
    )
    for text in ("sukru", "Şükrü", "muller", "jose", "JOSÉ"):
        assert [h.ref_id for h in find(vault, text)] == [case_id], text
    assert keys(find(vault, "alborg")) == [("agenda_item", world.meeting_id, world.general)]
    # Not a spelling rule: "aa" is not "å", "oe" is not "ø".
    assert find(vault, "aalborg") == []
    assert find(vault, "soerensen") == []


def test_the_last_word_is_a_prefix_until_it_is_finished(vault: Vault, world: World) -> None:
    assert keys(find(vault, "frikv")) == [("minutes", world.meeting_id, world.ida_item)]
    assert find(vault, "frikv ") == []
    assert keys(find(vault, "frikvarteret ")) == [("minutes", world.meeting_id, world.ida_item)]
    # Earlier words must be whole words.
    assert find(vault, "frikv ida") == []


def test_every_word_must_occur(vault: Vault, world: World) -> None:
    assert keys(find(vault, "ida frikvarteret")) == [("minutes", world.meeting_id, world.ida_item)]
    assert find(vault, "ida ålborg") == []


def test_better_matches_come_first(vault: Vault, world: World) -> None:
    short, _c = cases_service.create_anonymous(vault, "Ali", world.site_id, "Trivsel.", TODAY)
    long, _c = cases_service.create_anonymous(
        vault, "Bo", world.site_id, "Trivsel. " + "Mange andre ord om dagen. " * 20, TODAY
    )
    assert [h.ref_id for h in find(vault, "trivsel")] == [short, long]


def test_the_limit_is_respected(vault: Vault, world: World) -> None:
    for i in range(7):
        cases_service.create_anonymous(vault, f"Barn{i}", world.site_id, "Fælles ord.", TODAY)
    assert len(find(vault, "fælles")) == 7
    assert len(find(vault, "fælles", limit=3)) == 3
    assert find(vault, "fælles", limit=0) == []


def test_text_without_a_word_finds_nothing(vault: Vault, world: World) -> None:
    for text in ("", "   ", "\n\t", "?!", '""', "()", "*"):
        assert find(vault, text) == [], text


def test_query_syntax_is_harmless(vault: Vault, world: World) -> None:
    for text in HOSTILE:
        hits = find(vault, text)
        assert all(isinstance(h, SearchHit) for h in hits), text


def test_query_syntax_is_searched_as_words(vault: Vault, world: World) -> None:
    assert keys(find(vault, '"Ida" (frikvarteret)')) == [
        ("minutes", world.meeting_id, world.ida_item)
    ]
    assert keys(find(vault, "frikvarteret*")) == [("minutes", world.meeting_id, world.ida_item)]
    # AND/NEAR are words like any other; no text here has them.
    assert find(vault, "Ida AND frikvarteret") == []
    assert find(vault, "NEAR(Ida frikvarteret)") == []


# --- staying current --------------------------------------------------------------------


def test_editing_minutes_replaces_their_words(vault: Vault, world: World) -> None:
    minutes_service.save_field(vault, world.ida_item, "discussion", "Ida leger nu i skolegården.")
    assert find(vault, "frikvarteret") == []
    assert keys(find(vault, "skolegården")) == [("minutes", world.meeting_id, world.ida_item)]
    minutes_service.save_field(vault, world.ida_item, "evaluation", "Evalueres efter vinterferien.")
    assert keys(find(vault, "vinterferien skolegården")) == [
        ("minutes", world.meeting_id, world.ida_item)
    ]


def test_changed_cases_and_items_are_found_by_their_new_words(vault: Vault, world: World) -> None:
    agenda_service.update_item(vault, world.general, title="Orientering om Odense-projektet")
    assert find(vault, "ålborg") == []
    assert keys(find(vault, "odense")) == [("agenda_item", world.meeting_id, world.general)]
    CalendarService(vault).annotate(world.meeting_id, "Lokale Egen")
    assert [h for h in find(vault, "bøgen") if h.kind == "meeting"] == []
    assert [h.kind for h in find(vault, "egen")] == ["meeting"]


def test_removed_items_are_gone(vault: Vault, world: World) -> None:
    agenda_service.remove_item(vault, world.ida_item)  # its minutes go with it
    assert find(vault, "frikvarteret") == []
    agenda_service.remove_item(vault, world.general)
    assert find(vault, "ålborg") == []
    assert search_repo.check(vault.conn)
    assert vault.self_test().ok


# --- the index is local: sync carries records, each vault indexes them -------------------


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Vault]:
    directory = open_directory(tmp_path / "office")
    try:
        yield directory.create(PASSPHRASE, "DK").vault
    finally:
        directory.release()


def test_export_carries_no_index_and_the_importer_indexes(
    vault: Vault, world: World, office: Vault, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "all.samraad"
    out.parent.mkdir()
    export_bundle(vault, out, recipients=RECIPIENTS, everything=True)
    data = out.read_bytes()
    parsed = bundle.unpack(bundle.decrypt(data, identities=IDENTITIES))
    assert set(parsed.records) <= set(sync_repo.SYNC_TABLES)
    assert {"cases", "meetings", "agenda_items", "item_minutes"} <= set(parsed.records)
    assert not any("search" in table for table in parsed.records)
    assert not any("search" in str(t.get("table")) for t in parsed.tombstones)
    assert b"search_docs" not in bundle.decrypt(data, identities=IDENTITIES)

    import_bundle(office, data, identities=IDENTITIES, trust_new_sender=True)
    assert keys(find(office, "frikvarteret")) == [("minutes", world.meeting_id, world.ida_item)]
    assert [h.ref_id for h in find(office, "sorensen") if h.kind == "case"] == [world.noah]
    assert [h.kind for h in find(office, "bøgen")] == ["meeting"]
    assert search_repo.check(office.conn)
    assert office.self_test().ok

    # A later change arrives as an update; a deletion as a tombstone.
    minutes_service.save_field(vault, world.ida_item, "discussion", "Ny tekst om svømning.")
    agenda_service.remove_item(vault, world.general)
    out2 = tmp_path / "out" / "all2.samraad"
    export_bundle(vault, out2, recipients=RECIPIENTS, everything=True)
    import_bundle(office, out2.read_bytes(), identities=IDENTITIES)
    assert find(office, "frikvarteret") == []
    assert keys(find(office, "svømning")) == [("minutes", world.meeting_id, world.ida_item)]
    assert find(office, "ålborg") == []
    assert search_repo.check(office.conn)


# --- helpers for the UI -----------------------------------------------------------------


def test_snippets_split_into_highlighted_runs() -> None:
    snippet = f"…om {MARK_START}Sørensen{MARK_END} og {MARK_START}Ida{MARK_END}"
    assert search_service.highlights(snippet) == [
        ("…om ", False),
        ("Sørensen", True),
        (" og ", False),
        ("Ida", True),
    ]
    assert search_service.plain(snippet) == "…om Sørensen og Ida"
    assert search_service.highlights("") == []


def test_snippets_are_one_line(vault: Vault, world: World) -> None:
    for text in ("bøgen", "ålborg", "frikvarteret", "sørensen"):
        for hit in find(vault, text):
            assert "\n" not in hit.snippet
            assert MARK_START in hit.snippet and MARK_END in hit.snippet, (text, hit)
