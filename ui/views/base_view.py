"""The contract every page of the main window follows.

A view loads its data through ``ctx.session.run`` (never on the GUI thread),
refreshes only when a change touched one of its :attr:`tables`, and can say
which object is selected so that the same selection comes back after a lock.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from app.services.changes import Changes
from ui.context import Context
from ui.session import Session


class View(QWidget):
    """A page of the main window."""

    #: Page name used by navigation (``ctx.navigate(name, ref)``).
    name: ClassVar[str] = ""
    #: Tables whose changes make this view reload; empty = any change.
    tables: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True

    @property
    def session(self) -> Session:
        """The session this view works through."""
        return self.ctx.session

    def title(self) -> str:
        """The translated page title shown in the navigation list."""
        raise NotImplementedError

    # --- lifecycle ------------------------------------------------------------

    def reload(self) -> None:
        """Fetch what the view shows (asynchronously)."""

    def clear(self) -> None:
        """Forget everything shown (the vault was locked)."""

    def open(self, ref: str | None) -> None:
        """Show the object ``ref`` (an id) in this view; None = the view itself."""

    def selection(self) -> str | None:
        """The id of the selected object, to restore after unlocking."""
        return None

    def flush_edits(self) -> None:
        """Hand edits still waiting for a pause in typing to the database now.

        The window calls this before it locks, switches language or closes, so
        the save is queued ahead of the vault's close and nothing typed is lost.
        """

    # --- standard actions (Ctrl+N, Ctrl+P, Ctrl+F) ----------------------------

    def new(self) -> None:
        """Create the view's main kind of object (Ctrl+N); default: nothing."""

    def print_(self) -> None:
        """Print or save what the view shows (Ctrl+P); default: nothing."""

    def focus_filter(self) -> None:
        """Put the cursor in the view's filter field (Ctrl+F); default: nothing."""

    # --- refresh --------------------------------------------------------------

    def on_changed(self, changes: Changes) -> None:
        """Reload if the change touched what this view shows."""
        if self.tables and not (self.tables & changes.tables):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def on_unlocked(self) -> None:
        """The vault is open again: reload when next shown."""
        self._stale = True
        if self.isVisible():
            self._stale = False
            self.reload()

    def on_locked(self) -> None:
        """Drop every shown row; nothing about a child stays on screen."""
        self._stale = True
        self.clear()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self._stale and self.session.is_unlocked:
            self._stale = False
            self.reload()
