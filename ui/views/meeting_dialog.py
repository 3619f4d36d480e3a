"""Create a single meeting, or move one occurrence to another day and time.

The dialog is opened with ``open()`` (never a blocking ``exec()``); OK hands
the change to the database thread and closes only when it succeeded, so a
refused time (a site that no longer exists …) is shown inside the dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.seeded_names import display_name
from app.i18n import _
from app.services import sites_service
from app.services.calendar_service import CalendarService
from app.services.changes import Changes
from app.store import forums_repo
from app.store.vault import Vault
from ui.context import Context
from ui.session import message_of
from ui.views.calendar_data import locale_of
from ui.widgets.meeting_block import CalendarItem


@dataclass(frozen=True)
class ForumChoice:
    """A forum as the dialogs offer it (``name`` as stored; show ``display_name``)."""

    id: str
    kind: str
    name: str
    default_minutes: int
    default_rrule: str | None


@dataclass(frozen=True)
class Choices:
    """The forums and sites a meeting can have."""

    forums: list[ForumChoice]
    sites: list[tuple[str, str]]  # (id, name)


def load_choices(vault: Vault) -> Choices:
    """Forums and sites (database thread)."""
    forums = [
        ForumChoice(f.id, f.kind, f.name, f.default_duration_minutes, f.default_rrule)
        for f in forums_repo.list_all(vault.conn)
    ]
    sites = sorted(
        ((s.id, s.name) for s in sites_service.directory(vault).sites), key=lambda s: s[1]
    )
    return Choices(forums, sites)


def add_meeting(
    vault: Vault, forum_id: str, site_id: str, start: datetime, minutes: int
) -> Changes:
    """A single meeting (database thread)."""
    return CalendarService(vault).add_meeting(forum_id, site_id, start, minutes)[1]


def move_meeting(vault: Vault, meeting_id: str, start: datetime, minutes: int) -> Changes:
    """Move one occurrence (database thread)."""
    return CalendarService(vault).move_meeting(meeting_id, start, minutes)


def date_edit(parent: QWidget, lang: str, day: date) -> QDateEdit:
    """A date field with a calendar popup, in the app's language."""
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setLocale(locale_of(lang))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy" if lang == "en" else "dd.MM.yyyy")
    return edit


def duration_box(parent: QWidget, minutes: int) -> QSpinBox:
    """Minutes, 5 to 600 in steps of 15."""
    box = QSpinBox(parent)
    box.setRange(5, 600)
    box.setSingleStep(15)
    box.setSuffix(" " + _("min"))
    box.setValue(minutes)
    return box


def forum_combo(parent: QWidget, choices: Choices) -> QComboBox:
    """The forums, translated where the name is a seeded one; data = forum id."""
    combo = QComboBox(parent)
    for forum in sorted(choices.forums, key=lambda f: display_name(f.name)):
        combo.addItem(display_name(forum.name), forum.id)
    return combo


def site_combo(parent: QWidget, choices: Choices) -> QComboBox:
    """The sites by name; data = site id."""
    combo = QComboBox(parent)
    for site_id, name in choices.sites:
        combo.addItem(name, site_id)
    return combo


def to_date(value: QDate) -> date:
    """A Python date from a QDate."""
    return date(value.year(), value.month(), value.day())


def to_time(value: QTime) -> time:
    """A Python time (minutes) from a QTime."""
    return time(value.hour(), value.minute())


class MeetingDialog(QDialog):
    """New single meeting (``meeting`` None) or move of ``meeting``."""

    def __init__(
        self,
        ctx: Context,
        choices: Choices,
        *,
        day: date,
        start: time = time(9, 0),
        meeting: CalendarItem | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices = choices
        self.meeting = meeting
        #: The id of the meeting created or moved, once done.
        self.result_id: str | None = None
        lang = ctx.language()
        moving = meeting is not None
        self.setWindowTitle(_("Move meeting") if moving else _("New meeting"))
        form = QFormLayout()
        self.forum = forum_combo(self, choices)
        self.site = site_combo(self, choices)
        if meeting is not None:
            day, start = meeting.start.date(), meeting.start.time()
            minutes = int((meeting.end - meeting.start).total_seconds() // 60)
            now = QLabel(meeting.label, self)
            now.setTextFormat(Qt.TextFormat.PlainText)
            now.setWordWrap(True)
            form.addRow(_("Meeting:"), now)
            self.forum.hide()
            self.site.hide()
        else:
            minutes = self._forum_minutes()
            self._row(form, _("&Forum:"), self.forum)
            self._row(form, _("&Site:"), self.site)
            self.forum.currentIndexChanged.connect(
                lambda _i: self.duration.setValue(self._forum_minutes())
            )
        self.date = date_edit(self, lang, day)
        self.start = QTimeEdit(QTime(start.hour, start.minute), self)
        self.start.setDisplayFormat("HH:mm")
        self.duration = duration_box(self, minutes)
        self._row(form, _("&Date:") if not moving else _("New &date:"), self.date)
        self._row(form, _("S&tart:"), self.start)
        self._row(form, _("D&uration:"), self.duration)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(_("Message"))
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("&Move") if moving else _("C&reate"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.setMinimumWidth(380)
        layout.addWidget(self.buttons)
        if not choices.sites and not moving:
            self._show(_("Add a site on the Sites & people page first."))
            ok.setEnabled(False)

    def _row(self, form: QFormLayout, text: str, field: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(field)
        form.addRow(label, field)

    def _forum_minutes(self) -> int:
        forum_id = self.forum.currentData()
        forum = next((f for f in self.choices.forums if f.id == forum_id), None)
        return forum.default_minutes if forum is not None else 60

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def start_at(self) -> datetime:
        """The chosen local start (naive wall-clock time)."""
        return datetime.combine(to_date(self.date.date()), to_time(self.start.time()))

    def accept(self) -> None:
        """Hand the change to the database thread; close when it is done."""
        session = self.ctx.session
        if not session.is_unlocked:
            return
        self.buttons.setEnabled(False)
        minutes = self.duration.value()
        if self.meeting is not None:
            session.run(
                move_meeting,
                self.meeting.id,
                self.start_at(),
                minutes,
                done=self._done,
                failed=self._failed,
            )
        else:
            session.run(
                add_meeting,
                str(self.forum.currentData()),
                str(self.site.currentData()),
                self.start_at(),
                minutes,
                done=self._done,
                failed=self._failed,
            )

    def _done(self, changes: Changes) -> None:
        self.result_id = next(iter(sorted(changes.ids)), None)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self._show(message_of(error))


def cancel_question(meeting: CalendarItem, parent: QWidget) -> QMessageBox:
    """ "Cancel this meeting?" (Yes/No, No by default); open it with ``open()``."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _("Cancel occurrence"),
        _("Cancel this meeting? It stays in the calendar, marked cancelled.")
        + "\n\n"
        + meeting.label,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box
