"""What every view is given: the session, navigation, today (no global registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ui.session import Session


def _today() -> date:
    return date.today()


@dataclass
class Context:
    """Passed into each view's constructor (architecture.md: no global objects).

    ``navigate(kind, ref)`` opens an object anywhere in the window: kinds are
    the page names (``"overview"``, ``"calendar"``, ``"cases"``…) and the
    object kinds ``"case"``, ``"meeting"``, ``"agreement"``, ``"site"``.
    """

    session: Session
    navigate: Callable[[str, str | None], None]
    today: Callable[[], date] = field(default=_today)
    language: Callable[[], str] = field(default=lambda: "en")
    #: Show a short, quiet message in the status bar.
    notify: Callable[[str], None] = field(default=lambda _message: None)
    #: Switch the whole window to another language (and remember it).
    set_language: Callable[[str], None] = field(default=lambda _lang: None)
