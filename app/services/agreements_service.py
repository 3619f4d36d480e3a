"""Agreements across all meetings (due, overdue, done), staged-procedure
templates, and interventions after the meeting (evaluation)."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain import procedures
from app.domain.seeded_names import display_name
from app.errors import BadInput
from app.i18n import _, language_for_country, translator
from app.services import cases_service
from app.services.calendar_service import CalendarService
from app.services.changes import Changes
from app.store import agreements_repo, contacts_repo, interventions_repo
from app.store.agreements_repo import AgreementRow
from app.store.interventions_repo import InterventionRow
from app.store.vault import Vault

STATUSES = ("open", "done", "cancelled")
RESULTS = ("met", "partly", "not-met")


def set_status(vault: Vault, agreement_id: str, status: str) -> Changes:
    """Mark an agreement open, done or cancelled (allowed after approval too)."""
    if status not in STATUSES:
        raise BadInput(_("Choose open, done or cancelled."))
    with vault.transaction() as conn:
        if not agreements_repo.update(conn, vault.ctx, agreement_id, status=status):
            raise BadInput(_("There is no such agreement."))
    return Changes.of("agreements", agreement_id)


def overdue(vault: Vault, today: date) -> list[AgreementRow]:
    """Open agreements whose deadline has passed (before ``today``)."""
    return agreements_repo.query(vault.conn, status="open", deadline_before=today.isoformat())


def due_within(vault: Vault, today: date, days: int) -> list[AgreementRow]:
    """Open agreements due from ``today`` to ``today + days`` inclusive."""
    if days < 0:
        raise BadInput(_("The number of days cannot be negative."))
    return agreements_repo.query(
        vault.conn,
        status="open",
        deadline_from=today.isoformat(),
        deadline_to=(today + timedelta(days=days)).isoformat(),
    )


def by_site(vault: Vault, site_id: str, status: str | None = "open") -> list[AgreementRow]:
    """Agreements about children at (or made at meetings at) one site."""
    return agreements_repo.query(vault.conn, site_id=site_id, status=status)


def by_owner(vault: Vault, contact_id: str, status: str | None = "open") -> list[AgreementRow]:
    """Agreements one contact owns."""
    return agreements_repo.query(vault.conn, owner_contact_id=contact_id, status=status)


def by_case(vault: Vault, case_id: str, status: str | None = None) -> list[AgreementRow]:
    """Every agreement about one child."""
    return agreements_repo.query(vault.conn, case_id=case_id, status=status)


# --- staged procedures --------------------------------------------------------------


def templates(vault: Vault) -> list[tuple[str, str]]:
    """(id, display name) of the procedure templates."""
    return [(tid, display_name(name)) for tid, _key, name in agreements_repo.templates(vault.conn)]


def add_template(
    vault: Vault, name: str, steps: list[tuple[str, str | None, int, bool]]
) -> tuple[str, Changes]:
    """A new template: steps of (what, owner role id, offset in days, count school days)."""
    if not name.strip() or not steps:
        raise BadInput(_("A procedure needs a name and at least one step."))
    for what, _role, offset, _school in steps:
        if not what.strip() or offset < 0:
            raise BadInput(_("Each step needs a text and a deadline of 0 or more days."))
    with vault.transaction() as conn:
        tid = agreements_repo.add_template(conn, vault.ctx, name.strip())
        for what, role, offset, school in steps:
            agreements_repo.add_step(conn, vault.ctx, tid, what.strip(), role, offset, school)
    return tid, Changes.of("procedure_templates", tid)


def apply_template(
    vault: Vault, template_id: str, case_id: str, start: date
) -> tuple[list[str], Changes]:
    """Create the template's agreements for a case, with deadlines counted from ``start``.

    Each step's owner is the contact with the step's role at the child's
    site when there is exactly one; otherwise the owner is left for the
    advisor to choose. Step texts are written in the vault's language.
    """
    case = cases_service.get_case(vault, case_id)
    steps = agreements_repo.steps(vault.conn, template_id)
    if not steps:
        raise BadInput(_("There is no such procedure, or it has no steps."))
    horizon = start + timedelta(days=max(s.offset_days for s in steps) * 3 + 30)
    calendar = CalendarService(vault).closure_calendar(start.year, horizon.year)
    tr = translator(language_for_country(vault.country))
    contacts = [c for c in contacts_repo.list_all(vault.conn) if c.site_id == case.site_id]
    created = []
    with vault.transaction() as conn:
        for step in steps:
            owners = [c.id for c in contacts if c.role_id == step.owner_role_id]
            deadline = procedures.step_deadline(start, step.offset_days, step.school_days, calendar)
            created.append(
                agreements_repo.add(
                    conn,
                    vault.ctx,
                    case_id=case_id,
                    what=tr(step.what),
                    owner_contact_id=owners[0] if len(owners) == 1 else None,
                    deadline=deadline.isoformat(),
                    status="open",
                    template_step_id=step.id,
                )
            )
    return created, Changes(frozenset({"agreements"}), frozenset(created))


# --- interventions after the meeting --------------------------------------------------


def evaluate(
    vault: Vault, intervention_id: str, text: str, result: str, on: date | None = None
) -> Changes:
    """Record how an intervention went: goal met, partly met or not met."""
    if result not in RESULTS:
        raise BadInput(_("Choose met, partly met or not met."))
    with vault.transaction() as conn:
        found = interventions_repo.update(
            conn,
            vault.ctx,
            intervention_id,
            evaluation=text,
            result=result,
            status="evaluated",
            **({"evaluation_on": on.isoformat()} if on else {}),
        )
    if not found:
        raise BadInput(_("There is no such intervention."))
    return Changes.of("interventions", intervention_id)


def due_for_evaluation(vault: Vault, today: date, within_days: int = 0) -> list[InterventionRow]:
    """Interventions whose evaluation date is today + ``within_days`` or earlier."""
    return interventions_repo.due_for_evaluation(
        vault.conn, (today + timedelta(days=within_days)).isoformat()
    )


def add_intervention_type(vault: Vault, name: str) -> tuple[str, Changes]:
    """Add a type to the editable intervention catalogue."""
    if not name.strip():
        raise BadInput(_("An intervention type needs a name."))
    with vault.transaction() as conn:
        tid = interventions_repo.add_type(conn, vault.ctx, name.strip())
    return tid, Changes.of("intervention_types", tid)
