"""The application-wide inactivity timer (architecture.md rule 9, KeePassXC's model).

Any key or mouse event anywhere in the application restarts the timer; when
it runs out, :attr:`IdleWatcher.idle` fires and the window locks the vault.

Qt's timers count monotonic time, which stands still while the laptop sleeps:
a laptop put to sleep unlocked would wake with its idle time still to run. So
the watcher also compares the wall clock with the last activity, once a
second and before it counts any input as activity — a laptop that slept past
the idle time is locked the moment it wakes, whatever the first event is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

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

    def __init__(
        self,
        app: QApplication,
        interval_ms: int = DEFAULT_MINUTES * 60_000,
        *,
        wall_clock: Callable[[], float] = time.time,
        check_ms: int = 1_000,
    ) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._run_out)
        self._wall = wall_clock
        self._last_activity = wall_clock()
        self._check = QTimer(self)
        self._check.setInterval(check_ms)
        self._check.timeout.connect(self._check_wall_clock)
        app.installEventFilter(self)
        self._app = app

    def set_interval(self, interval_ms: int) -> None:
        """Change the idle time; restarts the count if it is running."""
        self._timer.setInterval(max(1, interval_ms))
        if self._timer.isActive():
            self._restart()

    @property
    def interval_ms(self) -> int:
        """The current idle time."""
        return int(self._timer.interval())

    def start(self) -> None:
        """Start counting (after unlock)."""
        self._restart()
        self._check.start()

    def stop(self) -> None:
        """Stop counting (while locked there is nothing to lock)."""
        self._timer.stop()
        self._check.stop()

    def _restart(self) -> None:
        self._last_activity = self._wall()
        self._timer.start()

    def _slept_past_interval(self) -> bool:
        return (self._wall() - self._last_activity) * 1000 >= self._timer.interval()

    def _check_wall_clock(self) -> None:
        if self._timer.isActive() and self._slept_past_interval():
            self._run_out()

    def _run_out(self) -> None:
        self.stop()
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in _ACTIVITY and self._timer.isActive():
            if self._slept_past_interval():
                self._run_out()  # the first touch after a long sleep is not activity
            else:
                self._restart()
        return False

    def detach(self) -> None:
        """Stop watching the application (window closed)."""
        self.stop()
        self._app.removeEventFilter(self)
