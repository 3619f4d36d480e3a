"""Minutes written live: autosaved fields per item, attendance, agreements,
interventions, approval (which locks) and addenda (the only later change).

Autosave is one UPDATE of one field in its own transaction, so the editor
can call :func:`save_field` on every pause in typing; a crash loses at most
what was typed since the last call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.clock import iso_utc
from app.domain.dates import add_months
from app.errors import BadInput, MinutesLocked
from app.i18n import _
from app.services import agenda_service, cases_service
from app.services.agenda_service import AgendaView
from app.services.changes import Changes
from app.store import (
    agenda_repo,
    agreements_repo,
    audit,
    contacts_repo,
    interventions_repo,
    minutes_repo,
)
from app.store.agreements_repo import AgreementRow
from app.store.connection import DatabaseError
from app.store.interventions_repo import InterventionRow
from app.store.minutes_repo import ItemMinutesRow
from app.store.vault import Vault

OUTCOMES = ("continue-locally", "network-meeting", "notification", "close-case")
EVALUATION_MONTHS = 3


@dataclass(frozen=True)
class Addendum:
    """A dated correction after approval."""

    id: str
    written_on: date
    author: str
    text: str


@dataclass(frozen=True)
class MinutesView:
    """A meeting's minutes: the agenda, each item's record and the approval state."""

    agenda: AgendaView
    items: dict[str, ItemMinutesRow]  # agenda item id → minutes
    agreements: dict[str, list[AgreementRow]]  # agenda item id → agreements made there
    interventions: dict[str, list[InterventionRow]]
    attendance: list[tuple[str, str, str | None, str | None, bool]]
    approved_on: date | None
    approved_by: str
    addenda: list[Addendum]

    @property
    def approved(self) -> bool:
        """True once approved (and locked)."""
        return self.approved_on is not None


def _check_open(vault: Vault, meeting_id: str) -> None:
    approved_on, _by = minutes_repo.approval(vault.conn, meeting_id)
    if approved_on is not None:
        raise MinutesLocked.now()


def start(vault: Vault, meeting_id: str) -> Changes:
    """Prepare the minutes of a meeting (one record per agenda item)."""
    view = agenda_service.agenda(vault, meeting_id)
    with vault.transaction() as conn:
        minutes_repo.ensure(conn, vault.ctx, meeting_id, [i.id for i in view.items])
    return Changes.of("item_minutes")


def save_field(vault: Vault, agenda_item_id: str, field: str, value: object) -> None:
    """Autosave one field of one item's minutes (one UPDATE, own transaction).

    Text fields: knowledge, discussion, evaluation, general_text,
    notification_by. Values: outcome (one of OUTCOMES or None),
    notification_on (ISO date or None), new_level (0–3 or None),
    new_relay_holder_id (a contact id or None).
    Raises :class:`MinutesLocked` once approved.
    """
    if field == "outcome" and value is not None and value not in OUTCOMES:
        raise BadInput(_("Choose one of the listed outcomes."))
    # type() not isinstance(): True and 2.0 are not levels.
    if field == "new_level" and value is not None and not (type(value) is int and 0 <= value <= 3):
        raise BadInput(_("The level must be 0, 1, 2 or 3."))
    if field == "notification_on" and value is not None:
        if not _is_iso_day(value):
            raise BadInput(_("The notification date is not a date."))
    if field == "new_relay_holder_id" and value is not None:
        if not any(c.id == value for c in contacts_repo.list_all(vault.conn)):
            raise BadInput(_("The relay holder must be one of the contacts."))
    if field in minutes_repo.TEXT_FIELDS and not isinstance(value, str):
        raise BadInput(_("This field takes text."))
    try:
        with vault.transaction() as conn:
            found = minutes_repo.save_field_of_item(conn, vault.ctx, agenda_item_id, field, value)
    except DatabaseError as exc:
        if "approved and locked" in str(exc):
            raise MinutesLocked.now() from None
        raise
    except ValueError:
        raise BadInput(_("This is not a field of the minutes.")) from None
    if not found:
        raise BadInput(_("Start the minutes of this meeting first."))


def _is_iso_day(value: object) -> bool:
    """A date written YYYY-MM-DD (what the vault stores and the PDFs print)."""
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def set_attendance(vault: Vault, meeting_id: str, contact_id: str, present: bool) -> Changes:
    """Record that a contact attended (or was absent)."""
    _check_open(vault, meeting_id)
    with vault.transaction() as conn:
        minutes_repo.set_attendance(conn, vault.ctx, meeting_id, contact_id, present)
    return Changes.of("attendance")


def _item_and_meeting(vault: Vault, agenda_item_id: str) -> agenda_repo.AgendaItemRow:
    item = agenda_repo.get(vault.conn, agenda_item_id)
    if item is None:
        raise BadInput(_("There is no agenda item with the id {id}.").format(id=agenda_item_id))
    return item


def add_agreement(
    vault: Vault,
    agenda_item_id: str,
    what: str,
    *,
    owner_contact_id: str | None = None,
    deadline: date | None = None,
    parent_contact: bool = False,
) -> tuple[str, Changes]:
    """An agreement made at an item: what, who, by when, who keeps the parent contact."""
    item = _item_and_meeting(vault, agenda_item_id)
    _check_open(vault, item.meeting_id)
    if not what.strip():
        raise BadInput(_("An agreement needs to say what is to be done."))
    with vault.transaction() as conn:
        aid = agreements_repo.add(
            conn,
            vault.ctx,
            case_id=item.case_id,
            meeting_id=item.meeting_id,
            agenda_item_id=item.id,
            what=what.strip(),
            owner_contact_id=owner_contact_id,
            deadline=deadline.isoformat() if deadline else None,
            parent_contact=int(parent_contact),
            status="open",
        )
    return aid, Changes.of("agreements", aid)


def add_intervention(
    vault: Vault,
    agenda_item_id: str,
    type_id: str,
    goal: str,
    start_on: date,
    *,
    responsible_contact_id: str | None = None,
    evaluation_on: date | None = None,
) -> tuple[str, Changes]:
    """Start an intervention for the item's child (evaluation by default 3 months on)."""
    item = _item_and_meeting(vault, agenda_item_id)
    if item.case_id is None:
        raise BadInput(_("An intervention belongs to a child's item."))
    _check_open(vault, item.meeting_id)
    if type_id not in {t[0] for t in interventions_repo.types(vault.conn)}:
        raise BadInput(_("Choose a type from the intervention list."))
    evaluation = evaluation_on or add_months(start_on, EVALUATION_MONTHS)
    if evaluation < start_on:
        raise BadInput(_("The evaluation cannot come before the start."))
    with vault.transaction() as conn:
        iid = interventions_repo.add(
            conn,
            vault.ctx,
            case_id=item.case_id,
            type_id=type_id,
            goal=goal,
            responsible_contact_id=responsible_contact_id,
            start_on=start_on.isoformat(),
            evaluation_on=evaluation.isoformat(),
            status="active",
            meeting_id=item.meeting_id,
            agenda_item_id=item.id,
        )
    return iid, Changes.of("interventions", iid)


