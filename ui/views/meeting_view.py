"""The Meeting page: the header, the agenda editor and the minutes editor.

Reached from the calendar and the overview (``ctx.navigate("meeting", id)``).
Ctrl+PgUp / Ctrl+PgDown switch between the Agenda and the Minutes tab,
Ctrl+N adds (a case item; an agreement on the Minutes tab), Ctrl+P saves the
tab's document as PDF. Nothing typed is lost: waiting edits are saved when
the page hides, before the window locks (the lock asks the page for its
selection first) and before the window closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.domain.seeded_names import display_name
from app.i18n import _, ngettext
from app.services import agenda_service, minutes_print, minutes_service
from ui.context import Context
from ui.formatting import day_text, long_day_text, time_text, week_text
from ui.models.agenda_model import PageData, load_page
from ui.session import message_of
from ui.views.agenda_editor import AgendaEditor
from ui.views.base_view import View
from ui.views.minutes_editor import MinutesEditor
from ui.widgets import file_dialogs
from ui.widgets.progress import run_with_progress

AGENDA_TAB, MINUTES_TAB = 0, 1


class MeetingView(View):
    """One meeting: its agenda and its minutes."""

    name = "meeting"
    tables = frozenset(
        {
            "meetings",
            "agenda_items",
            "item_minutes",
            "meeting_minutes",
            "attendance",
            "agreements",
            "interventions",
            "addenda",
            "cases",
            "consents",
            "guardians",
            "contacts",
            "sites",
            "forums",
            "intervention_types",
        }
    )

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.meeting_id: str | None = None
        self.data: PageData | None = None
        self._generation = 0
        self._watching: QWidget | None = None
        self._starting = False

        self.heading = QLabel(self)
        self.heading.setObjectName("meetingHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.when = QLabel(self)
        self.when.setWordWrap(True)
        self.when.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel(self)
        self.badge.setObjectName("approvedBadge")
        self.badge.setStyleSheet(
            "#approvedBadge { border: 1px solid palette(mid); border-radius: 4px;"
            " padding: 2px 8px; font-weight: bold; }"
        )
        self.badge.hide()
        self.agenda = AgendaEditor(ctx, self)
        self.minutes = MinutesEditor(ctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("meetingTabs")
        self.tabs.addTab(self.agenda, _("&Agenda"))
        self.tabs.addTab(self.minutes, _("&Minutes"))
        self.tabs.currentChanged.connect(self._tab_changed)
        for keys, step in (("Ctrl+PgUp", -1), ("Ctrl+PgDown", +1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.switch_tab(s))

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.when)
        layout.addWidget(self.tabs, 1)

        self.agenda.print_requested.connect(lambda per_child: self.save_pdf("agenda", per_child))
        self.minutes.print_requested.connect(lambda per_child: self.save_pdf("minutes", per_child))
        self.minutes.start_requested.connect(self._start_minutes)
        self.clear()

    def title(self) -> str:
        """The page title."""
        return _("Meeting")

    # --- lifecycle ----------------------------------------------------------------

    def open(self, ref: str | None) -> None:
        """Show the meeting ``ref`` (None: the one shown before)."""
        if ref is not None and ref != self.meeting_id:
            self.minutes.saver.flush()
            self.meeting_id = ref
            self._generation += 1
            self.data = None
            self.agenda.clear()
            self.minutes.clear()
            self.minutes.item_id = None
            self.tabs.setCurrentIndex(AGENDA_TAB)
        if self.session.is_unlocked and self.meeting_id is not None:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Read the meeting again (database thread)."""
        if self.meeting_id is None or not self.session.is_unlocked:
            self._show_empty()
            return
        self._generation += 1
        generation = self._generation
        self.session.run(
            load_page,
            self.meeting_id,
            done=lambda data: self._loaded(generation, data),
            failed=lambda error: self._not_loaded(generation, error),
        )

    def _loaded(self, generation: int, data: PageData) -> None:
        if generation != self._generation or not self.session.is_unlocked:
            return
        self.data = data
        self._show_header(data)
        self.agenda.show_data(data)
        self.minutes.show_data(data)

    def _not_loaded(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.session.failed.emit(message_of(error))

    def clear(self) -> None:
        """Forget what is shown (the vault locked); the meeting id stays for after."""
        self._generation += 1
        self.data = None
        self.agenda.clear()
        self.minutes.clear()
        self._show_empty()

    def selection(self) -> str | None:
        """The meeting shown."""
        return self.meeting_id

    def flush_edits(self) -> None:
        """Queue the save still waiting for a pause in typing."""
        self.minutes.saver.flush()

    def new(self) -> None:
        """Ctrl+N: a case item (Agenda tab) or an agreement (Minutes tab)."""
        if self.tabs.currentIndex() == MINUTES_TAB:
            self.minutes.add_agreement()
        else:
            self.agenda.add_case_item()

    def print_(self) -> None:
        """Ctrl+P: save the agenda or the minutes as PDF."""
        self.save_pdf("minutes" if self.tabs.currentIndex() == MINUTES_TAB else "agenda", False)

    def focus_filter(self) -> None:
        """Ctrl+F: the item list of the tab shown."""
        if self.tabs.currentIndex() == MINUTES_TAB:
            self.minutes.items.setFocus()
        else:
            self.agenda.table.setFocus()

    def switch_tab(self, step: int) -> None:
        """Go to the next (+1) or previous (-1) tab."""
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # --- showing ------------------------------------------------------------------

    def _show_empty(self) -> None:
        if self.meeting_id is None:
            self.heading.setText(_("No meeting chosen"))
            self.when.setText(_("Open a meeting from the calendar or the overview."))
        else:
            self.heading.clear()
            self.when.clear()
        self.badge.hide()

    def _show_header(self, data: PageData) -> None:
        meeting = data.minutes.agenda.meeting
        self.heading.setText(f"{display_name(meeting.forum_name)} — {meeting.site_name}")
        status = {
            "planned": _("Planned"),
            "held": _("Held"),
            "cancelled": _("Cancelled"),
        }.get(meeting.status, meeting.status)
        parts = [
            long_day_text(meeting.start.date(), self.ctx.language()),
            f"{time_text(meeting.start)}–{time_text(meeting.end)}",
            week_text(meeting.start.date()),
            status,
        ]
        if meeting.moved_from is not None:
            parts.append(_("moved from {date}").format(date=day_text(meeting.moved_from)))
        self.when.setText(" · ".join(parts))
        self.badge.setVisible(data.minutes.approved)
        if data.minutes.approved_on is not None:
            self.badge.setText("✓ " + _("Approved"))

    def _tab_changed(self, index: int) -> None:
        self.minutes.saver.flush()
        if index == MINUTES_TAB and self.data is not None and self.data.needs_start:
            self._start_minutes()

    def _start_minutes(self) -> None:
        """Create the minutes records the agenda's items still lack."""
        if self._starting or self.meeting_id is None or not self.session.is_unlocked:
            return
        self._starting = True

        def finished(_result: object = None) -> None:
            self._starting = False

        self.session.run(
            minutes_service.start, self.meeting_id, done=finished, failed=self._start_failed
        )

    def _start_failed(self, error: BaseException) -> None:
        self._starting = False
        self.session.failed.emit(message_of(error))

    # --- printing -----------------------------------------------------------------

    def save_pdf(self, document: str, per_child: bool) -> None:
        """Ask where, then write the agenda or the minutes (and per-child files)."""
        if self.data is None:
            return
        self.minutes.saver.flush()  # what was just typed belongs in the PDF
        day = self.data.minutes.agenda.meeting.start.date().isoformat()
        if document == "agenda":
            title, name = _("Save agenda as PDF"), _("agenda-{date}.pdf").format(date=day)
        else:
            title, name = _("Save minutes as PDF"), _("minutes-{date}.pdf").format(date=day)
        path = file_dialogs.ask_save_path(self, title, name, _("PDF documents (*.pdf)"))
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        folder: Path | None = None
        if per_child:
            folder = file_dialogs.ask_directory(
                self, _("Choose the folder for the per-child documents")
            )
            if folder is None:
                return
        fn: Callable[..., object] = agenda_service.print_agenda
        label = _("Writing the agenda…")
        if document == "minutes":
            fn, label = minutes_print.print_minutes, _("Writing the minutes…")
        self.progress = run_with_progress(
            self, self.session, label, fn, self.data.meeting_id, path, folder, done=self._saved
        )

    def _saved(self, written: object) -> None:
        main = getattr(written, "agenda", None) or getattr(written, "minutes", None)
        children = len(getattr(written, "per_child", ()))
        message = _("Saved to {path}.").format(path=main)
        if children:
            message += " " + ngettext(
                "{n} per-child document saved.", "{n} per-child documents saved.", children
            ).format(n=children)
        message += " " + _(
            "A PDF is not encrypted; keep it where only the right people can read it."
        )
        self.ctx.notify(message)

    # --- never lose a keystroke -------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        window = self.window()
        if window is not self._watching:
            if self._watching is not None:
                self._watching.removeEventFilter(self)
            window.installEventFilter(self)
            self._watching = window
        super().showEvent(event)
        if (
            self.data is not None
            and self.data.needs_start
            and self.tabs.currentIndex() == MINUTES_TAB
        ):
            self._start_minutes()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt name
        self.minutes.saver.flush()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watching and event.type() == QEvent.Type.Close:
            self.minutes.saver.flush()
        return super().eventFilter(watched, event)
