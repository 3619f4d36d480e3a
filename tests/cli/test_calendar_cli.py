"""End-to-end: ``samraad demo``, ``calendar`` (table, JSON, iCalendar) and ``sites`` (list, import).

One demo vault is made per module by ``samraad demo`` (production KDF,
passphrase "demo"); every test that runs a command gets its own copy, since
even reading the calendar writes (horizon, audit, automatic backup). The demo
is built around today's date, so date ranges are chosen from the meetings a
wide JSON query returned, never hard-coded to a year.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from app.store import contacts_repo, sites_repo
from app.store.vault import VaultDirectory
from tests.helpers.cli import Cli, CliResult, assert_ok, assert_one_sentence, mode, snapshot
from tests.helpers.vaults import PASSPHRASE

DEMO_PASSPHRASE = "demo"
# ISO 2026 has 53 weeks: week 53 runs from Monday 28 December to Sunday 3 January.
WEEK_53_2026 = (date(2026, 12, 28), date(2027, 1, 3))
MEETING_KEYS = {
    "id",
    "start",
    "end",
    "iso_year",
    "iso_week",
    "site_id",
    "site_name",
    "forum",
    "status",
    "agenda_item_count",
}
WEEK_HEADER_RE = re.compile(r"^Week (\d+) \((\d{4})\)$")
HEADER = "type;name;kind;district;address;leader;role;site;organisation;phone;email"


@dataclass(frozen=True)
class Demo:
    """The module's demo vault, what ``samraad demo`` printed, and what it holds."""

    root: Path
    created: CliResult
    # Contact names and site leaders: the personal names no export may carry.
    personal_names: frozenset[str]
    # Every meeting, from a JSON query wide enough to hold the whole demo.
    meetings: tuple[dict[str, Any], ...]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    base = tmp_path_factory.mktemp("demo-template")
    root = base / "demo"
    cli = Cli(base)
    # No passphrase in the environment: the demo uses "demo".
    created = cli.run("demo", "--data-dir", root)
    assert_ok(created)

    directory = VaultDirectory.open(root)
    try:
        vault = directory.unlock(DEMO_PASSPHRASE)
        try:
            names = set(contacts_repo.names(vault.conn))
            names.update(s.leader for s in sites_repo.list_all(vault.conn) if s.leader)
        finally:
            vault.close(auto_backup=False)
    finally:
        directory.release()

    today = date.today()
    wide = calendar_json(
        cli, root, today - timedelta(days=400), today + timedelta(days=800), DEMO_PASSPHRASE
    )
    return Demo(root, created, frozenset(names), tuple(wide))


@pytest.fixture
def demo_vault(demo: Demo, tmp_path: Path) -> Path:
    """This test's own copy of the demo vault."""
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root)
    return root


# --- helpers ----------------------------------------------------------------------


def calendar_json(
    cli: Cli, root: Path, first: date, last: date, passphrase: str = DEMO_PASSPHRASE
) -> list[dict[str, Any]]:
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
        passphrase=passphrase,
    )
    assert_ok(result)
    items = json.loads(result.stdout)
    assert isinstance(items, list), str(result)
    return items


def sites_json(cli: Cli, root: Path, passphrase: str) -> list[dict[str, Any]]:
    result = cli.run("sites", "--data-dir", root, "--format", "json", passphrase=passphrase)
    assert_ok(result)
    rows = json.loads(result.stdout)
    assert isinstance(rows, list), str(result)
    return rows


def local_day(meeting: dict[str, Any]) -> date:
    return datetime.fromisoformat(meeting["start"]).date()


def between(meetings: Iterable[dict[str, Any]], first: date, last: date) -> list[dict[str, Any]]:
    """What ``calendar --from first --to last`` must return: start day in range, inclusive."""
    return [m for m in meetings if first <= local_day(m) <= last]


def week_53_mondays(meetings: Iterable[dict[str, Any]]) -> list[date]:
    """Mondays of ISO week 53 that fall within the span of ``meetings``."""
    days = [local_day(m) for m in meetings]
    mondays = []
    for year in range(min(days).year - 1, max(days).year + 1):
        if date(year, 12, 28).isocalendar().week == 53:
            monday = date.fromisocalendar(year, 53, 1)
            if min(days) <= monday + timedelta(days=6) and monday <= max(days):
                mondays.append(monday)
    return mondays


