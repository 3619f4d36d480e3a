"""Due for erasure: what the retention rules say must go, and erasing it for good.

Opened from the Overview's "due for erasure" count. The list comes from
:func:`app.services.retention_service.due` on the database thread; each line
is a whole case (anonymous and not discussed for the retention period, or
named and closed longer than it) or the scanned form of a withdrawn consent.
"Erase selected…" and "Erase all due…" ask first (Cancel is the default),
then erase on the database thread while the dialog shows a busy bar and
cannot be closed (a lock still closes it): the vault is compacted and the
managed backups replaced, which takes a few seconds. The session broadcasts
the erasure's changes, so the Overview's count follows. The result names the bundle
files exported earlier that may still hold an erased case: Samråd cannot
reach them, so the advisor must delete them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.retention import DUE_REASON_LABELS, DueReason, ItemKind, RetentionRules
from app.i18n import _, ngettext
from app.services import retention_service
from app.services.retention_service import BundleWarning, DueEntry, ErasureResult
from app.store.vault import Vault
from ui.context import Context
from ui.formatting import day_text, sort_key
from ui.models.id_table_model import Column, IdTableModel
from ui.session import message_of
from ui.widgets.id_table import IdTable


def entry_id(entry: DueEntry) -> str:
    """A line's id: the consent for a scanned form, else the case."""
    return entry.item.consent_id or entry.item.case_id


def what_text(entry: DueEntry) -> str:
    """The case as the list names it (first name or pseudonym; no surname)."""
    if entry.item.kind is ItemKind.CONSENT_FORM:
        return _("{name}: scanned consent form").format(name=entry.case.first_name)
    return entry.case.first_name


