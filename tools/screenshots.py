"""Screenshots of every main screen in every language: ``make screenshots``.

Starts the real application (Qt's xcb platform, not ``offscreen``) under Xvfb
on a freshly made fictional demo vault, unlocks it through the unlock screen
and writes ``docs/screenshots/{lang}/{screen}.png``.

Two processes: this one (the "outer") installs what is missing (Xvfb,
ImageMagick, the xcb libraries Qt needs; apt-get, as root), then runs itself
again with ``--inner`` under ``xvfb-run``; the inner process drives the window
and grabs it (``QWidget.grab()``: pixel-exact, no window manager needed).
Afterwards the outer process shrinks the PNGs (ImageMagick, optipng).

Everything in the vault is invented by ``app.services.demo``; the vault lives
in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
LANGS = ("da", "nb", "en")
SCREENS = (
    "unlock",
    "overview",
    "calendar-week",
    "calendar-month",
    "meeting-agenda",
    "meeting-minutes",
    "cases",
    "case-page",
    "agreements",
    "sites",
    "sync",
    "settings",
    "search",
)
#: The day the demo (and the window) lives on, as in the UI tests.
TODAY = date(2026, 11, 23)
WINDOW_SIZE = (1280, 800)
XVFB_SCREEN = "-screen 0 1400x900x24"
#: System packages (Debian names) the run needs: Xvfb, ImageMagick, Qt's xcb plugin.
PACKAGES = ("xvfb", "imagemagick", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")
#: Optional: a lossless PNG optimiser (installed too when apt-get is there).
OPTIONAL_PACKAGES = ("optipng",)
PASSPHRASE = "fictional demo screenshots passphrase"
#: A word from the demo's minutes and agreements, typed into the search dialog.
SEARCH_WORD = "forældrene"
INNER_TIMEOUT_S = 600
#: Where the inner process keeps the demo vault and config (removed afterwards).
WORK_DIR = Path(tempfile.gettempdir()) / "samraad-screenshots"

#: Exit status of the inner process when it failed on its own (not Xvfb).
INNER_FAILED = 3
#: Exit status of the inner process when no X server answers on $DISPLAY.
NO_DISPLAY = 4
#: How long the inner process waits for Xvfb's socket to answer.
DISPLAY_WAIT_S = 10


def shown(path: Path) -> str:
    """``path`` relative to the repository where it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class Failure(Exception):
    """A clear, one-paragraph reason to stop (printed without a traceback)."""


class NoDisplay(Failure):
    """Xvfb is not there to talk to (some xvfb-run versions run the command anyway)."""


# --- outer process: packages, Xvfb, optimising --------------------------------------


def _missing_packages(names: tuple[str, ...]) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []  # not Debian-like: trust the binaries checked later
    missing = []
    for name in names:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in result.stdout:
            missing.append(name)
    return missing


def _apt_install(names: list[str], *, required: bool) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "--no-install-recommends", *names]
    print(f"screenshots: installing {' '.join(names)}", flush=True)
    if subprocess.run(command, env=env, check=False).returncode == 0:
        return
    # A fresh container often has no package lists yet.
    subprocess.run(["apt-get", "update"], env=env, check=False)
    if subprocess.run(command, env=env, check=False).returncode != 0 and required:
        raise Failure(f"Could not install {' '.join(names)} with apt-get.")


def ensure_packages() -> None:
    """Install the system packages that are missing (needs root and apt-get)."""
    missing = _missing_packages(PACKAGES)
    optional = _missing_packages(OPTIONAL_PACKAGES)
    can_install = shutil.which("apt-get") is not None and os.geteuid() == 0
    if missing:
        if not can_install:
            raise Failure(
                "These system packages are missing: "
                + " ".join(missing)
                + ". Install them (as root: apt-get install -y "
                + " ".join(missing)
                + ") and run `make screenshots` again."
            )
        _apt_install(missing, required=True)
    if optional and can_install:
        _apt_install(optional, required=False)
    if shutil.which("xvfb-run") is None or shutil.which("Xvfb") is None:
        raise Failure("xvfb-run and Xvfb are needed (Debian package: xvfb).")


