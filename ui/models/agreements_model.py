"""The Agreements page's table: every agreement by id, and the page's filters.

Rows are :class:`app.services.overview_service.AgreementLine` values. The
filters work on the rows already fetched (no query per click): a status
filter (all open, overdue, due soon, done, all), a site and an owner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.i18n import N_, _
from app.services.overview_service import DUE_SOON_DAYS, AgreementLine
from ui.formatting import day_text, sort_key
from ui.models.id_table_model import Column, IdTableModel
from ui.models.overview_model import WARNING_COLOUR

#: Status filters in the order the page offers them (value, untranslated label).
STATUS_FILTERS: tuple[tuple[str, str], ...] = (
    ("open", N_("All open")),
    ("overdue", N_("Overdue")),
    ("due", N_("Due within 7 days")),
    ("done", N_("Done")),
    ("all", N_("All agreements")),
)

#: Owner filter value for agreements nobody owns yet.
NO_OWNER = ""


@dataclass(frozen=True)
class AgreementFilter:
    """What the page shows: a status filter, and a site and an owner (None = any)."""

    status: str = "open"
    site_id: str | None = None
    owner_id: str | None = None  # NO_OWNER: agreements without an owner

    def matches(self, line: AgreementLine, today: date) -> bool:
        """Whether ``line`` passes every part of the filter on ``today``."""
        if self.site_id is not None and line.site_id != self.site_id:
            return False
        if self.owner_id is not None and (line.owner_id or NO_OWNER) != self.owner_id:
            return False
        if self.status == "open":
            return line.status == "open"
        if self.status == "overdue":
            return line.overdue(today)
        if self.status == "due":
            return line.due_soon(today, DUE_SOON_DAYS)
        if self.status == "done":
            return line.status == "done"
        return True

    def apply(self, lines: Iterable[AgreementLine], today: date) -> list[AgreementLine]:
        """The lines that pass, in the given order."""
        return [line for line in lines if self.matches(line, today)]


def status_text(line: AgreementLine, today: date) -> str:
    """Open, overdue, done or cancelled, in the chosen language."""
    if line.overdue(today):
        return _("Overdue")
    return {"open": _("Open"), "done": _("Done"), "cancelled": _("Cancelled")}.get(
        line.status, line.status
    )


def sites_of(lines: Iterable[AgreementLine]) -> list[tuple[str, str]]:
    """(site id, name) of the sites the lines belong to, by name."""
    found = {line.site_id: line.site for line in lines if line.site_id}
    return sorted(found.items(), key=lambda pair: (pair[1].casefold(), pair[0]))


def owners_of(lines: Iterable[AgreementLine]) -> tuple[list[tuple[str, str]], bool]:
    """(contact id, name) of the owners, by name; and whether some have no owner."""
    found: dict[str, str] = {}
    unowned = False
    for line in lines:
        if line.owner_id:
            found[line.owner_id] = line.owner
        else:
            unowned = True
    return sorted(found.items(), key=lambda pair: (pair[1].casefold(), pair[0])), unowned


class AgreementsModel(IdTableModel[AgreementLine]):
    """Text, child, site, owner, deadline and status of each agreement."""

    def __init__(self, today: Callable[[], date], parent: Any = None) -> None:
        def warn(line: AgreementLine) -> str | None:
            return WARNING_COLOUR if line.overdue(today()) else None

        columns: list[Column[AgreementLine]] = [
            Column(_("Agreement"), lambda a: a.what, tooltip=lambda a: a.what),
            Column(_("Child"), lambda a: a.case_label or _("No child")),
            Column(_("Site"), lambda a: a.site),
            Column(_("Owner"), lambda a: a.owner or _("No owner")),
            Column(
                _("Deadline"),
                lambda a: day_text(a.deadline),
                sort_key=lambda a: sort_key(a.deadline),
                colour=warn,
            ),
            Column(_("Status"), lambda a: status_text(a, today()), colour=warn),
        ]
        super().__init__(columns, parent=parent)

    #: The column index of the deadline (the page sorts by it first).
    DEADLINE_COLUMN = 4
