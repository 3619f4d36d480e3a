"""End-to-end: ``samraad cases`` and ``samraad agenda`` (meeting PDF and per-child PDFs).

One demo vault is made per module by ``samraad demo`` (production KDF,
passphrase "demo"). Its children (``app/services/demo.py``) are what the
checks need: anonymous and named cases, named children with a valid, an
expiring, an expired and a withdrawn consent, names with diacritics, a
two-part surname and a surname that is also a common word ("Skov").

Every agenda of the coming six weeks is printed once per module into one
copy of the vault (``printed``); the tests then read those files. Tests that
must change the vault or expect a refusal use their own copy. Names and birth
dates come from ``cases --format json``, never from the demo module, so the
checks follow whatever the demo makes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.services import agenda_service
from app.services.calendar_service import CalendarService
from app.store import audit
from app.store.vault import VaultDirectory
from tests.helpers.cli import (
    Cli,
    CliResult,
    assert_ok,
    assert_one_sentence,
    files_containing,
    mode,
    snapshot,
)

DEMO_PASSPHRASE = "demo"
CASE_KEYS = {
    "id",
    "kind",
    "first_name",
    "surname",
    "birth_date",
    "site_id",
    "level",
    "status",
    "consent_valid_today",
}
AGENDA_WEEKS = 6
REMINDER = "a PDF is not encrypted"
PER_CHILD_RE = re.compile(r"^Per-child agenda written to (.+)\.$")


@dataclass(frozen=True)
class Child:
    """One case as ``cases --format json`` lists it."""

    id: str
    kind: str
    first_name: str
    surname: str | None
    birth_date: date | None
    consent_valid_today: bool

    @property
    def named(self) -> bool:
        return self.kind == "named"

    @property
    def full_name(self) -> str:
        assert self.surname is not None
        return f"{self.first_name} {self.surname}"


@dataclass(frozen=True)
class Demo:
    """The module's demo vault and what ``cases`` and ``calendar`` said about it."""

    root: Path
    cases_json: list[dict[str, Any]]
    children: tuple[Child, ...]
    # Meetings of the coming weeks that have agenda items.
    agenda_meetings: tuple[dict[str, Any], ...]

    @property
    def named(self) -> tuple[Child, ...]:
        return tuple(c for c in self.children if c.named)


@dataclass(frozen=True)
class Printed:
    """One meeting's ``agenda`` run: the command's result and the files it was asked for."""

    meeting: dict[str, Any]
    result: CliResult
    out: Path
    per_child_dir: Path

    def per_child(self) -> list[Path]:
        return sorted(p for p in self.per_child_dir.iterdir())


@dataclass(frozen=True)
class PrintRun:
    """Every agenda of the coming weeks, printed into one copy of the demo vault."""

    cli: Cli
    vault: Path
    runs: tuple[Printed, ...]

    def per_child(self) -> list[Path]:
        return [p for run in self.runs for p in run.per_child()]


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    base = tmp_path_factory.mktemp("demo-template")
    root = base / "demo"
    cli = Cli(base)
    assert_ok(cli.run("demo", "--data-dir", root))

    listed = cli.run("cases", "--data-dir", root, "--format", "json", passphrase=DEMO_PASSPHRASE)
    assert_ok(listed)
    rows = json.loads(listed.stdout)
    assert isinstance(rows, list), str(listed)
    children = tuple(
        Child(
            r["id"],
            r["kind"],
            r["first_name"],
            r["surname"],
            date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
            r["consent_valid_today"],
        )
        for r in rows
    )

    today = date.today()
    meetings = calendar_json(cli, root, today, today + timedelta(weeks=AGENDA_WEEKS))
    with_items = tuple(m for m in meetings if m["agenda_item_count"] > 0)
    return Demo(root, rows, children, with_items)


