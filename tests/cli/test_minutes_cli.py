"""End-to-end: ``samraad sdq score``, ``samraad minutes`` and ``samraad case-report``.

``sdq score`` needs no vault: the expected scores below are worked out by hand
from the published scoring rules and the shipped item numbers
(``resources/instruments/sdq-default.json``): emotional 3 8 13 16 24; conduct
5 7r 12 18 22; hyperactivity 2 10 15 21r 25r; peer 6 11r 14r 19 23; prosocial
1 4 9 17 20 (r: counts 2 - answer). A scale with 3 or 4 answers is prorated
(mean x 5, rounded half up); with fewer it is missing, and so is every sum
that needs it.

The minutes tests use one demo vault per module (``samraad demo``, production
KDF, passphrase "demo"). The demo writes minutes for the team and day-care
meetings of the last 60 days (four approved, the first with an addendum, the
rest drafts) and records SDQ answers for its named children. Every meeting of
that window with agenda items is printed once per module with ``--per-child``;
the tests read those files. Names, birth dates and meeting ids come from
``cases --format json`` and ``calendar --format json``; the consents and the
staff's names are read in-process, once.

The vault is Danish, so the PDFs are Danish: "Referat" (minutes), "Godkendt"
(approved), "Udkast — ikke godkendt" (draft), "Tilføjelser" (addenda),
"Konklusion" (outcome), "Uddrag til barnets journal" (extract), "født" (born).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.services import agenda_service, cases_service, minutes_service
from app.store import consents_repo, contacts_repo
from app.store.vault import VaultDirectory
from tests.helpers.cli import Cli, CliResult, assert_ok, assert_one_sentence, mode, snapshot

DEMO_PASSPHRASE = "demo"
# The demo writes minutes for meetings between 60 days and 1 day before its today.
MINUTES_WINDOW_DAYS = 60
REMINDER = "a PDF is not encrypted"
ADDENDUM = "Rettelse: opfølgningen flyttes en uge på grund af ferie."
SDQ_HEADING = "Styrker og vanskeligheder (SDQ)"
MINUTES_TITLE = "Referat"
APPROVED = "Godkendt"
DRAFT = "Udkast — ikke godkendt"
ADDENDA_HEADING = "Tilføjelser"
OUTCOME_HEADING = "Konklusion"
EXTRACT_RE = re.compile(r"^Extract for the child's record written to (.+)\.$")

SDQ_KEYS = {
    "emotional",
    "conduct",
    "hyperactivity",
    "peer",
    "prosocial",
    "total",
    "externalising",
    "internalising",
    "bands",
    "version",
}
BAND_ORDER = ("emotional", "conduct", "hyperactivity", "peer", "prosocial", "total")
BAND_KEYS = set(BAND_ORDER)
SUBJECT_ACCESS_TABLES = (
    "cases",
    "consents",
    "agenda_items",
    "item_minutes",
    "agreements",
    "interventions",
    "sdq_assessments",
    "audit_log",
)


# --- text helpers -----------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, and every run of white space (a wrapped line too) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_pages(path: Path) -> list[str]:
    """The normalised text of each page of a PDF."""
    return [normalise(page.extract_text() or "") for page in PdfReader(path).pages]


def pdf_metadata(path: Path) -> list[str]:
    info = PdfReader(path).metadata
    return [normalise(str(value)) for value in info.values()] if info is not None else []


def mentions(text: str, word: str) -> bool:
    """``word`` in ``text`` as a word of its own ("Skov", but not "Skovtrolden")."""
    return re.search(rf"(?<!\w){re.escape(normalise(word))}(?!\w)", text) is not None


def date_forms(day: date) -> list[str]:
    """How a birth date could be printed: dd.mm.yyyy, d.m.yyyy and yyyy-mm-dd."""
    return [
        f"{day.day:02d}.{day.month:02d}.{day.year:04d}",
        f"{day.day}.{day.month}.{day.year:04d}",
        day.isoformat(),
    ]


def mentions_date(text: str, day: date) -> bool:
    return any(re.search(rf"(?<!\d){re.escape(form)}(?!\d)", text) for form in date_forms(day))


# --- the demo ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentDates:
    given_on: date
    valid_until: date | None
    withdrawn_on: date | None

    def in_force_on(self, day: date) -> bool:
        """The date part of the consent rule (app/domain/consent.py), written out here."""
        return (
            self.given_on <= day
            and (self.valid_until is None or day <= self.valid_until)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


@dataclass(frozen=True)
class Child:
    """One case as ``cases --format json`` lists it, with its consents' dates."""

    id: str
    kind: str
    first_name: str
    surname: str | None
    birth_date: date | None
    consent_valid_today: bool
    consents: tuple[ConsentDates, ...]

    @property
    def named(self) -> bool:
        return self.kind == "named"

    @property
    def full_name(self) -> str:
        assert self.surname is not None
        return f"{self.first_name} {self.surname}"

    def consent_in_force_on(self, day: date) -> bool:
        return any(c.in_force_on(day) for c in self.consents)


