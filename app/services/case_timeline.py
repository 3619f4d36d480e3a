"""Read-only views of one case for its page: meetings, level history, interventions.

The case page shows when the child was discussed (and what the minutes
decided), how the level changed, and the interventions started, next to
the consents, agreements and SDQ results that other services own.
:func:`overview` reads all of it at once; only that read of a named case is
audited (through :func:`app.services.cases_service.read_named`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.domain import consent as consent_rule
from app.domain.case_display import anonymous_label, named_label
from app.domain.case_model import CaseFacts, CaseKind, Consent
from app.domain.closures import TIMEZONES
from app.domain.seeded_names import display_name
from app.i18n import N_, _
from app.reports.sdq_words import SdqSeries
from app.services import agreements_service, cases_service, sdq_service, sites_service
from app.services.calendar_service import from_utc_text
from app.services.sdq_service import Assessment
from app.store import case_timeline_repo, cases_repo, contacts_repo, interventions_repo
from app.store.agreements_repo import AgreementRow
from app.store.cases_repo import CaseRow
from app.store.contacts_repo import Contact
from app.store.interventions_repo import InterventionRow
from app.store.vault import Vault

#: The outcomes of a case item in the minutes, as the advisor reads them.
OUTCOME_WORDS = {
    "continue-locally": N_("Continue locally"),
    "network-meeting": N_("Network meeting"),
    "notification": N_("Notification to child services"),
    "close-case": N_("Close the case"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """A meeting where the child was on the agenda (newest first in lists)."""

    agenda_item_id: str
    meeting_id: str
    start: datetime  # local, timezone-aware
    meeting_status: str  # planned | held | cancelled
    site: str
    forum: str  # translated when it is a seeded name
    outcome: str | None  # a key of OUTCOME_WORDS, or None when not decided
    new_level: int | None
    approved: bool


@dataclass(frozen=True)
class LevelChange:
    """One entry of the level history, oldest first."""

    on: date
    level: int
    relay_holder_id: str | None
    relay_holder: str  # the contact's name, '' when none


def _zone(vault: Vault) -> ZoneInfo:
    return ZoneInfo(TIMEZONES.get(vault.country, "Europe/Copenhagen"))


def meetings(vault: Vault, case_id: str) -> list[TimelineEntry]:
    """Every meeting that had the child on its agenda, newest first."""
    cases_service.get_case(vault, case_id)
    zone = _zone(vault)
    return [
        TimelineEntry(
            agenda_item_id=row.agenda_item_id,
            meeting_id=row.meeting_id,
            start=from_utc_text(row.start_utc).astimezone(zone),
            meeting_status=row.meeting_status,
            site=row.site_name,
            forum=display_name(row.forum_name),
            outcome=row.outcome,
            new_level=row.new_level,
            approved=row.approved_on is not None,
        )
        for row in case_timeline_repo.of_case(vault.conn, case_id)
    ]


def level_history(vault: Vault, case_id: str) -> list[LevelChange]:
    """Every level change of the case with the relay holder's name, oldest first."""
    cases_service.get_case(vault, case_id)
    names = {c.id: c.name for c in contacts_repo.list_all(vault.conn)}
    return [
        LevelChange(on, level, holder, names.get(holder, "") if holder else "")
        for on, level, holder in cases_repo.level_history(vault.conn, case_id)
    ]


def interventions(vault: Vault, case_id: str) -> list[InterventionRow]:
    """The case's interventions by start date (type names as stored)."""
    cases_service.get_case(vault, case_id)
    return interventions_repo.of_case(vault.conn, case_id)


def outcome_text(outcome: str | None) -> str:
    """An outcome key as the advisor reads it ('' when none)."""
    if outcome is None:
        return ""
    word = OUTCOME_WORDS.get(outcome)
    return _(word) if word is not None else outcome


@dataclass(frozen=True)
class CaseOverview:
    """Everything about one case that its page shows."""

    case: CaseRow
    facts: CaseFacts
    site: str
    relay_holder: str
    consents: list[Consent]
    consent_ok: bool  # a consent valid today would let the child be named
    consent_reasons: tuple[str, ...]
    levels: list[LevelChange]
    interventions: list[InterventionRow]
    agreements: list[AgreementRow]
    assessments: list[Assessment]
    series: SdqSeries
    timeline: list[TimelineEntry]
    roles: list[tuple[str, str]]  # (role id, stored name)
    people: list[Contact]  # every contact (relay holder choices)

    @property
    def named(self) -> bool:
        """Whether the case is a named case."""
        return self.facts.kind is CaseKind.NAMED

    @property
    def open(self) -> bool:
        """Whether the case is open."""
        return self.case.status == "open"

    def label(self, today: date) -> str:
        """Full name and birth date, or first name and age."""
        if self.named and self.facts.surname and self.facts.birth_date is not None:
            return named_label(self.facts)
        return anonymous_label(self.facts, today)


def overview(vault: Vault, case_id: str, today: date, audited: bool) -> CaseOverview:
    """Read the case and every section of its page.

    ``audited``: the advisor is opening the case, so reading a named case is
    written to the audit log; a refresh after a change is not logged again.
    """
    if audited:
        facts = cases_service.read_named(vault, case_id, "case-page")
    else:
        facts = cases_service.facts(vault, case_id)
    case = cases_service.get_case(vault, case_id)
    consents = cases_service.consents(vault, case_id)
    verdict = consent_rule.may_become_named(facts, consents, today)
    directory = sites_service.directory(vault)
    return CaseOverview(
        case=case,
        facts=facts,
        site=next((s.name for s in directory.sites if s.id == case.site_id), ""),
        relay_holder=next((c.name for c in directory.contacts if c.id == case.relay_holder_id), ""),
        consents=consents,
        consent_ok=verdict.covered,
        consent_reasons=verdict.reasons,
        levels=level_history(vault, case_id),
        interventions=interventions(vault, case_id),
        agreements=agreements_service.by_case(vault, case_id),
        assessments=sdq_service.assessments(vault, case_id),
        series=sdq_service.series(vault, case_id),
        timeline=meetings(vault, case_id),
        roles=list(directory.roles),
        people=list(directory.contacts),
    )