@pytest.fixture(scope="module")
def printed(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> PrintRun:
    """``agenda ID --out F.pdf --per-child DIR`` for every meeting with items."""
    base = tmp_path_factory.mktemp("printed")
    vault = base / "demo"
    shutil.copytree(demo.root, vault)
    cli = Cli(base)
    runs = []
    for meeting in demo.agenda_meetings:
        out = base / "out" / f"agenda-{meeting['id']}.pdf"
        out.parent.mkdir(exist_ok=True)
        per_child_dir = base / "per-child" / meeting["id"]
        per_child_dir.mkdir(parents=True)
        result = cli.run(
            "agenda",
            meeting["id"],
            "--data-dir",
            vault,
            "--out",
            out,
            "--per-child",
            per_child_dir,
            passphrase=DEMO_PASSPHRASE,
        )
        runs.append(Printed(meeting, result, out, per_child_dir))
    return PrintRun(cli, vault, tuple(runs))


@pytest.fixture
def demo_vault(demo: Demo, tmp_path: Path) -> Path:
    """This test's own copy of the demo vault."""
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root)
    return root


# --- helpers ----------------------------------------------------------------------


def calendar_json(cli: Cli, root: Path, first: date, last: date) -> list[dict[str, Any]]:
    result = cli.run(
        "calendar",
        "--data-dir",
        root,
        "--format",
        "json",
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        passphrase=DEMO_PASSPHRASE,
    )
    assert_ok(result)
    items = json.loads(result.stdout)
    assert isinstance(items, list), str(result)
    return items


def agenda(cli: Cli, root: Path, meeting_id: str, *options: str | Path) -> CliResult:
    return cli.run("agenda", meeting_id, "--data-dir", root, *options, passphrase=DEMO_PASSPHRASE)


def normalise(text: str) -> str:
    """NFC, and every run of white space (a wrapped line too) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF, normalised."""
    reader = PdfReader(path)
    return normalise("\n".join(page.extract_text() or "" for page in reader.pages))


def pdf_metadata(path: Path) -> list[str]:
    """The values of the PDF's document information, normalised."""
    info = PdfReader(path).metadata
    return [normalise(str(value)) for value in info.values()] if info is not None else []


def mentions(text: str, word: str) -> bool:
    """``word`` in ``text`` as a word of its own ("Skov", but not "Skovtrolden")."""
    pattern = rf"(?<!\w){re.escape(normalise(word))}(?!\w)"
    return re.search(pattern, text) is not None


def date_forms(day: date) -> list[str]:
    """How a birth date could be printed: dd.mm.yyyy, d.m.yyyy and yyyy-mm-dd."""
    return [
        f"{day.day:02d}.{day.month:02d}.{day.year:04d}",
        f"{day.day}.{day.month}.{day.year:04d}",
        day.isoformat(),
    ]


def mentions_date(text: str, day: date) -> bool:
    return any(re.search(rf"(?<!\d){re.escape(form)}(?!\d)", text) for form in date_forms(day))


def identifying(child: Child) -> list[str]:
    """What names a named child: the full name, the surname and each part of it."""
    assert child.surname is not None
    parts = child.surname.split()
    return [child.full_name, child.surname, *(parts if len(parts) > 1 else [])]


def named_in(text: str, children: tuple[Child, ...]) -> list[Child]:
    """The named children whose full name appears in ``text``."""
    return [c for c in children if mentions(text, c.full_name)]


def audit_actions(root: Path) -> list[str]:
    """The vault's audit actions, read in-process (this adds an unlock and a lock)."""
    directory = VaultDirectory.open(root)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            return [entry.action for entry in audit.entries(vault.conn)]
        finally:
            vault.close(auto_backup=False)
    finally:
        directory.release()


def leftovers(folder: Path) -> list[Path]:
    """Temporary files an interrupted atomic write would leave in ``folder``."""
    return sorted(p for p in folder.iterdir() if p.name.startswith("."))


def first_with_per_child(printed: PrintRun) -> Printed:
    runs = [run for run in printed.runs if run.per_child()]
    assert runs, "no agenda of the coming weeks has a per-child PDF"
    return runs[0]


# --- cases ------------------------------------------------------------------------