@dataclass(frozen=True)
class Demo:
    root: Path
    today: date
    children: tuple[Child, ...]
    staff: tuple[str, ...]  # every contact's name
    # The meetings of the minutes window that have agenda items (= minutes).
    meetings: tuple[dict[str, Any], ...]

    @property
    def named(self) -> tuple[Child, ...]:
        return tuple(c for c in self.children if c.named)

    def without_staff(self, text: str) -> str:
        """``text`` with every staff member's name blanked out.

        The demo's staff share surnames with the children ("Holm", "Skov"), and
        the minutes print who attended and who owns each agreement.
        """
        for name in sorted(self.staff, key=len, reverse=True):
            text = text.replace(normalise(name), "#")
        return text


@dataclass(frozen=True)
class Extract:
    path: Path
    pages: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.pages)


@dataclass(frozen=True)
class MinutesRun:
    """One meeting's ``minutes`` run and the files it wrote (text already extracted)."""

    meeting: dict[str, Any]
    result: CliResult
    out: Path
    per_child_dir: Path
    pages: tuple[str, ...]
    extracts: tuple[Extract, ...]

    @property
    def text(self) -> str:
        return " ".join(self.pages)

    @property
    def day(self) -> date:
        return datetime.fromisoformat(self.meeting["start"]).date()


@dataclass(frozen=True)
class PrintRun:
    cli: Cli
    vault: Path
    runs: tuple[MinutesRun, ...]

    def extracts(self) -> list[tuple[MinutesRun, Extract]]:
        return [(run, extract) for run in self.runs for extract in run.extracts]


def _in_process(root: Path) -> tuple[tuple[str, ...], dict[str, tuple[ConsentDates, ...]]]:
    """The staff's names and every case's consents, read with one unlock."""
    directory = VaultDirectory.open(root)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            staff = tuple(c.name for c in contacts_repo.list_all(vault.conn))
            consents = {
                s.row.id: tuple(
                    ConsentDates(c.given_on, c.valid_until, c.withdrawn_on)
                    for c in consents_repo.of_case(vault.conn, s.row.id)
                )
                for s in cases_service.list_cases(vault, date.today())
            }
        finally:
            vault.close(auto_backup=False)
    finally:
        directory.release()
    return staff, consents


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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    base = tmp_path_factory.mktemp("demo-template")
    root = base / "demo"
    cli = Cli(base)
    today = date.today()  # the CLI's today, which the demo is built around
    assert_ok(cli.run("demo", "--data-dir", root))

    listed = cli.run("cases", "--data-dir", root, "--format", "json", passphrase=DEMO_PASSPHRASE)
    assert_ok(listed)
    staff, consents = _in_process(root)
    children = tuple(
        Child(
            r["id"],
            r["kind"],
            r["first_name"],
            r["surname"],
            date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
            r["consent_valid_today"],
            consents[r["id"]],
        )
        for r in json.loads(listed.stdout)
    )
    meetings = calendar_json(
        cli, root, today - timedelta(days=MINUTES_WINDOW_DAYS), today - timedelta(days=1)
    )
    # The demo puts children on agendas of past meetings only when it writes
    # their minutes (the open cases are on the coming weeks' agendas).
    with_items = tuple(m for m in meetings if m["agenda_item_count"] > 0)
    return Demo(root, today, children, staff, with_items)


