"""The full-text index (schema 7) against real SQLCipher vaults: the query
translation, the triggers that keep the index current, the backfill of an
upgraded vault, and the index's integrity."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store import keyfile, migrate, records, search_repo
from app.store.connection import Connection, open_database
from app.store.search_repo import ELLIPSIS, MARK_END, MARK_START
from app.store.vault import Vault
from tests.helpers.vaults import open_directory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SCHEMA1 = FIXTURES / "vault-schema1"
SCHEMA1_PASSPHRASE = "fixture passphrase one"
SCHOOL_TEAM = "05685b7b-e7cd-58ff-b6b4-8af9c8bc5eaa"  # seeded forum (schema 3)

HOSTILE = [
    '"',
    '""',
    '"Ida',
    "Ida AND",
    "AND",
    "OR NOT",
    "Ida OR Noah NOT Malik",
    "*",
    "Ida*",
    "* Ida",
    "(",
    ")",
    "(Ida",
    "NEAR(Ida Noah, 2)",
    "NEAR",
    "folded:Ida",
    "{folded body}: Ida",
    "^Ida",
    "Ida + Noah",
    "-Ida",
    "'; DROP TABLE cases; --",
    "\x00",
    "Ida\x00Noah",
    "\ud800",
    "\x02Ida\x03",
    "ØÆÅ øæå",
    "e\u0301",
    "_",
    "a_b",
    "😀 Ida 😀",
    "ı" * 100,
    "word " * 200,
    "x" * 10_000,
]


def fts_terms(conn: Connection) -> set[str]:
    """Every term the FTS index holds (its vocabulary)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab"
        " USING fts5vocab(main, search_index, row)"
    )
    return {str(r[0]) for r in conn.execute("SELECT term FROM temp.search_vocab")}


def stored_anywhere(conn: Connection, word: str) -> bool:
    """Whether ``word``'s bytes are in the index's storage or its documents.

    Terms share prefixes inside index pages, so the test words are chosen
    long and looked for by their tail.
    """
    tail = word[2:].encode()
    blocks = [bytes(r[0]) for r in conn.execute("SELECT block FROM search_index_data") if r[0]]
    keys = [bytes(r[0]) for r in conn.execute("SELECT term FROM search_index_idx") if r[0]]
    docs = [str(r[0]).encode() for r in conn.execute("SELECT body FROM search_docs")]
    return any(tail in data for data in blocks + keys + docs)


def insert(vault: Vault, table: str, **values: object) -> str:
    with vault.transaction() as conn:
        return records.insert(conn, vault.ctx, table, values)


def update(vault: Vault, table: str, record_id: str, **values: object) -> None:
    with vault.transaction() as conn:
        assert records.update(conn, vault.ctx, table, record_id, values)


def delete(vault: Vault, table: str, record_id: str) -> None:
    with vault.transaction() as conn:
        assert records.delete(conn, table, record_id)


def site(vault: Vault, name: str = "Nordskov Skole") -> str:
    return insert(vault, "sites", name=name, kind="school")


def meeting(vault: Vault, site_id: str, note: str = "") -> str:
    return insert(
        vault,
        "meetings",
        forum_id=SCHOOL_TEAM,
        site_id=site_id,
        start_utc="2026-11-24T11:30:00.000Z",
        end_utc="2026-11-24T13:30:00.000Z",
        status="planned",
        note=note,
    )


def case(vault: Vault, site_id: str, first: str = "Ida", concern: str = "") -> str:
    return insert(
        vault,
        "cases",
        kind="anonymous",
        first_name=first,
        site_id=site_id,
        concern=concern,
        opened_on="2026-09-01",
    )


def find(vault: Vault, text: str) -> list[tuple[str, str]]:
    query = search_repo.parse(text)
    if query is None:
        return []
    return [(r.kind, r.ref_id) for r in search_repo.search(vault.conn, query, 50)]


# --- the query --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t\n", "!?", '"', "()", "*", "- + :", "_", "\x00"])
def test_text_without_a_word_gives_no_query(text: str) -> None:
    assert search_repo.match_expression(text) is None


