"""The consent rule: does parental consent allow a child to be discussed by name?

A consent covers a meeting when, on the meeting date, it has been given
(``given_on`` on or before the date), has not expired (``valid_until`` is the
last valid day, inclusive), has not been withdrawn (a consent withdrawn *on*
the meeting date no longer covers it: the rule works in whole days and cannot
know whether the withdrawal came before the meeting started), and its scope
includes every role invited to the meeting.

Where guardians share custody, every custody holder must have consented
(appear in ``given_by`` of a consent that passes on its own) unless the
advisor has recorded why not (``CaseFacts.custody_exception``, e.g. a court
order). Otherwise one passing consent is enough.

Every user-visible sentence is translated and names no person and no date:
the reasons end up in agendas and logs.

Pure: no I/O and no clock. The caller passes the meeting date or ``today``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.case_model import CaseFacts, Consent
from app.i18n import _

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class ConsentVerdict:
    """Whether the consents on file cover a meeting (or a change to a named case).

    ``reasons`` are translated sentences saying why not (empty when covered);
    they never contain names or dates of birth. ``consent_ids`` are the
    consents that together cover it (empty when not covered).
    """

    covered: bool
    reasons: tuple[str, ...]
    consent_ids: tuple[str, ...]


def is_valid_on(consent: Consent, day: date) -> bool:
    """True when ``consent`` is in force on ``day``.

    Given on or before ``day``, not past ``valid_until`` (the last valid day,
    inclusive) and not withdrawn on or before ``day``.
    """
    if consent.given_on > day:
        return False
    if consent.valid_until is not None and day > consent.valid_until:
        return False
    return consent.withdrawn_on is None or consent.withdrawn_on > day


def consent_problem(
    consent: Consent, meeting_date: date, invited_roles: frozenset[str]
) -> str | None:
    """Say in one sentence why ``consent`` alone does not cover the meeting, or None.

    None means the consent is valid on ``meeting_date`` (see ``is_valid_on``)
    and its scope includes every role in ``invited_roles``.
    """
    problem = _validity_problem(consent, meeting_date, for_meeting=True)
    if problem is not None:
        return problem
    if not invited_roles <= consent.scope_roles:
        return _("The consent does not cover every invited role.")
    return None


def verdict(
    case: CaseFacts,
    consents: Sequence[Consent],
    meeting_date: date,
    invited_roles: frozenset[str],
) -> ConsentVerdict:
    """Decide whether ``consents`` let ``case`` be discussed by name at a meeting.

    Each consent must pass ``consent_problem`` on its own; then the custody
    rule (module docstring) decides whether the passing ones are enough.
    The reasons are the failing consents' problems (each sentence once, in
    order), and "Not every guardian with custody has consented." when a
    custody holder has no consent on file at all.
    """
    return _decide(case, consents, lambda c: consent_problem(c, meeting_date, invited_roles))


def may_become_named(case: CaseFacts, consents: Sequence[Consent], today: date) -> ConsentVerdict:
    """Decide whether an anonymous case may be turned into a named one ``today``.

    The custody rule and validity on ``today`` apply as in ``verdict``; the
    scope is not looked at here, because which roles are invited is a
    question of each meeting and is checked by ``verdict`` then.
    """
    return _decide(case, consents, lambda c: _validity_problem(c, today, for_meeting=False))


def expiring(
    consents: Sequence[Consent], today: date, within_days: int = EXPIRY_WARNING_DAYS
) -> list[Consent]:
    """The consents valid ``today`` whose last valid day is within ``within_days``.

    That is ``today <= valid_until <= today + within_days``, so a consent
    whose last day is today is still listed (it is the last chance to renew).
    Sorted by ``valid_until``, then id, so the list reads the same every time.
    """
    if within_days < 0:
        raise ValueError("within_days must not be negative")
    last = today + timedelta(days=within_days)
    found = [
        c
        for c in consents
        if c.valid_until is not None and today <= c.valid_until <= last and is_valid_on(c, today)
    ]
    return sorted(found, key=lambda c: (c.valid_until or today, c.id))


def _validity_problem(consent: Consent, day: date, *, for_meeting: bool) -> str | None:
    """One sentence saying why ``consent`` is not in force on ``day``, or None.

    Withdrawal is named before expiry: when both apply, the withdrawal is
    what the advisor needs to know (a renewal will not help).
    """
    if consent.given_on > day:
        if for_meeting:
            return _("The consent was given after the meeting date.")
        return _("The consent is dated in the future.")
    if consent.withdrawn_on is not None and consent.withdrawn_on <= day:
        if for_meeting:
            return _("The consent was withdrawn on or before the meeting date.")
        return _("The consent has been withdrawn.")
    if consent.valid_until is not None and day > consent.valid_until:
        if for_meeting:
            return _("The consent had expired before the meeting.")
        return _("The consent has expired.")
    return None


def _decide(
    case: CaseFacts,
    consents: Sequence[Consent],
    problem_of: Callable[[Consent], str | None],
) -> ConsentVerdict:
    """Apply the custody rule to the consents that pass ``problem_of`` on their own."""
    if not consents:
        return ConsentVerdict(False, (_("There is no consent for this child."),), ())

    passing: list[Consent] = []
    reasons: list[str] = []
    for consent in consents:
        problem = problem_of(consent)
        if problem is None:
            passing.append(consent)
        elif problem not in reasons:
            reasons.append(problem)

    holders = frozenset(g.id for g in case.guardians if g.has_custody)
    # A blank exception is not a recorded reason: the advisor must say why.
    exception_recorded = bool(case.custody_exception and case.custody_exception.strip())

    if holders and not exception_recorded:
        # Only consents given by a custody holder count here; one given by
        # nobody in particular (empty given_by) cannot stand for a parent.
        counting = [c for c in passing if c.given_by & holders]
        consented: set[str] = set()
        for c in counting:
            consented |= c.given_by
        if holders <= consented:
            return ConsentVerdict(True, (), tuple(c.id for c in counting))
        # A holder whose only consent fails is explained by that consent's
        # problem; the custody sentence is for a holder with none on file.
        on_file: set[str] = set()
        for c in consents:
            on_file |= c.given_by
        if not holders <= on_file:
            reasons.append(_("Not every guardian with custody has consented."))
        return ConsentVerdict(False, tuple(reasons), ())

    if passing:
        return ConsentVerdict(True, (), tuple(c.id for c in passing))
    # Every consent failed on its own, so ``reasons`` holds at least one sentence.
    return ConsentVerdict(False, tuple(reasons), ())
