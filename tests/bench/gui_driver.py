"""The child processes of the GUI measures (``tests/bench/gui.py``).

Run as ``python -m tests.bench.gui_driver MODE …`` with ``QT_QPA_PLATFORM``
offscreen; each mode prints lines the parent reads:

* ``bare`` — the floor: a bare PySide6 script that shows an empty
  QMainWindow (the app window's size). Prints ``ready`` once the window's
  first paint has been delivered, then ``rss <kB>``.
* ``app VAULT`` — Samråd's own start on the vault folder ``VAULT``: the
  shipped entry point, :func:`app.cli.main` without a command word (the
  desktop entry's ``Exec=samraad``; it starts :func:`ui.main.run_gui`); the
  passphrase is typed into the unlock screen and Unlock clicked as soon as
  the button takes it. Prints ``ready`` once the Overview has its data (every
  operation delivered) and a paint of it has been delivered, then
  ``rss <kB>``.
* ``stall-export VAULT WORK RECIPIENT`` — as ``app``, then with a 5 ms
  heartbeat running on the GUI thread: on the Sync page, a bundle of the
  whole vault to ``RECIPIENT`` written to ``WORK/bundle.samraad``; on the
  meeting page, the minutes of the 12-item meetings (with their per-child
  extracts) written to ``WORK``. Each through the page's own path: the work
  on the database thread with the progress dialog
  (:func:`ui.widgets.progress.run_with_progress`), the page's reload after.
  Prints ``stall <phase> <longest gap ms> <phase seconds>``.
* ``stall-import VAULT WORK`` — as ``app`` on an empty vault, then, with the
  heartbeat, the Sync page's import of ``WORK/bundle.samraad`` with the
  identity file ``WORK/office.key`` (sender trusted). Prints ``stall``.

Every child leaves with ``os._exit`` once it has printed: what the parent
measures ends at ``ready``, and the working copies are thrown away.

For profiling, not for the measure: ``SAMRAAD_BENCH_TRACE=1`` writes to
stderr the start-up milestones (seconds, RSS), every result callback and
garbage collection that ran long, and at each heartbeat gap over 25 ms
where the database thread stood (it has just let the GIL go, so its line is
the one that held it). ``SAMRAAD_BENCH_CACHE_SIZE=-2000`` runs the app with
another SQLCipher page cache. E.g. (a working copy of the large vault in
``/tmp/v``)::

    QT_QPA_PLATFORM=offscreen SAMRAAD_CONFIG_DIR=/tmp/c SAMRAAD_BENCH_TRACE=1 \
        .venv/bin/python -m tests.bench.gui_driver app /tmp/v/vault
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Everything else is imported where it is used: the floor must not pay for
# what only the app needs, and the app's own imports are part of its start.

WINDOW_SIZE = (1200, 780)  # MainWindow's size without saved geometry
HEARTBEAT_MS = 5
#: The 12-item meetings whose minutes are printed, with per-child extracts:
#: no 12-item meeting of the large vault has 12 children named with consent
#: (9 at most), so two of them give the 12 per-child PDFs (18, in fact).
PDF_MEETINGS = 2
ITEMS = 12


def rss_kb() -> int:
    """This process's resident set size (kB), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def leave() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# --- the floor --------------------------------------------------------------


def bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.resize(*WINDOW_SIZE)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        say("ready")
        say(f"rss {rss_kb()}")
        leave()

    painted = FirstPaint()
    window.installEventFilter(painted)
    window.show()
    app.exec()


# --- the app ----------------------------------------------------------------


