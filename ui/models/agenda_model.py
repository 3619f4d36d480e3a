"""Table models of the meeting page: agenda items, agreements, interventions, cases.

The agenda model keeps the items in agenda order (never sorted by the view),
lets the minutes allotted be edited in place and rows be dragged to a new
place; it does not change anything itself, it asks the view (signals), which
asks the service, whose change reloads the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QApplication, QStyle

from app.domain import case_display
from app.domain.seeded_names import display_name
from app.i18n import _
from app.services import agenda_service, cases_service, minutes_service, sites_service
from app.services.agenda_service import ItemView
from app.services.cases_service import CaseSummary
from app.services.minutes_service import MinutesView
from app.store.agreements_repo import AgreementRow
from app.store.contacts_repo import Contact
from app.store.interventions_repo import InterventionRow
from app.store.vault import Vault
from ui.formatting import day_text, sort_key
from ui.models.id_table_model import Column, IdTableModel, Index

#: The mime type of dragged agenda items (their ids, one per line).
ITEM_MIME = "application/x-samraad-agenda-items"
#: Where the minutes allotted sit in the agenda table.
MINUTES_COLUMN = 2
CONSENT_COLUMN = 3
#: Text colour of a warning that reads in light and dark palettes.
WARNING_COLOUR = "#c0392b"


def consent_text(item: ItemView) -> str:
    """The consent state of an item and why, in one line."""
    leak = item.leak if item.leak and not item.leak_override else ""
    if item.case_id is None:
        return leak
    if item.sl49a and item.named_allowed:
        text = _("Named for this meeting under SL § 49 a")
    elif item.named_allowed:
        text = _("Named: the consent covers this meeting")
    elif item.consent_reasons:
        text = _("Shown anonymised: {reasons}").format(reasons=" ".join(item.consent_reasons))
    else:
        text = _("Anonymous discussion")
    return f"{text} — {leak}" if leak else text


def consent_warning(item: ItemView) -> bool:
    """True when the item is shown anonymised against the advisor's likely wish, or leaks."""
    leaks = bool(item.leak and not item.leak_override)
    return leaks or bool(item.case_id and item.consent_reasons)


