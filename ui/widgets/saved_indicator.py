"""Autosave as you type, and the quiet "Saving…" / "Saved" beside the editor.

:class:`FieldSaver` collects edits per (agenda item, field), waits for a short
pause in typing and then hands each changed field to
``minutes_service.save_field`` through the session (one UPDATE each, on the
database thread). :meth:`FieldSaver.flush` sends whatever is waiting at once:
the editor calls it when the cursor leaves a field, when another item is
chosen, when the page hides and before the window locks, so that the save is
queued ahead of the lock's close and nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from app.i18n import _
from app.services import minutes_service
from ui.session import Session, message_of

#: The pause in typing after which a field is saved.
DEBOUNCE_MS = 600

Key = tuple[str, str]  # (agenda item id, field)


class FieldSaver(QObject):
    """Debounced saving of minutes fields; remembers what it was given."""

    #: "saving", "saved" or "failed".
    state_changed = Signal(str)

    def __init__(self, session: Session, delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__()
        self.session = session
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._pending: dict[Key, object] = {}
        self._in_flight = 0
        self._failed = False
        #: The newest value of every field edited since the page loaded; the
        #: editor shows these over what it read (which may be older).
        self.known: dict[Key, object] = {}

    @property
    def busy(self) -> bool:
        """True while an edit waits or a save is running."""
        return bool(self._pending) or self._in_flight > 0

    def edit(self, item_id: str, field: str, value: object) -> None:
        """Remember an edit and save it after the next pause in typing."""
        self._pending[(item_id, field)] = value
        self.known[(item_id, field)] = value
        self._timer.start()
        self.state_changed.emit("saving")

    def save_now(self, item_id: str, field: str, value: object) -> None:
        """Save a chosen value (a date, a level) without waiting."""
        self.edit(item_id, field, value)
        self.flush()

    def flush(self) -> None:
        """Hand every waiting edit to the database thread now."""
        self._timer.stop()
        if not self._pending or not self.session.is_unlocked:
            return
        pending, self._pending = self._pending, {}
        for (item_id, field), value in pending.items():
            self._in_flight += 1
            self.session.run(
                minutes_service.save_field,
                item_id,
                field,
                value,
                done=self._saved,
                failed=self._not_saved,
            )

    def discard(self) -> None:
        """Forget everything (the vault locked or another meeting opened)."""
        self._timer.stop()
        self._pending.clear()
        self.known.clear()
        self._failed = False

    def _saved(self, _result: object) -> None:
        self._in_flight -= 1
        if not self.busy:
            self.state_changed.emit("failed" if self._failed else "saved")
            self._failed = False

    def _not_saved(self, error: BaseException) -> None:
        self._in_flight -= 1
        self._failed = True
        self.session.failed.emit(message_of(error))
        if not self.busy:
            self.state_changed.emit("failed")
            self._failed = False


class SavedIndicator(QLabel):
    """A small grey "Saving…" / "Saved" / "Not saved" beside the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedIndicator")
        self.setEnabled(False)  # the palette's quiet (disabled) text colour
        self.setAccessibleName(_("Save state"))

    def show_state(self, state: str) -> None:
        """Show a state from :attr:`FieldSaver.state_changed` ("" clears)."""
        texts = {"saving": _("Saving…"), "saved": _("Saved"), "failed": _("Not saved")}
        self.setText(texts.get(state, ""))
        self.setEnabled(state == "failed")


class StepEdit(QPlainTextEdit):
    """A free-text step of the minutes: Tab moves on, and leaving it saves at once."""

    #: (field, text) on every change, typed or loaded (the editor tells them apart).
    typed = Signal(str, str)

    def __init__(self, field: str, saver: FieldSaver, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.saver = saver
        self.setObjectName(field)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(100)
        self.setMaximumHeight(200)
        self.textChanged.connect(lambda: self.typed.emit(self.field, self.toPlainText()))

    def set_writable(self, writable: bool) -> None:
        """Read-only (approved minutes) shows on the palette's window colour."""
        self.setReadOnly(not writable)
        role = QPalette.ColorRole.Base if writable else QPalette.ColorRole.Window
        self.viewport().setBackgroundRole(role)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        self.saver.flush()
        super().focusOutEvent(event)