def test_cases_json_lists_anonymous_and_named_children(demo: Demo) -> None:
    assert len(demo.cases_json) >= 4
    for row in demo.cases_json:
        assert CASE_KEYS <= row.keys(), row
        assert isinstance(row["id"], str) and row["id"], row
        assert row["kind"] in {"anonymous", "named"}, row
        assert isinstance(row["first_name"], str) and row["first_name"].strip(), row
        assert isinstance(row["site_id"], str) and row["site_id"], row
        assert isinstance(row["level"], int) and row["level"] in {0, 1, 2, 3}, row
        assert row["status"] in {"open", "closed"}, row
        assert isinstance(row["consent_valid_today"], bool), row
        if row["kind"] == "anonymous":
            assert row["surname"] is None and row["birth_date"] is None, row
        else:
            assert isinstance(row["surname"], str) and row["surname"].strip(), row
            assert isinstance(row["birth_date"], str), row
            assert date.fromisoformat(row["birth_date"]).isoformat() == row["birth_date"], row
    assert len({row["id"] for row in demo.cases_json}) == len(demo.cases_json)
    assert {c.kind for c in demo.children} == {"anonymous", "named"}
    assert any(c.consent_valid_today for c in demo.named)
    assert any(not c.consent_valid_today for c in demo.named)


def test_cases_table_lists_every_case(cli: Cli, demo_vault: Path, demo: Demo) -> None:
    result = cli.run("cases", "--data-dir", demo_vault, passphrase=DEMO_PASSPHRASE)

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert len(lines) == len(demo.children), result.stdout
    for child in demo.children:
        (line,) = [line for line in lines if line.endswith(child.id)]
        assert line.startswith(child.full_name if child.named else child.first_name), line


# --- printing every agenda of the coming weeks ------------------------------------


def test_demo_has_agendas_to_print(demo: Demo) -> None:
    # Otherwise every check below would pass on nothing.
    assert len(demo.agenda_meetings) >= 3
    assert len(demo.named) >= 2


def test_every_agenda_prints_and_reminds_that_a_pdf_is_not_encrypted(printed: PrintRun) -> None:
    for run in printed.runs:
        assert_ok(run.result)
        assert f"Agenda written to {run.out}." in run.result.stdout, str(run.result)
        assert REMINDER in run.result.stdout, str(run.result)
        assert run.out.is_file(), str(run.result)
        # stdout lists exactly the per-child files that are in the folder.
        said = [
            Path(match[1])
            for line in run.result.stdout.splitlines()
            if (match := PER_CHILD_RE.match(line))
        ]
        assert sorted(said) == run.per_child(), str(run.result)


def test_meeting_agendas_name_no_child(printed: PrintRun, demo: Demo) -> None:
    for run in printed.runs:
        text = pdf_text(run.out)
        assert text, run.out
        for child in demo.named:
            assert child.birth_date is not None
            for word in identifying(child):
                assert not mentions(text, word), f"{word!r} in {run.out}: {text}"
            assert not mentions_date(text, child.birth_date), f"{child.birth_date} in {text}"


def test_meeting_agenda_metadata_names_no_child(printed: PrintRun, demo: Demo) -> None:
    for run in printed.runs:
        values = pdf_metadata(run.out)
        assert values, run.out
        for value in values:
            for child in demo.children:
                assert not mentions(value, child.first_name), f"{child.first_name!r} in {values}"
                if child.named:
                    assert child.birth_date is not None
                    for word in identifying(child):
                        assert not mentions(value, word), f"{word!r} in {values}"
                    assert not mentions_date(value, child.birth_date), values


def test_each_per_child_agenda_names_one_child_with_birth_date(
    printed: PrintRun, demo: Demo
) -> None:
    files = printed.per_child()
    assert files, "no per-child agenda was written"
    for path in files:
        text = pdf_text(path)
        found = named_in(text, demo.named)
        assert len(found) == 1, f"{path}: {[c.full_name for c in found]} in {text}"
        (child,) = found
        assert child.birth_date is not None
        assert f"{child.birth_date:%d.%m.%Y}" in text, text
        for other in demo.named:
            if other is not child:
                assert other.birth_date is not None
                assert not mentions(text, other.full_name), text
                assert not mentions_date(text, other.birth_date), text
        # The name is in the body, never in the document information.
        for value in pdf_metadata(path):
            for word in identifying(child):
                assert not mentions(value, word), f"{word!r} in the metadata of {path}"


def test_per_child_agendas_only_for_children_with_valid_consent(
    printed: PrintRun, demo: Demo
) -> None:
    printed_children = {
        child.id for path in printed.per_child() for child in named_in(pdf_text(path), demo.named)
    }
    valid = {c.id for c in demo.named if c.consent_valid_today}
    assert printed_children, "no per-child agenda was written"
    assert printed_children <= valid, [c.full_name for c in demo.named if c.id in printed_children]