class AgendaModel(IdTableModel[ItemView]):
    """The agenda items in order; minutes editable; rows can be dragged."""

    #: (item id, minutes) the advisor typed into the minutes cell.
    minutes_edited = Signal(str, int)
    #: The complete new order of item ids after a drop.
    order_requested = Signal(list)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column(_("No."), lambda i: str(i.position), sort_key=lambda i: i.position),
                Column(_("Item"), lambda i: i.label, tooltip=lambda i: i.text or None),
                Column(_("Min."), lambda i: str(i.minutes), lambda i: i.minutes, align_right=True),
                Column(
                    _("Consent"),
                    consent_text,
                    tooltip=lambda i: consent_text(i) or None,
                    colour=lambda i: WARNING_COLOUR if consent_warning(i) else None,
                ),
            ],
            parent=parent,
        )
        self.editable = True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.EditRole
            and index.isValid()
            and index.column() == MINUTES_COLUMN
            and 0 <= index.row() < self.rowCount()
        ):
            return self.row_object(index.row()).minutes
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.isValid()
            and index.column() == CONSENT_COLUMN
            and 0 <= index.row() < self.rowCount()
        ):
            return _consent_icon(self.row_object(index.row()))
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.editable else Qt.ItemFlag.NoItemFlags
        flags = super().flags(index)
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
            if index.column() == MINUTES_COLUMN:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() != MINUTES_COLUMN
            or not self.editable
        ):
            return False
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            return False
        item = self.row_object(index.row())
        if minutes != item.minutes:
            self.minutes_edited.emit(item.id, minutes)
        return True

    # --- drag and drop ----------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ITEM_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        ids = list(dict.fromkeys(self.ids()[i.row()] for i in indexes if i.isValid()))
        data = QMimeData()
        data.setData(ITEM_MIME, QByteArray("\n".join(ids).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return self.editable and data.hasFormat(ITEM_MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        moved = [i for i in bytes(data.data(ITEM_MIME).data()).decode().split("\n") if i]
        ids = self.ids()
        if not moved or any(i not in ids for i in moved):
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(ids))
        before = ids[target] if target < len(ids) else None
        rest = [i for i in ids if i not in moved]
        while before in moved:  # dropped onto itself: keep the place after it
            position = ids.index(before) + 1
            before = ids[position] if position < len(ids) else None
        place = rest.index(before) if before is not None else len(rest)
        order = rest[:place] + moved + rest[place:]
        if order != ids:
            self.order_requested.emit(order)
        return True

    def moved(self, item_id: str, step: int) -> list[str] | None:
        """The order with ``item_id`` moved ``step`` places, or None at an end."""
        ids = self.ids()
        row = ids.index(item_id) if item_id in ids else -1
        if row < 0 or not 0 <= row + step < len(ids):
            return None
        ids[row], ids[row + step] = ids[row + step], ids[row]
        return ids


def _consent_icon(item: ItemView) -> Any:
    style = QApplication.style()
    if consent_warning(item):
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    if item.case_id is None:
        return None
    if item.named_allowed:
        return style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)


def _deadline(row: AgreementRow) -> date | None:
    return date.fromisoformat(row.deadline) if row.deadline else None


def agreement_status(status: str) -> str:
    """An agreement's status as the advisor reads it."""
    return {"open": _("open"), "done": _("done"), "cancelled": _("cancelled")}.get(status, status)


def agreements_model(people: dict[str, str], parent: Any = None) -> IdTableModel[AgreementRow]:
    """Agreements of one item; ``people`` maps contact ids to the names shown."""
    return IdTableModel(
        [
            Column(_("What"), lambda a: a.what, tooltip=lambda a: a.what),
            Column(_("Who"), lambda a: people.get(a.owner_contact_id or "", a.owner_name)),
            Column(
                _("Deadline"),
                lambda a: day_text(_deadline(a)),
                sort_key=lambda a: sort_key(_deadline(a)),
            ),
            Column(_("Parent contact"), lambda a: _("Yes") if a.parent_contact else ""),
            Column(_("Status"), lambda a: agreement_status(a.status)),
        ],
        parent=parent,
    )


def interventions_model(
    people: dict[str, str], parent: Any = None
) -> IdTableModel[InterventionRow]:
    """Interventions started at one item."""
    return IdTableModel(
        [
            Column(_("Intervention"), lambda i: display_name(i.type_name)),
            Column(_("Goal"), lambda i: i.goal, tooltip=lambda i: i.goal or None),
            Column(
                _("Responsible"),
                lambda i: people.get(i.responsible_contact_id or "", i.responsible),
            ),
            Column(
                _("Start"),
                lambda i: day_text(date.fromisoformat(i.start_on)),
                sort_key=lambda i: i.start_on,
            ),
            Column(
                _("Evaluation"),
                lambda i: day_text(date.fromisoformat(i.evaluation_on)),
                sort_key=lambda i: i.evaluation_on,
            ),
        ],
        parent=parent,
    )


def case_label(summary: CaseSummary) -> str:
    """How the case list of the 'add case item' dialog names a child."""
    row = summary.row
    if row.kind == "named" and row.surname:
        return f"{row.first_name} {row.surname}"
    if row.age_or_year:
        return _("{first_name} ({age_or_year})").format(
            first_name=row.first_name, age_or_year=row.age_or_year
        )
    return row.first_name


def cases_model(site_names: dict[str, str], parent: Any = None) -> IdTableModel[CaseSummary]:
    """Open cases to choose from when adding a case item."""
    return IdTableModel(
        [
            Column(_("Child"), case_label),
            Column(_("Site"), lambda s: site_names.get(s.row.site_id, "")),
            Column(_("Kind"), lambda s: _(s.row.kind)),
            Column(_("Level"), lambda s: str(s.row.level), lambda s: s.row.level),
            Column(_("Concern"), lambda s: s.row.concern, tooltip=lambda s: s.row.concern or None),
        ],
        id_of=lambda s: s.row.id,
        parent=parent,
    )


# --- what the meeting page shows, read in one go on the database thread ------


@dataclass(frozen=True)
class PageData:
    """Everything the meeting page shows about one meeting."""

    minutes: MinutesView
    #: (case id, anonymised label) of carry-forward suggestions.
    suggestions: tuple[tuple[str, str], ...]
    contacts: tuple[Contact, ...]
    site_names: dict[str, str]
    #: (contact id, name and role, present) of the people invited or recorded.
    attendance: tuple[tuple[str, str, bool], ...]
    #: (type id, stored name) of the intervention catalogue.
    types: tuple[tuple[str, str], ...]

    @property
    def meeting_id(self) -> str:
        """The meeting shown."""
        return self.minutes.agenda.meeting.id

    @property
    def needs_start(self) -> bool:
        """True when an agenda item has no minutes record yet (and they are not approved)."""
        return not self.minutes.approved and any(
            item.id not in self.minutes.items for item in self.minutes.agenda.items
        )


def load_page(vault: Vault, meeting_id: str) -> PageData:
    """Read the meeting page (database thread; services only)."""
    minutes = minutes_service.view(vault, meeting_id)
    meeting = minutes.agenda.meeting
    day = meeting.start.date()
    suggestions = tuple(
        (case_id, case_display.anonymous_label(cases_service.facts(vault, case_id), day))
        for case_id in agenda_service.suggestions(vault, meeting_id)
    )
    directory = sites_service.directory(vault)
    recorded = {row[0]: row[4] for row in minutes.attendance}
    invited = minutes.agenda.invited_roles
    people = [
        c
        for c in directory.contacts
        if c.id in recorded
        or c.site_id == meeting.site_id
        or (c.site_id is None and c.role_id in invited)
    ]
    attendance = tuple(
        (
            c.id,
            f"{c.name} — {display_name(c.role)}" if c.role else c.name,
            recorded.get(c.id, False),
        )
        for c in sorted(people, key=lambda c: c.name.casefold())
    )
    return PageData(
        minutes=minutes,
        suggestions=suggestions,
        contacts=tuple(directory.contacts),
        site_names={s.id: s.name for s in directory.sites},
        attendance=attendance,
        types=tuple(minutes_service.intervention_types(vault)),
    )
