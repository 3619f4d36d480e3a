"""Subject access: every row about one child and nothing about another, as JSON and PDF."""

from __future__ import annotations

import base64
import io
import json
import os
import random
import re
import stat
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.domain.case_model import CaseKind, ConsentForm
from app.errors import BadInput
from app.i18n import translator
from app.services import case_report, cases_service, demo
from app.services.cases_service import CaseNotFound
from app.store import audit, case_data_repo, cases_repo, roles_repo
from app.store.case_data_repo import CASE_TABLES
from app.store.vault import Vault

DEMO_TODAY = date(2026, 11, 23)
DA = translator("da")
SCAN = b"%PDF-1.4 fictional scanned consent form \x00\x01\xff"

# The rows about a case, written here independently of CASE_TABLES:
# table -> (SQL selecting the ids of the rows about case ?, id column).
EXPECTED_ROWS = {
    "cases": "SELECT id FROM cases WHERE id = ?",
    "guardians": "SELECT id FROM guardians WHERE case_id = ?",
    "case_levels": "SELECT id FROM case_levels WHERE case_id = ?",
    "consents": "SELECT id FROM consents WHERE case_id = ?",
    "consent_guardians": "SELECT id FROM consent_guardians WHERE consent_id IN"
    " (SELECT id FROM consents WHERE case_id = ?)",
    "consent_roles": "SELECT id FROM consent_roles WHERE consent_id IN"
    " (SELECT id FROM consents WHERE case_id = ?)",
    "attachments": "SELECT id FROM attachments WHERE id IN"
    " (SELECT attachment_id FROM consents WHERE case_id = ?)",
    "agenda_items": "SELECT id FROM agenda_items WHERE case_id = ?",
    "item_minutes": "SELECT id FROM item_minutes WHERE agenda_item_id IN"
    " (SELECT id FROM agenda_items WHERE case_id = ?)",
    "agreements": "SELECT id FROM agreements WHERE case_id = ?",
    "interventions": "SELECT id FROM interventions WHERE case_id = ?",
    "sdq_assessments": "SELECT id FROM sdq_assessments WHERE case_id = ?",
    "audit_log": "SELECT seq FROM audit_log WHERE entity = 'case' AND entity_id = ?",
}


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def pdf_info(path: Path) -> str:
    metadata = PdfReader(io.BytesIO(path.read_bytes())).metadata
    assert metadata is not None
    return unicodedata.normalize("NFC", " ".join(str(v) for v in metadata.values()))


def has_word(text: str, word: str) -> bool:
    """``word`` (which may hold spaces) as a whole word, in any capitalisation."""
    pattern = rf"(?<!\w){re.escape(unicodedata.normalize('NFC', word))}(?!\w)"
    return re.search(pattern, unicodedata.normalize("NFC", text), re.IGNORECASE) is not None


def assert_private(path: Path) -> None:
    assert path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)


def demo_child(vault: Vault, first: str) -> cases_repo.CaseRow:
    demo.fill(vault, DEMO_TODAY, random.Random(1))
    [row] = [r for r in cases_repo.list_all(vault.conn) if r.first_name == first]
    assert row.kind == CaseKind.NAMED
    return row