def intervention_types(vault: Vault) -> list[tuple[str, str]]:
    """(id, stored name) of the intervention catalogue, in list order (for choosing one)."""
    return [(type_id, name) for type_id, _key, name in interventions_repo.types(vault.conn)]


def approve(vault: Vault, meeting_id: str, by: str, on: date) -> Changes:
    """Approve the minutes: they lock, and the items' level/relay/closing outcomes apply."""
    _check_open(vault, meeting_id)
    if not by.strip():
        raise BadInput(_("Say who approves the minutes."))
    start(vault, meeting_id)
    for item_id, record in minutes_repo.items(vault.conn, meeting_id).items():
        item = agenda_repo.get(vault.conn, item_id)
        if item is None or item.case_id is None:
            continue
        if record.new_level is not None or record.new_relay_holder_id is not None:
            case = cases_service.get_case(vault, item.case_id)
            level = record.new_level if record.new_level is not None else case.level
            relay = record.new_relay_holder_id or case.relay_holder_id
            cases_service.set_level(vault, item.case_id, level, on, relay)
        if record.outcome == "close-case":
            cases_service.close_case(vault, item.case_id, on)
    with vault.transaction() as conn:
        minutes_repo.approve(conn, vault.ctx, meeting_id, on.isoformat(), by.strip())
        audit.append(conn, iso_utc(vault.ctx.clock()), "minutes.approved", "meeting", meeting_id)
    return Changes.of("meeting_minutes", meeting_id)


def add_addendum(
    vault: Vault, meeting_id: str, author: str, text: str, on: date
) -> tuple[str, Changes]:
    """A dated correction to approved minutes, shown after the original."""
    approved_on, _by = minutes_repo.approval(vault.conn, meeting_id)
    if approved_on is None:
        raise BadInput(_("The minutes are not approved yet; change them directly."))
    if not author.strip() or not text.strip():
        raise BadInput(_("An addendum needs an author and a text."))
    with vault.transaction() as conn:
        aid = minutes_repo.add_addendum(
            conn, vault.ctx, meeting_id, on.isoformat(), author.strip(), text
        )
        audit.append(
            conn,
            iso_utc(vault.ctx.clock()),
            "minutes.addendum",
            "meeting",
            meeting_id,
            {"addendum": aid},
        )
    return aid, Changes.of("addenda", aid)


def view(vault: Vault, meeting_id: str) -> MinutesView:
    """Everything the minutes editor and the PDFs show for one meeting."""
    agenda = agenda_service.agenda(vault, meeting_id)
    conn = vault.conn
    approved_on, approved_by = minutes_repo.approval(conn, meeting_id)
    return MinutesView(
        agenda=agenda,
        items=minutes_repo.items(conn, meeting_id),
        agreements={i.id: agreements_repo.query(conn, agenda_item_id=i.id) for i in agenda.items},
        interventions={i.id: interventions_repo.of_item(conn, i.id) for i in agenda.items},
        attendance=minutes_repo.attendance(conn, meeting_id),
        approved_on=date.fromisoformat(approved_on) if approved_on else None,
        approved_by=approved_by,
        addenda=[
            Addendum(aid, date.fromisoformat(on), author, text)
            for aid, on, author, text in minutes_repo.addenda(conn, meeting_id)
        ],
    )