def test_children_without_valid_consent_appear_anonymised(printed: PrintRun, demo: Demo) -> None:
    without = [c for c in demo.named if not c.consent_valid_today]
    assert without
    meeting_texts = [pdf_text(run.out) for run in printed.runs]
    child_texts = [pdf_text(path) for path in printed.per_child()]
    outputs = [run.result.stdout + run.result.stderr for run in printed.runs]
    for child in without:
        assert child.surname is not None
        # On an agenda, by first name only ...
        assert any(mentions(text, child.first_name) for text in meeting_texts), child.first_name
        # ... and the surname nowhere: no PDF, no output.
        for text in meeting_texts + child_texts + outputs:
            assert not mentions(text, child.surname), f"{child.surname!r} in {text}"


def test_written_files_are_private_and_no_temp_file_is_left(printed: PrintRun) -> None:
    for run in printed.runs:
        assert mode(run.out) == 0o600, run.out
        for path in run.per_child():
            assert path.suffix == ".pdf", path
            assert mode(path) == 0o600, path
        assert leftovers(run.per_child_dir) == []
    out_dir = printed.runs[0].out.parent
    assert leftovers(out_dir) == []
    assert sorted(out_dir.iterdir()) == sorted(run.out for run in printed.runs)


def test_vault_holds_no_surname_in_plaintext(printed: PrintRun, demo: Demo) -> None:
    # The vault after all the printing (database, automatic backups, key file),
    # the logs and the temp folder: no surname in any encoding a write could use.
    # (A 4-byte name matching random ciphertext has odds of about 1 in 1000.)
    scanned = [printed.vault, printed.cli.log_dir, printed.cli.tmp_dir]
    assert (printed.vault / "vault.db").is_file()
    for child in demo.named:
        assert child.surname is not None
        for form in {unicodedata.normalize(f, child.surname) for f in ("NFC", "NFD")}:
            assert files_containing(scanned, form.encode("utf-8")) == [], child.surname
    # The files the user asked for do hold them.
    for path in printed.per_child():
        (child,) = named_in(pdf_text(path), demo.named)
        assert child.surname is not None
        assert mentions(pdf_text(path), child.surname)


# --- refusals ---------------------------------------------------------------------


