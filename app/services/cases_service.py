"""Cases, guardians, consents and levels: the use cases around one child.

The consent rule itself is pure (``app/domain/consent.py``); this module
loads the facts, asks the rule, and refuses what the rule refuses. Reading a
named case is audited (security.md): the audit entry names the case id only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from app.domain import case_display, retention
from app.domain import consent as consent_rule
from app.domain.case_model import CaseFacts, CaseKind, CaseStatus, Consent, ConsentForm
from app.domain.closures import TIMEZONES
from app.domain.retention import ClosureReason
from app.errors import BadInput, KnownError
from app.i18n import _
from app.services.changes import Changes
from app.store import (
    audit,
    cases_repo,
    consents_repo,
    retention_repo,
    roles_repo,
    settings_repo,
    sites_repo,
)
from app.store.cases_repo import CaseRow
from app.store.vault import Vault

ATTACHMENT_LIMIT_SETTING = "consent_attachment_max_bytes"
DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024
MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff")


class CaseNotFound(BadInput):
    """A case id that is not in the vault."""


class ConsentMissing(KnownError):
    """The consent rule does not allow what was asked (e.g. naming the child)."""


class RetentionOver(KnownError):
    """The case's retention period has run out: it is due for erasure, not for reuse."""


@dataclass(frozen=True)
class CaseSummary:
    """A case as lists show it, with today's consent state."""

    row: CaseRow
    consent_valid_today: bool
    consent_reasons: tuple[str, ...]


def get_case(vault: Vault, case_id: str) -> CaseRow:
    """One case, or :class:`CaseNotFound`."""
    row = cases_repo.get(vault.conn, case_id)
    if row is None:
        raise CaseNotFound(_("There is no case with the id {id}.").format(id=case_id))
    return row


def facts(vault: Vault, case_id: str) -> CaseFacts:
    """The rule-facing facts of one case."""
    return cases_repo.facts(vault.conn, get_case(vault, case_id))


def read_named(vault: Vault, case_id: str, purpose: str) -> CaseFacts:
    """The facts of a case for showing or printing its name: audited when named."""
    found = facts(vault, case_id)
    if found.kind is CaseKind.NAMED:
        vault.audit(audit.Action.CASE_READ, "case", case_id, {"purpose": purpose})
    return found


def create_anonymous(
    vault: Vault,
    first_name: str,
    site_id: str,
    concern: str,
    today: date,
    *,
    age_or_year: str = "",
    level: int = 0,
    relay_holder_id: str | None = None,
) -> tuple[str, Changes]:
    """Open an anonymous case: first name or pseudonym, age or year group, the concern."""
    if not first_name.strip():
        raise BadInput(_("A case needs a first name or a pseudonym."))
    if sites_repo.get(vault.conn, site_id) is None:
        raise BadInput(_("There is no such site."))
    _check_level(level)
    with vault.transaction() as conn:
        case_id = cases_repo.add(
            conn,
            vault.ctx,
            kind=str(CaseKind.ANONYMOUS),
            first_name=first_name.strip(),
            age_or_year=age_or_year.strip(),
            site_id=site_id,
            concern=concern,
            level=level,
            relay_holder_id=relay_holder_id,
            status=str(CaseStatus.OPEN),
            opened_on=today.isoformat(),
        )
        cases_repo.add_level(conn, vault.ctx, case_id, level, today, relay_holder_id)
    return case_id, Changes.of("cases", case_id)


def _check_level(level: int) -> None:
    if level not in (0, 1, 2, 3):
        raise BadInput(_("The level must be 0, 1, 2 or 3."))


def add_guardian(
    vault: Vault, case_id: str, name: str, relation: str, has_custody: bool, contact: str = ""
) -> tuple[str, Changes]:
    """Record a guardian of the child."""
    get_case(vault, case_id)
    if not name.strip():
        raise BadInput(_("A guardian needs a name."))
    with vault.transaction() as conn:
        gid = cases_repo.add_guardian(
            conn, vault.ctx, case_id, name.strip(), relation.strip(), has_custody, contact
        )
    return gid, Changes.of("guardians", gid)


def set_custody_exception(vault: Vault, case_id: str, reason: str | None) -> Changes:
    """Record why one custody holder's consent is not required (None: it is required)."""
    get_case(vault, case_id)
    value = reason.strip() if reason else None
    with vault.transaction() as conn:
        cases_repo.update(conn, vault.ctx, case_id, custody_exception=value or None)
    return Changes.of("cases", case_id)


