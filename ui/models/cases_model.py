"""The Cases list: one row per child, as the advisor's own working list shows it.

What the list shows (decided against product.md and security.md): this is
the advisor's own vault, not an agenda or an export, so a named case shows
its full name and birth date — as the global search does — and reading the
list is audited by ``cases_service.list_cases``. Whether today's consent
would allow naming the child is its own column ("No valid consent" with the
reasons as a tooltip), because that is what decides how the child appears
on the next agenda. Anonymous cases show the first name or pseudonym and
the age or year group, never more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.case_model import CaseKind, CaseStatus
from app.i18n import _
from app.services import cases_service, sites_service
from app.store.vault import Vault
from ui.formatting import day_text, sort_key
from ui.models.id_table_model import Column, IdTableModel

#: Row filters of the list.
SHOW_OPEN, SHOW_CLOSED, SHOW_ALL = "open", "closed", "all"


@dataclass(frozen=True)
class CaseLine:
    """One case as the list shows it."""

    id: str
    label: str
    named: bool
    site: str
    level: int
    relay_holder: str
    open: bool
    consent_ok: bool
    consent_reasons: tuple[str, ...]
    opened_on: date
    expires_on: date | None = None  # a valid consent runs out within 30 days


def load_cases(vault: Vault, today: date) -> list[CaseLine]:
    """Every case with the names of its site and relay holder (database thread)."""
    summaries = cases_service.list_cases(vault, today)
    directory = sites_service.directory(vault)
    sites = {s.id: s.name for s in directory.sites}
    people = {c.id: c.name for c in directory.contacts}
    expiring: dict[str, date] = {}
    for case_id, consent in cases_service.expiring_consents(vault, today):
        if consent.valid_until is not None:
            expiring.setdefault(case_id, consent.valid_until)
    return [
        CaseLine(
            id=s.row.id,
            label=cases_service.list_label(s.row, today),
            named=s.row.kind == CaseKind.NAMED,
            site=sites.get(s.row.site_id, ""),
            level=s.row.level,
            relay_holder=people.get(s.row.relay_holder_id or "", ""),
            open=s.row.status == CaseStatus.OPEN,
            consent_ok=s.consent_valid_today,
            consent_reasons=s.consent_reasons,
            opened_on=date.fromisoformat(s.row.opened_on),
            expires_on=expiring.get(s.row.id),
        )
        for s in summaries
    ]


def shown(lines: list[CaseLine], which: str) -> list[CaseLine]:
    """The lines the status filter lets through."""
    if which == SHOW_OPEN:
        return [line for line in lines if line.open]
    if which == SHOW_CLOSED:
        return [line for line in lines if not line.open]
    return list(lines)


def _consent_text(line: CaseLine) -> str:
    if line.consent_ok and line.expires_on is not None:
        return _("Valid until {day}").format(day=day_text(line.expires_on))
    if line.consent_ok:
        return _("Valid today")
    return _("No valid consent") if line.named else _("None")


def cases_model(warning_colour: str) -> IdTableModel[CaseLine]:
    """The list's columns; ``warning_colour`` marks a named case without valid consent."""
    return IdTableModel(
        [
            Column(_("Child"), lambda c: c.label, sort_key=lambda c: c.label.casefold()),
            Column(_("Kind"), lambda c: _("Named") if c.named else _("Anonymous")),
            Column(_("Site"), lambda c: c.site),
            Column(_("Level"), lambda c: str(c.level), sort_key=lambda c: c.level),
            Column(_("Relay holder"), lambda c: c.relay_holder),
            Column(
                _("Consent"),
                _consent_text,
                tooltip=lambda c: " ".join(c.consent_reasons) or None,
                colour=lambda c: warning_colour if c.named and not c.consent_ok else None,
            ),
            Column(_("Status"), lambda c: _("Open") if c.open else _("Closed")),
            Column(
                _("Opened"),
                lambda c: day_text(c.opened_on),
                sort_key=lambda c: sort_key(c.opened_on),
            ),
        ]
    )