def start_app(vault: Path, on_ready: Callable[[Any], None]) -> None:
    """Start Samråd as its entry point does; ``on_ready(window)`` once the Overview is painted.

    Our own imports come first (``app.cli``, the entry module, then what the
    measure needs) so that the process pays for the same modules.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from app import cli
    from tests.bench.common import PASSPHRASE
    from ui.main import make_application
    from ui.main_window import MainWindow

    if TRACE:
        trace_callbacks()
        trace_gc()
        milestone("imported")
    cache_size = os.environ.get("SAMRAAD_BENCH_CACHE_SIZE")
    if cache_size:  # an experiment: another page cache than the app's
        from app.store import connection

        connection.CACHE_SIZE = int(cache_size)
    make_application()  # for the timer below; run_gui takes this one
    state: dict[str, Any] = {"fired": False}

    class OverviewPainted(QObject):
        """The first paint of the Overview (or a widget on it) once its data is shown."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            window = state["window"]
            if (
                not state["fired"]
                and event.type() == QEvent.Type.Paint
                and window.session.is_unlocked
                and window.session.pending == 0
                and window.views["overview"].overview is not None
            ):
                state["fired"] = True
                if TRACE:
                    milestone("overview painted")
                QTimer.singleShot(0, lambda: on_ready(window))
                # From the click to the vault adopted: key derivation and open.
                say(f"unlock {state['unlocked'] - state['clicked']:.3f}")
            return False

    def find_window() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows:
            QTimer.singleShot(1, find_window)
            return
        window = state["window"] = windows[0]
        if TRACE:
            milestone("window shown")
            window.session.unlocked.connect(lambda: milestone("unlocked"))
        watcher = state["watcher"] = OverviewPainted()
        overview = window.views["overview"]
        for widget in (overview, *overview.findChildren(QWidget)):
            widget.installEventFilter(watcher)
        # When the last result arrives without changing anything visible (an
        # empty vault), no paint would follow: ask for the one that shows it.
        window.session.busy.connect(lambda pending: pending or overview.update())
        type_passphrase()

    def type_passphrase() -> None:
        view = state["window"].unlock_view
        if not (view.unlock_button.isEnabled() and view.unlock_button.isVisible()):
            QTimer.singleShot(1, type_passphrase)  # the remembered-key check still runs
            return
        state["window"].session.unlocked.connect(
            lambda: state.setdefault("unlocked", time.perf_counter())
        )
        view.passphrase.setText(PASSPHRASE)
        state["clicked"] = time.perf_counter()
        view.unlock_button.click()

    QTimer.singleShot(0, find_window)
    cli.main(["--data-dir", str(vault)])


def app_mode(vault: Path) -> None:
    def ready(_window: Any) -> None:
        say("ready")
        say(f"rss {rss_kb()}")
        leave()

    start_app(vault, ready)


# --- the stall measure ------------------------------------------------------