@pytest.fixture(scope="module")
def printed(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> PrintRun:
    """``minutes ID --out F.pdf --per-child DIR`` for every meeting with minutes."""
    base = tmp_path_factory.mktemp("printed")
    vault = base / "demo"
    shutil.copytree(demo.root, vault)
    cli = Cli(base)
    (base / "out").mkdir()
    runs = []
    for meeting in demo.meetings:
        out = base / "out" / f"minutes-{meeting['id']}.pdf"
        per_child_dir = base / "per-child" / meeting["id"]
        per_child_dir.mkdir(parents=True)
        result = minutes(cli, vault, meeting["id"], "--out", out, "--per-child", per_child_dir)
        pages = tuple(pdf_pages(out)) if out.is_file() else ()
        extracts = tuple(
            Extract(path, tuple(pdf_pages(path))) for path in sorted(per_child_dir.iterdir())
        )
        runs.append(MinutesRun(meeting, result, out, per_child_dir, pages, extracts))
    return PrintRun(cli, vault, tuple(runs))


@pytest.fixture
def printed_vault(printed: PrintRun, tmp_path: Path) -> Path:
    """This test's own copy of the vault every minutes was printed from (audit entries and all)."""
    root = tmp_path / "demo"
    shutil.copytree(printed.vault, root)
    return root


def minutes(cli: Cli, root: Path, meeting_id: str, *options: str | Path) -> CliResult:
    return cli.run("minutes", meeting_id, "--data-dir", root, *options, passphrase=DEMO_PASSPHRASE)


def case_report(cli: Cli, root: Path, case_id: str, *options: str | Path) -> CliResult:
    return cli.run("case-report", case_id, "--data-dir", root, *options, passphrase=DEMO_PASSPHRASE)


def named_in(text: str, children: tuple[Child, ...]) -> list[Child]:
    """The named children whose full name appears in ``text``."""
    return [c for c in children if mentions(text, c.full_name)]


def status_of(text: str) -> str:
    """ "approved" or "draft", from the status line of a minutes PDF or extract."""
    approved, draft = APPROVED in text, DRAFT in text
    assert approved != draft, f"neither or both of {APPROVED!r} and {DRAFT!r}: {text}"
    return "approved" if approved else "draft"


# --- sdq score --------------------------------------------------------------------


def answers(default: str = "0", **items: str) -> str:
    """25 answer characters: ``default`` everywhere but at ``i3="."`` and the like."""
    chars = [default] * 25
    for key, value in items.items():
        chars[int(key.removeprefix("i")) - 1] = value
    return "".join(chars)


def sdq(cli: Cli, informant: str, age: int, typed: str, *extra: str, **env: str) -> CliResult:
    return cli.run(
        "sdq", "score", "--version", informant, "--age", str(age), "--answers", typed, *extra, **env
    )


def scored(result: CliResult) -> dict[str, Any]:
    assert_ok(result)
    data = json.loads(result.stdout)
    assert isinstance(data, dict) and set(data) == SDQ_KEYS, str(result)
    for key in SDQ_KEYS - {"bands", "version"}:
        value = data[key]
        assert value is None or (isinstance(value, int) and not isinstance(value, bool)), data
    assert set(data["bands"]) == BAND_KEYS, data
    for value in data["bands"].values():
        assert value is None or (isinstance(value, str) and re.fullmatch(r"[a-z_]+", value)), data
    return data


def expected(
    version: str, e: int | None, c: int | None, h: int | None, p: int | None, pro: int | None
) -> dict[str, Any]:
    """The scores of the five scales with their sums (no bands)."""
    return {
        "emotional": e,
        "conduct": c,
        "hyperactivity": h,
        "peer": p,
        "prosocial": pro,
        "total": _sum(e, c, h, p),
        "externalising": _sum(c, h),
        "internalising": _sum(e, p),
        "version": version,
    }


def _sum(*parts: int | None) -> int | None:
    total = 0
    for part in parts:
        if part is None:
            return None
        total += part
    return total


@pytest.mark.parametrize(
    ("informant", "typed", "scores", "bands"),
    [
        pytest.param(
            "parent",
            # E 3,8,13,16,24 = 2+2+0+0+0; C 5,7r,12,18,22 = 0+0+1+2+2;
            # H 2,10,15,21r,25r = 1+1+2+0+1; P 6,11r,14r,19,23 = 1+0+1+1+1;
            # pro 1,4,9,17,20 = 2+2+0+1+0.
            "2122012201210120121022101",
            (4, 5, 5, 4, 5),
            ("borderline", "abnormal", "normal", "abnormal", "borderline", "abnormal"),
            id="parent-mixed",
        ),
        pytest.param(
            "parent",
            # Only the reversed items count: C item 7 = 2, H 21 + 25 = 4, P 11 + 14 = 4.
            answers("0"),
            (0, 2, 4, 4, 0),
            ("normal", "normal", "normal", "abnormal", "abnormal", "normal"),
            id="parent-all-0",
        ),
        pytest.param(
            "parent",
            answers("1"),
            (5, 5, 5, 5, 5),
            ("abnormal", "abnormal", "normal", "abnormal", "borderline", "abnormal"),
            id="parent-all-1",
        ),
        pytest.param(
            "teacher",
            answers("0"),
            (0, 2, 4, 4, 0),
            (
                "close_to_average",
                "close_to_average",
                "close_to_average",
                "slightly_raised",
                "very_low",
                "close_to_average",
            ),
            id="teacher-all-0",
        ),
    ],
)
def test_sdq_score_of_25_answers(
    cli: Cli,
    informant: str,
    typed: str,
    scores: tuple[int, int, int, int, int],
    bands: tuple[str, ...],
) -> None:
    data = scored(sdq(cli, informant, 8, typed))

    assert {k: v for k, v in data.items() if k != "bands"} == expected(f"{informant}-4-17", *scores)
    assert data["bands"] == dict(zip(BAND_ORDER, bands, strict=True))


def test_sdq_score_prorates_a_scale_with_two_missing_answers(cli: Cli) -> None:
    # Peer without items 6 and 19: 11r + 14r + 23 = 2 + 2 + 0 = 4 from 3 answers;
    # 4 / 3 x 5 = 6.67, rounded 7 (cut off it would be 6).
    data = scored(sdq(cli, "parent", 8, answers("0", i6=".", i19=".")))

    assert {k: v for k, v in data.items() if k != "bands"} == expected("parent-4-17", 0, 2, 4, 7, 0)
    assert data["total"] == 13 and data["bands"]["total"] == "normal"  # 13 is the top of normal
    assert data["bands"]["peer"] == "abnormal"


def test_sdq_score_rounds_an_exact_half_up(cli: Cli) -> None:
    # Emotional without item 3: 8 + 13 + 16 + 24 = 1 + 1 + 0 + 0 = 2 from 4 answers;
    # 2 / 4 x 5 = 2.5, rounded half up to 3 (round() would give 2).
    data = scored(sdq(cli, "parent", 8, answers("0", i3=".", i8="1", i13="1")))

    assert {k: v for k, v in data.items() if k != "bands"} == expected("parent-4-17", 3, 2, 4, 4, 0)
    assert data["bands"]["emotional"] == "normal"


def test_sdq_score_with_three_missing_answers_leaves_the_scale_and_its_sums_empty(
    cli: Cli,
) -> None:
    # Hyperactivity with only 21r and 25r answered: too few, so no score, no
    # total, no externalising; internalising (emotional + peer) is still there.
    data = scored(sdq(cli, "parent", 8, answers("0", i2=".", i10=".", i15=".")))

    assert data["hyperactivity"] is None
    assert data["total"] is None and data["externalising"] is None
    assert data["internalising"] == 4
    assert (data["emotional"], data["conduct"], data["peer"], data["prosocial"]) == (0, 2, 4, 0)
    assert data["bands"]["hyperactivity"] is None and data["bands"]["total"] is None
    assert data["bands"]["peer"] == "abnormal" and data["bands"]["conduct"] == "normal"


def test_sdq_band_keys_stay_english_in_danish(cli: Cli) -> None:
    typed = "2122012201210120121022101"
    english = scored(sdq(cli, "parent", 8, typed))

    danish = scored(sdq(cli, "parent", 8, typed, SAMRAAD_LANG="da"))

    assert danish == english


def test_sdq_self_report_for_a_ten_year_old_is_one_sentence(cli: Cli) -> None:
    result = sdq(cli, "self", 10, answers("1"))

    assert_one_sentence(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        pytest.param(answers("1")[:24], "25", id="24-answers"),
        pytest.param(answers("1", i17="3"), "17", id="a-3"),
    ],
)
def test_sdq_bad_answers_are_one_sentence(cli: Cli, typed: str, named: str) -> None:
    result = sdq(cli, "parent", 8, typed)

    assert_one_sentence(result, contains=[named])
    assert result.stdout == ""


