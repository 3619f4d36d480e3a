"""Printing minutes: the meeting's minutes and one extract per named child.

Names follow the consent rule (as on screen); every anonymised item's texts
pass the leak detector first. Parents in the attendance list are shown by
role only in the meeting's minutes — their name would identify the child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain import case_display, leak_detector
from app.domain.case_model import CaseFacts
from app.domain.seeded_names import display_name
from app.errors import BadInput
from app.fileio import atomic_write
from app.i18n import N_, _, language_for_country, translator
from app.reports.sdq_words import SdqSeries
from app.services import sdq_service
from app.services.agenda_service import (
    LEAK_OVERRIDE_REASONS,
    ItemView,
    LeakBlocked,
    with_sl49a_identity,
)
from app.services.minutes_service import MinutesView, view
from app.store import agenda_repo, audit, cases_repo, contacts_repo, minutes_repo, roles_repo
from app.store.vault import Vault, outside_data_folder

if TYPE_CHECKING:
    from app.reports import minutes_pdf

_OUTCOMES = {
    "continue-locally": N_("Continue locally."),
    "network-meeting": N_("Refer to a network meeting."),
    "close-case": N_("Close the case."),
}


@dataclass(frozen=True)
class PrintedMinutes:
    """What :func:`print_minutes` wrote."""

    minutes: Path
    per_child: tuple[Path, ...]


def override_leak(vault: Vault, agenda_item_id: str, reason: str) -> None:
    """Print an item's minutes despite a leak hit, for one of the fixed reasons (audited).

    Allowed after approval: it changes what may be printed, not the record.
    """
    if reason not in LEAK_OVERRIDE_REASONS:
        raise BadInput(_("Choose one of the listed reasons for printing anyway."))
    with vault.transaction() as conn:
        if not minutes_repo.set_leak_override(conn, vault.ctx, agenda_item_id, reason):
            raise BadInput(_("Start the minutes of this meeting first."))
        audit.append(
            conn,
            vault.now(),
            "minutes.leak_override",
            "agenda_item",
            agenda_item_id,
            {"reason": reason},
        )


def _texts(minutes: MinutesView, item: ItemView) -> dict[str, str]:
    record = minutes.items.get(item.id)
    fields = {"concern": item.text, "notes": item.notes}
    if record is not None:
        fields |= {
            "knowledge": record.knowledge,
            "discussion": record.discussion,
            "evaluation": record.evaluation,
        }
    for n, agreement in enumerate(minutes.agreements.get(item.id, [])):
        fields[f"agreement {n + 1}"] = agreement.what
    for n, intervention in enumerate(minutes.interventions.get(item.id, [])):
        fields[f"intervention {n + 1}"] = f"{intervention.goal}\n{intervention.evaluation}"
    return fields


def _leak(vault: Vault, minutes: MinutesView, item: ItemView) -> str | None:
    """One sentence when an item's minutes would identify a child who is not named.

    General items have no child to compare with, but are checked for
    ID-number-shaped numbers, as on the agenda.
    """
    record = minutes.items.get(item.id)
    if (record is not None and record.leak_override) or item.named_allowed and item.case_id:
        return None
    texts = _texts(minutes, item)
    if item.case_id is None:
        texts["text"] = record.general_text if record else ""
        findings = leak_detector.scan(texts, leak_detector.NO_CHILD)
        return leak_detector.describe(findings, item.label) if findings else None
    findings = leak_detector.scan(texts, _facts(vault, item.case_id))
    return leak_detector.describe(findings, item.anonymous_label) if findings else None


def _facts(vault: Vault, case_id: str) -> CaseFacts:
    row = cases_repo.get(vault.conn, case_id)
    assert row is not None
    return cases_repo.facts(vault.conn, row)


def _addenda_leak(vault: Vault, minutes: MinutesView) -> str | None:
    """Addenda are printed with every item: none may name a child shown anonymised."""
    texts = {f"addendum {n + 1}": a.text for n, a in enumerate(minutes.addenda)}
    if not texts:
        return None
    for item in minutes.agenda.items:
        if item.case_id is None or item.named_allowed:
            continue
        findings = leak_detector.scan(texts, _facts(vault, item.case_id))
        if findings:
            return leak_detector.describe(findings, item.anonymous_label)
    findings = leak_detector.scan(texts, leak_detector.NO_CHILD)
    return leak_detector.describe(findings, "—") if findings else None


def print_minutes(
    vault: Vault, meeting_id: str, out: Path, per_child_dir: Path | None = None
) -> PrintedMinutes:
    """Write the meeting's minutes and, if asked, one extract per child named with consent.

    Raises :class:`LeakBlocked` (nothing written) when an anonymised item
    would identify the child.
    """
    # reportlab is imported when something is printed, not at start-up.
    from app.reports import minutes_pdf

    layout = vault.directory.layout
    if layout.contains(out) or (per_child_dir is not None and layout.contains(per_child_dir)):
        raise outside_data_folder()
    minutes = view(vault, meeting_id)
    for item in minutes.agenda.items:
        leak = _leak(vault, minutes, item)
        if leak:
            raise LeakBlocked(leak)
    leak = _addenda_leak(vault, minutes)
    if leak:
        raise LeakBlocked(leak)
    lang = language_for_country(vault.country)
    tr = translator(lang)
    meeting = minutes.agenda.meeting
    people = _people(vault, tr)
    items = tuple(
        _item_minutes(vault, minutes, item, lang, people) for item in minutes.agenda.items
    )
    present, absent = _attendance(minutes, tr)
    addenda = tuple(
        minutes_pdf.AddendumLine(a.written_on, a.author, a.text) for a in minutes.addenda
    )
    document = minutes_pdf.MeetingMinutes(
        language=lang,
        site_name=meeting.site_name,
        forum_name=tr(display_name(meeting.forum_name)),
        start=meeting.start,
        end=meeting.end,
        iso_week=meeting.iso_week,
        iso_year=meeting.iso_year,
        present=present,
        absent=absent,
        items=items,
        approved_on=minutes.approved_on,
        approved_by=minutes.approved_by,
        addenda=addenda,
    )
    extracts: list[tuple[ItemView, minutes_pdf.ChildExtract]] = []
    if per_child_dir is not None:
        for item, printed in zip(minutes.agenda.items, items, strict=True):
            if item.case_id and item.named_allowed and isinstance(printed, minutes_pdf.CaseMinutes):
                extracts.append((item, _extract(vault, minutes, item, printed, addenda, lang)))
    atomic_write(out, minutes_pdf.meeting_minutes_pdf(document))
    written = []
    for item, extract in extracts:
        assert per_child_dir is not None
        name = f"minutes-{meeting.start:%Y%m%d-%H%M}-{meeting.id[:8]}-{item.position:02d}.pdf"
        atomic_write(per_child_dir / name, minutes_pdf.child_extract_pdf(extract))
        written.append(per_child_dir / name)
    for item, _extract_doc in extracts:
        vault.audit(audit.Action.CASE_READ, "case", item.case_id, {"purpose": "print"})
    vault.audit(
        audit.Action.PRINT,
        "meeting",
        meeting_id,
        {"document": "minutes", "per_child": len(written)},
    )
    return PrintedMinutes(out, tuple(written))


def _attendance(
    minutes: MinutesView, tr: Callable[[str], str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    present: list[str] = []
    absent: list[str] = []
    for _cid, name, role_key, role_name, here in minutes.attendance:
        role = tr(display_name(role_name)) if role_name else ""
        shown = role if role_key == "parent" else (f"{name} ({role})" if role else name)
        (present if here else absent).append(shown)
    return tuple(present), tuple(absent)


def _people(vault: Vault, tr: Callable[[str], str]) -> dict[str, str]:
    """Contact id → how the minutes show them: a parent by role only (their
    name would identify the child), everyone else by name."""
    return {
        c.id: tr(display_name(c.role)) if c.role_id and _is_parent(vault, c.role_id) else c.name
        for c in contacts_repo.list_all(vault.conn)
    }


def _is_parent(vault: Vault, role_id: str) -> bool:
    return any(r.id == role_id and r.key == "parent" for r in roles_repo.list_all(vault.conn))


def _item_minutes(
    vault: Vault, minutes: MinutesView, item: ItemView, lang: str, people: dict[str, str]
) -> minutes_pdf.CaseMinutes | minutes_pdf.GeneralMinutes:
    # reportlab is imported when something is printed, not at start-up.
    from app.reports import minutes_pdf

    tr = translator(lang)
    agreements = tuple(
        minutes_pdf.AgreementLine(
            what=a.what,
            owner=people.get(a.owner_contact_id or "", a.owner_name),
            deadline=date.fromisoformat(a.deadline) if a.deadline else None,
            parent_contact=a.parent_contact,
            status=a.status,
        )
        for a in minutes.agreements.get(item.id, [])
    )
    record = minutes.items.get(item.id)
    if item.case_id is None:
        return minutes_pdf.GeneralMinutes(
            position=item.position,
            title=item.label,
            text=(record.general_text if record else "") or item.notes,
            agreements=agreements,
        )
    facts = _facts(vault, item.case_id)
    day = minutes.agenda.meeting.start.date()
    item_row = agenda_repo.get(vault.conn, item.id)
    assert item_row is not None
    as_named = with_sl49a_identity(facts, item_row)
    label = (
        case_display.named_label(as_named, lang)
        if item.named_allowed
        else case_display.anonymous_label(facts, day, lang)
    )
    interventions = tuple(
        minutes_pdf.InterventionLine(
            type_name=tr(display_name(i.type_name)),
            goal=i.goal,
            responsible=people.get(i.responsible_contact_id or "", i.responsible),
            start=date.fromisoformat(i.start_on),
            evaluation_on=date.fromisoformat(i.evaluation_on),
            status=i.status,
            result=i.result,
            evaluation=i.evaluation,
        )
        for i in minutes.interventions.get(item.id, [])
    )
    outcome = level_change = relay_change = ""
    if record is not None:
        if record.outcome == "notification":
            outcome = tr(N_("Notification made on {date} by {who}.")).format(
                date=record.notification_on or "", who=record.notification_by
            )
        elif record.outcome:
            outcome = tr(_OUTCOMES[record.outcome])
        if record.new_level is not None:
            level_change = tr(N_("New level: {level}.")).format(level=record.new_level)
        if record.new_relay_holder_id:
            holder = next(
                (
                    c.name
                    for c in contacts_repo.list_all(vault.conn)
                    if c.id == record.new_relay_holder_id
                ),
                "",
            )
            relay_change = tr(N_("New relay holder: {name}.")).format(name=holder)
    return minutes_pdf.CaseMinutes(
        position=item.position,
        label=label,
        knowledge=record.knowledge if record else "",
        discussion=record.discussion if record else "",
        agreements=agreements,
        interventions=interventions,
        evaluation=record.evaluation if record else "",
        outcome=outcome,
        level_change=level_change,
        relay_change=relay_change,
    )


def _extract(
    vault: Vault,
    minutes: MinutesView,
    item: ItemView,
    printed: minutes_pdf.CaseMinutes,
    addenda: tuple[minutes_pdf.AddendumLine, ...],
    lang: str,
) -> minutes_pdf.ChildExtract:
    # reportlab is imported when something is printed, not at start-up.
    from app.reports import minutes_pdf

    assert item.case_id is not None
    item_row = agenda_repo.get(vault.conn, item.id)
    assert item_row is not None
    facts = with_sl49a_identity(_facts(vault, item.case_id), item_row)
    if facts.surname is None or facts.birth_date is None:
        raise BadInput(_("The extract needs the child's full name and birth date."))
    meeting = minutes.agenda.meeting
    series: SdqSeries | None = sdq_service.series(vault, item.case_id, lang)
    return minutes_pdf.ChildExtract(
        language=lang,
        site_name=meeting.site_name,
        forum_name=translator(lang)(display_name(meeting.forum_name)),
        start=meeting.start,
        end=meeting.end,
        iso_week=meeting.iso_week,
        iso_year=meeting.iso_year,
        full_name=f"{facts.first_name} {facts.surname}",
        birth_date=facts.birth_date,
        item=printed,
        approved_on=minutes.approved_on,
        addenda=addenda,
        sdq=series if series is not None and series.points else None,
    )
