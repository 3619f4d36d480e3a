"""End-to-end: ``samraad retention`` and ``samraad erase``.

One demo vault is made per module by ``samraad demo`` (production KDF,
passphrase "demo"); it holds two cases already due for erasure (one
anonymous, one named). Each test works on its own copy.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyrage
import pytest

from tests.helpers.cli import Cli, CliResult, assert_ok, assert_one_sentence

DEMO_PASSPHRASE = "demo"
ERASED_RE = re.compile(r"^Erased (\d+) cases? and (\d+) scanned consent forms?: (\d+) records\.$")


@dataclass(frozen=True)
class Demo:
    root: Path
    due: tuple[dict[str, Any], ...]


def run(cli: Cli, *args: str | Path) -> CliResult:
    return cli.run(*args, passphrase=DEMO_PASSPHRASE)


def due_json(cli: Cli, root: Path) -> list[dict[str, Any]]:
    result = run(cli, "retention", "--data-dir", root, "--format", "json")
    assert_ok(result)
    rows = json.loads(result.stdout)
    assert isinstance(rows, list), str(result)
    return rows


def case_ids(cli: Cli, root: Path) -> set[str]:
    result = run(cli, "cases", "--data-dir", root, "--format", "json")
    assert_ok(result)
    return {row["id"] for row in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    base = tmp_path_factory.mktemp("retention-demo")
    root = base / "demo"
    cli = Cli(base)
    assert_ok(cli.run("demo", "--data-dir", root))
    return Demo(root, tuple(due_json(cli, root)))


@pytest.fixture
def demo_vault(demo: Demo, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(demo.root, root)
    return root


def test_the_demo_has_an_anonymous_and_a_named_case_due(demo: Demo) -> None:
    assert {(row["kind"], row["case_kind"], row["reason"]) for row in demo.due} == {
        ("case", "anonymous", "anonymous-inactive"),
        ("case", "named", "named-closed"),
    }
    today = date.today()
    for row in demo.due:
        assert date.fromisoformat(row["since"]) < date.fromisoformat(row["due_on"]) <= today
        assert row["overdue_days"] == (today - date.fromisoformat(row["due_on"])).days
        assert row["first_name"] and row["site_name"] and row["reason_text"]
        assert "surname" not in row and "birth_date" not in row


def test_the_table_lists_each_due_case_with_why_and_since_when(
    cli: Cli, demo_vault: Path, demo: Demo
) -> None:
    result = run(cli, "retention", "--data-dir", demo_vault)

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Retention: anonymous cases 12 months after the last meeting")
    for row in demo.due:
        (line,) = [line for line in lines if line.endswith(row["case_id"])]
        assert line.startswith(row["first_name"])
        assert row["reason_text"] in line and f"since {row['since']}" in line


def test_erase_due_without_yes_and_without_a_terminal_erases_nothing(
    cli: Cli, demo_vault: Path, demo: Demo
) -> None:
    result = run(cli, "retention", "--data-dir", demo_vault, "--erase-due")

    assert_one_sentence(result, exact="Add --yes to erase without being asked; nothing was erased.")
    assert len(due_json(cli, demo_vault)) == len(demo.due)


def test_erase_due_erases_both_and_the_vault_stays_sound(
    cli: Cli, demo_vault: Path, demo: Demo
) -> None:
    before = case_ids(cli, demo_vault)

    result = run(cli, "retention", "--data-dir", demo_vault, "--erase-due", "--yes")

    assert_ok(result)
    [summary] = [m for line in result.stdout.splitlines() if (m := ERASED_RE.match(line))]
    assert (int(summary[1]), int(summary[2])) == (2, 0) and int(summary[3]) > 2
    assert (
        "The database was compacted; 1 backup made before the erasure was deleted"
        " and a new one was made." in result.stdout.splitlines()
    )
    assert due_json(cli, demo_vault) == []
    assert case_ids(cli, demo_vault) == before - {row["case_id"] for row in demo.due}
    assert_ok(run(cli, "self-test", "--data-dir", demo_vault))
    backups = sorted((demo_vault / "backups").glob("auto-*"))
    assert len(backups) == 1


def test_erase_one_case_names_the_bundles_that_may_still_hold_it(
    cli: Cli, demo_vault: Path, tmp_path: Path
) -> None:
    result = run(cli, "cases", "--data-dir", demo_vault, "--format", "json")
    assert_ok(result)
    victim = next(r for r in json.loads(result.stdout) if r["kind"] == "named")
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    exported = tmp_path / "exports" / "one-child.samraad"
    exported.parent.mkdir()
    args = ("export", "--data-dir", demo_vault, "--recipient", recipient)
    assert_ok(run(cli, *args, "--case", victim["id"], "--out", exported))

    erased = run(cli, "erase", victim["id"], "--data-dir", demo_vault, "--yes")

    assert_ok(erased)
    lines = erased.stdout.splitlines()
    assert lines[0].startswith(f"Case {victim['id']} ({victim['first_name']}, ")
    assert victim["surname"] not in erased.stdout
    assert any(line.strip().startswith(str(exported.resolve())) for line in lines), erased.stdout
    assert any(ERASED_RE.match(line) for line in lines)
    assert victim["id"] not in case_ids(cli, demo_vault)
    again = run(cli, "erase", victim["id"], "--data-dir", demo_vault, "--yes")
    assert_one_sentence(again, contains=[victim["id"]])


def test_erase_without_yes_asks_and_a_script_gets_one_sentence(cli: Cli, demo_vault: Path) -> None:
    some_case = sorted(case_ids(cli, demo_vault))[0]

    result = run(cli, "erase", some_case, "--data-dir", demo_vault)

    assert_one_sentence(result, exact="Add --yes to erase without being asked; nothing was erased.")
    assert some_case in case_ids(cli, demo_vault)


def test_erase_an_unknown_case_is_one_sentence(cli: Cli, demo_vault: Path) -> None:
    result = run(cli, "erase", "no-such-case", "--data-dir", demo_vault, "--yes")

    assert_one_sentence(result, exact="There is no case with the id no-such-case.")