def test_sdq_score_needs_no_vault(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "no-vault-here"
    also_missing = tmp_path / "nor-here"
    typed = "2122012201210120121022101"

    score = ("score", "--version", "parent", "--age", "8", "--answers", typed)

    # --data-dir after and before the command word, and the environment's folder.
    runs = [
        cli.run("sdq", *score, "--data-dir", missing),
        cli.run("--data-dir", missing, "sdq", *score),
        cli.run("sdq", *score, SAMRAAD_DATA_DIR=str(also_missing)),
    ]

    first = scored(runs[0])
    for result in runs[1:]:
        assert scored(result) == first
    assert not missing.exists() and not also_missing.exists()


# --- minutes: every meeting with minutes, printed ---------------------------------


def test_demo_has_minutes_to_print(demo: Demo, printed: PrintRun) -> None:
    # Otherwise every check below would pass on nothing.
    assert len(demo.meetings) >= 4, demo.meetings
    assert len(demo.named) >= 2
    assert printed.extracts(), "no extract for a child's record was written"


def test_every_minutes_prints_with_its_extracts(printed: PrintRun) -> None:
    for run in printed.runs:
        assert_ok(run.result)
        lines = run.result.stdout.splitlines()
        assert lines[0] == f"Minutes written to {run.out}.", str(run.result)
        assert REMINDER in lines[-1], str(run.result)
        said = sorted(Path(m[1]) for line in lines if (m := EXTRACT_RE.match(line)))
        assert said == [e.path for e in run.extracts], str(run.result)
        assert mode(run.out) == 0o600, run.out
        for extract in run.extracts:
            assert extract.path.suffix == ".pdf" and mode(extract.path) == 0o600, extract.path
        assert not [p for p in run.per_child_dir.iterdir() if p.name.startswith(".")]
    out_dir = printed.runs[0].out.parent
    assert sorted(out_dir.iterdir()) == sorted(run.out for run in printed.runs)


def test_each_meeting_with_items_has_written_minutes(printed: PrintRun) -> None:
    for run in printed.runs:
        assert run.pages[0].find(MINUTES_TITLE) != -1, run.pages[0]
        assert any(v.startswith(f"{MINUTES_TITLE} – ") for v in pdf_metadata(run.out)), run.out
        # At least one case item has a recorded outcome: these are real minutes.
        assert OUTCOME_HEADING in run.text, run.text


def test_approved_minutes_say_so_and_drafts_are_marked_on_every_page(printed: PrintRun) -> None:
    kinds = set()
    for run in printed.runs:
        kind = status_of(run.text)
        kinds.add(kind)
        for page in run.pages:
            assert (DRAFT in page) == (kind == "draft"), f"{run.out}: {page}"
        # An extract carries the status of the minutes it comes from.
        for extract in run.extracts:
            assert status_of(extract.text) == kind, extract.path
            for page in extract.pages:
                assert (DRAFT in page) == (kind == "draft"), f"{extract.path}: {page}"
    assert kinds == {"approved", "draft"}


def test_the_addendum_follows_the_items_of_the_one_meeting_that_has_it(printed: PrintRun) -> None:
    having = [run for run in printed.runs if ADDENDUM in run.text]
    assert len(having) == 1, [run.meeting["id"] for run in having]
    (run,) = having
    text = run.text
    assert status_of(text) == "approved"  # an addendum is only written after approval
    assert text.count(ADDENDUM) == 1
    # After the last item's outcome (and the closing list), under its heading,
    # dated and signed.
    at = text.index(ADDENDUM)
    assert text.rindex(OUTCOME_HEADING) < text.index(ADDENDA_HEADING) < at, text
    head = text[text.index(ADDENDA_HEADING) : at]
    assert re.search(r"\d\d\.\d\d\.\d{4} – \S", head), head
    # The child's extract of that meeting has it after the item too.
    for extract in run.extracts:
        e = extract.text
        assert ADDENDUM in e and e.rindex(OUTCOME_HEADING) < e.index(ADDENDUM), extract.path
    for other in printed.runs:
        if other is not run:
            assert all(ADDENDUM not in e.text for e in other.extracts)


def test_a_child_is_named_in_minutes_only_when_consent_covered_that_meeting(
    printed: PrintRun, demo: Demo
) -> None:
    # The consent rule (app/domain/consent.py, case_display.py) is applied to
    # the meeting's date, not to today: minutes record a meeting that was held
    # under the consent then in force. The demo's expired and withdrawn
    # children lost their consent about ten days ago, after every meeting that
    # has minutes, so "consent_valid_today == False" says nothing about these
    # PDFs. What must hold for every minutes PDF and extract:
    # * a child whose consents were not in force on the meeting's date is not
    #   identified: no full name, no surname (outside the staff's own names),
    #   no birth date;
    # * every child named there had a consent in force that day.
    # The demo has no such child; the next test makes one by recording a
    # withdrawal that predates a meeting.
    named_somewhere = set()
    for run in printed.runs:
        for text, where in [(run.text, run.out), *((e.text, e.path) for e in run.extracts)]:
            for child in named_in(text, demo.named):
                assert child.consent_in_force_on(run.day), f"{child.full_name} in {where}"
                named_somewhere.add(child.id)
            for child in demo.named:
                if child.consent_in_force_on(run.day):
                    continue
                assert child.surname is not None and child.birth_date is not None
                assert not mentions(demo.without_staff(text), child.surname), where
                assert not mentions_date(text, child.birth_date), where
    assert named_somewhere, "no child is named in any minutes"


def test_a_withdrawal_before_the_meeting_anonymises_the_child_in_its_minutes(
    cli: Cli, printed: PrintRun, demo: Demo, tmp_path: Path
) -> None:
    run, extract = printed.extracts()[0]
    (child,) = named_in(extract.text, demo.named)
    assert child.surname is not None and child.birth_date is not None
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root)
    # The parents withdrew their consent the day before the meeting; the
    # advisor records it only now.
    directory = VaultDirectory.open(root)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            for consent in cases_service.consents(vault, child.id):
                if consent.withdrawn_on is None or consent.withdrawn_on >= run.day:
                    cases_service.withdraw_consent(
                        vault, consent.id, run.day - timedelta(days=1), "Forælder"
                    )
        finally:
            vault.close()
    finally:
        directory.release()
    out = tmp_path / "minutes.pdf"
    per_child = tmp_path / "per-child"
    per_child.mkdir()

    result = minutes(cli, root, run.meeting["id"], "--out", out, "--per-child", per_child)

    assert_ok(result)
    text = " ".join(pdf_pages(out))
    # Still on the minutes, by first name only.
    assert mentions(text, child.first_name), text
    assert not mentions(text, child.full_name), text
    assert not mentions(demo.without_staff(text), child.surname), text
    assert not mentions_date(text, child.birth_date), text
    assert not mentions(result.stdout + result.stderr, child.surname)
    # No extract for the child's record; the other children's are unchanged.
    extracts = sorted(per_child.iterdir())
    assert len(extracts) == len(run.extracts) - 1, extracts
    for path in extracts:
        assert child not in named_in(" ".join(pdf_pages(path)), demo.named), path


