"""Agendas: items per meeting, the consent guard, the leak check and printing.

Safe by construction: the meeting agenda PDF is built only from anonymised
labels, and every anonymised text passes the leak detector first; per-child
agendas exist only for a child whose name the consent rule (or a recorded
SL §49a exchange) allows in that meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain import case_display, leak_detector
from app.domain import consent as consent_rule
from app.domain.case_model import CaseFacts, CaseKind, CaseStatus, Consent
from app.domain.seeded_names import display_name as seeded_display_name
from app.errors import BadInput, KnownError
from app.fileio import atomic_write
from app.i18n import N_, _, language_for_country, translator
from app.reports import agenda_pdf
from app.services.calendar_service import CalendarService, MeetingView
from app.services.changes import Changes
from app.store import agenda_repo, audit, cases_repo, consents_repo, forums_repo, roles_repo
from app.store.agenda_repo import AgendaItemRow
from app.store.vault import Vault

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
) -> tuple[str, Changes]:
    """Put a child's case on a meeting's agenda."""
    CalendarService(vault).get(meeting_id)
    if cases_repo.get(vault.conn, case_id) is None:
        raise BadInput(_("There is no case with the id {id}.").format(id=case_id))
    if sl49a and vault.country != "DK":
        raise BadInput(_("An exchange under SL § 49 a exists only in Denmark."))
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
            sl49a=int(sl49a),
        )
    return item_id, Changes.of("agenda_items", item_id)


def add_general_item(
    vault: Vault, meeting_id: str, title: str, *, minutes: int = 15, notes: str = ""
) -> tuple[str, Changes]:
    """Add a general item (no child) to a meeting's agenda."""
    CalendarService(vault).get(meeting_id)
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
) -> Changes:
    """Change an item's text, time, title or §49a flag.

    Changing the text clears a leak override: the new text is checked anew.
    """
    item = _item(vault, item_id)
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
        if sl49a and vault.country != "DK":
            raise BadInput(_("An exchange under SL § 49 a exists only in Denmark."))
        fields["sl49a"] = int(sl49a)
    with vault.transaction() as conn:
        agenda_repo.update(conn, vault.ctx, item_id, **fields)
    return Changes.of("agenda_items", item_id)


def remove_item(vault: Vault, item_id: str) -> Changes:
    """Take an item off the agenda."""
    _item(vault, item_id)
    with vault.transaction() as conn:
        agenda_repo.delete(conn, item_id)
    return Changes.of("agenda_items", item_id)


def reorder(vault: Vault, meeting_id: str, item_ids: list[str]) -> Changes:
    """Put the meeting's items in this order."""
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
    """Case ids to carry forward: open cases at the site that were on the previous
    agenda of the same forum and site and are not on this one yet.

    (Overdue agreements and interventions due for evaluation join these once
    the minutes issue adds them.)
    """
    service = CalendarService(vault)
    meeting = service.get(meeting_id)
    earlier = [
        m
        for m in service.between(
            meeting.start.date().replace(year=meeting.start.year - 1), meeting.start.date()
        )
        if m.site_id == meeting.site_id
        and m.forum_id == meeting.forum_id
        and m.start < meeting.start
        and m.agenda_item_count
    ]
    if not earlier:
        return []
    previous = earlier[-1]
    present = {i.case_id for i in agenda_repo.of_meeting(vault.conn, meeting_id)}
    result = []
    for item in agenda_repo.of_meeting(vault.conn, previous.id):
        if item.case_id and item.case_id not in present:
            case = cases_repo.get(vault.conn, item.case_id)
            if case is not None and case.status == CaseStatus.OPEN:
                result.append(item.case_id)
    return result


def agenda(vault: Vault, meeting_id: str) -> AgendaView:
    """The meeting's agenda with each item's consent state and leak check."""
    meeting = CalendarService(vault).get(meeting_id)
    roles = invited_roles(vault, meeting)
    rows = agenda_repo.of_meeting(vault.conn, meeting_id)
    case_ids = [r.case_id for r in rows if r.case_id]
    all_consents = consents_repo.of_cases(vault.conn, case_ids)
    day = meeting.start.date()
    items = []
    for row in rows:
        if row.case_id is None:
            items.append(
                ItemView(
                    row.id,
                    row.position,
                    row.kind,
                    None,
                    row.title,
                    row.title,
                    True,
                    (),
                    row.notes,
                    row.notes,
                    row.minutes,
                    False,
                    None,
                    row.leak_override,
                )
            )
            continue
        case_row = cases_repo.get(vault.conn, row.case_id)
        assert case_row is not None
        case = cases_repo.facts(vault.conn, case_row)
        items.append(_case_item(row, case, all_consents[row.case_id], day, roles))
    return AgendaView(meeting, roles, tuple(items))


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
    label = case_display.display_name(case, day, verdict.covered, row.sl49a)
    text = case.concern
    findings = leak_detector.scan({"concern": case.concern, "notes": row.notes}, case)
    leak = leak_detector.describe(findings, anonymous) if findings else None
    reasons = () if allowed or case.kind is CaseKind.ANONYMOUS else verdict.reasons
    return ItemView(
        row.id,
        row.position,
        row.kind,
        row.case_id,
        label,
        anonymous,
        allowed or row.sl49a,
        reasons,
        text,
        row.notes,
        row.minutes,
        row.sl49a,
        leak,
        row.leak_override,
    )


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
    agenda_bytes = agenda_pdf.meeting_agenda_pdf(document)
    atomic_write(out, agenda_bytes)
    written = []
    for item, child in children:
        assert per_child_dir is not None
        path = per_child_dir / f"agenda-{meeting.start:%Y%m%d}-{item.position:02d}.pdf"
        atomic_write(path, agenda_pdf.child_agenda_pdf(child))
        written.append(path)
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
    assert item.case_id is not None
    tr = translator(lang)
    row = cases_repo.get(vault.conn, item.case_id)
    assert row is not None
    facts = cases_repo.facts(vault.conn, row)
    vault.audit(audit.Action.CASE_READ, "case", item.case_id, {"purpose": "print"})
    if facts.surname is None or facts.birth_date is None:
        raise BadInput(_("The per-child agenda needs the child's full name and birth date."))
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
    tr: object,
) -> str:
    assert callable(tr)
    verdict = consent_rule.verdict(facts, consents_repo.of_case(vault.conn, case_id), day, roles)
    by_id = {c.id: c for c in consents_repo.of_case(vault.conn, case_id)}
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
