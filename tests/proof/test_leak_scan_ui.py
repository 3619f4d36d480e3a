"""Issue 9, plaintext leak scan: the whole UI journey leaves no personal text on disk.

The journey of issue 6 (``tests/ui/journey.py``) runs with planted, unusual
strings: the named child's first name and surname, the guardian, both
concerns, the minutes text, the agreement. The passphrase and the recovery
code shown on the first-run page are searched for too. Every place the app
could write lives inside this test's folder: the vault, ``TMPDIR`` (and
Python's ``tempfile.tempdir``), the log directory, the preferences file and
``XDG_CONFIG_HOME`` (Qt's settings), ``HOME``/``XDG_DATA_HOME`` (the desktop's
``recently-used.xbel``) and ``XDG_CACHE_HOME``.

After the journey the window is locked and closed, and every file there is
searched byte by byte: UTF-8, UTF-16-LE and UTF-16-BE, in any letter case.
The strings may be found only in the PDFs the journey saved on purpose (the
export folder, not searched), and there only where expected: the meeting
agenda is anonymised (first name, age and concern, never the surname), the
per-child agenda names the child. Log records captured during the run, Qt's
messages and the process's stdout/stderr must not hold them either.

The number of files searched is printed (``pytest -s``) and recorded as the
``leak_scan_files`` property (JUnit XML) for the issue's note.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.logging_setup import configure_logging
from app.services import cases_service, minutes_service
from tests.proof.support import LEAK_SCAN
from tests.ui.conftest import TODAY
from tests.ui.journey import Journey, Plan, journey_window

PLAN = Plan(
    site_name="Solsikken",
    contact_name="Hanne Leder",
    anonymous_first_name="Brimwaldine",
    anonymous_age="3 år",
    anonymous_concern="Planted-anon-concern-P2LC",
    child_first_name="Quillonette",
    child_age="5 år",
    child_surname="Zarvbrook",
    child_birth_date=date(2021, 3, 14),
    concern="Planted-concern-XJ7Q",
    guardian_name="Ysoldra Zarvbrook",
    minutes_text="Planted-minutes-K4VZ: mother reports better sleep.",
    agreement_text="Planted-agreement-R8TD",
    passphrase="Planted-passphrase-W9QM-2026",
)

#: Planted strings and which saved PDF may (and must) hold each: "agenda", "child" or neither.
EXPECTED_IN: dict[str, set[str]] = {
    PLAN.child_first_name: {"agenda", "child"},
    PLAN.child_surname: {"child"},
    PLAN.concern: {"agenda", "child"},
    PLAN.anonymous_first_name: {"agenda"},
    PLAN.anonymous_concern: {"agenda"},
    "Ysoldra": {"child"},  # the guardian: named on the child's own agenda only
    "Planted-minutes-K4VZ": set(),
    PLAN.agreement_text: set(),
    PLAN.passphrase: set(),
}


def variants(text: str) -> list[bytes]:
    """How ``text`` could sit in a file, lowercased (the haystack is lowercased too)."""
    lower = text.lower()
    return [lower.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def files_under(roots: Iterable[Path], skip: Path) -> Iterator[Path]:
    """Every regular file below ``roots`` (symlinks not followed), except below ``skip``."""
    for root in roots:
        for folder, dirs, names in os.walk(root):
            here = Path(folder)
            dirs[:] = [d for d in dirs if here / d != skip]
            for name in names:
                path = here / name
                if path.is_file() and not path.is_symlink():
                    yield path


def found_in(data: bytes, needles: dict[str, list[bytes]]) -> list[str]:
    """The planted strings whose bytes occur in ``data`` (any case, any encoding)."""
    hay = data.lower()
    return [text for text, forms in needles.items() if any(form in hay for form in forms)]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_the_journey_leaves_no_plaintext_outside_the_pdfs_saved_on_purpose(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    qtlog: object,
    record_property: object,
) -> None:
    # Where the app may write: all inside tmp_path. The root conftest's XDG
    # folders are searched too, in case something kept a path from before.
    earlier = [
        Path(os.environ[name])
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "SAMRAAD_LOG_DIR")
        if os.environ.get(name)
    ]
    home = tmp_path / "home"
    temp = tmp_path / "tmp"
    logs = tmp_path / "logs"
    config = tmp_path / "config"
    exports = tmp_path / "exports"  # the PDFs the advisor saves on purpose: not searched
    for folder in (home, temp, logs, config):
        folder.mkdir()
    environment = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
        "TMPDIR": temp,
        "TMP": temp,
        "TEMP": temp,
        "SQLITE_TMPDIR": temp,
        "SAMRAAD_LOG_DIR": logs,
        "SAMRAAD_CONFIG_DIR": config,
        "SAMRAAD_DATA_DIR": tmp_path / "default-data",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    recent = home / ".local" / "share" / "recently-used.xbel"

    # The app's own log file (masked, private), at DEBUG, plus pytest's capture.
    root_logger = logging.getLogger()
    level_before = root_logger.level
    caplog.set_level(logging.DEBUG)
    log_file = configure_logging(logs, level=logging.DEBUG)
    try:
        with journey_window(qtbot, tmp_path) as window:
            journey = Journey(qtbot, window, exports, monkeypatch, plan=PLAN).run(per_child=True)
            recovery_code = journey.recovery_code_shown

            # The planted text did reach the vault (else finding nothing proves nothing).
            cases = journey.on_vault(cases_service.list_cases, TODAY)
            assert PLAN.child_surname in {c.row.surname for c in cases}
            assert PLAN.concern in {c.row.concern for c in cases}
            minutes = journey.on_vault(minutes_service.view, journey.meeting_id)
            assert minutes.items[journey.named_item_id].knowledge == PLAN.minutes_text
            assert minutes.approved

            window.lock()
            assert not window.session.is_unlocked
            window.close()
    finally:
        for handler in list(root_logger.handlers):
            if getattr(handler, "baseFilename", None) == str(log_file):
                root_logger.removeHandler(handler)
                handler.close()
        root_logger.setLevel(level_before)

    assert len(recovery_code) >= 20
    needles = {text: variants(text) for text in EXPECTED_IN}
    needles[recovery_code] = variants(recovery_code)
    # The search itself works: each planted string is found in each encoding.
    for text, forms in needles.items():
        for form in forms:
            assert found_in(b"\x00prefix " + form.upper() + b" suffix", needles) == [text]

    # --- every file the app could have written --------------------------------------
    vault_dir = tmp_path / "vault"
    searched: dict[str, int] = {}
    leaks: list[str] = []
    for path in files_under([tmp_path, *earlier], skip=exports):
        category = next(
            (
                name
                for name, folder in (
                    ("vault", vault_dir),
                    ("temp", temp),
                    ("log", logs),
                    ("config", config),
                    ("home", home),
                )
                if path.is_relative_to(folder)
            ),
            "other",
        )
        searched[category] = searched.get(category, 0) + 1
        hits = found_in(path.read_bytes(), needles)
        leaks += [f"{path.relative_to(path.anchor)}: {hit!r}" for hit in hits]
    assert leaks == [], "planted text found on disk:\n" + "\n".join(leaks)

    # Each place was really there to be searched.
    assert searched.get("vault", 0) >= 2  # the database and its key file, at least
    assert log_file.is_file() and searched.get("log", 0) >= 1
    assert (config / "samraad.ini").is_file() and searched.get("config", 0) >= 1
    assert not recent.exists() or not found_in(recent.read_bytes(), needles)

    # --- the PDFs saved on purpose hold what they should, and only that ----------------
    assert journey.agenda_pdf is not None and len(journey.per_child_pdfs) == 1
    saved = {"agenda": pdf_text(journey.agenda_pdf), "child": pdf_text(journey.per_child_pdfs[0])}
    for text, expected in EXPECTED_IN.items():
        holding = {name for name, content in saved.items() if text in content}
        assert holding == expected, f"{text!r} is in {holding or 'no PDF'}, expected {expected}"
    assert all(recovery_code not in content for content in saved.values())
    exported = sorted(p.relative_to(exports) for p in exports.rglob("*") if p.is_file())
    assert exported == sorted(
        [journey.agenda_pdf.relative_to(exports), journey.per_child_pdfs[0].relative_to(exports)]
    )  # no temporary file left beside them

    # --- log records, Qt's messages, stdout and stderr of the run ---------------------
    record_texts = []
    for record in caplog.records:
        record_texts.append(record.getMessage())
        record_texts.append(repr(record.args))
        record_texts.append(record.exc_text or "")
        record_texts.append(repr(vars(record)))
    record_texts.append(caplog.text)
    record_texts += [record.message for record in qtlog.records]  # type: ignore[attr-defined]
    out, err = capfd.readouterr()
    record_texts += [out, err]
    for text in needles:
        assert all(text.lower() not in t.lower() for t in record_texts), f"{text!r} was logged"

    total = sum(searched.values())
    detail = ", ".join(f"{name} {count}" for name, count in sorted(searched.items()))
    record_property("leak_scan_files", total)  # type: ignore[operator]
    LEAK_SCAN["files searched"] += total
    LEAK_SCAN["planted strings"] += len(needles)
    with capfd.disabled():
        print(
            f"\nleak scan: {total} files searched ({detail}); "
            f"{len(needles)} planted strings; {len(caplog.records)} log records checked"
        )
