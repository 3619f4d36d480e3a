"""Autosave of the minutes: one small write per field, and a kill loses nothing saved.

The issue: "saving one field is a small, fast write (a single UPDATE in its own
transaction); a test kills the process between saves and finds everything
saved before the kill."

* In-process, the statements ``minutes_service.save_field`` sends to SQLite are
  traced: ``BEGIN IMMEDIATE``, one ``UPDATE`` of ``item_minutes``, ``COMMIT``.
* A writer subprocess (``tests/helpers/writer.py``, mode ``autosave``) saves the
  discussion of one prepared item over and over (and the knowledge every third
  time), printing ``saved {i}`` after each iteration's saves return. The test
  SIGKILLs it at random moments, reopens the vault and checks that
  ``self_test()`` passes and that each field holds the last value reported
  saved, or the one after it (a save may finish without being reported).

The same vault is reused for every kill, so damage would accumulate. The kill
delays come from ``random.Random(SEED)``; the seed is in every failure message
so a failing schedule can be replayed.
"""

from __future__ import annotations

import os
import random
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.calendar_model import ForumKind, SiteKind
from app.services import agenda_service, cases_service, minutes_service, sites_service
from app.services.calendar_service import CalendarService
from app.store import forums_repo, minutes_repo
from app.store.vault import Vault
from tests.helpers.kill import run_and_kill
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.helpers.writer import autosave_knowledge, autosave_text

SEED = 20_240_611
KILLS = 12
_ANY_LINE = re.compile(".*")  # the kill may come after the first save
MAX_KILL_DELAY = 0.120  # seconds after the first reported save
_SAVED = re.compile(r"saved (\d+)")

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")


def _prepare(vault: Vault) -> tuple[str, str]:
    """One site, one team meeting, one anonymous case on its agenda, minutes started.

    Returns (meeting id, agenda item id).
    """
    site_id, _changes = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
    forum = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert forum is not None
    meeting_id, _changes = CalendarService(vault).add_meeting(
        forum.id, site_id, datetime(2026, 11, 24, 12, 30)
    )
    case_id, _changes = cases_service.create_anonymous(
        vault, "Ida", site_id, "Træt om morgenen.", date(2026, 10, 1), age_or_year="5 år"
    )
    item_id, _changes = agenda_service.add_case_item(vault, meeting_id, case_id)
    minutes_service.start(vault, meeting_id)
    return meeting_id, item_id


# --- one UPDATE in its own transaction ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("discussion", "Drøftet overgangene i løbet af dagen.", id="text"),
        pytest.param("outcome", "continue-locally", id="value"),
    ],
)
def test_saving_one_field_is_one_update_in_its_own_transaction(
    vault: Vault, field: str, value: str
) -> None:
    _meeting_id, item_id = _prepare(vault)
    changes_before = vault.change_seq()
    statements: list[str] = []
    vault.conn.set_trace_callback(statements.append)
    try:
        minutes_service.save_field(vault, item_id, field, value)
    finally:
        vault.conn.set_trace_callback(None)

    # The trace reports each trigger program the UPDATE fires (the approval
    # lock, the change log) with the text of the UPDATE itself, so a run of
    # identical lines is one statement.
    sent: list[str] = []
    for statement in statements:
        if statement.startswith("-- "):
            # SQLite's own nested statements (the FTS5 index), not the service's.
            continue
        text = " ".join(statement.split())
        if not sent or sent[-1] != text:
            sent.append(text)
    assert len(sent) == 3, sent
    begin, update, commit = sent
    assert begin.upper() == "BEGIN IMMEDIATE", sent
    assert update.startswith(f"UPDATE item_minutes SET {field} = "), sent
    assert commit.upper() == "COMMIT", sent
    record = minutes_repo.of_item(vault.conn, item_id)
    assert record is not None and getattr(record, field) == value
    # One row changed once: the change log (sync) has exactly that update.
    logged = vault.conn.execute(
        "SELECT table_name, record_id, op FROM change_log WHERE seq > ?", (changes_before,)
    ).fetchall()
    assert logged == [("item_minutes", record.id, "update")], logged