class Heartbeat:
    """A 5 ms timer on the GUI thread; the longest gap between two beats."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.beat)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def reset(self) -> None:
        """Start a new phase: the gap in progress counts from now."""
        self.last = time.perf_counter()
        self.longest = 0.0

    def beat(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.longest = max(self.longest, gap)
        self.last = now
        if TRACE and gap > TRACE_GAP_S:
            trace_gap(gap)


# --- tracing (SAMRAAD_BENCH_TRACE=1: where do the long gaps come from?) ------

TRACE = bool(os.environ.get("SAMRAAD_BENCH_TRACE"))
TRACE_GAP_S = 0.025


def trace_gap(gap: float) -> None:
    """On stderr: the gap, and where the other threads stand now (the database
    thread has just let the GIL go: its line is where it held it)."""
    import threading
    import traceback

    main = threading.main_thread().ident
    lines = [f"gap {gap * 1000:.1f} ms"]
    for ident, frame in sys._current_frames().items():
        if ident == main:
            continue
        stack = traceback.extract_stack(frame)[-6:]
        lines += [f"    {f.filename.split('/')[-1]}:{f.lineno} {f.name}: {f.line}" for f in stack]
    sys.stderr.write("\n".join(lines) + "\n")


_T0 = time.perf_counter()


def milestone(name: str) -> None:
    """On stderr: seconds since this module was imported, and the RSS then."""
    sys.stderr.write(f"at {time.perf_counter() - _T0:.3f} s rss {rss_kb() / 1024:.0f} MB {name}\n")


def trace_gc() -> None:
    """On stderr: every garbage collection that ran long (in whichever thread)."""
    import gc
    import threading

    started: dict[str, float] = {}

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
            return
        took = time.perf_counter() - started.get("at", time.perf_counter())
        if took > TRACE_GAP_S / 2:
            sys.stderr.write(
                f"gc gen {info['generation']} {took * 1000:.1f} ms collected {info['collected']}"
                f" in {threading.current_thread().name} ({len(gc.get_objects())} objects)\n"
            )

    gc.callbacks.append(callback)


def trace_callbacks() -> None:
    """On stderr: every result callback that ran long on the GUI thread."""
    from ui.session import Session

    original = Session._finish

    def timed(self: Any, future: Any, done: Any, failed: Any) -> None:
        started = time.perf_counter()
        original(self, future, done, failed)
        took = time.perf_counter() - started
        if took > TRACE_GAP_S / 2:
            name = getattr(done, "__qualname__", repr(done))
            sys.stderr.write(f"callback {took * 1000:.1f} ms {name}\n")

    Session._finish = timed  # type: ignore[method-assign]


Act = Callable[[Callable[[], None]], None]


class Phases:
    """Runs the phases one after the other: each opens its page (not measured),
    then does its work, measured until every operation it caused has
    delivered (the pages' reloads after the work included)."""

    def __init__(self, window: Any, steps: list[tuple[str, str, str | None, Act]]) -> None:
        self.window = window
        self.steps = steps
        self.heart = Heartbeat()

    def run(self) -> None:
        self.heart.start()
        self._next()

    def _next(self) -> None:
        if not self.steps:
            self.heart.timer.stop()
            leave()
        name, page, ref, act = self.steps.pop(0)

        def begin() -> None:
            self.heart.reset()
            started = time.perf_counter()
            act(lambda: self._when_idle(lambda: finished(started)))

        def finished(started: float) -> None:
            seconds = time.perf_counter() - started
            self.heart.beat()  # a stall just before the end counts too
            say(f"stall {name} {self.heart.longest * 1000:.1f} {seconds:.2f}")
            self._next()

        self.window.navigate(page, ref)
        self._when_idle(begin, settle_ms=100)

    def _when_idle(self, then: Callable[[], None], settle_ms: int = 0) -> None:
        """``then`` once no operation is pending (checked after the current
        callback, so that the reloads a result triggers are seen)."""
        from PySide6.QtCore import QTimer

        def check() -> None:
            if self.window.session.pending:
                QTimer.singleShot(2, check)
            else:
                QTimer.singleShot(settle_ms, then)

        QTimer.singleShot(0, check)


def pdf_meetings(vault: Any) -> list[str]:
    """The 12-item meetings with the most children named with consent (benchmark only)."""
    rows = vault.conn.execute(
        "SELECT m.id FROM meetings m JOIN agenda_items i ON i.meeting_id = m.id"
        " LEFT JOIN cases c ON c.id = i.case_id"
        " GROUP BY m.id HAVING COUNT(*) = ?"
        " ORDER BY SUM(c.kind = 'named') DESC, m.start_utc, m.id LIMIT ?",
        (ITEMS, PDF_MEETINGS),
    ).fetchall()
    return [str(row[0]) for row in rows]


def stall_export(vault: Path, work: Path, recipient: str) -> None:
    from functools import partial

    from app.services import minutes_print, sync_service
    from ui.widgets.progress import run_with_progress

    def ready(window: Any) -> None:
        window.session.run(pdf_meetings, done=lambda ids: measure(window, ids))

    def measure(window: Any, meetings: list[str]) -> None:
        session = window.session

        def export(finished: Callable[[], None]) -> None:
            work_fn = partial(
                sync_service.export,
                out=work / "bundle.samraad",
                recipient=recipient,
                everything=True,
            )
            run_with_progress(
                window, session, "export", work_fn, done=lambda _r: finished(), failed=fail
            )

        def printing(meeting_id: str, number: int) -> Act:
            def act(finished: Callable[[], None]) -> None:
                folder = work / f"per-child-{number}"
                folder.mkdir(exist_ok=True)
                run_with_progress(
                    window,
                    session,
                    "minutes",
                    minutes_print.print_minutes,
                    meeting_id,
                    work / f"minutes-{number}.pdf",
                    folder,
                    done=lambda _r: finished(),
                    failed=fail,
                )

            return act

        steps: list[tuple[str, str, str | None, Act]] = [("export", "sync", None, export)]
        for number, meeting_id in enumerate(meetings, start=1):
            steps.append((f"minutes-{number}", "meeting", meeting_id, printing(meeting_id, number)))
        Phases(window, steps).run()

    start_app(vault, ready)


def stall_import(vault: Path, work: Path) -> None:
    from functools import partial

    from app.services import sync_service
    from ui.widgets.progress import run_with_progress

    def ready(window: Any) -> None:
        def importing(finished: Callable[[], None]) -> None:
            work_fn = partial(
                sync_service.import_file,
                path=work / "bundle.samraad",
                identity_file=work / "office.key",
                passphrase=None,
                trust_new_sender=True,
            )
            run_with_progress(
                window, window.session, "import", work_fn, done=lambda _r: finished(), failed=fail
            )

        Phases(window, [("import", "sync", None, importing)]).run()

    start_app(vault, ready)


def fail(message: object) -> None:
    say(f"failed {message}")
    leave()


def main(argv: list[str]) -> None:
    mode, *rest = argv
    if mode == "bare":
        bare()
    elif mode == "app":
        app_mode(Path(rest[0]))
    elif mode == "stall-export":
        stall_export(Path(rest[0]), Path(rest[1]), rest[2])
    elif mode == "stall-import":
        stall_import(Path(rest[0]), Path(rest[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    leave()  # the window closed before it was ready: the parent sees no "ready"


if __name__ == "__main__":
    main(sys.argv[1:])
