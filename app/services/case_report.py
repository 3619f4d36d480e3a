"""Subject access: everything the vault holds about one child, as PDF and JSON.

For a parent's request for access (GDPR art. 15). The JSON holds every row
of every table about the case (scanned forms as base64); the PDF presents
the same, readably. Nothing about another child is included: meetings appear
only as date, site and forum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain import case_display
from app.domain.case_model import CaseKind
from app.fileio import atomic_write
from app.i18n import N_, language_for_country, translator
from app.services import cases_service, sdq_service
from app.store import audit, case_data_repo
from app.store.vault import Vault, outside_data_folder

if TYPE_CHECKING:
    pass

FORMAT = "samraad-subject-access"
VERSION = 1

# Section titles and the columns shown in the PDF for each table.
_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("guardians", N_("Guardians"), ("name", "relation", "has_custody", "contact")),
    ("case_levels", N_("Level history"), ("on_date", "level")),
    (
        "consents",
        N_("Consents"),
        (
            "given_on",
            "form",
            "purpose",
            "valid_until",
            "withdrawn_on",
            "withdrawn_by",
            "withdrawal_note",
        ),
    ),
    ("agenda_items", N_("Agenda items"), ("meeting_id", "position", "minutes", "notes", "sl49a")),
    (
        "item_minutes",
        N_("Minutes"),
        (
            "meeting_id",
            "knowledge",
            "discussion",
            "evaluation",
            "outcome",
            "notification_on",
            "new_level",
        ),
    ),
    ("agreements", N_("Agreements"), ("what", "deadline", "status", "parent_contact")),
    (
        "interventions",
        N_("Interventions"),
        ("start_on", "goal", "evaluation_on", "status", "result", "evaluation"),
    ),
    (
        "sdq_assessments",
        N_("SDQ assessments"),
        ("on_date", "informant", "version", "answers", "scale_scores"),
    ),
    ("audit_log", N_("Audit entries about the case"), ("at", "action", "details")),
)


# Readable labels for the stored columns shown in the PDF (the JSON keeps
# the column names, which is what a machine reader wants).
_LABELS = {
    "id": N_("Record id"),
    "kind": N_("Kind"),
    "first_name": N_("First name"),
    "surname": N_("Surname"),
    "birth_date": N_("Date of birth"),
    "age_or_year": N_("Age or year group"),
    "site_id": N_("Site"),
    "concern": N_("Concern"),
    "level": N_("Level"),
    "relay_holder_id": N_("Relay holder"),
    "status": N_("Status"),
    "opened_on": N_("Opened"),
    "closed_on": N_("Closed"),
    "custody_exception": N_("Why one custody holder's consent is not needed"),
    "created_at": N_("Created"),
    "updated_at": N_("Last changed"),
    "name": N_("Name"),
    "relation": N_("Relation"),
    "has_custody": N_("Has custody"),
    "contact": N_("Contact"),
    "on_date": N_("Date"),
    "given_on": N_("Given on"),
    "form": N_("Form"),
    "purpose": N_("Purpose"),
    "valid_until": N_("Valid until"),
    "withdrawn_on": N_("Withdrawn on"),
    "withdrawn_by": N_("Withdrawn by"),
    "withdrawal_note": N_("Note on the withdrawal"),
    "meeting_id": N_("Meeting"),
    "position": N_("Item no."),
    "minutes": N_("Minutes allotted"),
    "notes": N_("Notes"),
    "sl49a": N_("Shared under SL § 49 a"),
    "knowledge": N_("Knowledge shared"),
    "discussion": N_("Discussion"),
    "evaluation": N_("Evaluation"),
    "outcome": N_("Outcome"),
    "notification_on": N_("Notification made on"),
    "new_level": N_("New level"),
    "what": N_("What"),
    "deadline": N_("Deadline"),
    "parent_contact": N_("Keeps the parent contact"),
    "start_on": N_("Start"),
    "goal": N_("Goal"),
    "evaluation_on": N_("Evaluation date"),
    "result": N_("Result"),
    "informant": N_("Informant"),
    "version": N_("Version"),
    "answers": N_("Answers"),
    "scale_scores": N_("Scale scores"),
    "at": N_("Time"),
    "action": N_("Action"),
    "details": N_("Details"),
}


@dataclass(frozen=True)
class CaseReportFiles:
    """What :func:`write` produced."""

    pdf: Path
    json: Path | None


def collect(vault: Vault, case_id: str, generated_at: str) -> dict[str, Any]:
    """The subject-access data of one case."""
    cases_service.get_case(vault, case_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": generated_at,
        "case_id": case_id,
        "tables": case_data_repo.rows_about_case(vault.conn, case_id),
        "meetings": case_data_repo.meetings_of_case(vault.conn, case_id),
    }


def write(
    vault: Vault, case_id: str, pdf_out: Path, json_out: Path | None, today: date
) -> CaseReportFiles:
    """Write the subject-access PDF (and JSON); the read is audited."""
    # reportlab is imported when something is printed, not at start-up.
    from app.reports import case_report_pdf

    layout = vault.directory.layout
    for target in (pdf_out, json_out):
        if target is not None and layout.contains(target):
            raise outside_data_folder()
    facts = cases_service.facts(vault, case_id)
    data = collect(vault, case_id, vault.now())
    lang = language_for_country(vault.country)
    tr = translator(lang)
    label = (
        case_display.named_label(facts, lang)
        if facts.kind is CaseKind.NAMED
        else case_display.anonymous_label(facts, today, lang)
    )
    meetings = {m["id"]: m for m in data["meetings"]}
    sections = [
        case_report_pdf.ReportSection(
            tr(N_("The case")),
            tuple(
                (tr(_LABELS.get(key, key)), "" if value is None else str(value))
                for key, value in data["tables"]["cases"][0].items()
                if key not in ("writer_vault_id",)
            ),
        )
    ]
    for table, title, columns in _SECTIONS:
        rows: list[tuple[str, str]] = []
        for row in data["tables"][table]:
            for column in columns:
                value = row.get(column)
                if column == "meeting_id" and value in meetings:
                    m = meetings[value]
                    value = f"{m['start_utc'][:10]} {m['site']} ({m['forum']})"
                rows.append((tr(_LABELS.get(column, column)), "" if value is None else str(value)))
            rows.append(("", ""))
        sections.append(case_report_pdf.ReportSection(tr(title), tuple(rows[:-1] if rows else ())))
    series = sdq_service.series(vault, case_id, lang)
    report = case_report_pdf.CaseReport(
        language=lang,
        generated_on=today,
        child_label=label,
        sections=tuple(sections),
        sdq=series if series.points else None,
    )
    atomic_write(pdf_out, case_report_pdf.case_report_pdf(report))
    if json_out is not None:
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write(json_out, text.encode("utf-8"))
    vault.audit(audit.Action.CASE_READ, "case", case_id, {"purpose": "subject-access"})
    vault.audit(audit.Action.PRINT, "case", case_id, {"document": "subject-access"})
    return CaseReportFiles(pdf_out, json_out)
