"""The start page in one call: what needs the advisor's attention ``today``.

Everything the Overview shows is gathered here on the database thread and
returned as frozen values that carry display text only (labels, names), so
the UI never loads a case to name it. Case labels follow the consent rule
used by the cases list: a named case is shown by name only while a consent
allows it today (``consent.may_become_named``); otherwise, and for every
anonymous case, by first name and age or year group. Showing names is
audited like the cases list (ids and a count only).

The periods are fixed here so that the page and its tests agree: agreements
due within :data:`DUE_SOON_DAYS`, consents expiring within
:data:`CONSENT_DAYS`, agendas checked :data:`AGENDA_AHEAD_DAYS` ahead and the
cadence watched from :data:`CADENCE_BACK_DAYS` ago to
:data:`CADENCE_AHEAD_DAYS` ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain import case_display
from app.domain import consent as consent_rule
from app.domain.calendar_model import DateRange
from app.domain.case_model import CaseKind
from app.domain.seeded_names import display_name
from app.services import agenda_service, agreements_service, cases_service, retention_service
from app.services.calendar_service import CalendarService, MeetingView
from app.store import agreements_repo, audit, cases_repo, consents_repo, forums_repo, sites_repo
from app.store.agreements_repo import AgreementRow
from app.store.vault import Vault

DUE_SOON_DAYS = 7
CONSENT_DAYS = 30
AGENDA_AHEAD_DAYS = 42
CADENCE_BACK_DAYS = 28
CADENCE_AHEAD_DAYS = 28


@dataclass(frozen=True)
class MeetingLine:
    """A meeting of today or this week."""

    id: str
    start: datetime
    end: datetime
    forum: str
    site: str
    status: str
    items: int


@dataclass(frozen=True)
class AgreementLine:
    """An agreement with its child's label, site and owner as shown."""

    id: str
    what: str
    case_id: str | None
    case_label: str
    meeting_id: str | None
    site_id: str | None
    site: str
    owner_id: str | None
    owner: str
    deadline: date | None
    status: str  # open, done, cancelled

    def overdue(self, today: date) -> bool:
        """Open and past its deadline."""
        return self.status == "open" and self.deadline is not None and self.deadline < today

    def due_soon(self, today: date, days: int = DUE_SOON_DAYS) -> bool:
        """Open and due from today to ``today + days`` inclusive."""
        return (
            self.status == "open"
            and self.deadline is not None
            and today <= self.deadline <= today + timedelta(days=days)
        )


@dataclass(frozen=True)
class ConsentLine:
    """A consent that runs out soon."""

    id: str
    case_id: str
    case_label: str
    valid_until: date


@dataclass(frozen=True)
class FailingItemLine:
    """A named child's agenda item the consent rule does not allow by name."""

    id: str  # the agenda item
    meeting_id: str
    start: datetime
    forum: str
    site: str
    case_label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CadenceLine:
    """A site and forum whose longest gap is longer than its rule allows."""

    id: str  # site id and forum kind
    site_id: str
    site: str
    forum: str
    gap_days: int
    max_gap_days: int
    after: date | None
    before: date | None


@dataclass(frozen=True)
class EvaluationLine:
    """An intervention whose evaluation date has come."""

    id: str
    case_id: str
    case_label: str
    intervention: str
    responsible: str
    evaluation_on: date


@dataclass(frozen=True)
class Overview:
    """Everything the start page shows for one day."""

    today: date
    today_meetings: tuple[MeetingLine, ...]
    week_meetings: tuple[MeetingLine, ...]  # the other days of today's ISO week
    overdue: tuple[AgreementLine, ...]
    due_soon: tuple[AgreementLine, ...]
    expiring_consents: tuple[ConsentLine, ...]
    failing_items: tuple[FailingItemLine, ...]
    cadence: tuple[CadenceLine, ...]
    evaluations: tuple[EvaluationLine, ...]
    #: Closed cases and withdrawn consent forms due for erasure.
    erasure_due: int


def gather(vault: Vault, today: date) -> Overview:
    """The Overview for ``today`` (call on the database thread)."""
    calendar = CalendarService(vault)
    monday = today - timedelta(days=today.weekday())
    week = [_meeting_line(m) for m in calendar.between(monday, monday + timedelta(days=6))]
    overdue = agreements_service.overdue(vault, today)
    due_soon = agreements_service.due_within(vault, today, DUE_SOON_DAYS)
    consents = cases_service.expiring_consents(vault, today, CONSENT_DAYS)
    evaluations = agreements_service.due_for_evaluation(vault, today)
    labels = CaseLabels(vault, today)
    labels.load(
        [a.case_id for a in overdue + due_soon if a.case_id]
        + [case_id for case_id, _c in consents]
        + [i.case_id for i in evaluations]
    )
    failing = agenda_service.failing_items(vault, today, today + timedelta(days=AGENDA_AHEAD_DAYS))
    result = Overview(
        today=today,
        today_meetings=tuple(m for m in week if m.start.date() == today),
        week_meetings=tuple(m for m in week if m.start.date() != today),
        overdue=tuple(_agreement_lines(vault, overdue, labels)),
        due_soon=tuple(_agreement_lines(vault, due_soon, labels)),
        expiring_consents=tuple(
            ConsentLine(c.id, case_id, labels.of(case_id), c.valid_until)
            for case_id, c in consents
            if c.valid_until is not None
        ),
        failing_items=tuple(
            FailingItemLine(
                item.id,
                meeting.id,
                meeting.start,
                display_name(meeting.forum_name),
                meeting.site_name,
                item.label,
                item.consent_reasons,
            )
            for meeting, item in failing
        ),
        cadence=tuple(_cadence_lines(vault, calendar, today)),
        evaluations=tuple(
            EvaluationLine(
                i.id,
                i.case_id,
                labels.of(i.case_id),
                display_name(i.type_name),
                i.responsible,
                date.fromisoformat(i.evaluation_on),
            )
            for i in evaluations
        ),
        erasure_due=erasure_due_count(vault, today),
    )
    labels.audit("overview")
    return result


