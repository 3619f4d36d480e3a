"""Table models that hold ids and a row cache (architecture.md rule 7).

A model knows the ids of its rows in display order and a cache of the rows
a service returned for them; views select, restore and open by id, never by
row number, so a reload or a sort never loses the advisor's place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")

#: Role carrying the row's id (views open objects with it).
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role carrying the value sort proxies compare.
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: header and how a row shows in it."""

    header: str
    display: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str | None] | None = None
    #: A colour name for the text (e.g. a warning), or None for the palette's.
    colour: Callable[[R], str | None] | None = None
    align_right: bool = False


class IdTableModel(QAbstractTableModel, Generic[R]):
    """Rows identified by id; the row objects are whatever a service returned."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        id_of: Callable[[R], str] = lambda row: row.id,  # type: ignore[attr-defined]
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._id_of = id_of
        self._ids: list[str] = []
        self._rows: dict[str, R] = {}

    # --- content --------------------------------------------------------------

    def set_rows(self, rows: Iterable[R]) -> None:
        """Replace every row (a reload)."""
        self.beginResetModel()
        self._rows = {}
        self._ids = []
        for row in rows:
            key = self._id_of(row)
            if key not in self._rows:
                self._ids.append(key)
            self._rows[key] = row
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (on lock)."""
        self.set_rows([])

    def ids(self) -> list[str]:
        """The ids in model order."""
        return list(self._ids)

    def row_object(self, row: int) -> R:
        """The cached object shown in ``row``."""
        return self._rows[self._ids[row]]

    def object_of(self, record_id: str) -> R | None:
        """The cached object with ``record_id``, if shown."""
        return self._rows.get(record_id)

    def row_of(self, record_id: str) -> int:
        """The row showing ``record_id``, or -1."""
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    # --- Qt model API ---------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        row = self._rows[self._ids[index.row()]]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == SORT_ROLE:
            key = column.sort_key(row) if column.sort_key else column.display(row)
            return key if isinstance(key, int | float | str) else str(key)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(row)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._ids):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
