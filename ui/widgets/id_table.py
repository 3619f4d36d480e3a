"""A sortable, filterable table over an :class:`IdTableModel`, selecting by id."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.models.id_table_model import ID_ROLE, SORT_ROLE, IdTableModel


class IdTable(QTableView):
    """Rows open with Enter or a double click; :attr:`activated_id` carries the id."""

    activated_id = Signal(str)
    selected_id_changed = Signal(object)  # str | None

    def __init__(self, model: IdTableModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Fitting columns to the first 50 rows, not to all: a five-year vault has
        # over a thousand overdue agreements, and measuring every cell of them
        # took a quarter of a second on each Overview reload.
        self.horizontalHeader().setResizeContentsPrecision(50)
        self.doubleClicked.connect(self._activate)
        self.selectionModel().currentRowChanged.connect(
            lambda *_: self.selected_id_changed.emit(self.selected_id())
        )
        model.modelReset.connect(self._after_reset)
        self._wanted: str | None = None

    def set_filter(self, text: str) -> None:
        """Show only rows with ``text`` in any column."""
        self.proxy.setFilterFixedString(text)

    def selected_id(self) -> str | None:
        """The id of the current row, if any."""
        index = self.currentIndex()
        if not index.isValid():
            return None
        value = self.proxy.data(index, ID_ROLE)
        return str(value) if value is not None else None

    def select_id(self, record_id: str | None) -> bool:
        """Make the row with ``record_id`` current; remembered until it appears."""
        self._wanted = record_id
        if record_id is None:
            return False
        row = self.source.row_of(record_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.source.index(row, 0))
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def _after_reset(self) -> None:
        if self._wanted is not None:
            self.select_id(self._wanted)
        self.resizeColumnsToContents()

    def _activate(self, index: QModelIndex) -> None:
        value = self.proxy.data(index, ID_ROLE)
        if value is not None:
            self.activated_id.emit(str(value))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            return
        super().keyPressEvent(event)
