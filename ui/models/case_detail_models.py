"""What the case page shows: its header texts, and a table model per section.

The data is read in one go on the database thread by
:func:`app.services.case_timeline.overview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from app.domain import consent as consent_rule
from app.domain.case_model import Consent, ConsentForm, Guardian
from app.domain.retention import CLOSURE_REASON_LABELS, ClosureReason
from app.domain.seeded_names import display_name
from app.i18n import _
from app.reports.sdq_words import band_words, informant_name, version_name
from app.services import case_timeline
from app.services.case_timeline import CaseOverview, LevelChange, TimelineEntry
from app.services.sdq_service import Assessment
from app.store.agreements_repo import AgreementRow
from app.store.contacts_repo import Contact
from app.store.interventions_repo import InterventionRow
from ui.formatting import day_text, sort_key, time_text
from ui.models.id_table_model import Column, IdTableModel


def person_choices_of(contacts: list[Contact]) -> list[tuple[str, str]]:
    """Contacts as a choice shows them: "Name – Role, Site", by name."""

    def text(c: Contact) -> str:
        where = ", ".join(p for p in (display_name(c.role) if c.role else "", c.site) if p)
        return f"{c.name} – {where}" if where else c.name

    return [(c.id, text(c)) for c in sorted(contacts, key=lambda c: c.name.casefold())]


def person_choices(data: CaseOverview) -> list[tuple[str, str]]:
    """The relay-holder choices of the case page."""
    return person_choices_of(data.people)


def info_text(data: CaseOverview) -> str:
    """The line under the heading: kind, site, level, relay holder, status."""
    parts = [
        _("Named case") if data.named else _("Anonymous case"),
        data.site,
        _("Level {level}").format(level=data.case.level),
        _("Relay holder: {name}").format(name=data.relay_holder or _("nobody yet")),
        _("Open") if data.open else _("Closed"),
    ]
    return " · ".join(p for p in parts if p)


def consent_text(data: CaseOverview) -> tuple[str, bool]:
    """Whether today's consent lets the child be named, in a sentence (and the answer)."""
    if data.consent_ok:
        return _("Consent valid today: the child may be named."), True
    text = _("No valid consent today: the child is shown anonymised.")
    return " ".join((text, *data.consent_reasons)), False


def details_html(data: CaseOverview) -> str:
    """The concern, the child's age or birth date, and when the case was opened and closed."""
    case, facts = data.case, data.facts
    rows = [(_("Concern"), case.concern or "–")]
    if facts.birth_date is not None:
        rows.append((_("Birth date"), day_text(facts.birth_date)))
    if case.age_or_year:
        rows.append((_("Age or year group"), case.age_or_year))
    rows.append((_("Opened"), day_text(date.fromisoformat(case.opened_on))))
    if case.closed_on:
        closed = day_text(date.fromisoformat(case.closed_on))
        reason = getattr(case, "closure_reason", None)
        if reason in {str(r) for r in ClosureReason}:
            closed += " – " + _(CLOSURE_REASON_LABELS[ClosureReason(reason)])
        rows.append((_("Closed"), closed))
    return "".join(f"<p><b>{escape(k)}:</b> {escape(v)}</p>" for k, v in rows)


# --- guardians and consents ---------------------------------------------------------


def guardians_model() -> IdTableModel[Guardian]:
    """The child's guardians."""
    return IdTableModel(
        [
            Column(_("Name"), lambda g: g.name),
            Column(_("Relation"), lambda g: g.relation),
            Column(_("Custody"), lambda g: _("Yes") if g.has_custody else _("No")),
            Column(_("Contact"), lambda g: g.contact),
        ]
    )


@dataclass(frozen=True)
class ConsentLine:
    """A consent with the names of its givers and roles, and its state today."""

    id: str
    consent: Consent
    given_by: str
    scope: str
    state: str
    valid_today: bool


