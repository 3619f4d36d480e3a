"""Agendas: items per meeting, the consent guard, the leak check and printing.

Safe by construction: the meeting agenda PDF is built only from anonymised
labels, and every anonymised text passes the leak detector first; per-child
agendas exist only for a child whose name the consent rule (or a recorded
SL §49a exchange) allows in that meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain import case_display, leak_detector
from app.domain import consent as consent_rule
from app.domain.case_model import CaseFacts, CaseKind, CaseStatus, Consent
from app.domain.seeded_names import display_name as seeded_display_name
from app.errors import BadInput, KnownError, MinutesLocked
from app.fileio import atomic_write
from app.i18n import N_, _, language_for_country, translator
from app.services.calendar_service import CalendarService, MeetingView
from app.services.changes import Changes
from app.store import (
    agenda_repo,
    agreements_repo,
    audit,
    cases_repo,
    consents_repo,
    forums_repo,
    interventions_repo,
    minutes_repo,
    roles_repo,
)
from app.store.agenda_repo import AgendaItemRow
from app.store.vault import Vault, outside_data_folder

if TYPE_CHECKING:
    from app.reports import agenda_pdf

# Fixed reasons for printing despite a leak hit: the audit log may hold only
# words, never the advisor's free text.
LEAK_OVERRIDE_REASONS = ("not-about-the-child", "common-word", "guardians-agreed")


class LeakBlocked(KnownError):
    """An anonymised item's text contains something that identifies the child."""


@dataclass(frozen=True)
class ItemView:
    """One agenda item as the meeting shows it on a given date."""

    id: str
    position: int
    kind: str
    case_id: str | None
    label: str  # named label only when allowed for this meeting, else anonymised
    anonymous_label: str  # what the meeting agenda PDF prints
    named_allowed: bool
    consent_reasons: tuple[str, ...]
    text: str
    notes: str
    minutes: int
    sl49a: bool
    leak: str | None  # one sentence when the anonymised text would leak, else None
    leak_override: str | None