def write_csv(path: Path, lines: list[str], *, bom: bool = True) -> Path:
    """A CSV file as Excel saves it: CRLF line ends, UTF-8 (with BOM for "CSV UTF-8")."""
    text = "".join(line + "\r\n" for line in lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def assert_import_rejected(result: CliResult) -> list[str]:
    """A refused import: non-zero, no traceback, per-line reasons then one summary sentence."""
    assert result.returncode != 0, str(result)
    assert "Traceback" not in result.stderr + result.stdout, str(result)
    assert result.stdout == "", str(result)
    assert result.stderr.endswith("\n"), str(result)
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[-1].startswith("Nothing was imported:") and lines[-1].endswith("."), str(result)
    return lines


# --- demo and calendar ------------------------------------------------------------


def test_demo_says_where_the_vault_is(demo: Demo) -> None:
    assert str(demo.root) in demo.created.stdout
    assert "15 sites" in demo.created.stdout
    assert (demo.root / "vault.db").is_file()
    assert (demo.root / "vault.key").is_file()
    assert mode(demo.root) == 0o700
    # The personal-data check below is only worth something if there are names.
    assert len(demo.personal_names) >= 40
    assert len(demo.meetings) >= 100


def test_ics_export_parses_and_names_no_person(cli: Cli, demo_vault: Path, demo: Demo) -> None:
    today = date.today()
    first, last = today - timedelta(days=21), today + timedelta(days=70)
    expected = {m["id"]: m for m in between(demo.meetings, first, last)}

    result = cli.run(
        "calendar",
        "--data-dir",
        demo_vault,
        "--format",
        "ics",
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        passphrase=DEMO_PASSPHRASE,
    )

    assert_ok(result)
    calendar = icalendar.Calendar.from_ical(result.stdout)
    events = calendar.walk("VEVENT")
    assert len(events) >= 10
    assert len(events) == len(expected)
    for event in events:
        for prop in ("UID", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"):
            assert prop in event, f"{prop} missing in {event.to_ical()!r}"
        uid = str(event["UID"])
        assert uid.endswith("@samraad")
        meeting = expected[uid.removesuffix("@samraad")]
        assert event.decoded("DTSTART") == datetime.fromisoformat(meeting["start"])
        assert event.decoded("DTEND") == datetime.fromisoformat(meeting["end"])
        assert isinstance(event.decoded("SEQUENCE"), int) and event.decoded("SEQUENCE") >= 0
        assert meeting["site_name"] in str(event["SUMMARY"])
        texts = [str(event.get(p, "")) for p in ("SUMMARY", "LOCATION", "DESCRIPTION")]
        for name in demo.personal_names:
            assert not any(name in text for text in texts), f"{name} in {texts}"
    # Nor anywhere else in the file (lines unfolded, so a fold cannot hide a name).
    unfolded = result.stdout.replace("\r\n ", "")
    assert [n for n in demo.personal_names if n in unfolded] == []


def test_json_meetings_have_every_field_with_offset_times(demo: Demo) -> None:
    starts = []
    for meeting in demo.meetings:
        assert MEETING_KEYS <= meeting.keys(), meeting
        start = datetime.fromisoformat(meeting["start"])
        end = datetime.fromisoformat(meeting["end"])
        assert start.tzinfo is not None and start.utcoffset() is not None, meeting
        assert end.tzinfo is not None and end.utcoffset() is not None, meeting
        assert start < end, meeting
        iso = start.date().isocalendar()
        assert (meeting["iso_year"], meeting["iso_week"]) == (iso.year, iso.week), meeting
        assert isinstance(meeting["agenda_item_count"], int), meeting
        assert meeting["site_id"] and meeting["site_name"] and meeting["forum"], meeting
        assert meeting["status"] in {"planned", "held", "cancelled"}, meeting
        starts.append(start)
    assert starts == sorted(starts)
    assert len({m["id"] for m in demo.meetings}) == len(demo.meetings)


def test_from_and_to_are_inclusive_local_days(cli: Cli, demo_vault: Path, demo: Demo) -> None:
    day = local_day(demo.meetings[len(demo.meetings) // 2])
    expected = [m["id"] for m in between(demo.meetings, day, day)]
    assert expected

    items = calendar_json(cli, demo_vault, day, day)

    assert [m["id"] for m in items] == expected


def test_week_53_of_2026_is_week_53(cli: Cli, demo_vault: Path, demo: Demo) -> None:
    # Whatever today is, the answer must be exactly the demo's meetings of those
    # seven days, and every one of them (1-3 January too) is week 53 of 2026.
    expected = [m["id"] for m in between(demo.meetings, *WEEK_53_2026)]

    items = calendar_json(cli, demo_vault, *WEEK_53_2026)

    assert [m["id"] for m in items] == expected
    assert {(m["iso_year"], m["iso_week"]) for m in items} <= {(2026, 53)}


def test_table_groups_by_the_iso_weeks_of_the_json(
    cli: Cli, demo_vault: Path, demo: Demo, tmp_path: Path
) -> None:
    # Around a week 53 when the demo has one (the year boundary is the hard case).
    mondays = week_53_mondays(demo.meetings)
    centre = mondays[0] if mondays else date.today()
    first, last = centre - timedelta(days=14), centre + timedelta(days=13)
    items = calendar_json(cli, demo_vault, first, last)
    assert items
    weeks: list[tuple[int, int]] = []
    for m in items:
        if not weeks or weeks[-1] != (m["iso_week"], m["iso_year"]):
            weeks.append((m["iso_week"], m["iso_year"]))
    range_args = ("--from", first.isoformat(), "--to", last.isoformat())

    table = cli.run("calendar", "--data-dir", demo_vault, *range_args, passphrase=DEMO_PASSPHRASE)

    assert_ok(table)
    headers = [
        (int(match[1]), int(match[2]))
        for line in table.stdout.splitlines()
        if (match := WEEK_HEADER_RE.match(line))
    ]
    assert headers == weeks, table.stdout
    if mondays:
        assert (53, mondays[0].isocalendar().year) in headers
    # Every meeting is listed (by id) under its own week's header.
    week_of_line: dict[str, tuple[int, int]] = {}
    current: tuple[int, int] | None = None
    for line in table.stdout.splitlines():
        if match := WEEK_HEADER_RE.match(line):
            current = (int(match[1]), int(match[2]))
        elif line.strip():
            assert current is not None, table.stdout
            week_of_line[line.split()[-1]] = current
    assert week_of_line == {m["id"]: (m["iso_week"], m["iso_year"]) for m in items}

    out = tmp_path / "calendar.txt"
    written = cli.run(
        "calendar", "--data-dir", demo_vault, *range_args, "--out", out, passphrase=DEMO_PASSPHRASE
    )

    assert_ok(written)
    assert written.stdout == ""
    assert mode(out) == 0o600
    assert out.read_text("utf-8") == table.stdout


# --- sites ------------------------------------------------------------------------


def test_sites_json_lists_the_demo_sites(cli: Cli, demo_vault: Path) -> None:
    rows = sites_json(cli, demo_vault, DEMO_PASSPHRASE)

    assert len(rows) == 15
    for row in rows:
        assert {"id", "name", "kind", "district"} <= row.keys(), row
        assert row["id"] and row["name"] and row["district"], row
    assert {r["kind"] for r in rows} >= {"school", "day-care", "family-day-care"}
    assert len({r["id"] for r in rows}) == 15


def test_sites_import_reads_a_danish_excel_file(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    assert sites_json(cli, cli_vault, PASSPHRASE) == []
    csv_file = write_csv(
        tmp_path / "institutioner.csv",
        [
            HEADER,
            "site;Børnehuset Lærkereden;børnehave;Vestby skoledistrikt;Lærkevej 3;;;;;;",
            "site;Vestby Skole;skole;Vestby skoledistrikt;Skolevej 9;;;;;;",
            "contact;Åse Kjærgaard;;;;;leader;Børnehuset Lærkereden;;+45 12 34 56 78;"
            "ase@example.dk",
            "contact;Bjørn Ølstrup;;;;;teacher;Vestby Skole;;;",
        ],
    )

    result = cli.run("sites", "import", csv_file, "--data-dir", cli_vault, passphrase=PASSPHRASE)

    assert_ok(result)
    assert "2 sites" in result.stdout and "2 contacts" in result.stdout, str(result)
    rows = sites_json(cli, cli_vault, PASSPHRASE)
    assert {(r["name"], r["kind"], r["district"]) for r in rows} == {
        ("Børnehuset Lærkereden", "day-care", "Vestby skoledistrikt"),
        ("Vestby Skole", "school", "Vestby skoledistrikt"),
    }
    directory = VaultDirectory.open(cli_vault)
    try:
        vault = directory.unlock(PASSPHRASE)
        try:
            contacts = {c.name: c for c in contacts_repo.list_all(vault.conn)}
        finally:
            vault.close(auto_backup=False)
    finally:
        directory.release()
    assert set(contacts) == {"Åse Kjærgaard", "Bjørn Ølstrup"}
    assert contacts["Åse Kjærgaard"].site == "Børnehuset Lærkereden"
    assert contacts["Åse Kjærgaard"].email == "ase@example.dk"
    assert contacts["Bjørn Ølstrup"].site == "Vestby Skole"


def test_a_bad_line_imports_nothing(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    before = sites_json(cli, cli_vault, PASSPHRASE)
    csv_file = write_csv(
        tmp_path / "bad.csv",
        [
            HEADER,
            "site;Børnehuset Lærkereden;børnehave;Vestby skoledistrikt;;;;;;;",
            "site;Vestby Skole;skole;Vestby skoledistrikt;;;;;;;",
            "site;Østby Fritidsklub;zoologisk have;Østby skoledistrikt;;;;;;;",
            "contact;Åse Kjærgaard;;;;;leader;Børnehuset Lærkereden;;;",
        ],
    )

    result = cli.run("sites", "import", csv_file, "--data-dir", cli_vault, passphrase=PASSPHRASE)

    lines = assert_import_rejected(result)
    assert lines[-1] == "Nothing was imported: 1 line has a problem.", str(result)
    line_4 = [line for line in lines if line.startswith("line 4: ")]
    assert len(line_4) == 1, str(result)
    assert '"kind"' in line_4[0] and "unknown kind" in line_4[0], str(result)
    assert len(lines) == 2, str(result)
    # The reason names the column, never the value or anyone's name.
    for value in ("zoologisk", "Østby", "Åse", "Kjærgaard"):
        assert value not in result.stderr, str(result)
    assert sites_json(cli, cli_vault, PASSPHRASE) == before


def test_a_comma_separated_file_imports(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    csv_file = write_csv(
        tmp_path / "sites.csv",
        [
            "Type,Name,Kind,District,Address,E-mail,Role,Site",
            'site,Dagplejen Vestby,family-day-care,Vestby,"Torvet 1, 8000 Aarhus",,,',
            "site,Vestby Skole,school,Vestby,,,,",
            "contact,Bo Krogh,,,,bo@example.dk,ppr,Vestby Skole",
            "contact,Rikke Toft,,,,,,",
        ],
        bom=False,
    )

    result = cli.run("sites", "import", csv_file, "--data-dir", cli_vault, passphrase=PASSPHRASE)

    assert_ok(result)
    assert "2 sites" in result.stdout and "2 contacts" in result.stdout, str(result)
    rows = {r["name"]: r for r in sites_json(cli, cli_vault, PASSPHRASE)}
    assert set(rows) == {"Dagplejen Vestby", "Vestby Skole"}
    assert rows["Dagplejen Vestby"]["kind"] == "family-day-care"
    assert rows["Dagplejen Vestby"]["address"] == "Torvet 1, 8000 Aarhus"
    assert rows["Vestby Skole"]["district"] == "Vestby"


# --- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        pytest.param(
            ("calendar", "--from", "2026-13-01"), "2026-13-01 is not a date", id="not-a-date"
        ),
        pytest.param(
            ("calendar", "--from", "2026-12-01", "--to", "2026-11-30"),
            "The end date is before the start date.",
            id="to-before-from",
        ),
        pytest.param(("sites", "import"), "Name the CSV file to import.", id="import-no-file"),
        pytest.param(("sites", "import", "{missing}"), "{missing} cannot be read.", id="missing"),
        pytest.param(("demo",), "A vault already exists in this data folder.", id="demo-twice"),
    ],
)
def test_bad_input_is_one_sentence(
    cli: Cli, demo_vault: Path, tmp_path: Path, args: tuple[str, ...], sentence: str
) -> None:
    missing = str(tmp_path / "missing.csv")
    argv = [a.format(missing=missing) for a in args]
    before = snapshot(demo_vault)

    result = cli.run(*argv, "--data-dir", demo_vault, passphrase=DEMO_PASSPHRASE)

    assert_one_sentence(result, contains=[sentence.format(missing=missing)])
    assert result.stdout == ""
    assert snapshot(demo_vault) == before


def test_a_mistyped_data_folder_is_not_created(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "mistyped"
    result = cli.run("calendar", "--data-dir", missing, passphrase="demo")
    assert_one_sentence(result, contains=["samraad init"])
    assert not missing.exists()