def test_each_extract_names_one_child_with_birth_date(printed: PrintRun, demo: Demo) -> None:
    with_sdq = 0
    for run, extract in printed.extracts():
        found = named_in(extract.text, demo.named)
        assert len(found) == 1, f"{extract.path}: {[c.full_name for c in found]}"
        (child,) = found
        assert child.birth_date is not None
        assert f"{child.birth_date:%d.%m.%Y}" in extract.text, extract.text
        for other in demo.named:
            if other is not child:
                assert other.birth_date is not None
                assert not mentions(extract.text, other.full_name), extract.path
                assert not mentions_date(extract.text, other.birth_date), extract.path
        # The name is in the body, never in the document information.
        for value in pdf_metadata(extract.path):
            assert not mentions(value, child.full_name), f"the metadata of {extract.path}"
            assert not mentions_date(value, child.birth_date), f"the metadata of {extract.path}"
        # One extract per child named in the meeting's minutes, and only for them.
        assert mentions(run.text, child.full_name), extract.path
        with_sdq += SDQ_HEADING in extract.text
    for run in printed.runs:
        in_minutes = {c.id for c in named_in(run.text, demo.named)}
        in_extracts = {c.id for e in run.extracts for c in named_in(e.text, demo.named)}
        assert in_minutes == in_extracts, run.out
    # The demo records SDQ answers for its named children.
    assert with_sdq >= 1