@dataclass(frozen=True)
class AgendaView:
    """A meeting with its agenda."""

    meeting: MeetingView
    invited_roles: frozenset[str]
    items: tuple[ItemView, ...]

    @property
    def total_minutes(self) -> int:
        """Minutes allotted to all items."""
        return sum(item.minutes for item in self.items)

    @property
    def meeting_minutes(self) -> int:
        """The meeting's length."""
        return int((self.meeting.end - self.meeting.start).total_seconds() // 60)

    @property
    def over_time(self) -> bool:
        """True when the items need more time than the meeting has."""
        return self.total_minutes > self.meeting_minutes


@dataclass(frozen=True)
class PrintedFiles:
    """What :func:`print_agenda` wrote."""

    agenda: Path
    per_child: tuple[Path, ...]


def invited_roles(vault: Vault, meeting: MeetingView) -> frozenset[str]:
    """Role ids invited to a meeting: its own list, else its forum's default roles."""
    own = agenda_repo.invited_roles(vault.conn, meeting.id)
    if own is not None:
        return frozenset(own)
    forum = forums_repo.get(vault.conn, meeting.forum_id)
    keys = set(forum.participant_roles) if forum else set()
    return frozenset(r.id for r in roles_repo.list_all(vault.conn) if r.key in keys)


def set_invited_roles(vault: Vault, meeting_id: str, role_ids: list[str] | None) -> Changes:
    """Invite these roles (None: the forum's defaults). The consent guard follows."""
    CalendarService(vault).get(meeting_id)
    with vault.transaction() as conn:
        agenda_repo.set_invited_roles(conn, vault.ctx, meeting_id, role_ids)
    return Changes.of("meetings", meeting_id)


def add_case_item(
    vault: Vault,
    meeting_id: str,
    case_id: str,
    *,
    minutes: int = 15,
    notes: str = "",
    sl49a: bool = False,
    sl49a_surname: str = "",
    sl49a_birth_date: date | None = None,
) -> tuple[str, Changes]:
    """Put a child's case on a meeting's agenda.

    ``sl49a`` records a single-meeting exchange without consent (Denmark);
    for an anonymous case the child's surname and birth date for this one
    meeting come with it — the case itself stays anonymous.
    """
    CalendarService(vault).get(meeting_id)
    _check_not_approved(vault, meeting_id)
    case = cases_repo.get(vault.conn, case_id)
    if case is None:
        raise BadInput(_("There is no case with the id {id}.").format(id=case_id))
    sl49a_fields = _sl49a_fields(vault, case.kind, sl49a, sl49a_surname, sl49a_birth_date)
    _check_minutes(minutes)
    if any(i.case_id == case_id for i in agenda_repo.of_meeting(vault.conn, meeting_id)):
        raise BadInput(_("This child is already on the agenda."))
    with vault.transaction() as conn:
        item_id = agenda_repo.add(
            conn,
            vault.ctx,
            meeting_id,
            kind="case",
            case_id=case_id,
            notes=notes,
            minutes=minutes,
            **sl49a_fields,
        )
    return item_id, Changes.of("agenda_items", item_id)


def add_general_item(
    vault: Vault, meeting_id: str, title: str, *, minutes: int = 15, notes: str = ""
) -> tuple[str, Changes]:
    """Add a general item (no child) to a meeting's agenda."""
    CalendarService(vault).get(meeting_id)
    _check_not_approved(vault, meeting_id)
    if not title.strip():
        raise BadInput(_("A general item needs a title."))
    _check_minutes(minutes)
    with vault.transaction() as conn:
        item_id = agenda_repo.add(
            conn,
            vault.ctx,
            meeting_id,
            kind="general",
            title=title.strip(),
            notes=notes,
            minutes=minutes,
        )
    return item_id, Changes.of("agenda_items", item_id)


def _sl49a_fields(
    vault: Vault, case_kind: str, sl49a: bool, surname: str, birth_date: date | None
) -> dict[str, object]:
    """The §49a columns of an item, after checking they make sense."""
    if not sl49a:
        return {"sl49a": 0, "sl49a_surname": None, "sl49a_birth_date": None}
    if vault.country != "DK":
        raise BadInput(_("An exchange under SL § 49 a exists only in Denmark."))
    if case_kind == CaseKind.NAMED:
        return {"sl49a": 1, "sl49a_surname": None, "sl49a_birth_date": None}
    if not surname.strip() or birth_date is None:
        raise BadInput(
            _(
                "For an exchange under SL § 49 a, give the child's surname and birth date "
                "for this meeting."
            )
        )
    return {
        "sl49a": 1,
        "sl49a_surname": surname.strip(),
        "sl49a_birth_date": birth_date.isoformat(),
    }


def _check_not_approved(vault: Vault, meeting_id: str) -> None:
    """The agenda of approved minutes is part of the record: it is locked too."""
    approved_on, _by = minutes_repo.approval(vault.conn, meeting_id)
    if approved_on is not None:
        raise MinutesLocked.now()


def _check_minutes(minutes: int) -> None:
    if not 0 <= minutes <= 600:
        raise BadInput(_("The time for an item must be between 0 and 600 minutes."))


def _item(vault: Vault, item_id: str) -> AgendaItemRow:
    item = agenda_repo.get(vault.conn, item_id)
    if item is None:
        raise BadInput(_("There is no agenda item with the id {id}.").format(id=item_id))
    return item


def update_item(
    vault: Vault,
    item_id: str,
    *,
    notes: str | None = None,
    minutes: int | None = None,
    title: str | None = None,
    sl49a: bool | None = None,
    sl49a_surname: str = "",
    sl49a_birth_date: date | None = None,
) -> Changes:
    """Change an item's text, time, title or §49a flag.

    Changing the text clears a leak override: the new text is checked anew.
    """
    item = _item(vault, item_id)
    _check_not_approved(vault, item.meeting_id)
    fields: dict[str, object] = {}
    if notes is not None:
        fields["notes"] = notes
        fields["leak_override"] = None
    if minutes is not None:
        _check_minutes(minutes)
        fields["minutes"] = minutes
    if title is not None:
        if item.kind == "general" and not title.strip():
            raise BadInput(_("A general item needs a title."))
        fields["title"] = title.strip()
    if sl49a is not None:
        case = cases_repo.get(vault.conn, item.case_id) if item.case_id else None
        if case is None:
            raise BadInput(_("Only an item about a child can be shared under SL § 49 a."))
        fields.update(_sl49a_fields(vault, case.kind, sl49a, sl49a_surname, sl49a_birth_date))
    with vault.transaction() as conn:
        agenda_repo.update(conn, vault.ctx, item_id, **fields)
    return Changes.of("agenda_items", item_id)


def remove_item(vault: Vault, item_id: str) -> Changes:
    """Take an item off the agenda."""
    _check_not_approved(vault, _item(vault, item_id).meeting_id)
    with vault.transaction() as conn:
        agenda_repo.delete(conn, vault.ctx, item_id)
    return Changes.of("agenda_items", item_id)


def reorder(vault: Vault, meeting_id: str, item_ids: list[str]) -> Changes:
    """Put the meeting's items in this order."""
    _check_not_approved(vault, meeting_id)
    try:
        with vault.transaction() as conn:
            agenda_repo.reorder(conn, vault.ctx, meeting_id, item_ids)
    except ValueError:
        raise BadInput(_("The new order must list every item of the agenda once.")) from None
    return Changes(frozenset({"agenda_items"}), frozenset(item_ids))


def override_leak(vault: Vault, item_id: str, reason: str) -> Changes:
    """Print an item despite a leak hit, for one of the fixed reasons (audited)."""
    if reason not in LEAK_OVERRIDE_REASONS:
        raise BadInput(_("Choose one of the listed reasons for printing anyway."))
    _item(vault, item_id)
    with vault.transaction() as conn:
        agenda_repo.update(conn, vault.ctx, item_id, leak_override=reason)
        audit.append(
            conn, vault.now(), "agenda.leak_override", "agenda_item", item_id, {"reason": reason}
        )
    return Changes.of("agenda_items", item_id)


def suggestions(vault: Vault, meeting_id: str) -> list[str]:
    """Case ids to offer as items (carry-forward), each once, none already on the agenda.

    Open cases at the meeting's site that were on the previous agenda of the
    same forum; that have open agreements overdue or due before the next
    meeting of the forum there; or interventions due for evaluation by then.
    """
    service = CalendarService(vault)
    meeting = service.get(meeting_id)
    day = meeting.start.date()
    same = [
        m
        for m in service.between(day - timedelta(days=366), day + timedelta(days=366))
        if m.site_id == meeting.site_id
        and m.forum_id == meeting.forum_id
        and m.status != "cancelled"
        and m.id != meeting.id
    ]
    earlier = [m for m in same if m.start < meeting.start and m.agenda_item_count]
    later = [m for m in same if m.start > meeting.start]
    next_day = later[0].start.date() if later else day + timedelta(days=28)
    candidates: list[str] = []
    if earlier:
        candidates += [
            i.case_id for i in agenda_repo.of_meeting(vault.conn, earlier[-1].id) if i.case_id
        ]
    candidates += [
        a.case_id
        for a in agreements_repo.query(
            vault.conn,
            status="open",
            site_id=meeting.site_id,
            deadline_before=next_day.isoformat(),
        )
        if a.case_id
    ]
    candidates += [
        i.case_id for i in interventions_repo.due_for_evaluation(vault.conn, next_day.isoformat())
    ]
    present = {i.case_id for i in agenda_repo.of_meeting(vault.conn, meeting_id)}
    result: list[str] = []
    for case_id in dict.fromkeys(candidates):
        case = cases_repo.get(vault.conn, case_id)
        if (
            case is not None
            and case.status == CaseStatus.OPEN
            and case.site_id == meeting.site_id
            and case_id not in present
        ):
            result.append(case_id)
    return result


def agenda(vault: Vault, meeting_id: str) -> AgendaView:
    """The meeting's agenda with each item's consent state and leak check."""
    meeting = CalendarService(vault).get(meeting_id)
    roles = invited_roles(vault, meeting)
    rows = agenda_repo.of_meeting(vault.conn, meeting_id)
    all_consents = consents_repo.of_cases(vault.conn, [r.case_id for r in rows if r.case_id])
    day = meeting.start.date()
    items = []
    for row in rows:
        if row.case_id is None:
            items.append(_general_item(row))
            continue
        case_row = cases_repo.get(vault.conn, row.case_id)
        assert case_row is not None
        case = cases_repo.facts(vault.conn, case_row)
        items.append(_case_item(row, case, all_consents[row.case_id], day, roles))
    return AgendaView(meeting, roles, tuple(items))


def _general_item(row: AgendaItemRow) -> ItemView:
    # No child to compare with, but an ID-number-shaped number is never fit
    # for a handout.
    findings = leak_detector.scan({"notes": row.notes}, leak_detector.NO_CHILD)
    return ItemView(
        id=row.id,
        position=row.position,
        kind=row.kind,
        case_id=None,
        label=row.title,
        anonymous_label=row.title,
        named_allowed=True,
        consent_reasons=(),
        text=row.notes,
        notes=row.notes,
        minutes=row.minutes,
        sl49a=False,
        leak=leak_detector.describe(findings, row.title) if findings else None,
        leak_override=row.leak_override,
    )


def _case_item(
    row: AgendaItemRow,
    case: CaseFacts,
    consents: list[Consent],
    day: date,
    roles: frozenset[str],
) -> ItemView:
    verdict = consent_rule.verdict(case, consents, day, roles)
    allowed = case.kind is CaseKind.NAMED and verdict.covered
    anonymous = case_display.anonymous_label(case, day)
    as_named = with_sl49a_identity(case, row)
    identity = as_named.surname is not None and as_named.birth_date is not None
    findings = leak_detector.scan({"concern": case.concern, "notes": row.notes}, as_named)
    return ItemView(
        id=row.id,
        position=row.position,
        kind=row.kind,
        case_id=row.case_id,
        label=case_display.display_name(as_named, day, verdict.covered, row.sl49a),
        anonymous_label=anonymous,
        named_allowed=allowed or (row.sl49a and identity),
        consent_reasons=() if allowed or case.kind is CaseKind.ANONYMOUS else verdict.reasons,
        text=case.concern,
        notes=row.notes,
        minutes=row.minutes,
        sl49a=row.sl49a,
        leak=leak_detector.describe(findings, anonymous) if findings else None,
        leak_override=row.leak_override,
    )


def with_sl49a_identity(case: CaseFacts, row: AgendaItemRow) -> CaseFacts:
    """The case as this item may name it: an anonymous case shared under §49a
    carries the name recorded for this meeting only."""
    if row.sl49a and case.kind is CaseKind.ANONYMOUS and row.sl49a_surname:
        born = date.fromisoformat(row.sl49a_birth_date) if row.sl49a_birth_date else None
        return replace(case, surname=row.sl49a_surname, birth_date=born)
    return case


def failing_items(vault: Vault, first: date, last: date) -> list[tuple[MeetingView, ItemView]]:
    """Items about named children whose consent does not cover their meeting."""
    found = []
    for meeting in CalendarService(vault).between(first, last):
        if not meeting.agenda_item_count:
            continue
        view = agenda(vault, meeting.id)
        for item in view.items:
            if item.case_id and item.consent_reasons and not item.sl49a:
                found.append((meeting, item))
    return found


def print_agenda(
    vault: Vault, meeting_id: str, out: Path, per_child_dir: Path | None = None
) -> PrintedFiles:
    """Write the meeting agenda (anonymised) and, if asked, one PDF per named child.

    Raises :class:`LeakBlocked` (nothing written) when an anonymised text
    would identify a child and no override is recorded for that item.
    """
    # reportlab is imported when something is printed, not at start-up (~17 MB).
    from app.reports import agenda_pdf

    layout = vault.directory.layout
    if layout.contains(out) or (per_child_dir is not None and layout.contains(per_child_dir)):
        raise outside_data_folder()
    view = agenda(vault, meeting_id)
    blocked = [i for i in view.items if i.leak and not i.leak_override]
    if blocked:
        raise LeakBlocked(blocked[0].leak or "")
    lang = language_for_country(vault.country)
    tr = translator(lang)
    meeting = view.meeting
    role_names = [
        tr(seeded_display_name(r.name))
        for r in roles_repo.list_all(vault.conn)
        if r.id in view.invited_roles
    ]
    document = agenda_pdf.MeetingAgenda(
        language=lang,
        site_name=meeting.site_name,
        forum_name=tr(seeded_display_name(meeting.forum_name)),
        start=meeting.start,
        end=meeting.end,
        iso_week=meeting.iso_week,
        iso_year=meeting.iso_year,
        participants=tuple(role_names),
        items=tuple(
            agenda_pdf.PrintedItem(
                position=i.position,
                kind=i.kind,
                title=_print_label(vault, i, lang, meeting.start.date()),
                text="\n".join(t for t in (i.text, i.notes) if t) if i.case_id else i.notes,
                minutes=i.minutes,
            )
            for i in view.items
        ),
        meeting_minutes=view.meeting_minutes,
    )
    children = []
    if per_child_dir is not None:
        for item in view.items:
            if item.case_id and item.named_allowed:
                children.append(_child_document(vault, view, item, lang))
    atomic_write(out, agenda_pdf.meeting_agenda_pdf(document))
    written = []
    for item, child in children:
        assert per_child_dir is not None and item.case_id is not None
        # Time and meeting id in the name: two meetings on one day printed
        # into the same record folder must not overwrite each other.
        name = f"agenda-{meeting.start:%Y%m%d-%H%M}-{meeting.id[:8]}-{item.position:02d}.pdf"
        atomic_write(per_child_dir / name, agenda_pdf.child_agenda_pdf(child))
        written.append(per_child_dir / name)
    # Audited once the files exist: the log never claims a print that failed.
    for item, _child in children:
        vault.audit(audit.Action.CASE_READ, "case", item.case_id, {"purpose": "print"})
    vault.audit(
        audit.Action.PRINT, "meeting", meeting_id, {"document": "agenda", "per_child": len(written)}
    )
    return PrintedFiles(out, tuple(written))


def _print_label(vault: Vault, item: ItemView, lang: str, day: date) -> str:
    """The item's anonymised label in the document's language."""
    if item.case_id is None:
        return item.anonymous_label
    row = cases_repo.get(vault.conn, item.case_id)
    assert row is not None
    return case_display.anonymous_label(cases_repo.facts(vault.conn, row), day, lang)


def _child_document(
    vault: Vault, view: AgendaView, item: ItemView, lang: str
) -> tuple[ItemView, agenda_pdf.ChildAgenda]:
    from app.reports import agenda_pdf

    assert item.case_id is not None
    tr = translator(lang)
    row = cases_repo.get(vault.conn, item.case_id)
    item_row = agenda_repo.get(vault.conn, item.id)
    assert row is not None and item_row is not None
    facts = with_sl49a_identity(cases_repo.facts(vault.conn, row), item_row)
    assert facts.surname is not None and facts.birth_date is not None
    meeting = view.meeting
    if item.sl49a and not (facts.kind is CaseKind.NAMED and not item.consent_reasons):
        basis = tr(
            N_(
                "Shared without consent under the Social Services Act (serviceloven) § 49 a, "
                "for this meeting only."
            )
        )
    else:
        basis = _consent_basis(
            vault, item.case_id, facts, meeting.start.date(), view.invited_roles, tr
        )
    return item, agenda_pdf.ChildAgenda(
        language=lang,
        site_name=meeting.site_name,
        forum_name=tr(seeded_display_name(meeting.forum_name)),
        start=meeting.start,
        end=meeting.end,
        iso_week=meeting.iso_week,
        iso_year=meeting.iso_year,
        full_name=f"{facts.first_name} {facts.surname}",
        birth_date=facts.birth_date,
        concern="\n".join(t for t in (item.text, item.notes) if t),
        basis=basis,
        minutes=item.minutes,
        position=item.position,
    )


def _consent_basis(
    vault: Vault,
    case_id: str,
    facts: CaseFacts,
    day: date,
    roles: frozenset[str],
    tr: Callable[[str], str],
) -> str:
    consents = consents_repo.of_case(vault.conn, case_id)
    verdict = consent_rule.verdict(facts, consents, day, roles)
    by_id = {c.id: c for c in consents}
    names = {g.id: g.name for g in facts.guardians}
    parts = []
    for cid in verdict.consent_ids:
        c = by_id[cid]
        givers = ", ".join(sorted(names.get(g, "") for g in c.given_by))
        until = c.valid_until.isoformat() if c.valid_until else tr(N_("no end date"))
        parts.append(
            tr(N_("Consent given {date} by {givers}, valid until {until}.")).format(
                date=c.given_on.isoformat(), givers=givers, until=until
            )
        )
    return " ".join(parts)
