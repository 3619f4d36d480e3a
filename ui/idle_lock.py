"""The application-wide inactivity timer (architecture.md rule 9, KeePassXC's model).

Any key or mouse event anywhere in the application restarts the timer; when
it runs out, :attr:`IdleWatcher.idle` fires and the window locks the vault.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

DEFAULT_MINUTES = 5

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits :attr:`idle` after ``interval_ms`` without user input."""

    idle = Signal()

    def __init__(self, app: QApplication, interval_ms: int = DEFAULT_MINUTES * 60_000) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.idle)
        app.installEventFilter(self)
        self._app = app

    def set_interval(self, interval_ms: int) -> None:
        """Change the idle time; restarts the count if it is running."""
        self._timer.setInterval(max(1, interval_ms))
        if self._timer.isActive():
            self._timer.start()

    @property
    def interval_ms(self) -> int:
        """The current idle time."""
        return int(self._timer.interval())

    def start(self) -> None:
        """Start counting (after unlock)."""
        self._timer.start()

    def stop(self) -> None:
        """Stop counting (while locked there is nothing to lock)."""
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False

    def detach(self) -> None:
        """Stop watching the application (window closed)."""
        self._timer.stop()
        self._app.removeEventFilter(self)