def consent_lines(data: CaseOverview, today: date) -> list[ConsentLine]:
    """The consent history, newest first."""
    guardians = {g.id: g.name for g in data.facts.guardians}
    roles = dict(data.roles)
    lines = []
    for c in sorted(data.consents, key=lambda c: (c.given_on, c.id), reverse=True):
        if c.withdrawn_on is not None and c.withdrawn_on <= today:
            state = _("Withdrawn")
        elif c.given_on > today:
            state = _("Not yet valid")
        elif c.valid_until is not None and c.valid_until < today:
            state = _("Expired")
        else:
            state = _("Valid")
        lines.append(
            ConsentLine(
                id=c.id,
                consent=c,
                given_by=", ".join(sorted(guardians.get(g, "?") for g in c.given_by)),
                scope=", ".join(sorted(display_name(roles.get(r, "?")) for r in c.scope_roles)),
                state=state,
                valid_today=consent_rule.is_valid_on(c, today),
            )
        )
    return lines


def consents_model(ok_colour: str, warning_colour: str) -> IdTableModel[ConsentLine]:
    """The consent history."""
    forms = {ConsentForm.WRITTEN: _("Written"), ConsentForm.ORAL: _("Oral")}
    return IdTableModel(
        [
            Column(
                _("Given on"),
                lambda c: day_text(c.consent.given_on),
                sort_key=lambda c: sort_key(c.consent.given_on),
            ),
            Column(
                _("Today"),
                lambda c: c.state,
                colour=lambda c: ok_colour if c.valid_today else warning_colour,
            ),
            Column(
                _("Valid until"),
                lambda c: day_text(c.consent.valid_until) or _("no end date"),
                sort_key=lambda c: sort_key(c.consent.valid_until),
            ),
            Column(_("Given by"), lambda c: c.given_by),
            Column(_("How"), lambda c: forms.get(c.consent.form, str(c.consent.form))),
            Column(
                _("Withdrawn"),
                lambda c: " ".join(
                    p for p in (day_text(c.consent.withdrawn_on), c.consent.withdrawn_by) if p
                ),
                tooltip=lambda c: c.consent.withdrawal_note or None,
            ),
            Column(_("Covers"), lambda c: c.scope, tooltip=lambda c: c.scope),
            Column(_("Purpose"), lambda c: c.consent.purpose, tooltip=lambda c: c.consent.purpose),
        ]
    )


# --- level history, interventions, agreements -----------------------------------------


@dataclass(frozen=True)
class LevelLine:
    """A level change, numbered (the history has no ids of its own)."""

    id: str
    change: LevelChange


def level_lines(data: CaseOverview) -> list[LevelLine]:
    """The level history, newest first."""
    return [LevelLine(str(i), c) for i, c in reversed(list(enumerate(data.levels)))]


def levels_model() -> IdTableModel[LevelLine]:
    """The level history."""
    return IdTableModel(
        [
            Column(
                _("From"),
                lambda x: day_text(x.change.on),
                sort_key=lambda x: x.change.on.isoformat() + x.id.zfill(6),
            ),
            Column(_("Level"), lambda x: str(x.change.level), sort_key=lambda x: x.change.level),
            Column(_("Relay holder"), lambda x: x.change.relay_holder),
        ]
    )


def _iso_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def interventions_model() -> IdTableModel[InterventionRow]:
    """The interventions started for the child."""
    statuses = {
        "planned": _("Planned"),
        "active": _("Active"),
        "evaluated": _("Evaluated"),
        "stopped": _("Stopped"),
    }
    results = {"met": _("Goal met"), "partly": _("Partly met"), "not-met": _("Not met")}
    return IdTableModel(
        [
            Column(_("Intervention"), lambda i: display_name(i.type_name)),
            Column(_("Goal"), lambda i: i.goal, tooltip=lambda i: i.goal),
            Column(_("Responsible"), lambda i: i.responsible),
            Column(
                _("Start"), lambda i: day_text(_iso_day(i.start_on)), sort_key=lambda i: i.start_on
            ),
            Column(
                _("Evaluation"),
                lambda i: day_text(_iso_day(i.evaluation_on)),
                sort_key=lambda i: i.evaluation_on,
            ),
            Column(_("Status"), lambda i: statuses.get(i.status, i.status)),
            Column(_("Result"), lambda i: results.get(i.result or "", i.result or "")),
        ]
    )