def test_minutes_label_named_children_in_the_documents_language(
    printed: PrintRun, demo: Demo
) -> None:
    # The CLI runs in English here; the document is Danish. Guards against
    # the label being taken from ItemView.label (translated into the user
    # interface's language), which printed "Emma … (born 2019-04-12)".
    named = 0
    for run in printed.runs:
        for child in named_in(run.text, demo.named):
            named += 1
            at = run.text.index(child.full_name)
            label = run.text[at : at + len(child.full_name) + 20]
            assert label.startswith(f"{child.full_name} (født "), f"{run.out}: {label!r}"
        assert "(born " not in run.text, run.out
    assert named


def test_a_child_shared_under_sl49a_gets_an_extract_like_on_the_agenda(
    cli: Cli, printed: PrintRun, demo: Demo, tmp_path: Path
) -> None:
    # An anonymous child put on the agenda under serviceloven § 49 a (surname
    # and birth date recorded for that one meeting) is named on the minutes
    # and gets a per-child agenda, so it gets an extract too. Guards against
    # minutes_print._extract reading the case's own facts (no surname), which
    # stopped the whole print with "The extract needs the child's full name
    # and birth date." and wrote nothing.
    run = next(r for r in printed.runs if status_of(r.text) == "draft")
    surname, born = "Ravn", date(2019, 3, 4)  # fictional, and no staff member's name
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root)
    directory = VaultDirectory.open(root)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            on_agenda = {i.case_id for i in agenda_service.agenda(vault, run.meeting["id"]).items}
            child = next(c for c in demo.children if not c.named and c.id not in on_agenda)
            agenda_service.add_case_item(
                vault,
                run.meeting["id"],
                child.id,
                sl49a=True,
                sl49a_surname=surname,
                sl49a_birth_date=born,
            )
            minutes_service.start(vault, run.meeting["id"])
        finally:
            vault.close()
    finally:
        directory.release()
    out = tmp_path / "minutes.pdf"
    per_child = tmp_path / "per-child"
    per_child.mkdir()

    result = minutes(cli, root, run.meeting["id"], "--out", out, "--per-child", per_child)

    assert_ok(result)
    assert mentions(" ".join(pdf_pages(out)), f"{child.first_name} {surname}")
    texts = [" ".join(pdf_pages(path)) for path in sorted(per_child.iterdir())]
    assert len(texts) == len(run.extracts) + 1, texts
    (extract,) = [t for t in texts if mentions(t, f"{child.first_name} {surname}")]
    assert f"{born:%d.%m.%Y}" in extract, extract


