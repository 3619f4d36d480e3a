"""Models of the Sync page: conflicts, an import's report, recent imports, cases to export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import _
from app.services.sync_service import CaseChoice, Conflict, RecentImport
from app.sync.importer import ImportReport
from ui.formatting import day_text, time_text
from ui.models.id_table_model import ID_ROLE, Column, IdTableModel

Index = QModelIndex | QPersistentModelIndex

#: Table names as the advisor reads them (translated when shown).
_TABLE_LABELS = {
    "districts": "Districts",
    "roles": "Roles",
    "sites": "Sites",
    "contacts": "Contacts",
    "forums": "Forums",
    "series": "Meeting series",
    "meetings": "Meetings",
    "school_holidays": "School holidays",
    "cases": "Cases",
    "guardians": "Guardians",
    "case_levels": "Case levels",
    "attachments": "Attachments",
    "consents": "Consents",
    "agenda_items": "Agenda items",
    "meeting_minutes": "Minutes approval",
    "item_minutes": "Minutes",
    "addenda": "Addenda",
    "attendance": "Attendance",
    "agreements": "Agreements",
    "interventions": "Interventions",
    "sdq_assessments": "SDQ assessments",
}


def table_label(table: str) -> str:
    """The translated name of a record table (technical name if it has none)."""
    label = _TABLE_LABELS.get(table)
    return _(label) if label else table.replace("_", " ")


def stamp_text(stamp: str) -> str:
    """A stored UTC timestamp as local day and time."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return f"{day_text(moment.date())} {time_text(moment)}"


class ConflictsModel(IdTableModel[Conflict]):
    """Open conflicts: what, which record, when found, from whom."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column(_("What"), lambda c: table_label(c.table)),
                Column(_("Record"), lambda c: c.record_label),
                Column(_("Found"), lambda c: stamp_text(c.detected_at), lambda c: c.detected_at),
                Column(_("From"), lambda c: c.peer_name),
            ],
            parent=parent,
        )


@dataclass(frozen=True)
class ReportLine:
    """One table's counts in an import's report."""

    table: str
    added: int
    updated: int
    deleted: int
    conflicts: int

    @property
    def id(self) -> str:
        return self.table


def report_lines(report: ImportReport) -> list[ReportLine]:
    """Per-table counts of every table the import touched."""
    kinds = (report.added, report.updated, report.deleted, report.conflicts)
    tables = sorted(set().union(*kinds), key=table_label)
    return [ReportLine(t, *(k.get(t, 0) for k in kinds)) for t in tables]


def _count(value: Callable[[ReportLine], int]) -> Callable[[ReportLine], str]:
    return lambda line: str(value(line))


class ReportModel(IdTableModel[ReportLine]):
    """An import's report: added / updated / deleted / conflicts per table."""

    def __init__(self, parent: Any = None) -> None:
        numbers: list[tuple[str, Callable[[ReportLine], int]]] = [
            (_("Added"), lambda r: r.added),
            (_("Updated"), lambda r: r.updated),
            (_("Deleted"), lambda r: r.deleted),
            (_("Conflicts"), lambda r: r.conflicts),
        ]
        super().__init__(
            [
                Column(_("What"), lambda r: table_label(r.table)),
                *(Column(h, _count(v), v, align_right=True) for h, v in numbers),
            ],
            parent=parent,
        )


class RecentImportsModel(IdTableModel[RecentImport]):
    """The latest imported bundles: from whom and when."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column(_("Imported"), lambda r: stamp_text(r.imported_at), lambda r: r.imported_at),
                Column(_("From"), lambda r: r.peer_name),
            ],
            parent=parent,
        )


class CaseChoiceModel(QAbstractListModel):
    """Cases with a check box each, for a "chosen cases" export; holds ids."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cases: list[CaseChoice] = []
        self._checked: set[str] = set()

    def set_cases(self, cases: Iterable[CaseChoice]) -> None:
        """Replace the cases; checks on cases still present stay."""
        self.beginResetModel()
        self._cases = list(cases)
        self._checked &= {c.id for c in self._cases}
        self.endResetModel()

    def clear(self) -> None:
        """Forget every case (on lock)."""
        self._checked = set()
        self.set_cases([])

    def checked_ids(self) -> tuple[str, ...]:
        """Ids of the checked cases, in list order."""
        return tuple(c.id for c in self._cases if c.id in self._checked)

    def set_checked(self, case_id: str, checked: bool) -> None:
        """Check or uncheck one case by id."""
        for row, case in enumerate(self._cases):
            if case.id == case_id:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                self.setData(self.index(row), state, Qt.ItemDataRole.CheckStateRole)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._cases)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._cases)):
            return None
        case = self._cases[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return case.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if case.id in self._checked else Qt.CheckState.Unchecked
        if role == ID_ROLE:
            return case.id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        if not (0 <= index.row() < len(self._cases)):
            return False
        case_id = self._cases[index.row()].id
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        if checked:
            self._checked.add(case_id)
        else:
            self._checked.discard(case_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )
