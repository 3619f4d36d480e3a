"""The measures that need the desktop UI, each in child processes (offscreen).

What each measures (issue 8); the children are ``tests/bench/gui_driver.py``:

* :func:`startup_ratio` — time from process start to the unlocked Overview
  painted, on the large vault, ÷ time for a bare PySide6 script that shows an
  empty QMainWindow. Both are timed by this (parent) process, from just
  before it starts the child to the moment the child's "ready" line arrives,
  so Python's own start counts on both sides. The app's side starts as the
  shipped entry point does (:func:`app.cli.main` without a command word,
  which runs :func:`ui.main.run_gui`), types the passphrase and clicks
  Unlock as soon as the button takes it: the
  production key derivation is part of it (the large vault's
  ``unlock_s`` is reported separately). Medians of :data:`RUNS`, pair by
  pair. Target ≤ 1.5.
* :func:`gui_stall_ms` — the longest gap of a 5 ms QTimer heartbeat on the
  GUI thread while the UI exports the large vault (Sync page, the whole
  vault to the office key), renders the minutes of two 12-item meetings with
  their per-child extracts (meeting page; ≥ 12 per-child PDFs), and imports
  the bundle into an empty vault (Sync page, sender trusted). The work goes
  through the pages' own path — :func:`ui.widgets.progress.run_with_progress`
  on the database thread, then the pages' reloads — and each phase counts
  from the moment the work is handed over until every operation it caused
  has delivered. One run (the export and the import take minutes); the
  phases' own longest gaps are in :data:`DETAILS`. Target ≤ 50.
* :func:`rss_extra_mb` — RSS of the app with the large vault open on the
  Overview − RSS of the bare-window script, from the startup runs (medians).
  Target ≤ 100.

Each gets the large vault's folder (a working copy, safe to change), its
passphrase is :data:`tests.bench.common.PASSPHRASE`, and a scratch folder.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyrage

from app.store.vault import VaultDirectory
from tests.bench.common import PASSPHRASE, REPO

RUNS = 5
#: How long one child may take before the measure gives up (seconds).
STARTUP_TIMEOUT = 300
STALL_TIMEOUT = 40 * 60

#: What the last measures found besides their headline number (printed by ``make bench``).
DETAILS: dict[str, object] = {}


@dataclass
class Child:
    """What one child process reported."""

    ready_s: float | None = None
    rss_kb: int | None = None
    unlock_s: float | None = None
    stalls: dict[str, tuple[float, float]] = field(default_factory=dict)
    failed: str | None = None


def _env(scratch: Path) -> dict[str, str]:
    # A fresh folder per child: Samråd reopens the page it was last on, and the
    # measures start from the Overview, as a first start does.
    config = Path(tempfile.mkdtemp(prefix="gui-config-", dir=scratch))
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # Preferences (language, geometry, last page) of a first start, kept
        # out of the user's own config folder.
        "SAMRAAD_CONFIG_DIR": str(config),
        "SAMRAAD_LOG_DIR": str(scratch),
    }


def run_child(args: list[str], scratch: Path, timeout: float) -> Child:
    """Start ``gui_driver`` with ``args`` and read its report; times "ready" from here."""
    found = Child()
    errors = scratch / "gui-child.err"
    with errors.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.gui_driver", *args],
            cwd=REPO,
            env=_env(scratch),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        # A child that hangs is killed; its missing lines then say so.
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                word, *rest = line.split() or [""]
                if word == "ready":
                    found.ready_s = time.perf_counter() - started
                elif word == "rss":
                    found.rss_kb = int(rest[0])
                elif word == "unlock":
                    found.unlock_s = float(rest[0])
                elif word == "stall":
                    found.stalls[rest[0]] = (float(rest[1]), float(rest[2]))
                elif word == "failed":
                    found.failed = " ".join(rest)
            process.wait()
        finally:
            timed_out = not watchdog.is_alive() and process.returncode not in (0, None)
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if timed_out and found.failed is None:
            found.failed = f"no end after {timeout:.0f} s"
    if found.failed is None and process.returncode != 0:
        tail = errors.read_text(errors="replace").strip().splitlines()[-5:]
        found.failed = f"exit {process.returncode}: " + " | ".join(tail)
    return found


@dataclass(frozen=True)
class Startup:
    """Medians of the paired startup runs."""

    app_s: float
    bare_s: float
    app_rss_mb: float
    bare_rss_mb: float
    unlock_s: float | None

    @property
    def ratio(self) -> float:
        """App ÷ bare window."""
        return self.app_s / self.bare_s


_startup: dict[Path, Startup] = {}


def measure_startup(vault_root: Path, scratch: Path, runs: int = RUNS) -> Startup:
    """The app and the bare window, turn about; one untimed warm-up each (file cache)."""
    if vault_root in _startup:
        return _startup[vault_root]
    apps: list[Child] = []
    bares: list[Child] = []
    for run in range(runs + 1):
        app = run_child(["app", str(vault_root)], scratch, STARTUP_TIMEOUT)
        bare = run_child(["bare"], scratch, STARTUP_TIMEOUT)
        for child in (app, bare):
            if child.failed or child.ready_s is None or child.rss_kb is None:
                raise RuntimeError(f"a startup child failed: {child.failed}")
        if run:
            apps.append(app)
            bares.append(bare)
    unlocks = [c.unlock_s for c in apps if c.unlock_s is not None]
    found = Startup(
        app_s=statistics.median(c.ready_s or 0.0 for c in apps),
        bare_s=statistics.median(c.ready_s or 0.0 for c in bares),
        app_rss_mb=statistics.median((c.rss_kb or 0) / 1024 for c in apps),
        bare_rss_mb=statistics.median((c.rss_kb or 0) / 1024 for c in bares),
        unlock_s=statistics.median(unlocks) if unlocks else None,
    )
    _startup[vault_root] = found
    DETAILS["startup"] = found
    return found


def startup_ratio(vault_root: Path, scratch: Path) -> float | None:
    """App start → unlocked Overview painted ÷ bare QMainWindow shown (medians)."""
    return round(measure_startup(vault_root, scratch).ratio, 3)


def rss_extra_mb(vault_root: Path, scratch: Path) -> float | None:
    """RSS on the Overview of the large vault − the bare window's RSS (MB, medians)."""
    found = measure_startup(vault_root, scratch)
    return round(found.app_rss_mb - found.bare_rss_mb, 1)


def gui_stall_ms(vault_root: Path, scratch: Path) -> float | None:
    """Longest 5 ms-heartbeat gap during export, the minutes PDFs and import."""
    work = scratch / "gui-stall"
    work.mkdir()
    try:
        identity = pyrage.x25519.Identity.generate()
        (work / "office.key").write_text(f"{identity}\n")
        (work / "office.key").chmod(0o600)
        target = scratch / "gui-import-target"
        with VaultDirectory.open(target) as directory:
            directory.create(PASSPHRASE, "DK").vault.close(auto_backup=False)
        exported = run_child(
            ["stall-export", str(vault_root), str(work), str(identity.to_public())],
            scratch,
            STALL_TIMEOUT,
        )
        if exported.failed:
            raise RuntimeError(f"the export/print child failed: {exported.failed}")
        imported = run_child(["stall-import", str(target), str(work)], scratch, STALL_TIMEOUT)
        if imported.failed:
            raise RuntimeError(f"the import child failed: {imported.failed}")
        phases = {**exported.stalls, **imported.stalls}
        per_child = sum(1 for _ in work.glob("per-child-*/*.pdf"))
        DETAILS["stall"] = {"phases": phases, "per_child_pdfs": per_child}
        return round(max(ms for ms, _seconds in phases.values()), 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
