"""Long work (PDFs, export, import, backup) with a progress dialog.

The work runs on the database thread like every other operation; the GUI
stays responsive and shows an indeterminate progress dialog. ``cancellable``
is offered only where stopping half-way is safe (the core checks the flag
between steps; a transaction in progress always finishes or rolls back).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import _
from ui.session import Session, message_of


class Cancelled:
    """A flag the work polls; set when the advisor presses Cancel."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()


def run_with_progress(
    parent: QWidget,
    session: Session,
    label: str,
    fn: Callable[..., Any],
    *args: object,
    done: Callable[[Any], None] | None = None,
    failed: Callable[[str], None] | None = None,
    cancellable: bool = False,
) -> QProgressDialog:
    """Run ``fn(vault, *args)`` with a progress dialog; returns the dialog.

    With ``cancellable`` the work receives a :class:`Cancelled` as its last
    argument.
    """
    dialog = QProgressDialog(label, _("Cancel") if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(_("Samråd"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    if not cancellable:
        dialog.setCancelButton(None)
    flag = Cancelled()
    extra: tuple[object, ...] = (flag,) if cancellable else ()
    dialog.canceled.connect(flag.set)

    def finished(result: Any) -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()
        if done is not None:
            done(result)

    def errored(error: BaseException) -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()
        if failed is not None:
            failed(message_of(error))
        else:
            session.failed.emit(message_of(error))

    session.run(fn, *args, *extra, done=finished, failed=errored)
    return dialog