def attachment_limit(vault: Vault) -> int:
    """The largest scanned consent form accepted, in bytes (configurable)."""
    value = settings_repo.get(vault.conn, ATTACHMENT_LIMIT_SETTING)
    return int(value) if value else DEFAULT_ATTACHMENT_LIMIT


def record_consent(
    vault: Vault,
    case_id: str,
    given_on: date,
    form: ConsentForm,
    given_by: Iterable[str],
    scope_roles: Iterable[str],
    *,
    purpose: str = "",
    valid_until: date | None = None,
    documented_by: str = "",
    scan: bytes | None = None,
    scan_media_type: str = "application/pdf",
) -> tuple[str, Changes]:
    """Record a consent (and its scanned form, stored encrypted inside the vault)."""
    get_case(vault, case_id)
    guardian_ids = {g.id for g in cases_repo.guardians(vault.conn, case_id)}
    givers = frozenset(given_by)
    if not givers:
        raise BadInput(_("Say which guardian gave the consent."))
    if not givers <= guardian_ids:
        raise BadInput(_("The consent names someone who is not a guardian of this child."))
    if form is ConsentForm.ORAL and not documented_by.strip():
        raise BadInput(_("An oral consent must say who documented it."))
    if valid_until is not None and valid_until < given_on:
        raise BadInput(_("A consent cannot end before it was given."))
    roles = frozenset(scope_roles)
    if not roles:
        raise BadInput(_("Say which roles the consent covers."))
    if not roles <= {r.id for r in roles_repo.list_all(vault.conn)}:
        raise BadInput(_("The consent names a role that is not in the role list."))
    if scan is not None:
        if len(scan) > attachment_limit(vault):
            raise BadInput(_("The scanned form is larger than the allowed size."))
        if scan_media_type not in MEDIA_TYPES:
            raise BadInput(_("The scanned form must be a PDF, JPEG, PNG or TIFF file."))
    record = Consent(
        id="",
        given_on=given_on,
        form=form,
        given_by=givers,
        scope_roles=roles,
        purpose=purpose,
        documented_by=documented_by.strip(),
        valid_until=valid_until,
    )
    with vault.transaction() as conn:
        attachment_id = (
            consents_repo.add_attachment(conn, vault.ctx, scan, scan_media_type)
            if scan is not None
            else None
        )
        cid = consents_repo.add(conn, vault.ctx, case_id, record, attachment_id)
    return cid, Changes.of("consents", cid)


def withdraw_consent(vault: Vault, consent_id: str, on: date, by: str, note: str = "") -> Changes:
    """Record that a consent was withdrawn (it stops covering meetings on that day)."""
    case_id = consents_repo.case_of(vault.conn, consent_id)
    if case_id is None:
        raise BadInput(_("There is no such consent."))
    if not by.strip():
        raise BadInput(_("Say who withdrew the consent."))
    with vault.transaction() as conn:
        consents_repo.withdraw(conn, vault.ctx, consent_id, on, by.strip(), note)
    return Changes.of("consents", consent_id)


def consents(vault: Vault, case_id: str) -> list[Consent]:
    """Every consent of a case."""
    return consents_repo.of_case(vault.conn, case_id)


def make_named(vault: Vault, case_id: str, surname: str, birth_date: date, today: date) -> Changes:
    """Turn an anonymous case into a named one — only with a consent valid today.

    Raises :class:`ConsentMissing` with the rule's reasons otherwise.
    """
    case = facts(vault, case_id)
    if case.kind is CaseKind.NAMED:
        raise BadInput(_("This case is already named."))
    if not surname.strip():
        raise BadInput(_("A named case needs a surname."))
    if birth_date > today:
        raise BadInput(_("The birth date is in the future."))
    verdict = consent_rule.may_become_named(case, consents(vault, case_id), today)
    if not verdict.covered:
        raise ConsentMissing(
            _("The case cannot be named: {reasons}").format(reasons=" ".join(verdict.reasons))
        )
    with vault.transaction() as conn:
        cases_repo.update(
            conn,
            vault.ctx,
            case_id,
            kind=str(CaseKind.NAMED),
            surname=surname.strip(),
            birth_date=birth_date.isoformat(),
        )
    return Changes.of("cases", case_id)