def test_the_report_holds_every_row_about_the_child_and_nothing_about_another(
    vault: Vault, tmp_path: Path
) -> None:
    # Åsa shares an approved meeting (with an addendum) with another child.
    asa = demo_child(vault, "Åsa")
    guardians = cases_repo.guardians(vault.conn, asa.id)
    leader = next(r.id for r in roles_repo.list_all(vault.conn) if r.key == "leader")
    cases_service.record_consent(
        vault,
        asa.id,
        DEMO_TODAY,
        ConsentForm.WRITTEN,
        [guardians[0].id],
        [leader],
        scan=SCAN,
    )
    cases_service.read_named(vault, asa.id, "view")
    counts = {
        table: [r[0] for r in vault.conn.execute(sql, (asa.id,)).fetchall()]
        for table, sql in EXPECTED_ROWS.items()
    }
    assert set(counts) == set(CASE_TABLES)
    assert all(counts.values()), {t: len(v) for t, v in counts.items()}  # nothing vacuous

    pdf, out = tmp_path / "asa.pdf", tmp_path / "asa.json"
    seq = audit.entries(vault.conn, limit=1)[0].seq
    files = case_report.write(vault, asa.id, pdf, out, DEMO_TODAY)
    assert (files.pdf, files.json) == (pdf, out)
    assert_private(pdf)
    assert_private(out)
    raw = out.read_text("utf-8")
    data = json.loads(raw)
    assert (data["format"], data["version"], data["case_id"]) == (
        "samraad-subject-access",
        1,
        asa.id,
    )
    assert set(data["tables"]) == set(CASE_TABLES)
    for table, expected in counts.items():
        key = "seq" if table == "audit_log" else "id"
        assert sorted(row[key] for row in data["tables"][table]) == sorted(expected), table
    # Every column of the case row, and the scan as base64.
    columns = [r[1] for r in vault.conn.execute("PRAGMA table_info(cases)").fetchall()]
    assert sorted(data["tables"]["cases"][0]) == sorted(columns)
    assert data["tables"]["cases"][0]["surname"] == "Ødegård"
    [attachment] = data["tables"]["attachments"]
    assert base64.b64decode(attachment["data"]["base64"]) == SCAN
    meeting_ids = {
        r[0]
        for r in vault.conn.execute(
            "SELECT DISTINCT meeting_id FROM agenda_items WHERE case_id = ?", (asa.id,)
        )
    }
    assert {m["id"] for m in data["meetings"]} == meeting_ids
    assert all(set(m) == {"id", "start_utc", "site", "forum"} for m in data["meetings"])

    # Nothing about any other child: no id, no first name, no surname.
    others = [r for r in cases_repo.list_all(vault.conn) if r.id != asa.id]
    assert len(others) == 11
    for other in others:
        assert other.id not in raw
        names = [other.first_name]
        if other.surname:
            names += [p for p in re.split(r"[\s-]+", other.surname) if p]
        for name in names:
            assert not has_word(raw, name), name
        for guardian in cases_repo.guardians(vault.conn, other.id):
            assert not has_word(raw, guardian.name), guardian.name
    other_rows = {
        r[0]
        for r in vault.conn.execute(
            "SELECT id FROM agenda_items WHERE case_id != ?"
            " UNION SELECT id FROM agreements WHERE case_id != ?"
            " UNION SELECT id FROM interventions WHERE case_id != ?"
            " UNION SELECT id FROM sdq_assessments WHERE case_id != ?",
            (asa.id,) * 4,
        )
    }
    assert other_rows and not any(rid in raw for rid in other_rows)

    text = pdf_text(pdf)
    assert "Åsa Ødegård" in text
    for title in (
        "The case",
        "Guardians",
        "Level history",
        "Consents",
        "Agenda items",
        "Minutes",
        "Agreements",
        "Interventions",
        "SDQ assessments",
        "Audit entries about the case",
        "Strengths and Difficulties Questionnaire (SDQ)",
    ):
        assert DA(title) in text, title
    info = pdf_info(pdf)
    assert "Åsa" not in info and "Ødegård" not in info
    for other in others:
        assert other.id not in text
        assert not (other.surname and has_word(text, other.surname)), other.surname

    new = [e for e in audit.entries(vault.conn) if e.seq > seq]
    assert [(e.action, e.entity, e.entity_id, json.loads(e.details)) for e in new] == [
        (audit.Action.CASE_READ, "case", asa.id, {"purpose": "subject-access"}),
        (audit.Action.PRINT, "case", asa.id, {"document": "subject-access"}),
    ]


def test_collect_matches_the_file_and_refuses_unknown_cases(vault: Vault, tmp_path: Path) -> None:
    emma = demo_child(vault, "Emma")
    data = case_report.collect(vault, emma.id, "2026-11-23T10:00:00.000Z")
    assert data["generated_at"] == "2026-11-23T10:00:00.000Z"
    assert data["tables"] == case_data_repo.rows_about_case(vault.conn, emma.id)
    # PDF only, when no JSON is asked for.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    files = case_report.write(vault, emma.id, out_dir / "emma.pdf", None, DEMO_TODAY)
    assert files.json is None and sorted(p.name for p in out_dir.iterdir()) == ["emma.pdf"]
    with pytest.raises(CaseNotFound):
        case_report.collect(vault, "no-such-case", "2026-11-23T10:00:00.000Z")
    inside = vault.directory.layout.root / "report.pdf"
    with pytest.raises(BadInput):
        case_report.write(vault, emma.id, inside, None, DEMO_TODAY)
    with pytest.raises(BadInput):
        case_report.write(
            vault, emma.id, out_dir / "x.pdf", vault.directory.layout.root / "x.json", DEMO_TODAY
        )
    assert not inside.exists() and not (out_dir / "x.pdf").exists()


def test_the_report_names_the_child_in_the_documents_language(vault: Vault, tmp_path: Path) -> None:
    # BUG (i18n): write() builds the label with case_display.named_label, which
    # uses the UI's language, so a Danish report says "(born 2016-09-03)".
    sukru = demo_child(vault, "Şükrü")
    pdf = tmp_path / "sukru.pdf"
    case_report.write(vault, sukru.id, pdf, None, DEMO_TODAY)
    text = pdf_text(pdf)
    # Danish documents write the birth date day first.
    expected = DA("{name} (born {date})").format(name="Şükrü Nguyễn", date="03.09.2016")
    assert expected in text


def test_case_tables_cover_every_table_about_a_case(vault: Vault) -> None:
    """A guard for future tables: a table with a case_id column, or a foreign key
    to cases, must be in CASE_TABLES (subject access and erasure read it)."""
    tables = [
        r[0]
        for r in vault.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    about_cases = set()
    for table in tables:
        columns = {r[1] for r in vault.conn.execute(f"PRAGMA table_info({table})")}
        targets = {r[2] for r in vault.conn.execute(f"PRAGMA foreign_key_list({table})")}
        if "case_id" in columns or "cases" in targets:
            about_cases.add(table)
    assert {"guardians", "agenda_items", "agreements", "sdq_assessments"} <= about_cases
    missing = about_cases - set(CASE_TABLES)
    assert not missing, f"add these tables to case_data_repo.CASE_TABLES: {sorted(missing)}"
    assert set(CASE_TABLES) <= set(tables)
    # Every statement in CASE_TABLES runs on the schema and takes the case id once.
    for table, sql in CASE_TABLES.items():
        assert sql.count("?") == 1, table
        vault.conn.execute(sql, ("no-such-case",)).fetchall()