def agreements_model(warning_colour: str, today: date) -> IdTableModel[AgreementRow]:
    """The agreements about the child."""
    statuses = {"open": _("Open"), "done": _("Done"), "cancelled": _("Cancelled")}

    def overdue(a: AgreementRow) -> bool:
        return a.status == "open" and a.deadline is not None and a.deadline < today.isoformat()

    return IdTableModel(
        [
            Column(_("What"), lambda a: a.what, tooltip=lambda a: a.what),
            Column(_("Who"), lambda a: a.owner_name),
            Column(
                _("Deadline"),
                lambda a: day_text(_iso_day(a.deadline)),
                sort_key=lambda a: a.deadline or "9999",
                colour=lambda a: warning_colour if overdue(a) else None,
            ),
            Column(_("Status"), lambda a: statuses.get(a.status, a.status)),
            Column(_("Parent contact"), lambda a: _("Yes") if a.parent_contact else ""),
        ]
    )


# --- SDQ and timeline -------------------------------------------------------------------


def sdq_model() -> IdTableModel[Assessment]:
    """The SDQ assessments, each with its scores and bands."""
    words = band_words(_)

    def score(key: str) -> Column[Assessment]:
        def shown(a: Assessment) -> str:
            value = a.scores.as_dict().get(key)
            return "–" if value is None else str(value)

        def band(a: Assessment) -> str | None:
            key_band = a.bands.get(key)
            return words.get(key_band, key_band) if key_band else None

        def order(a: Assessment) -> int:
            value = a.scores.as_dict().get(key)
            return -1 if value is None else value

        return Column("", shown, sort_key=order, tooltip=band)

    headers = {
        "emotional": _("Emotional"),
        "conduct": _("Conduct"),
        "hyperactivity": _("Hyperactivity"),
        "peer": _("Peer"),
        "prosocial": _("Prosocial"),
        "total": _("Total"),
        "impact": _("Impact"),
    }
    columns: list[Column[Assessment]] = [
        Column(
            _("Date"),
            lambda a: day_text(date.fromisoformat(a.row.on_date)),
            sort_key=lambda a: a.row.on_date,
        ),
        Column(_("Informant"), lambda a: informant_name(a.row.informant, _)),
        Column(_("Form"), lambda a: version_name(a.version.key, a.row.informant, _)),
    ]
    for key, header in headers.items():
        base = score(key)
        columns.append(Column(header, base.display, base.sort_key, base.tooltip, align_right=True))
    columns.append(
        Column(
            _("Total band"),
            lambda a: words.get(a.bands.get("total") or "", a.bands.get("total") or ""),
        )
    )
    return IdTableModel(columns, id_of=lambda a: a.row.id)


def timeline_model() -> IdTableModel[TimelineEntry]:
    """The meetings where the child was on the agenda."""
    statuses = {"planned": _("Planned"), "held": _("Held"), "cancelled": _("Cancelled")}

    def minutes(e: TimelineEntry) -> str:
        if e.approved:
            return _("Approved")
        return _("Draft") if e.outcome or e.meeting_status == "held" else ""

    return IdTableModel(
        [
            Column(
                _("Date"),
                lambda e: f"{day_text(e.start.date())} {time_text(e.start)}",
                sort_key=lambda e: e.start.isoformat(),
            ),
            Column(_("Forum"), lambda e: e.forum),
            Column(_("Site"), lambda e: e.site),
            Column(_("Meeting"), lambda e: statuses.get(e.meeting_status, e.meeting_status)),
            Column(_("Outcome"), lambda e: case_timeline.outcome_text(e.outcome)),
            Column(_("New level"), lambda e: "" if e.new_level is None else str(e.new_level)),
            Column(_("Minutes"), minutes),
        ],
        id_of=lambda e: e.agenda_item_id,
    )