# --- minutes: refusals ------------------------------------------------------------


def test_minutes_of_an_unknown_meeting_is_one_sentence_and_writes_nothing(
    cli: Cli, printed_vault: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    per_child = tmp_path / "per-child"
    out_dir.mkdir()
    per_child.mkdir()

    result = minutes(
        cli, printed_vault, "no-such-meeting", "--out", out_dir / "m.pdf", "--per-child", per_child
    )

    assert_one_sentence(result, contains=["no-such-meeting"])
    assert result.stdout == ""
    assert list(out_dir.iterdir()) == [] and list(per_child.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "per_child"),
    [
        pytest.param("minutes.pdf", None, id="out-into-the-data-folder"),
        pytest.param(None, "backups", id="per-child-into-the-backups"),
    ],
)
def test_minutes_are_never_written_into_the_data_folder(
    cli: Cli,
    printed_vault: Path,
    demo: Demo,
    tmp_path: Path,
    out: str | None,
    per_child: str | None,
) -> None:
    options: list[str | Path] = ["--out", printed_vault / out if out else tmp_path / "m.pdf"]
    if per_child is not None:
        options += ["--per-child", printed_vault / per_child]
    before = snapshot(printed_vault)

    result = minutes(cli, printed_vault, demo.meetings[0]["id"], *options)

    assert_one_sentence(result)
    assert snapshot(printed_vault) == before
    assert not (tmp_path / "m.pdf").exists()


# --- case-report (subject access) -------------------------------------------------


@dataclass(frozen=True)
class Report:
    child: Child
    result: CliResult
    pdf: Path
    json_path: Path
    data: dict[str, Any]
    raw: str


