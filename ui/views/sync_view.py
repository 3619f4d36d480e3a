"""The Sync page: export a bundle, import one, settle conflicts, sync-folder status.

Everything the page shows comes from one call,
:func:`app.services.sync_service.overview`. Import: "Import…" asks for the
bundle file, then :class:`~ui.views.import_dialog.ImportDialog` for the
passphrase or identity file; a bundle from an unknown vault asks
"Trust this sender?" (with the key fingerprint) before importing again with
trust. The report (per table) stays on the page. Conflicts: "Keep mine" /
"Take theirs" settle the selected one.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import sync_service
from app.services.sync_service import ImportDone, SenderQuestion, SyncOverview
from ui.context import Context
from ui.models.sync_models import (
    ConflictsModel,
    RecentImportsModel,
    ReportModel,
    report_lines,
)
from ui.views.base_view import View
from ui.views.export_dialog import ExportPanel, bundle_filter
from ui.views.import_dialog import ImportDialog, TrustDialog
from ui.widgets import file_dialogs
from ui.widgets.id_table import IdTable
from ui.widgets.progress import run_with_progress


def _wrapped(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SyncView(View):
    """Export, import, conflicts and the sync folder."""

    name = "sync"
    tables = frozenset({"sync_conflicts", "sync_peers", "settings", "cases"})

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.overview: SyncOverview | None = None
        self.dialog: QWidget | None = None  # the import or trust dialog now open
        self._import_args: tuple[Path, Path | None, str | None] | None = None
        self._keep_conflict: str | None = None

        content = QWidget(self)
        heading = QLabel(self.title(), content)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.identity_label = _wrapped("", content)

        self.export_panel = ExportPanel(ctx, content)

        # --- import ----------------------------------------------------------
        import_box = QGroupBox(_("Import"), content)
        self.import_button = QPushButton(_("&Import…"), import_box)
        self.import_button.clicked.connect(self.start_import)
        self.import_status = _wrapped("", import_box)
        self.report_model = ReportModel(self)
        self.report_table = IdTable(self.report_model, import_box)
        self.report_table.setAccessibleName(_("Import report"))
        self.report_table.setTabKeyNavigation(False)
        self.report_table.setVisible(False)
        self.report_table.setMaximumHeight(160)
        self.recent_model = RecentImportsModel(self)
        self.recent_table = IdTable(self.recent_model, import_box)
        self.recent_table.setAccessibleName(_("Recent imports"))
        self.recent_table.setTabKeyNavigation(False)
        self.recent_table.setMaximumHeight(110)
        recent_label = QLabel(_("&Recent imports:"), import_box)
        recent_label.setBuddy(self.recent_table)
        import_row = QHBoxLayout()
        import_row.addWidget(self.import_status, 1)
        import_row.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignTop)
        import_layout = QVBoxLayout(import_box)
        import_layout.addLayout(import_row)
        import_layout.addWidget(self.report_table)
        import_layout.addWidget(recent_label)
        import_layout.addWidget(self.recent_table)

        # --- conflicts -------------------------------------------------------
        conflict_box = QGroupBox(_("Conflicts"), content)
        self.conflicts_model = ConflictsModel(self)
        self.conflicts_table = IdTable(self.conflicts_model, conflict_box)
        self.conflicts_table.setAccessibleName(_("Open conflicts"))
        self.conflicts_table.setTabKeyNavigation(False)
        self.conflicts_table.setMinimumHeight(120)
        self.conflicts_table.selected_id_changed.connect(lambda _id: self._update_buttons())
        self.conflicts_hint = _wrapped("", conflict_box)
        self.keep_button = QPushButton(_("Keep &mine"), conflict_box)
        self.keep_button.setToolTip(_("Keep this vault's version; the other is dropped"))
        self.keep_button.clicked.connect(lambda: self.resolve(take_theirs=False))
        self.take_button = QPushButton(_("Take &theirs"), conflict_box)
        self.take_button.setToolTip(_("Replace this vault's version with the other one"))
        self.take_button.clicked.connect(lambda: self.resolve(take_theirs=True))
        conflict_buttons = QHBoxLayout()
        conflict_buttons.addWidget(self.conflicts_hint, 1)
        conflict_buttons.addWidget(self.keep_button)
        conflict_buttons.addWidget(self.take_button)
        conflict_layout = QVBoxLayout(conflict_box)
        conflict_layout.addWidget(self.conflicts_table)
        conflict_layout.addLayout(conflict_buttons)

        # --- sync folder -----------------------------------------------------
        folder_box = QGroupBox(_("Sync folder"), content)
        self.folder_label = _wrapped("", folder_box)
        QVBoxLayout(folder_box).addWidget(self.folder_label)

        left = QVBoxLayout()
        left.addWidget(self.export_panel)
        left.addWidget(folder_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(import_box)
        right.addWidget(conflict_box, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(content)
        layout.addWidget(heading)
        layout.addWidget(self.identity_label)
        layout.addLayout(columns, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(scroll)

        QWidget.setTabOrder(self.export_panel.export_button, self.import_button)
        QWidget.setTabOrder(self.import_button, self.recent_table)
        QWidget.setTabOrder(self.recent_table, self.conflicts_table)
        QWidget.setTabOrder(self.conflicts_table, self.keep_button)
        QWidget.setTabOrder(self.keep_button, self.take_button)
        self._show_overview(None)

    def title(self) -> str:
        """The page title."""
        return _("Sync")

    # --- loading --------------------------------------------------------------

    def reload(self) -> None:
        """Fetch identity, settings, peers, cases, imports and conflicts."""
        if not self.session.is_unlocked:
            return
        self.session.run(sync_service.overview, self.ctx.today(), done=self._loaded)

    def _loaded(self, overview: SyncOverview) -> None:
        if self.session.is_unlocked:
            self._show_overview(overview)

    def _show_overview(self, overview: SyncOverview | None) -> None:
        self.overview = overview
        self.export_panel.show_overview(overview)
        if overview is None:
            self.identity_label.clear()
            self.recent_model.clear()
            self.conflicts_model.clear()
            self.folder_label.clear()
            self._update_buttons()
            return
        self.identity_label.setText(
            _("This vault sends as {name}; its key fingerprint is {fingerprint}.").format(
                name=overview.own_name, fingerprint=overview.own_fingerprint
            )
        )
        self.recent_model.set_rows(overview.recent_imports)
        wanted = self._keep_conflict or self.conflicts_table.selected_id()
        self.conflicts_model.set_rows(overview.conflicts)
        if wanted is not None:
            self.conflicts_table.select_id(wanted)
        if not self.conflicts_table.selected_id() and overview.conflicts:
            self.conflicts_table.select_id(overview.conflicts[0].id)
        self._keep_conflict = None
        self.conflicts_hint.setText(
            _("No open conflicts.")
            if not overview.conflicts
            else _("Both vaults changed these records; choose which version stays.")
        )
        self.folder_label.setText(self._folder_text(overview))
        self._update_buttons()

    @staticmethod
    def _folder_text(overview: SyncOverview) -> str:
        if overview.folder_reachable is None:
            return _("No sync folder is set (Settings, Sync). Bundles go where you choose.")
        if overview.folder_reachable:
            return _("{path}: reachable (outbox and inbox found).").format(
                path=overview.sync_folder
            )
        return _("{path}: not reachable now (outbox or inbox missing).").format(
            path=overview.sync_folder
        )

    def clear(self) -> None:
        """Forget everything shown and typed (the vault was locked)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        self._import_args = None
        self.export_panel.clear()
        self.import_status.clear()
        self.report_model.clear()
        self.report_table.setVisible(False)
        self._show_overview(None)

    def selection(self) -> str | None:
        """The selected conflict, to restore after a lock."""
        return self.conflicts_table.selected_id()

    def open(self, ref: str | None) -> None:
        """Select a conflict by id, if given."""
        if ref:
            self._keep_conflict = ref
            self.conflicts_table.select_id(ref)

    # --- import ---------------------------------------------------------------

    def start_import(self) -> None:
        """Ask for the bundle file, then how to open it."""
        path = file_dialogs.ask_open_path(self, _("Import a bundle"), bundle_filter())
        if path is None:
            return
        dialog = ImportDialog(path.name, self)
        dialog.chosen.connect(lambda key, phrase: self._run_import(path, key, phrase, False))
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _run_import(
        self, path: Path, identity_file: Path | None, passphrase: str | None, trust: bool
    ) -> None:
        self._import_args = (path, identity_file, passphrase)
        self.import_button.setEnabled(False)
        self.import_status.setText(_("Importing {name}…").format(name=path.name))
        work = partial(
            sync_service.import_file,
            path=path,
            identity_file=identity_file,
            passphrase=passphrase,
            trust_new_sender=trust,
        )
        run_with_progress(
            self,
            self.session,
            _("Importing the bundle…"),
            work,
            done=self._imported,
            failed=self._import_failed,
        )

    def _imported(self, outcome: ImportDone | SenderQuestion) -> None:
        self.import_button.setEnabled(True)
        if isinstance(outcome, SenderQuestion):
            self.import_status.setText(
                _("Nothing imported yet: {name} is not a trusted sender.").format(name=outcome.name)
            )
            dialog = TrustDialog(outcome.name, outcome.fingerprint, self)
            dialog.accepted.connect(self._trusted)
            dialog.rejected.connect(lambda: setattr(self, "_import_args", None))
            dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
            self.dialog = dialog
            dialog.open()
            return
        self._import_args = None
        report = outcome.report
        message = " ".join(sync_service.import_sentences(report))
        self.import_status.setText(message)
        self.report_model.set_rows(report_lines(report))
        self.report_table.setVisible(bool(self.report_model.ids()))
        self.ctx.notify(message)

    def _trusted(self) -> None:
        args = self._import_args
        if args is not None and self.session.is_unlocked:
            self._run_import(*args, trust=True)

    def _import_failed(self, message: str) -> None:
        self._import_args = None
        self.import_button.setEnabled(True)
        self.import_status.setText(message)

    # --- conflicts ------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.conflicts_table.selected_id()
        conflict = self.conflicts_model.object_of(chosen) if chosen else None
        self.keep_button.setEnabled(conflict is not None and conflict.can_keep_mine)
        self.take_button.setEnabled(conflict is not None)

    def resolve(self, take_theirs: bool) -> None:
        """Settle the selected conflict."""
        chosen = self.conflicts_table.selected_id()
        if chosen is None or not self.session.is_unlocked:
            return
        row = self.conflicts_model.row_of(chosen)
        following = self.conflicts_model.ids()[row + 1 : row + 2]
        self._keep_conflict = following[0] if following else None
        self.session.run(
            sync_service.resolve,
            chosen,
            take_theirs,
            done=lambda _c: self.ctx.notify(_("Conflict resolved.")),
        )