def set_level(
    vault: Vault, case_id: str, level: int, on: date, relay_holder_id: str | None = None
) -> Changes:
    """Change the case's BTI level (0–3) and relay holder; the history keeps the old ones."""
    get_case(vault, case_id)
    _check_level(level)
    with vault.transaction() as conn:
        cases_repo.update(conn, vault.ctx, case_id, level=level, relay_holder_id=relay_holder_id)
        cases_repo.add_level(conn, vault.ctx, case_id, level, on, relay_holder_id)
    return Changes.of("cases", case_id)


def close_case(
    vault: Vault, case_id: str, on: date, reason: ClosureReason | str | None = None
) -> Changes:
    """Close a case on ``on`` for ``reason`` (a :class:`ClosureReason`).

    The closure date starts a named case's retention period. ``reason`` may be
    None only where no one could be asked (an outcome written in the minutes).
    """
    case = get_case(vault, case_id)
    if on < date.fromisoformat(case.opened_on):
        raise BadInput(_("A case cannot be closed before it was opened."))
    if reason is not None:
        try:
            reason = ClosureReason(reason)
        except ValueError:
            raise BadInput(_("Choose one of the listed reasons for closing the case.")) from None
    with vault.transaction() as conn:
        cases_repo.update(
            conn,
            vault.ctx,
            case_id,
            status=str(CaseStatus.CLOSED),
            closed_on=on.isoformat(),
            closure_reason=None if reason is None else str(reason),
        )
    return Changes.of("cases", case_id)


def reopen_case(vault: Vault, case_id: str, today: date | None = None) -> Changes:
    """Reopen a closed case; its retention period no longer runs.

    Refused once the retention period has run out (the case is due for
    erasure): such data must be erased, not used again — open a new case.
    ``today`` defaults to the vault clock's day in the vault's time zone.
    """
    case = get_case(vault, case_id)
    if case.status != CaseStatus.CLOSED:
        raise BadInput(_("This case is open already."))
    tz = ZoneInfo(TIMEZONES.get(vault.country, "Europe/Copenhagen"))
    day = today if today is not None else vault.directory.clock().astimezone(tz).date()
    [dates] = retention_repo.case_dates(vault.conn, tz, [case_id])
    if not retention.reopen_allowed(dates, retention_repo.rules(vault.conn), day):
        raise RetentionOver(
            _(
                "This case's retention period has run out, so it can no longer be reopened; "
                "erase it and open a new case if the child needs one."
            )
        )
    with vault.transaction() as conn:
        cases_repo.update(
            conn,
            vault.ctx,
            case_id,
            status=str(CaseStatus.OPEN),
            closed_on=None,
            closure_reason=None,
            reopened_on=day.isoformat(),
        )
    return Changes.of("cases", case_id)


def list_label(row: CaseRow, today: date) -> str:
    """How the advisor's own lists show a case: full name and birth date when named."""
    birth = date.fromisoformat(row.birth_date) if row.birth_date else None
    case = CaseFacts(
        id=row.id,
        kind=CaseKind(row.kind),
        first_name=row.first_name,
        surname=row.surname,
        birth_date=birth,
        age_or_year=row.age_or_year,
    )
    if case.kind is CaseKind.NAMED and row.surname and birth is not None:
        return case_display.named_label(case)
    return case_display.anonymous_label(case, today)


def list_cases(vault: Vault, today: date) -> list[CaseSummary]:
    """Every case with today's consent state (roles are checked per meeting)."""
    rows = cases_repo.list_all(vault.conn)
    all_consents = consents_repo.of_cases(vault.conn, [r.id for r in rows])
    summaries = []
    for row in rows:
        case = cases_repo.facts(vault.conn, row)
        verdict = consent_rule.may_become_named(case, all_consents[row.id], today)
        summaries.append(CaseSummary(row, verdict.covered, verdict.reasons))
    named = sum(1 for s in summaries if s.row.kind == CaseKind.NAMED)
    if named:
        vault.audit(audit.Action.CASE_READ, "case", None, {"purpose": "list", "named": named})
    return summaries


def expiring_consents(
    vault: Vault, today: date, within_days: int = 30
) -> list[tuple[str, Consent]]:
    """(case id, consent) of consents that run out within ``within_days``."""
    rows = [r for r in cases_repo.list_all(vault.conn) if r.status == CaseStatus.OPEN]
    all_consents = consents_repo.of_cases(vault.conn, [r.id for r in rows])
    found = [
        (case_id, c)
        for case_id, items in all_consents.items()
        for c in consent_rule.expiring(items, today, within_days)
    ]
    return sorted(found, key=lambda pair: (pair[1].valid_until or today, pair[0]))