def test_an_unknown_meeting_is_one_sentence_and_writes_nothing(
    cli: Cli, demo_vault: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "agenda.pdf"
    per_child = tmp_path / "per-child"
    per_child.mkdir()
    before_actions = audit_actions(demo_vault)
    before = snapshot(demo_vault)

    result = agenda(cli, demo_vault, "no-such-meeting", "--out", out, "--per-child", per_child)

    assert_one_sentence(result, contains=["no-such-meeting"])
    assert result.stdout == ""
    assert list(out_dir.iterdir()) == [] and list(per_child.iterdir()) == []
    # The id can only be looked up unlocked, and every unlock is audited: the
    # database gains exactly that (no print entry, no backup, same key file).
    after = snapshot(demo_vault)
    assert {k: v for k, v in after.items() if k != "vault.db"} == {
        k: v for k, v in before.items() if k != "vault.db"
    }
    assert audit_actions(demo_vault) == [
        *before_actions,
        audit.Action.VAULT_LOCKED,  # audit_actions' own lock
        audit.Action.VAULT_UNLOCKED,
        audit.Action.VAULT_LOCKED,
        audit.Action.VAULT_UNLOCKED,  # audit_actions' own unlock
    ]


@pytest.mark.parametrize(
    ("out", "per_child"),
    [
        pytest.param("/nonexistent-dir/x.pdf", None, id="out-folder-missing"),
        pytest.param("{file}/x.pdf", None, id="out-parent-is-a-file"),
        pytest.param("{tmp}/agenda.pdf", "{tmp}/missing", id="per-child-missing"),
        pytest.param("{tmp}/agenda.pdf", "{file}", id="per-child-is-a-file"),
    ],
)
def test_a_bad_target_is_one_sentence_and_changes_nothing(
    cli: Cli,
    demo_vault: Path,
    demo: Demo,
    tmp_path: Path,
    out: str,
    per_child: str | None,
) -> None:
    target_dir = tmp_path / "targets"
    target_dir.mkdir()
    regular = target_dir / "file.txt"
    regular.write_text("not a folder\n", encoding="utf-8")
    names = {"tmp": str(target_dir), "file": str(regular)}
    options = ["--out", out.format(**names)]
    if per_child is not None:
        options += ["--per-child", per_child.format(**names)]
    before = snapshot(demo_vault)

    result = agenda(cli, demo_vault, demo.agenda_meetings[0]["id"], *options)

    assert_one_sentence(result)
    assert result.stdout == ""
    assert sorted(target_dir.iterdir()) == [regular]
    assert regular.read_text("utf-8") == "not a folder\n"
    assert not Path("/nonexistent-dir").exists()
    assert snapshot(demo_vault) == before


def test_a_read_only_folder_is_one_sentence(
    cli: Cli, demo_vault: Path, demo: Demo, tmp_path: Path
) -> None:
    locked = tmp_path / "read-only"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user (root) can write into a 0500 folder")
        before = snapshot(demo_vault)

        result = agenda(cli, demo_vault, demo.agenda_meetings[0]["id"], "--out", locked / "x.pdf")

        assert_one_sentence(result)
        assert list(locked.iterdir()) == []
        assert snapshot(demo_vault) == before
    finally:
        os.chmod(locked, 0o700)


@pytest.mark.parametrize(
    ("out", "per_child"),
    [
        pytest.param("vault.db", None, id="out-over-the-database"),
        pytest.param("agenda.pdf", None, id="out-into-the-data-folder"),
        pytest.param(None, ".", id="per-child-into-the-data-folder"),
        pytest.param(None, "backups", id="per-child-into-the-backups"),
    ],
)
def test_no_pdf_is_written_into_the_vaults_data_folder(
    cli: Cli,
    demo_vault: Path,
    printed: PrintRun,
    tmp_path: Path,
    out: str | None,
    per_child: str | None,
) -> None:
    # "samraad backup" refuses a target inside the data folder; a plaintext
    # PDF there is worse (it replaced vault.db when asked to).
    meeting_id = first_with_per_child(printed).meeting["id"]
    options: list[str | Path] = ["--out", demo_vault / out if out else tmp_path / "agenda.pdf"]
    if per_child is not None:
        options += ["--per-child", demo_vault / per_child]
    before = snapshot(demo_vault)

    result = agenda(cli, demo_vault, meeting_id, *options)

    assert_one_sentence(result)
    assert snapshot(demo_vault) == before
    assert not (tmp_path / "agenda.pdf").exists()


def test_per_child_agendas_of_two_meetings_on_one_day_both_survive(
    cli: Cli, demo_vault: Path, printed: PrintRun, tmp_path: Path
) -> None:
    # The same child on two meetings of one day, at the same item number,
    # printed into one per-child folder (the child's record): two files.
    first_run = first_with_per_child(printed)
    first = first_run.meeting["id"]
    directory = VaultDirectory.open(demo_vault)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            view = agenda_service.agenda(vault, first)
            item = next(i for i in view.items if i.case_id and i.named_allowed)
            meeting = view.meeting
            clock = time(7, 0) if meeting.start.hour >= 10 else time(16, 0)
            start = datetime.combine(meeting.start.date(), clock)
            second, _changes = CalendarService(vault).add_meeting(
                meeting.forum_id, meeting.site_id, start
            )
            for n in range(1, item.position):
                agenda_service.add_general_item(vault, second, f"Punkt {n}", minutes=10)
            assert item.case_id is not None
            agenda_service.add_case_item(vault, second, item.case_id, minutes=10)
        finally:
            vault.close()
    finally:
        directory.release()
    shared = tmp_path / "child-record"
    shared.mkdir()

    results = [
        agenda(cli, demo_vault, mid, "--out", tmp_path / f"{n}.pdf", "--per-child", shared)
        for n, mid in enumerate((first, second))
    ]

    for result in results:
        assert_ok(result)
    said = {
        match[1]
        for result in results
        for line in result.stdout.splitlines()
        if (match := PER_CHILD_RE.match(line))
    }
    files = sorted(shared.iterdir())
    # The first meeting's per-child agendas and the second meeting's one.
    expected = len(first_run.per_child()) + 1
    assert len(files) == len(said) == expected, (said, files)
    times = {f"{meeting.start:%H:%M}", f"{clock:%H:%M}"}
    assert {t for path in files for t in times if t in pdf_text(path)} == times
