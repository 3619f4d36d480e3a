"""Retention rules: when data about a child is due for erasure.

Pure functions of a case's dates, the vault's rules and ``today``:

* an **anonymous** case is due a number of months (default 12) after it was
  last active: the last meeting that discussed it (not a cancelled one), or
  the day it was opened or reopened if that is later;
* a **named** case is due a number of months (default 60, five years) after
  it was closed; an open named case is never due;
* the **scanned form of a withdrawn consent** is due a number of days
  (default 0: at once) after the withdrawal. The consent record itself — the
  fact that it was given and withdrawn — stays as long as the case does.

"Due on D" means: from day D on, the data should be erased (a case last
discussed on 2025-03-10 is due on 2026-03-10 under the 12-month rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.domain.case_model import CaseKind, CaseStatus
from app.domain.dates import add_months
from app.i18n import N_

DEFAULT_ANONYMOUS_MONTHS = 12
DEFAULT_NAMED_MONTHS = 60
DEFAULT_WITHDRAWN_FORM_DAYS = 0
# Bounds for what the advisor may set: long enough for any municipal policy,
# short enough that a typo (5000 months) is caught.
MAX_MONTHS = 240
MAX_FORM_DAYS = 365


class ClosureReason(StrEnum):
    """Why a case was closed (a code word, never free text)."""

    RESOLVED = "resolved"  # the concern is resolved
    REFERRED = "referred"  # handed over to child services / the authority
    MOVED = "moved"  # the child moved away or changed school
    FAMILY_DECLINED = "family-declined"  # the family ended the cooperation
    OTHER = "other"


CLOSURE_REASON_LABELS: dict[ClosureReason, str] = {
    ClosureReason.RESOLVED: N_("The concern is resolved"),
    ClosureReason.REFERRED: N_("Handed over to child services"),
    ClosureReason.MOVED: N_("The child moved or changed school"),
    ClosureReason.FAMILY_DECLINED: N_("The family ended the cooperation"),
    ClosureReason.OTHER: N_("Other reason"),
}


class DueReason(StrEnum):
    """Which rule made something due."""

    ANONYMOUS_INACTIVE = "anonymous-inactive"
    NAMED_CLOSED = "named-closed"
    CONSENT_WITHDRAWN = "consent-withdrawn"


DUE_REASON_LABELS: dict[DueReason, str] = {
    DueReason.ANONYMOUS_INACTIVE: N_("Anonymous case not discussed for the retention period"),
    DueReason.NAMED_CLOSED: N_("Named case closed longer than the retention period"),
    DueReason.CONSENT_WITHDRAWN: N_("Scanned form of a withdrawn consent"),
}


class ItemKind(StrEnum):
    """What an erasure removes: a whole case, or one scanned consent form."""

    CASE = "case"
    CONSENT_FORM = "consent-form"


@dataclass(frozen=True)
class RetentionRules:
    """The vault's retention periods (settings the advisor can change)."""

    anonymous_months: int = DEFAULT_ANONYMOUS_MONTHS
    named_months: int = DEFAULT_NAMED_MONTHS
    withdrawn_form_days: int = DEFAULT_WITHDRAWN_FORM_DAYS

    def problem(self) -> str | None:
        """Why these rules cannot be stored (untranslated source string), or None."""
        if not 1 <= self.anonymous_months <= MAX_MONTHS:
            return N_("The retention period for anonymous cases must be 1 to 240 months.")
        if not 1 <= self.named_months <= MAX_MONTHS:
            return N_("The retention period for named cases must be 1 to 240 months.")
        if not 0 <= self.withdrawn_form_days <= MAX_FORM_DAYS:
            return N_("The retention period for withdrawn consent forms must be 0 to 365 days.")
        return None


@dataclass(frozen=True)
class CaseDates:
    """The dates of one case that the rules look at."""

    case_id: str
    kind: CaseKind
    status: CaseStatus
    opened_on: date
    closed_on: date | None = None
    reopened_on: date | None = None
    # The last meeting (not cancelled) with an item about this case; may lie
    # in the future when the case is on a coming agenda.
    last_meeting_on: date | None = None


@dataclass(frozen=True)
class FormDates:
    """A consent with a scanned form attached, and its withdrawal date if any."""

    consent_id: str
    case_id: str
    attachment_id: str
    withdrawn_on: date | None


@dataclass(frozen=True)
class DueItem:
    """Something due for erasure: which, why, since when, and from which date on."""

    kind: ItemKind
    case_id: str
    reason: DueReason
    due_on: date  # the first day it is due
    since: date  # the date the period counts from (last activity, closure, withdrawal)
    consent_id: str | None = None
    attachment_id: str | None = None

    def overdue_days(self, today: date) -> int:
        """Days since it became due (0 on the day itself)."""
        return (today - self.due_on).days


def last_activity(case: CaseDates) -> date:
    """The day an anonymous case's period counts from."""
    days = [case.opened_on]
    if case.reopened_on is not None:
        days.append(case.reopened_on)
    if case.last_meeting_on is not None:
        days.append(case.last_meeting_on)
    return max(days)


def case_due_on(case: CaseDates, rules: RetentionRules) -> tuple[date, date, DueReason] | None:
    """(due on, counted since, reason) for a case, or None when no rule applies yet."""
    if case.kind is CaseKind.ANONYMOUS:
        since = last_activity(case)
        return add_months(since, rules.anonymous_months), since, DueReason.ANONYMOUS_INACTIVE
    if case.status is CaseStatus.CLOSED and case.closed_on is not None:
        since = case.closed_on
        return add_months(since, rules.named_months), since, DueReason.NAMED_CLOSED
    return None


def case_due(case: CaseDates, rules: RetentionRules, today: date) -> DueItem | None:
    """The case as a due item when it is due on ``today``, else None."""
    found = case_due_on(case, rules)
    if found is None:
        return None
    due_on, since, reason = found
    if today < due_on:
        return None
    return DueItem(ItemKind.CASE, case.case_id, reason, due_on, since)


def form_due(form: FormDates, rules: RetentionRules, today: date) -> DueItem | None:
    """The scanned form as a due item when its consent was withdrawn long enough ago."""
    if form.withdrawn_on is None:
        return None
    due_on = form.withdrawn_on + timedelta(days=rules.withdrawn_form_days)
    if today < due_on:
        return None
    return DueItem(
        ItemKind.CONSENT_FORM,
        form.case_id,
        DueReason.CONSENT_WITHDRAWN,
        due_on,
        form.withdrawn_on,
        consent_id=form.consent_id,
        attachment_id=form.attachment_id,
    )


def due_items(
    cases: Iterable[CaseDates], forms: Iterable[FormDates], rules: RetentionRules, today: date
) -> list[DueItem]:
    """Everything due on ``today``, longest overdue first.

    A form is not listed separately when its whole case is due: erasing the
    case removes it too.
    """
    found = [item for case in cases if (item := case_due(case, rules, today)) is not None]
    due_cases = {item.case_id for item in found}
    found += [
        item
        for form in forms
        if form.case_id not in due_cases and (item := form_due(form, rules, today)) is not None
    ]
    return sorted(found, key=lambda i: (i.due_on, i.kind, i.case_id, i.consent_id or ""))


def reopen_allowed(case: CaseDates, rules: RetentionRules, today: date) -> bool:
    """True while the case may be reopened: its retention period has not run out."""
    return case_due(case, rules, today) is None