def all_agreements(vault: Vault, today: date) -> list[AgreementLine]:
    """Every agreement (open, done and cancelled), by deadline, for the Agreements page."""
    rows = agreements_repo.query(vault.conn)
    labels = CaseLabels(vault, today)
    labels.load(a.case_id for a in rows if a.case_id)
    lines = _agreement_lines(vault, rows, labels)
    labels.audit("agreements")
    return lines


def erasure_due_count(vault: Vault, today: date) -> int:
    """How many closed cases and withdrawn consent forms are due for erasure."""
    return retention_service.due_count(vault, today)


# --- case labels ------------------------------------------------------------------------


class CaseLabels:
    """Labels of cases on one day, loaded once per call; counts the names shown."""

    def __init__(self, vault: Vault, today: date) -> None:
        self.vault = vault
        self.today = today
        self._labels: dict[str, str] = {}
        self.named: set[str] = set()

    def load(self, case_ids: Iterable[str]) -> None:
        """Work out the labels of ``case_ids`` (each case read once)."""
        wanted = sorted(set(case_ids) - set(self._labels))
        all_consents = consents_repo.of_cases(self.vault.conn, wanted)
        for case_id in wanted:
            row = cases_repo.get(self.vault.conn, case_id)
            if row is None:
                continue
            facts = cases_repo.facts(self.vault.conn, row)
            allowed = consent_rule.may_become_named(
                facts, all_consents.get(case_id, []), self.today
            ).covered
            label = case_display.display_name(facts, self.today, allowed)
            if facts.kind is CaseKind.NAMED and label != case_display.anonymous_label(
                facts, self.today
            ):
                self.named.add(case_id)
            self._labels[case_id] = label

    def of(self, case_id: str | None) -> str:
        """The label of a loaded case ('' for none or an unknown case)."""
        return self._labels.get(case_id, "") if case_id else ""

    def audit(self, purpose: str) -> None:
        """Record that names were shown (the count only), as the cases list does."""
        if self.named:
            self.vault.audit(
                audit.Action.CASE_READ, "case", None, {"purpose": purpose, "named": len(self.named)}
            )


# --- building lines ---------------------------------------------------------------------


def _meeting_line(meeting: MeetingView) -> MeetingLine:
    return MeetingLine(
        meeting.id,
        meeting.start,
        meeting.end,
        display_name(meeting.forum_name),
        meeting.site_name,
        meeting.status,
        meeting.agenda_item_count,
    )


def _site_names(vault: Vault) -> dict[str, str]:
    return {site.id: site.name for site in sites_repo.list_all(vault.conn)}


def _agreement_lines(
    vault: Vault, rows: list[AgreementRow], labels: CaseLabels
) -> list[AgreementLine]:
    sites = _site_names(vault)
    return [
        AgreementLine(
            id=a.id,
            what=a.what,
            case_id=a.case_id,
            case_label=labels.of(a.case_id),
            meeting_id=a.meeting_id,
            site_id=a.site_id,
            site=sites.get(a.site_id, "") if a.site_id else "",
            owner_id=a.owner_contact_id,
            owner=a.owner_name,
            deadline=date.fromisoformat(a.deadline) if a.deadline else None,
            status=a.status,
        )
        for a in rows
    ]


def _cadence_lines(vault: Vault, calendar: CalendarService, today: date) -> list[CadenceLine]:
    period = DateRange(
        today - timedelta(days=CADENCE_BACK_DAYS), today + timedelta(days=CADENCE_AHEAD_DAYS)
    )
    sites = _site_names(vault)
    forums: dict[str, str] = {}
    for forum in forums_repo.list_all(vault.conn):
        forums.setdefault(forum.kind, display_name(forum.name))
    return [
        CadenceLine(
            id=f"{f.site_id}:{f.forum}",
            site_id=f.site_id,
            site=sites.get(f.site_id, ""),
            forum=forums.get(f.forum, f.forum),
            gap_days=f.longest.effective_days,
            max_gap_days=f.max_gap_days,
            after=f.longest.after,
            before=f.longest.before,
        )
        for f in calendar.cadence(period)
        if f.flagged
    ]
