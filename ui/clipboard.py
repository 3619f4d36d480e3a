"""Copying to the clipboard so that a lock can take it back.

Only what Samråd itself put there is cleared on lock: the advisor's own
clipboard (a text copied from elsewhere) is left alone. A secret (the recovery
code) is marked so that clipboard managers do not keep a history of it, and
is taken back after :data:`SECRET_MS` even without a lock.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QTimer
from PySide6.QtGui import QGuiApplication

#: How long a secret stays on the clipboard.
SECRET_MS = 30_000

# KDE's Klipper and most Linux managers honour the first; Windows' clipboard
# history and cloud clipboard honour the second (macOS managers: the third).
SECRET_HINTS = {
    "x-kde-passwordManagerHint": b"secret",
    "ExcludeClipboardContentFromMonitorProcessing": b"1",
    "org.nspasteboard.ConcealedType": b"",
}

_ours: str | None = None
_generation = 0


def copy(text: str, *, secret: bool = False, clear_after_ms: int = SECRET_MS) -> None:
    """Put ``text`` on the clipboard and remember that we did.

    A ``secret`` carries the managers' "do not record" hints and is cleared
    after ``clear_after_ms`` if it is still there.
    """
    global _ours, _generation
    mime = QMimeData()
    mime.setText(text)
    if secret:
        for kind, value in SECRET_HINTS.items():
            mime.setData(kind, value)
    QGuiApplication.clipboard().setMimeData(mime)
    _ours = text
    _generation += 1
    if secret:
        generation = _generation
        QTimer.singleShot(clear_after_ms, lambda: _expire(generation))


def _expire(generation: int) -> None:
    # A later copy restarts the clock: only the copy this timer belongs to expires.
    if generation == _generation:
        clear_if_ours()


def clear_if_ours() -> bool:
    """Empty the clipboard if it still holds what we put there; True if it did."""
    global _ours
    if _ours is None:
        return False
    board = QGuiApplication.clipboard()
    cleared = board.text() == _ours
    if cleared:
        board.clear()
    _ours = None
    return cleared