def test_each_word_is_quoted_and_the_last_one_is_a_prefix() -> None:
    assert search_repo.match_expression("Ida") == '"Ida" *'
    assert search_repo.match_expression("ida noah") == '"ida" "noah" *'
    # A space or punctuation after the last word ends it.
    assert search_repo.match_expression("ida noah ") == '"ida" "noah"'
    assert search_repo.match_expression("ida noah.") == '"ida" "noah"'


def test_query_syntax_in_the_text_becomes_plain_words() -> None:
    assert search_repo.match_expression('Ida AND "Noah" OR (NEAR x*)') == (
        '"Ida" "AND" "Noah" "OR" "NEAR" "x"'
    )
    assert search_repo.match_expression("folded:Ida^") == '"folded" "Ida"'


def test_query_words_are_folded_like_the_index() -> None:
    assert search_repo.match_expression("Sørensen Bæk") == '"Sorensen" "Baek" *'
    assert search_repo.terms("Łódź Đorđe Yıldız Straße Œuvre") == [
        "Lódź",
        "Dorde",
        "Yildiz",
        "Strasse",
        "Oeuvre",
    ]
    # Decomposed input is composed first, so the accent stays on its letter.
    assert search_repo.terms("Jose\u0301") == ["José"]


def test_long_text_is_capped() -> None:
    found = search_repo.terms("ord " * 100 + "x" * 500)
    assert len(found) == search_repo.MAX_TERMS
    assert search_repo.terms("x" * 500) == ["x" * search_repo.MAX_TERM_LENGTH]
    # The word typed last is not among those kept, so none is a prefix.
    assert not search_repo.match_expression("ord " * 100 + "x").endswith("*")  # type: ignore[union-attr]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_raises(vault: Vault, text: str) -> None:
    case(vault, site(vault), "Ida", "Noah leger med Ida.")
    find(vault, text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_text_is_a_valid_query(vault: Vault, text: str) -> None:
    find(vault, text)


# --- snippets ---------------------------------------------------------------------------


def marked(text: str) -> str:
    """Test shorthand: [word] for a marked word."""
    return text.replace("[", MARK_START).replace("]", MARK_END)


def cut(body: str, text: str, tokens: int = 6) -> str:
    query = search_repo.parse(text)
    assert query is not None
    return search_repo.snippet(body, query, tokens)


def test_a_snippet_marks_the_words_as_written() -> None:
    body = "Børnehuset Mælkebøtten\nMøde om Sørensen."
    assert cut(body, "maelkebotten sorensen", 10) == marked(
        "Børnehuset [Mælkebøtten]\nMøde om [Sørensen]."
    )
    assert cut(body, "MØDE") == marked("Børnehuset Mælkebøtten\n[Møde] om Sørensen.")
    assert cut("Ida (5 år)", "a") == marked("Ida (5 [år])")
    assert cut("Şükrü og José", "sukru jose") == marked("[Şükrü] og [José]")


def test_only_the_last_word_is_a_prefix() -> None:
    assert cut("Ida og Idas mor", "ida") == marked("[Ida] og [Idas] mor")
    assert cut("Ida og Idas mor", "ida ") == marked("[Ida] og Idas mor")
    assert cut("Ida og Idas mor", "ida mo") == marked("[Ida] og Idas [mor]")


def test_a_long_text_is_cut_around_its_matches() -> None:
    body = (
        " ".join(f"ord{n}" for n in range(40))
        + " Sørensen "
        + " ".join(f"tal{n}" for n in range(40))
    )
    assert cut(body, "sorensen") == marked(
        f"{ELLIPSIS}ord38 ord39 [Sørensen] tal0 tal1 tal2{ELLIPSIS}"
    )
    # The window with the most different words wins over the first match.
    body = "Ida kom. " + "fyld " * 20 + "Ida og Noah legede."
    assert cut(body, "ida noah") == marked(f"{ELLIPSIS}fyld fyld [Ida] og [Noah] legede.")
    # The end of the text is shown with its punctuation.
    assert cut("a b c d Sørensen.", "sørensen") == marked("a b c d [Sørensen].")


def test_a_snippet_without_a_match_shows_the_beginning() -> None:
    assert cut("Ingen match her overhovedet i denne tekst", "zzz", 3) == (
        f"Ingen match her{ELLIPSIS}"
    )
    assert cut("  ", "zzz") == ""


# --- the triggers -----------------------------------------------------------------------


def test_every_kind_of_source_row_gets_a_document(vault: Vault) -> None:
    site_id = site(vault, "Åbrink Skole")
    meeting_id = meeting(vault, site_id, "Lokale 12")
    case_id = case(vault, site_id, "Şükrü", "Trækker sig fra legen.")
    item_id = insert(
        vault, "agenda_items", meeting_id=meeting_id, position=1, kind="general",
        title="Orientering", notes="Nyt om skolevejen",
    )  # fmt: skip
    minutes_id = insert(
        vault, "item_minutes", agenda_item_id=item_id, meeting_id=meeting_id,
        knowledge="Viden", discussion="Drøftelse om trivsel", evaluation="", general_text="",
    )  # fmt: skip
    addendum_id = insert(
        vault, "addenda", meeting_id=meeting_id, written_on="2026-11-30", author="AB",
        text="Rettelse: Søndag",
    )  # fmt: skip
    docs = {
        ("case", case_id): "Şükrü \n\nTrækker sig fra legen.",
        ("meeting", meeting_id): "School resource team\nÅbrink Skole\nLokale 12",
        ("agenda_item", item_id): "Orientering\nNyt om skolevejen",
        ("minutes", minutes_id): "Viden\nDrøftelse om trivsel\n\n\n",
        ("addendum", addendum_id): "Rettelse: Søndag",
    }
    for (kind, ref_id), body in docs.items():
        assert search_repo.document(vault.conn, kind, ref_id) == body
    assert find(vault, "sukru") == [("case", case_id)]
    assert find(vault, "abrink") == [("meeting", meeting_id)]
    assert find(vault, "skolevej") == [("agenda_item", item_id)]
    assert find(vault, "drøftelse") == [("minutes", minutes_id)]
    assert find(vault, "sondag") == [("addendum", addendum_id)]
    assert search_repo.check(vault.conn)


def test_the_folded_column_folds_like_python(vault: Vault) -> None:
    letters = "".join(letter for letter, _plain in search_repo.FOLDS)
    case_id = case(vault, site(vault), f"x{letters}y", "åéşễ")
    row = vault.conn.execute(
        "SELECT body, folded FROM search_docs WHERE kind = 'case' AND ref_id = ?", (case_id,)
    ).fetchone()
    assert row[1] == search_repo.fold(row[0])
    assert f"x{letters}y" in row[0]
    assert find(vault, search_repo.fold(f"x{letters}y")) == [("case", case_id)]
    assert find(vault, f"x{letters}y") == [("case", case_id)]


def test_edits_replace_the_old_words(vault: Vault) -> None:
    site_id = site(vault)
    case_id = case(vault, site_id, "Ida", "Bekymring om fravær")
    meeting_id = meeting(vault, site_id, "Lokale 12")
    update(vault, "cases", case_id, concern="Uro i klassen", first_name="Idaline")
    update(vault, "meetings", meeting_id, note="Aula")
    assert find(vault, "fravær") == []
    assert find(vault, "lokale") == []
    assert find(vault, "uro") == [("case", case_id)]
    assert find(vault, "idaline") == [("case", case_id)]
    assert find(vault, "aula") == [("meeting", meeting_id)]
    assert "fravaer" not in fts_terms(vault.conn)
    # A change that does not touch the text leaves the document alone.
    before = vault.conn.execute(
        "SELECT id FROM search_docs WHERE ref_id = ?", (case_id,)
    ).fetchone()
    update(vault, "cases", case_id, level=2)
    after = vault.conn.execute("SELECT id FROM search_docs WHERE ref_id = ?", (case_id,)).fetchone()
    assert before == after
    assert search_repo.check(vault.conn)


def test_renaming_a_site_or_forum_updates_its_meetings(vault: Vault) -> None:
    site_id = site(vault, "Nordskov Skole")
    first = meeting(vault, site_id)
    second = meeting(vault, site_id)
    update(vault, "sites", site_id, name="Vestskov Skole")
    assert find(vault, "nordskov") == []
    assert sorted(find(vault, "vestskov")) == sorted([("meeting", first), ("meeting", second)])
    update(vault, "forums", SCHOOL_TEAM, name="Ressourceteam")
    assert len(find(vault, "ressourceteam")) == 2
    assert search_repo.check(vault.conn)


def test_a_meeting_written_before_its_site_catches_up(vault: Vault) -> None:
    # A sync import defers foreign keys and may write children first.
    site_id = str(uuid.uuid4())
    with vault.transaction() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        meeting_id = records.insert(
            conn, vault.ctx, "meetings",
            {"forum_id": SCHOOL_TEAM, "site_id": site_id, "start_utc": "2026-11-24T11:30:00.000Z",
             "end_utc": "2026-11-24T13:30:00.000Z", "status": "planned"},
        )  # fmt: skip
        conn.execute(
            "INSERT INTO sites (id, name, kind, created_at, updated_at, writer_vault_id)"
            " VALUES (?, 'Solsikken', 'day-care', 'x', 'x', 'v')",
            (site_id,),
        )
    assert find(vault, "solsikken") == [("meeting", meeting_id)]


def test_deleting_rows_removes_their_documents_and_words(vault: Vault) -> None:
    site_id = site(vault)
    meeting_id = meeting(vault, site_id, "Lokale 12")
    case_id = case(vault, site_id, "Zacharias", "Hemmelighedsfuld bekymring")
    item_id = insert(
        vault, "agenda_items", meeting_id=meeting_id, position=1, kind="case", case_id=case_id,
        notes="Kvartalsvis opfølgning",
    )  # fmt: skip
    insert(
        vault, "item_minutes", agenda_item_id=item_id, meeting_id=meeting_id,
        discussion="Vandrehistorie",
    )  # fmt: skip
    general = insert(
        vault, "agenda_items", meeting_id=meeting_id, position=2, kind="general", title="Eventyr"
    )
    count = search_repo.document_count(vault.conn)
    secrets = ("zacharias", "hemmelighedsfuld", "kvartalsvis", "vandrehistorie")
    assert all(stored_anywhere(vault.conn, word) for word in secrets)
    # Deleting the case cascades to its agenda item and that item's minutes.
    delete(vault, "cases", case_id)
    assert search_repo.document_count(vault.conn) == count - 3
    for word in secrets:
        assert find(vault, word) == []
        # secure-delete: the words are gone from the index itself, not just
        # marked deleted until a later merge.
        assert word not in fts_terms(vault.conn)
        assert not stored_anywhere(vault.conn, word), word
    assert find(vault, "eventyr") == [("agenda_item", general)]
    delete(vault, "meetings", meeting_id)
    assert find(vault, "eventyr") == []
    assert find(vault, "lokale") == []
    assert search_repo.check(vault.conn)


def test_the_index_is_not_a_record_table(vault: Vault) -> None:
    from app.store import sync_repo

    case(vault, site(vault), "Ida")
    tables = {
        r[0] for r in vault.conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search%'")
    }
    assert {"search_docs", "search_index"} <= tables
    assert not tables & set(sync_repo.SYNC_TABLES)
    logged = {r[0] for r in vault.conn.execute("SELECT DISTINCT table_name FROM change_log")}
    assert not any(t.startswith("search") for t in logged)


def test_rebuild_vacuum_and_self_test(vault: Vault) -> None:
    case(vault, site(vault), "Ida", "Sørgmodig")
    with vault.transaction() as conn:
        search_repo.rebuild(conn)
    assert search_repo.check(vault.conn)
    # Erasure vacuums the database; the documents keep their ids (the index's rowids).
    vault.conn.execute("VACUUM")
    assert search_repo.check(vault.conn)
    assert find(vault, "sorgmodig")
    assert vault.self_test().ok


def test_a_tampered_index_fails_its_check(vault: Vault) -> None:
    case_id = case(vault, site(vault), "Ida", "Sørgmodig")
    with vault.transaction() as conn:
        # Bypass the triggers: the index no longer matches the text.
        conn.execute("DROP TRIGGER search_docs_au")
        conn.execute("UPDATE search_docs SET body = 'noget andet' WHERE ref_id = ?", (case_id,))
    assert not search_repo.check(vault.conn)
    with vault.transaction() as conn:
        search_repo.rebuild(conn)
    assert vault.self_test().ok
    assert search_repo.check(vault.conn)
    assert find(vault, "andet") == [("case", case_id)]


# --- upgrading a vault that has data ----------------------------------------------------


def test_upgrading_from_schema_6_indexes_existing_data(tmp_path: Path) -> None:
    target = tmp_path / "old"
    shutil.copytree(SCHEMA1, target)
    key = keyfile.unwrap_with_passphrase(keyfile.read(target / "vault.key"), SCHEMA1_PASSPHRASE)
    conn = open_database(target / "vault.db", key)
    migrate.upgrade(conn, target=6)
    script = """
    INSERT INTO sites (id, name, kind, created_at, updated_at, writer_vault_id)
    VALUES ('s1', 'Troldehøjen', 'day-care', 'x', 'x', 'v');
    INSERT INTO meetings (id, forum_id, site_id, start_utc, end_utc, status, note,
                          created_at, updated_at, writer_vault_id)
    VALUES ('m1', '95e3fc60-006b-5cb0-84f9-62efe65153d9', 's1', '2026-11-24T11:30:00.000Z',
            '2026-11-24T13:30:00.000Z', 'held', 'Husk tolk', 'x', 'x', 'v');
    INSERT INTO cases (id, kind, first_name, surname, birth_date, site_id, concern, opened_on,
                       created_at, updated_at, writer_vault_id)
    VALUES ('c1', 'named', 'Noah', 'Sørensen', '2019-11-23', 's1', 'Sprogudvikling',
            '2026-09-01', 'x', 'x', 'v');
    INSERT INTO agenda_items (id, meeting_id, position, kind, case_id, notes,
                              created_at, updated_at, writer_vault_id)
    VALUES ('a1', 'm1', 1, 'case', 'c1', 'Status efter sommerferien', 'x', 'x', 'v');
    INSERT INTO item_minutes (id, agenda_item_id, meeting_id, discussion,
                              created_at, updated_at, writer_vault_id)
    VALUES ('i1', 'a1', 'm1', 'Logopæd tilknyttes', 'x', 'x', 'v');
    INSERT INTO meeting_minutes (id, meeting_id, approved_on, approved_by,
                                 created_at, updated_at, writer_vault_id)
    VALUES ('mm1', 'm1', '2026-11-25', 'AB', 'x', 'x', 'v');
    INSERT INTO addenda (id, meeting_id, written_on, author, text,
                         created_at, updated_at, writer_vault_id)
    VALUES ('ad1', 'm1', '2026-11-30', 'AB', 'Tilføjelse om bedstemor', 'x', 'x', 'v');
    """
    conn.executescript(script)
    conn.close()
    directory = open_directory(target)
    try:
        vault = directory.unlock(SCHEMA1_PASSPHRASE)
        assert vault.schema_version() == migrate.latest_version()
        assert find(vault, "sorensen") == [("case", "c1")]
        assert find(vault, "troldehøjen tolk") == [("meeting", "m1")]
        assert find(vault, "sommerferien") == [("agenda_item", "a1")]
        assert find(vault, "logopaed") == [("minutes", "i1")]
        assert find(vault, "bedstemor") == [("addendum", "ad1")]
        assert search_repo.document_count(vault.conn) == 5
        assert search_repo.check(vault.conn)
        assert vault.self_test().ok
    finally:
        directory.release()