@pytest.fixture(scope="module")
def report(printed: PrintRun, demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """``case-report`` of a child named with valid consent whose minutes were printed.

    Run on a copy of the printed vault, so the audit log holds the reads of
    the case that printing the extract recorded.
    """
    base = tmp_path_factory.mktemp("case-report")
    vault = base / "demo"
    shutil.copytree(printed.vault, vault)
    cli = Cli(base)
    candidates = [
        child
        for _run, extract in printed.extracts()
        for child in named_in(extract.text, demo.named)
        if child.consent_valid_today
    ]
    assert candidates, "no child with valid consent has an extract"
    child = candidates[0]
    out_dir = base / "out"
    out_dir.mkdir()
    pdf, json_path = out_dir / "report.pdf", out_dir / "report.json"
    result = case_report(cli, vault, child.id, "--out", pdf, "--json", json_path)
    assert_ok(result)
    raw = json_path.read_text("utf-8")
    return Report(child, result, pdf, json_path, json.loads(raw), raw)


def test_case_report_writes_private_pdf_and_json(report: Report) -> None:
    assert report.result.stdout.splitlines() == [
        f"Subject access report written to {report.pdf}.",
        f"Data written to {report.json_path}.",
    ]
    assert mode(report.pdf) == 0o600 and mode(report.json_path) == 0o600
    assert sorted(report.pdf.parent.iterdir()) == sorted([report.pdf, report.json_path])
    assert PdfReader(report.pdf).pages


def test_case_report_json_holds_every_table_about_the_child(report: Report) -> None:
    data, case_id = report.data, report.child.id
    assert data["format"] == "samraad-subject-access"
    assert data["case_id"] == case_id
    tables = data["tables"]
    for table in SUBJECT_ACCESS_TABLES:
        assert tables.get(table), f"no rows in {table}: {sorted(tables)}"
    (case,) = tables["cases"]
    assert case["id"] == case_id and case["surname"] == report.child.surname
    assert report.child.birth_date is not None
    assert case["birth_date"] == report.child.birth_date.isoformat()
    for table, rows in tables.items():
        for row in rows:
            if "case_id" in row:
                assert row["case_id"] == case_id, (table, row)
    item_ids = {row["id"] for row in tables["agenda_items"]}
    assert {row["agenda_item_id"] for row in tables["item_minutes"]} <= item_ids
    assert {(row["entity"], row["entity_id"]) for row in tables["audit_log"]} == {("case", case_id)}
    assert "case.read" in {row["action"] for row in tables["audit_log"]}
    assert len(tables["sdq_assessments"]) >= 2  # the demo's before and after


def test_case_report_holds_nothing_about_another_child(report: Report, demo: Demo) -> None:
    others = [c for c in demo.children if c.id != report.child.id]
    assert others
    pdf_text = " ".join(pdf_pages(report.pdf))
    for other in others:
        assert other.id not in report.raw, other.id
        if other.named:
            assert other.birth_date is not None
            for text in (normalise(report.raw), pdf_text):
                assert not mentions(text, other.full_name), other.full_name
                assert not mentions_date(text, other.birth_date), other.birth_date
    # Meetings appear as date, site and forum only.
    for meeting in report.data["meetings"]:
        assert set(meeting) == {"id", "start_utc", "site", "forum"}, meeting


def test_case_report_pdf_labels_the_child_in_the_documents_language(report: Report) -> None:
    # The CLI runs in English here; the report is Danish. Guards against the
    # label being translated into the user interface's language, which
    # printed "(born 2019-04-12)".
    text = " ".join(pdf_pages(report.pdf))
    at = text.index(report.child.full_name)
    label = text[at : at + len(report.child.full_name) + 20]
    assert label.startswith(f"{report.child.full_name} (født "), f"{report.pdf}: {label!r}"


def test_case_report_of_an_unknown_case_is_one_sentence_and_writes_nothing(
    cli: Cli, printed_vault: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    result = case_report(
        cli,
        printed_vault,
        "no-such-case",
        "--out",
        out_dir / "r.pdf",
        "--json",
        out_dir / "r.json",
    )

    assert_one_sentence(result, contains=["no-such-case"])
    assert result.stdout == ""
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("which", ["pdf", "json"])
def test_case_report_is_never_written_into_the_data_folder(
    cli: Cli, printed_vault: Path, demo: Demo, tmp_path: Path, which: str
) -> None:
    child = demo.named[0]
    pdf = printed_vault / "report.pdf" if which == "pdf" else tmp_path / "report.pdf"
    json_path = printed_vault / "report.json" if which == "json" else tmp_path / "report.json"
    before = snapshot(printed_vault)

    result = case_report(cli, printed_vault, child.id, "--out", pdf, "--json", json_path)

    assert_one_sentence(result)
    assert result.stdout == ""
    assert snapshot(printed_vault) == before
    assert not (tmp_path / "report.pdf").exists() and not (tmp_path / "report.json").exists()