def why_text(entry: DueEntry, rules: RetentionRules) -> str:
    """The rule that made the line due, with the vault's period."""
    reason = entry.item.reason
    if reason is DueReason.ANONYMOUS_INACTIVE:
        months = rules.anonymous_months
        if months % 12 == 0:
            return ngettext(
                "Anonymous case: {n} year since the last meeting about it",
                "Anonymous case: {n} years since the last meeting about it",
                months // 12,
            ).format(n=months // 12)
        return ngettext(
            "Anonymous case: {n} month since the last meeting about it",
            "Anonymous case: {n} months since the last meeting about it",
            months,
        ).format(n=months)
    if reason is DueReason.NAMED_CLOSED:
        months = rules.named_months
        if months % 12 == 0:
            return ngettext(
                "Named case: {n} year since it was closed",
                "Named case: {n} years since it was closed",
                months // 12,
            ).format(n=months // 12)
        return ngettext(
            "Named case: {n} month since it was closed",
            "Named case: {n} months since it was closed",
            months,
        ).format(n=months)
    return _(DUE_REASON_LABELS[reason])


def due_model(
    rules: Callable[[], RetentionRules] = RetentionRules,
) -> IdTableModel[DueEntry]:
    """The due list: case, site, why, counted from, due since.

    ``rules`` gives the periods the "why" column names (read at display time,
    so new rules show with the next :meth:`IdTableModel.set_rows`).
    """
    return IdTableModel(
        [
            Column(_("Case"), what_text),
            Column(_("Site"), lambda e: e.case.site_name),
            Column(
                _("Why"),
                lambda e: why_text(e, rules()),
                tooltip=lambda e: _(DUE_REASON_LABELS[e.item.reason]),
            ),
            Column(
                _("Counted from"),
                lambda e: day_text(e.item.since),
                sort_key=lambda e: sort_key(e.item.since),
            ),
            Column(
                _("Due since"),
                lambda e: day_text(e.item.due_on),
                sort_key=lambda e: sort_key(e.item.due_on),
            ),
        ],
        id_of=entry_id,
    )


def load(vault: Vault, today: date) -> tuple[list[DueEntry], RetentionRules]:
    """What is due on ``today`` and the rules that said so (one database call)."""
    return retention_service.due(vault, today), retention_service.rules(vault)


def erase_entry(vault: Vault, entry: DueEntry) -> ErasureResult:
    """Erase one line: its scanned form, or its whole case."""
    if entry.item.kind is ItemKind.CONSENT_FORM and entry.item.consent_id:
        return retention_service.erase_form(vault, entry.item.consent_id)
    return retention_service.erase_case(vault, entry.item.case_id)


def result_text(result: ErasureResult) -> str:
    """What an erasure removed, in two sentences."""
    if not result.cases and not result.forms:
        return _("Nothing was erased.")
    return " ".join(retention_service.erasure_sentences(result))


def _written_day(written_at: str) -> str:
    try:
        return day_text(date.fromisoformat(written_at[:10]))
    except ValueError:
        return written_at[:10]


def bundle_text(bundles: tuple[BundleWarning, ...] | list[BundleWarning]) -> str:
    """The warning about exported bundles that may still hold erased data ('' if none)."""
    if not bundles:
        return ""
    lines = [
        _(
            "These bundle files exported earlier may still hold the data; delete them "
            "and any copies (Samråd cannot reach them):"
        )
    ]
    for bundle in bundles:
        missing = "" if bundle.exists else "  " + _("(no longer at this path)")
        lines.append(f"• {bundle.path}  ({_written_day(bundle.written_at)}){missing}")
    return "\n".join(lines)


class ErasureDialog(QDialog):
    """The list of what is due for erasure, and the two ways to erase it."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rules = RetentionRules()
        self.busy = False
        self._closed = False
        #: The open confirmation question, if any (tests answer it).
        self.question: QMessageBox | None = None
        self.setWindowTitle(_("Due for erasure"))
        self.setAccessibleName(_("Due for erasure"))
        self.resize(820, 420)

        self.intro = QLabel(
            _(
                "The retention rules say these cases and scanned consent forms must be "
                "erased. Erasing removes them from this vault and its backups for good; "
                "other vaults erase them at the next synchronisation."
            ),
            self,
        )
        self.intro.setWordWrap(True)
        self.list_label = QLabel(_("&Due for erasure:"), self)
        self.table = IdTable(due_model(lambda: self.rules), self)
        self.table.setAccessibleName(_("Cases and consent forms due for erasure"))
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons
        self.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.list_label.setBuddy(self.table)
        self.nothing = QLabel(_("Nothing is due for erasure."), self)
        self.nothing.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.nothing.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_("Erasure status"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setObjectName("bundleWarning")
        self.warning.setStyleSheet(
            "#bundleWarning { background: #fff4e5; color: #663c00; padding: 6px;"
            " border-radius: 4px; }"
        )
        self.warning.setAccessibleName(_("Bundle files that may still hold erased data"))
        self.warning.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.warning.hide()
        # Erasing compacts the vault and replaces the backups: a few seconds.
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy, no percentage
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(_("Erasing and compacting the vault…"))
        self.progress.hide()

        self.open_button = QPushButton(_("&Open case"), self)
        self.open_button.setAccessibleName(_("Open the selected case"))
        self.open_button.clicked.connect(self.open_selected)
        self.erase_selected_button = QPushButton(_("Erase &selected…"), self)
        self.erase_selected_button.setAccessibleName(_("Erase the selected line for good"))
        self.erase_selected_button.clicked.connect(self.erase_selected)
        self.erase_all_button = QPushButton(_("Erase &all due…"), self)
        self.erase_all_button.setAccessibleName(_("Erase everything due for good"))
        self.erase_all_button.clicked.connect(self.erase_all)
        self.close_button = QPushButton(_("&Close"), self)
        self.close_button.clicked.connect(self.reject)
        for button in (self.open_button, self.erase_selected_button, self.erase_all_button):
            button.setAutoDefault(False)
        self.close_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.erase_selected_button)
        buttons.addWidget(self.erase_all_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.nothing)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.warning)
        layout.addLayout(buttons)
        for first, second in (
            (self.table, self.open_button),
            (self.open_button, self.erase_selected_button),
            (self.erase_selected_button, self.erase_all_button),
            (self.erase_all_button, self.close_button),
            (self.close_button, self.warning),
        ):
            QWidget.setTabOrder(first, second)

        self.table.selected_id_changed.connect(lambda _id: self._update())
        self.table.activated_id.connect(lambda _id: self.open_selected())
        self.finished.connect(self._on_finished)
        self._update()
        self.reload()
        self.table.setFocus()

    # --- loading ----------------------------------------------------------------

    def reload(self) -> None:
        """Fetch what is due today (on the database thread)."""
        session = self.ctx.session
        if not session.is_unlocked or self._closed:
            return
        session.run(load, self.ctx.today(), done=self._show, failed=self._failed)

    def _show(self, loaded: tuple[list[DueEntry], RetentionRules]) -> None:
        if self._closed or not self.ctx.session.is_unlocked:
            return  # closed or locked meanwhile: show nothing about anyone
        entries, rules = loaded
        wanted = self.table.selected_id()
        self.rules = rules
        self.table.source.set_rows(entries)
        self.table.setVisible(bool(entries))
        self.nothing.setVisible(not entries)
        if entries and not self.table.select_id(wanted):
            self.table.selectRow(0)
        self._update()

    def selected_entry(self) -> DueEntry | None:
        """The line selected, if any."""
        selected = self.table.selected_id()
        return self.table.source.object_of(selected) if selected else None

    def _update(self) -> None:
        idle = not self.busy
        selected = self.selected_entry() is not None
        self.open_button.setEnabled(idle and selected)
        self.erase_selected_button.setEnabled(idle and selected)
        self.erase_all_button.setEnabled(idle and self.table.source.rowCount() > 0)
        self.table.setEnabled(idle)
        self.close_button.setEnabled(idle)

    # --- actions ------------------------------------------------------------------

    def open_selected(self) -> None:
        """Show the selected line's case on the Cases page (the dialog closes)."""
        entry = self.selected_entry()
        if entry is None or self.busy:
            return
        self.accept()
        self.ctx.navigate("case", entry.item.case_id)

    def erase_selected(self) -> None:
        """Ask, then erase the selected line."""
        entry = self.selected_entry()
        if entry is None or self.busy:
            return
        place = {"name": entry.case.first_name, "site": entry.case.site_name}
        if entry.item.kind is ItemKind.CONSENT_FORM:
            text = _(
                "Erase the scanned consent form of {name} ({site}) for good? "
                "The record of the consent stays."
            ).format(**place)
        else:
            text = _(
                "Erase {name} ({site}) and everything recorded about the case for good?"
            ).format(**place)
        self._ask(text, partial(erase_entry, entry=entry))

    def erase_all(self) -> None:
        """Ask, then erase everything due today."""
        count = self.table.source.rowCount()
        if not count or self.busy:
            return
        text = ngettext(
            "Erase the {n} line due for erasure for good?",
            "Erase all {n} lines due for erasure for good?",
            count,
        ).format(n=count)
        self._ask(text, partial(retention_service.erase_due, today=self.ctx.today()))

    def _ask(self, text: str, work: partial[ErasureResult]) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Erase for good"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            _("This cannot be undone: the data is removed from this vault and its backups.")
        )
        box.button(QMessageBox.StandardButton.Yes).setText(_("&Erase"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def answered(result: int) -> None:
            self.question = None
            if result == QMessageBox.StandardButton.Yes:
                self._erase(work)

        box.finished.connect(answered)
        box.finished.connect(box.deleteLater)
        self.question = box
        box.open()

    def _erase(self, work: partial[ErasureResult]) -> None:
        if self._closed or not self.ctx.session.is_unlocked:
            return
        self.busy = True
        self._update()
        self.warning.hide()
        self.progress.show()
        self.status.setText(_("Erasing and compacting the vault… this can take a few seconds."))
        self.ctx.session.run(work, done=self._erased, failed=self._erase_failed)

    def _erased(self, result: ErasureResult) -> None:
        # The session broadcasts result.changes, so the Overview count follows.
        if self._closed:
            return
        self.busy = False
        self.progress.hide()
        message = result_text(result)
        self.status.setText(message)
        self.ctx.notify(message)
        warning = bundle_text(result.bundles)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self._update()
        self.table.setFocus()
        self.reload()

    def _erase_failed(self, error: BaseException) -> None:
        if self._closed:
            return
        self.busy = False
        self.progress.hide()
        self.status.setText(message_of(error))
        self._update()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        if not self._closed:
            self.status.setText(message_of(error))

    # --- closing ------------------------------------------------------------------

    def reject(self) -> None:
        """Close, unless an erasure is running (a lock closes it anyway, via done())."""
        if self.busy:
            return
        super().reject()

    def _on_finished(self, _result: int) -> None:
        self._closed = True
        self.table.source.clear()
        self.warning.clear()
        self.status.clear()
