"""The Agreements page: every agreement across all meetings, filtered, marked done.

The whole list comes from one service call
(:func:`app.services.overview_service.all_agreements`); the status, site and
owner filters pick from it without another query, and the text filter
(Ctrl+F) narrows the table as you type. Enter on a row opens the child's
case; "Mark done" (Ctrl+D) and "Reopen" change the agreement through
:func:`app.services.agreements_service.set_status`.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import agreements_service, overview_service
from app.services.overview_service import AgreementLine
from ui.context import Context
from ui.models.agreements_model import (
    NO_OWNER,
    STATUS_FILTERS,
    AgreementFilter,
    AgreementsModel,
    owners_of,
    sites_of,
)
from ui.models.id_table_model import ID_ROLE
from ui.views.base_view import View
from ui.widgets.id_table import IdTable


class AgreementsView(View):
    """All agreements: filter by status, site, owner and text; mark done."""

    name = "agreements"
    tables = frozenset({"agreements", "cases", "consents", "guardians", "contacts", "sites"})

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._all: list[AgreementLine] = []
        self._loaded = False
        #: An agreement asked for by open(), shown even if the filters hid it.
        self._wanted: str | None = None
        #: The row to select after the next load (after marking done).
        self._keep: str | None = None

        self.status_combo = QComboBox(self)
        for value, label in STATUS_FILTERS:
            self.status_combo.addItem(_(label), value)
        status_label = QLabel(_("Sho&w:"), self)
        status_label.setBuddy(self.status_combo)
        self.site_combo = QComboBox(self)
        self.site_combo.setMinimumContentsLength(14)
        site_label = QLabel(_("S&ite:"), self)
        site_label.setBuddy(self.site_combo)
        self.owner_combo = QComboBox(self)
        self.owner_combo.setMinimumContentsLength(14)
        owner_label = QLabel(_("&Owner:"), self)
        owner_label.setBuddy(self.owner_combo)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(_("Filter (Ctrl+F)"))
        self.filter_edit.setAccessibleName(_("Filter agreements by text"))
        self.filter_edit.setClearButtonEnabled(True)
        self._fill_choices()

        self.model = AgreementsModel(ctx.today, self)
        self.table = IdTable(self.model, self)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName(_("Agreements"))
        # The agreement's text takes the room left; the rest fit their contents.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(AgreementsModel.DEADLINE_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.activated_id.connect(self.open_case_of)
        self.table.selected_id_changed.connect(lambda _id: self._update_buttons())

        self.count_label = QLabel(self)
        self.done_button = QPushButton(_("&Mark done"), self)
        self.done_button.setToolTip(_("Mark the selected agreement done (Ctrl+D)"))
        self.done_button.clicked.connect(self.mark_done)
        self.reopen_button = QPushButton(_("&Reopen"), self)
        self.reopen_button.clicked.connect(self.reopen)
        self.case_button = QPushButton(_("Open &case"), self)
        self.case_button.setToolTip(_("Open the child's case (Enter)"))
        self.case_button.clicked.connect(lambda: self.open_case_of(self.table.selected_id()))
        self.done_action = QAction(_("Mark done"), self)
        self.done_action.setShortcut(QKeySequence("Ctrl+D"))
        self.done_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.done_action.triggered.connect(self.mark_done)
        self.addAction(self.done_action)

        filters = QHBoxLayout()
        for widget in (status_label, self.status_combo, site_label, self.site_combo):
            filters.addWidget(widget)
        filters.addWidget(owner_label)
        filters.addWidget(self.owner_combo)
        filters.addWidget(self.filter_edit, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        for button in (self.case_button, self.reopen_button, self.done_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.status_combo, self.site_combo)
        self.setTabOrder(self.site_combo, self.owner_combo)
        self.setTabOrder(self.owner_combo, self.filter_edit)
        self.setTabOrder(self.filter_edit, self.table)
        self.setTabOrder(self.table, self.case_button)
        self.setTabOrder(self.case_button, self.reopen_button)
        self.setTabOrder(self.reopen_button, self.done_button)

        self.status_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.site_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.owner_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.filter_edit.textChanged.connect(self._text_changed)
        self._update_buttons()

    def title(self) -> str:
        """The page title."""
        return _("Agreements")

    # --- loading --------------------------------------------------------------

    def reload(self) -> None:
        """Fetch every agreement on the database thread."""
        if not self.session.is_unlocked:
            return
        self.session.run(overview_service.all_agreements, self.ctx.today(), done=self._show)

    def _show(self, lines: list[AgreementLine]) -> None:
        if not self.session.is_unlocked:
            return
        self._all = lines
        self._loaded = True
        self._fill_choices()
        if self._wanted is not None:
            self._reveal(self._wanted)
        else:
            self._apply_filters(self._keep)
        self._keep = None

    def clear(self) -> None:
        """Forget every agreement (the vault was locked)."""
        self._all = []
        self._loaded = False
        self.model.clear()
        self._fill_choices()
        self._update_buttons()

    def current_filter(self) -> AgreementFilter:
        """The status, site and owner chosen in the combos."""
        return AgreementFilter(
            status=str(self.status_combo.currentData() or "open"),
            site_id=self.site_combo.currentData(),
            owner_id=self.owner_combo.currentData(),
        )

    def _apply_filters(self, select: str | None = None) -> None:
        keep = select or self.table.selected_id()
        self.model.set_rows(self.current_filter().apply(self._all, self.ctx.today()))
        if keep is not None:
            self.table.select_id(keep)
        self._update_count()
        self._update_buttons()

    def _text_changed(self, text: str) -> None:
        self.table.set_filter(text)
        self._update_count()
        self._update_buttons()

    def _fill_choices(self) -> None:
        """Offer the sites and owners the agreements name, keeping the choices."""
        site, owner = self.site_combo.currentData(), self.owner_combo.currentData()
        for combo in (self.site_combo, self.owner_combo):
            combo.blockSignals(True)
            combo.clear()
        self.site_combo.addItem(_("All sites"), None)
        for site_id, name in sites_of(self._all):
            self.site_combo.addItem(name, site_id)
        self.owner_combo.addItem(_("Everyone"), None)
        owners, unowned = owners_of(self._all)
        for contact_id, name in owners:
            self.owner_combo.addItem(name, contact_id)
        if unowned:
            self.owner_combo.addItem(_("No owner"), NO_OWNER)
        for combo, value in ((self.site_combo, site), (self.owner_combo, owner)):
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _update_count(self) -> None:
        shown = self.table.proxy.rowCount()
        self.count_label.setText(
            ngettext(
                "{shown} of {total} agreement shown",
                "{shown} of {total} agreements shown",
                len(self._all),
            ).format(shown=shown, total=len(self._all))
        )

    def _selected(self) -> AgreementLine | None:
        record_id = self.table.selected_id()
        return self.model.object_of(record_id) if record_id else None

    def _update_buttons(self) -> None:
        line = self._selected()
        self.done_button.setEnabled(line is not None and line.status != "done")
        self.done_action.setEnabled(self.done_button.isEnabled())
        self.reopen_button.setEnabled(line is not None and line.status != "open")
        self.case_button.setEnabled(
            line is not None and (line.case_id is not None or line.meeting_id is not None)
        )

    # --- navigation -----------------------------------------------------------

    def open(self, ref: str | None) -> None:
        """Select agreement ``ref`` (showing it even if the filters hid it)."""
        self._wanted = ref
        if ref is not None and self._loaded:
            self._reveal(ref)
        self.table.setFocus()

    def _reveal(self, ref: str) -> None:
        line = next((a for a in self._all if a.id == ref), None)
        if line is not None and not self.current_filter().matches(line, self.ctx.today()):
            for combo, value in (
                (self.status_combo, "all"),
                (self.site_combo, None),
                (self.owner_combo, None),
            ):
                combo.blockSignals(True)
                combo.setCurrentIndex(max(combo.findData(value), 0))
                combo.blockSignals(False)
        if line is not None and self.filter_edit.text():
            self.filter_edit.clear()
        self._apply_filters()
        if self.table.select_id(ref):
            self._wanted = None

    def selection(self) -> str | None:
        """The selected agreement, restored after unlocking."""
        return self.table.selected_id()

    def focus_filter(self) -> None:
        """Ctrl+F: the text filter."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def open_case_of(self, record_id: str | None) -> None:
        """Open the agreement's case (or its meeting when it is about no child)."""
        line = self.model.object_of(record_id) if record_id else None
        if line is None:
            return
        if line.case_id is not None:
            self.ctx.navigate("case", line.case_id)
        elif line.meeting_id is not None:
            self.ctx.navigate("meeting", line.meeting_id)

    # --- marking --------------------------------------------------------------

    def mark_done(self) -> None:
        """Mark the selected agreement done (button, Ctrl+D)."""
        self._set_status("done")

    def reopen(self) -> None:
        """Make a done or cancelled agreement open again."""
        self._set_status("open")

    def _set_status(self, status: str) -> None:
        line = self._selected()
        if line is None or line.status == status:
            return
        self._keep = self._neighbour(replace(line, status=status))
        message = _("Agreement marked done.") if status == "done" else _("Agreement reopened.")
        self.session.run(
            agreements_service.set_status,
            line.id,
            status,
            done=lambda _changes: self.ctx.notify(message),
        )

    def _neighbour(self, changed: AgreementLine) -> str:
        """Where the selection goes after the change: the row itself while the
        filter still shows it, else the row below (or above) it."""
        if self.current_filter().matches(changed, self.ctx.today()):
            return changed.id
        row = self.table.currentIndex().row()
        for candidate in (row + 1, row - 1):
            index = self.table.proxy.index(candidate, 0)
            if index.isValid():
                return str(self.table.proxy.data(index, ID_ROLE))
        return changed.id
