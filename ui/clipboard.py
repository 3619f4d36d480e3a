"""Copying to the clipboard so that a lock can take it back.

Only what Samråd itself put there is cleared on lock: the advisor's own
clipboard (a text copied from elsewhere) is left alone.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

_ours: str | None = None


def copy(text: str) -> None:
    """Put ``text`` on the clipboard and remember that we did."""
    global _ours
    QGuiApplication.clipboard().setText(text)
    _ours = text


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