# --- SIGKILL between (and during) saves --------------------------------------------


def _run_and_kill(vault_dir: Path, rng: random.Random, where: str, stderr_path: Path) -> list[str]:
    """Start the autosave writer, SIGKILL it at a random moment, return every line it printed."""
    return run_and_kill(
        vault_dir,
        "autosave",
        rng=rng,
        wait_for=_ANY_LINE,
        max_delay=MAX_KILL_DELAY,
        where=where,
        stderr_path=stderr_path,
    ).lines


def _reported(lines: list[str], where: str) -> list[int]:
    numbers = []
    for line in lines:
        match = _SAVED.fullmatch(line)
        assert match, f"{where}: unexpected writer output {line!r}"
        numbers.append(int(match.group(1)))
    assert numbers, f"{where}: no saved line read"
    assert numbers == list(range(numbers[0], numbers[-1] + 1)), f"{where}: gaps in {numbers}"
    return numbers


def _reopen(vault_dir: Path, item_id: str, where: str) -> tuple[str, str]:
    """Unlock, self-test, and return the item's stored (discussion, knowledge)."""
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            report = vault.self_test()
            assert report.ok, f"{where}: self_test failed after SIGKILL: {report}"
            rows = vault.conn.execute("SELECT count(*) FROM item_minutes").fetchone()[0]
            assert rows == 1, f"{where}: {rows} minutes records instead of the one prepared"
            record = minutes_repo.of_item(vault.conn, item_id)
            assert record is not None, f"{where}: the item's minutes are gone"
            return record.discussion, record.knowledge
        finally:
            vault.close(auto_backup=False)


@posix_only
def test_sigkill_between_autosaves_keeps_every_reported_save(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    directory = open_directory(vault_dir)
    try:
        vault = directory.create(PASSPHRASE, "DK").vault
        _meeting_id, item_id = _prepare(vault)
        vault.close(auto_backup=False)
    finally:
        directory.release()
    rng = random.Random(SEED)
    last_stored = 0  # the iteration whose discussion is stored (0: nothing typed yet)
    knowledge = ""  # the knowledge stored after the previous kill
    for k in range(KILLS):
        where = f"autosave, seed={SEED}, kill {k + 1}/{KILLS}"
        lines = _run_and_kill(vault_dir, rng, where, tmp_path / "writer.stderr")
        numbers = _reported(lines, where)
        assert numbers[0] == last_stored + 1, (
            f"{where}: the writer resumed at {numbers[0]}, but {last_stored} was stored"
        )
        last = numbers[-1]

        discussion, stored_knowledge = _reopen(vault_dir, item_id, where)

        # The last reported save, or the next one if it finished unreported.
        allowed = {autosave_text(last): last, autosave_text(last + 1): last + 1}
        assert discussion in allowed, (
            f"{where}: discussion {discussion!r} is neither save {last} (last reported)"
            f" nor save {last + 1}"
        )
        last_stored = allowed[discussion]
        # Knowledge: the last value saved in a reported iteration (or the one
        # before this writer, if it reported no multiple of 3), or the next
        # iteration's, if that iteration is a multiple of 3 and its discussion
        # is stored (it saves the knowledge after the discussion).
        thirds = [i for i in numbers if i % 3 == 0]
        expected = autosave_knowledge(thirds[-1]) if thirds else knowledge
        acceptable = {expected}
        if last_stored == last + 1 and last_stored % 3 == 0:
            acceptable.add(autosave_knowledge(last_stored))
        assert stored_knowledge in acceptable, (
            f"{where}: knowledge {stored_knowledge!r}, expected one of {sorted(acceptable)}"
            f" (last reported save {last})"
        )
        knowledge = stored_knowledge
    # Each writer reports at least one save and the next resumes after it, so
    # the reported iterations include 3, 6 and 9: the knowledge was checked too.
    assert last_stored >= KILLS and knowledge.startswith("k"), (
        f"seed={SEED}: {last_stored} saves, knowledge {knowledge!r}"
    )