def optimise(paths: list[Path]) -> None:
    """Shrink the PNGs: 256 colours (ImageMagick, no dithering), then optipng.

    A UI picture has a few hundred colours, nearly all anti-aliasing shades of
    text; 256 without dithering looks the same and halves the file.
    """
    if not paths:
        return
    convert = shutil.which("convert")
    if convert:
        for path in paths:
            subprocess.run(
                [convert, str(path), "-strip", "+dither", "-colors", "256", f"png8:{path}"],
                check=True,
            )
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-strip", "all", "-o2", *map(str, paths)], check=True)
    elif not convert:
        print("screenshots: neither ImageMagick nor optipng found; PNGs left as Qt wrote them")


def _run_under_xvfb(command: list[str], env: dict[str, str]) -> int:
    """Run ``command``; on the time limit end it with Xvfb and every child."""
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        return process.wait(timeout=INNER_TIMEOUT_S)
    except BaseException:  # the time limit or Ctrl+C: leave no Xvfb behind
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # The inner process may have died with its X connection before its own clean-up.
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        raise


def run_outer(out: Path, langs: tuple[str, ...]) -> int:
    """Install, run the inner process under Xvfb, optimise; returns the exit status.

    The PNGs are written to a scratch folder first and replace those in
    ``out`` only when every one of them was written.
    """
    started = time.monotonic()
    ensure_packages()
    with tempfile.TemporaryDirectory(prefix="samraad-shots-") as scratch:
        marker = Path(scratch) / "display-answered"
        fresh = Path(scratch) / "png"
        command = [
            "xvfb-run",
            "-a",
            "-s",
            XVFB_SCREEN,
            sys.executable,
            str(Path(__file__).resolve()),
            "--inner",
            "--out",
            str(fresh),
            "--marker",
            str(marker),
            "--langs",
            ",".join(langs),
        ]
        env = dict(os.environ, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        try:
            status = _run_under_xvfb(command, env)
        except subprocess.TimeoutExpired as exc:
            raise Failure(f"The screenshot run took longer than {INNER_TIMEOUT_S} s.") from exc
        if status != 0:
            if not marker.exists():
                raise Failure(
                    "Xvfb could not start, or the app could not connect to it "
                    f"(xvfb-run exited with {status}; see its message above)."
                )
            raise Failure(f"The screenshot run failed (exit status {status}).")
        made = [fresh / lang / f"{name}.png" for lang in langs for name in SCREENS]
        absent = [p for p in made if not p.is_file()]
        if absent:
            raise Failure("Not written: " + ", ".join(str(p.relative_to(fresh)) for p in absent))
        optimise(made)
        for lang in langs:
            (out / lang).mkdir(parents=True, exist_ok=True)
            for name in SCREENS:
                shutil.copyfile(fresh / lang / f"{name}.png", out / lang / f"{name}.png")
    written = [out / lang / f"{name}.png" for lang in langs for name in SCREENS]
    largest = max(written, key=lambda p: p.stat().st_size)
    print(
        f"screenshots: {len(written)} PNGs in {shown(out)}/ "
        f"in {time.monotonic() - started:.0f} s "
        f"(largest {largest.relative_to(out)}: {largest.stat().st_size // 1024} KB)"
    )
    return 0


# --- inner process: the window under Xvfb ----------------------------------------------


@dataclass(frozen=True)
class DemoPicks:
    """The demo objects the screenshots show (ids are random per run, the picks are not)."""

    upcoming_meeting: str
    minutes_meeting: str
    named_case: str


def _pick(vault: object) -> DemoPicks:
    """Choose a coming meeting, a past one with approved minutes and a named case."""
    from app.services import cases_service, minutes_service
    from app.services.calendar_service import CalendarService
    from app.store.vault import Vault

    assert isinstance(vault, Vault)
    calendar = CalendarService(vault)
    coming = [
        m
        for m in calendar.between(TODAY, TODAY + timedelta(days=21))
        if m.agenda_item_count >= 2 and m.status != "cancelled"
    ]
    if not coming:
        raise Failure("The demo vault has no coming meeting with an agenda.")
    # The fullest agenda (the soonest of those): more to see on the screen.
    upcoming = max(coming, key=lambda m: (m.agenda_item_count, -m.start.timestamp()))
    past = [
        m
        for m in calendar.between(TODAY - timedelta(days=70), TODAY - timedelta(days=1))
        if m.agenda_item_count >= 2 and minutes_service.view(vault, m.id).approved
    ]
    if not past:
        raise Failure("The demo vault has no past meeting with approved minutes.")
    minutes_meeting = max(past, key=lambda m: (m.agenda_item_count, m.start))
    named = next(
        s.row
        for s in cases_service.list_cases(vault, TODAY)
        if s.row.kind == "named" and s.row.status == "open" and s.consent_valid_today
    )
    return DemoPicks(upcoming.id, minutes_meeting.id, named.id)


def wait_for_display() -> None:
    """Return once the X server on $DISPLAY accepts a connection, else raise NoDisplay.

    Qt aborts the process (no exception) when it cannot open the display, so
    this is checked before Qt is touched.
    """
    display = os.environ.get("DISPLAY", "")
    if not display:
        raise NoDisplay("xvfb-run set no DISPLAY.")
    host, _colon, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if host not in ("", "unix") or not number.isdigit():
        return  # a TCP display: leave it to Qt
    path = f"/tmp/.X11-unix/X{number}"
    end = time.monotonic() + DISPLAY_WAIT_S
    while True:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(path)
                return
            except OSError:
                pass
        if time.monotonic() > end:
            raise NoDisplay(f"No X server answers on {display} ({path}).")
        time.sleep(0.1)


def run_inner(out: Path, marker: Path, langs: tuple[str, ...]) -> int:
    """Drive the window and write the PNGs (runs under xvfb-run)."""
    wait_for_display()
    # Written only once the display answers: the outer process tells an Xvfb
    # failure from a failure of the app by it (xvfb-run's exit status cannot).
    marker.write_text("display answered\n")
    sys.path.insert(0, str(ROOT))
    # A fixed folder: the unlock page shows the vault's path, and the same
    # path in every run keeps the committed PNGs unchanged when nothing else is.
    work = WORK_DIR
    # Ended from outside (time limit): still run the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(INNER_FAILED))
    shutil.rmtree(work, ignore_errors=True)  # left over from an interrupted run
    work.mkdir(parents=True)
    try:
        # Keep the run away from the user's own config, data and log folders.
        os.environ["SAMRAAD_CONFIG_DIR"] = str(work / "config")
        os.environ["SAMRAAD_DATA_DIR"] = str(work / "Samraad")
        os.environ["SAMRAAD_LOG_DIR"] = str(work / "log")
        return _shoot(out, work, langs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _shoot(out: Path, work: Path, langs: tuple[str, ...]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap
    from PySide6.QtWidgets import QWidget

    from app import i18n
    from app.services import demo
    from app.store.vault import VaultDirectory
    from ui.main import make_application
    from ui.main_window import MainWindow, install_qt_translator
    from ui.preferences import Preferences
    from ui.views.calendar_view import MONTH, WEEK, CalendarView
    from ui.views.meeting_view import AGENDA_TAB, MINUTES_TAB, MeetingView
    from ui.views.search_dialog import SearchDialog

    app = make_application()
    if QGuiApplication.platformName() != "xcb":
        raise Failure(f"Expected Qt's xcb platform, got {QGuiApplication.platformName()!r}.")

    def settle(ms: int = 150) -> None:
        """Let queued events, layouts and paints run for a moment."""
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 20) -> None:
        end = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > end:
                raise Failure(f"Timed out waiting for {what}.")
            app.processEvents()
            time.sleep(0.01)

    vault_dir = work / "Samraad"
    directory = VaultDirectory.open(vault_dir)
    vault, _summary = demo.create_demo(directory, TODAY, passphrase=PASSPHRASE)
    try:
        picks = _pick(vault)
        search_word = SEARCH_WORD
    finally:
        vault.close(auto_backup=False)

    i18n.set_language(langs[0])
    install_qt_translator(langs[0])
    window = MainWindow(
        directory,
        preferences=Preferences(work / "config" / "samraad.ini"),
        demo_dir=work / "demo",
        idle_ms=3_600_000,
        today=TODAY,
    )
    window.setFixedSize(*WINDOW_SIZE)
    window.move(0, 0)
    window.show()
    handle = window.windowHandle()
    wait_until(lambda: handle is not None and handle.isExposed(), "the window to be shown")

    def idle(what: str) -> None:
        wait_until(lambda: window.session.pending == 0, f"the database worker ({what})")
        settle()
        # A reply may queue more work (a page loading its parts): once more.
        wait_until(lambda: window.session.pending == 0, f"the database worker ({what})")
        settle(100)

    def save(pixmap: QPixmap, lang: str, name: str) -> None:
        path = out / lang / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(path), "PNG"):
            raise Failure(f"Could not write {path}.")
        print(f"screenshots: {lang}/{name}.png", flush=True)

    def shot(lang: str, name: str) -> None:
        idle(name)
        save(window.grab(), lang, name)

    def shot_with_dialog(lang: str, name: str, dialog: QWidget) -> None:
        """The window with the dialog painted where it is (no window manager frame)."""
        idle(name)
        picture = window.grab()
        offset = dialog.geometry().topLeft() - window.geometry().topLeft()
        painter = QPainter(picture)
        painter.drawPixmap(offset, dialog.grab())
        painter.setPen(QColor(110, 110, 110))
        painter.drawRect(dialog.rect().translated(offset).adjusted(0, 0, -1, -1))
        painter.end()
        save(picture, lang, name)

    def page(kind: str, ref: str | None = None) -> None:
        window.navigate(kind, ref)
        idle(kind)

    def show_meeting(meeting_id: str, tab: int) -> None:
        view = window.views["meeting"]
        assert isinstance(view, MeetingView)
        page("meeting", meeting_id)
        wait_until(
            lambda: view.data is not None and view.data.meeting_id == meeting_id,
            "the meeting page",
        )
        view.tabs.setCurrentIndex(tab)

    def open_search() -> SearchDialog:
        window.open_search()
        wait_until(
            lambda: any(
                isinstance(w, SearchDialog) and w.isVisible() for w in app.topLevelWidgets()
            ),
            "the search dialog",
        )
        dialog = next(
            w for w in app.topLevelWidgets() if isinstance(w, SearchDialog) and w.isVisible()
        )
        dialog.query.setText(search_word)
        dialog.search_now()
        idle("search")
        wait_until(lambda: dialog.status.text() != "", "search results")
        return dialog

    for lang in langs:
        if window.session.is_unlocked:
            window.lock()
            idle("lock")
        window.set_language(lang)  # rebuilds every page in ``lang``
        settle()
        view = window.unlock_view
        if view.pages.currentWidget() is not view.unlock_page:
            raise Failure("The unlock page is not shown for the demo vault.")
        shot(lang, "unlock")

        view.passphrase.setText(PASSPHRASE)
        view.unlock_button.click()
        wait_until(lambda: window.session.is_unlocked, "the vault to unlock", timeout_s=60)
        idle("unlock")

        page("overview")
        shot(lang, "overview")

        page("calendar")
        calendar = window.views["calendar"]
        assert isinstance(calendar, CalendarView)
        calendar.set_mode(WEEK)
        calendar.go_today()
        shot(lang, "calendar-week")
        calendar.set_mode(MONTH)
        shot(lang, "calendar-month")
        calendar.set_mode(WEEK)

        show_meeting(picks.upcoming_meeting, AGENDA_TAB)
        shot(lang, "meeting-agenda")
        show_meeting(picks.minutes_meeting, MINUTES_TAB)
        shot(lang, "meeting-minutes")

        page("cases")
        shot(lang, "cases")
        page("case", picks.named_case)
        shot(lang, "case-page")
        page("cases")  # back to the list, so the next unlock does not reopen the case

        for name in ("agreements", "sites", "sync", "settings"):
            page(name)
            shot(lang, name)

        page("overview")
        dialog = open_search()
        shot_with_dialog(lang, "search", dialog)
        dialog.reject()
        settle()

    window.lock()
    idle("lock")
    QTimer.singleShot(0, window.close)
    settle()
    window.session.directory.release()
    return 0


# --- entry point ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    parser.add_argument("--langs", default=",".join(LANGS), help="comma-separated: da,nb,en")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--marker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    langs = tuple(lang for lang in args.langs.split(",") if lang)
    unknown = [lang for lang in langs if lang not in LANGS]
    if unknown or not langs:
        parser.error(f"languages must be among {', '.join(LANGS)}")
    out = args.out.resolve()
    try:
        if args.inner:
            if args.marker is None:
                parser.error("--inner needs --marker")
            try:
                return run_inner(out, args.marker, langs)
            except Failure:
                raise
            except Exception as exc:
                import traceback

                traceback.print_exc()
                raise Failure(f"The window could not be driven: {exc}") from exc
        return run_outer(out, langs)
    except Failure as exc:
        print(f"screenshots: error: {exc}", file=sys.stderr)
        if not args.inner:
            return 1
        return NO_DISPLAY if isinstance(exc, NoDisplay) else INNER_FAILED


if __name__ == "__main__":
    sys.exit(main())
