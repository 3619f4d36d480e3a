"""The SIGKILL harness: run ``tests.helpers.writer`` and kill it at a random moment.

Used by the crash-safety tests of the store (tests/unit/store) and by the proof
suite (tests/proof/support.py, which also counts the kills).
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.helpers.writer import SELF_KILL_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0  # generous: a loaded CI machine may start Python slowly


@dataclass(frozen=True)
class Killed:
    """What a killed writer printed (complete lines only) and when it was killed."""

    lines: list[str]
    delay: float  # seconds between the trigger line and the SIGKILL


def _complete_lines(out: bytearray) -> list[str]:
    # Each line is written and flushed whole, so only a complete line ends in "\n".
    return out.decode("utf-8", "replace").split("\n")[:-1]


def _tail(stderr: BinaryIO) -> str:
    stderr.seek(0)
    return stderr.read().decode("utf-8", "replace")[-4000:]


def run_and_kill(
    vault_dir: Path,
    mode: str,
    *args: str | Path,
    rng: random.Random,
    wait_for: re.Pattern[str],
    max_delay: float,
    where: str,
    stderr_path: Path,
    lines_before_kill: int = 1,
    self_kill_after: float | None = None,
) -> Killed:
    """Start ``tests.helpers.writer VAULT_DIR MODE ARGS``; SIGKILL it at a random moment.

    The kill comes ``uniform(0, max_delay)`` seconds after the writer printed
    ``lines_before_kill`` lines matching ``wait_for``. Returns every complete
    line it printed. Fails the test if the writer died any other way.

    With ``self_kill_after`` the writer SIGKILLs itself that many seconds after
    its first line, timed by its own clock: for work of a few milliseconds, the
    time this process takes to notice a printed line on a loaded machine is
    longer than the work, and a kill timed from here would always come late.
    The kill from here then comes only as a backstop, after ``max_delay``.
    """
    argv = [sys.executable, "-W", "error", "-m", "tests.helpers.writer", str(vault_dir), mode]
    argv += [str(a) for a in args]
    with stderr_path.open("w+b") as stderr:
        env = dict(os.environ)
        if self_kill_after is not None:
            env[SELF_KILL_ENV] = f"{self_kill_after:.6f}"
        proc = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        out = bytearray()
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while sum(1 for ln in _complete_lines(out) if wait_for.fullmatch(ln)) < (
                lines_before_kill
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(
                        f"{where}: writer printed nothing in time; stderr:\n{_tail(stderr)}"
                    )
                ready, _, _ = select.select([fd], [], [], remaining)
                if ready:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        proc.wait()
                        pytest.fail(
                            f"{where}: writer exited ({proc.returncode}) before it was killed;"
                            f" stderr:\n{_tail(stderr)}"
                        )
                    out += chunk
            if self_kill_after is None:
                delay = rng.uniform(0.0, max_delay)
                time.sleep(delay)
            else:
                delay = self_kill_after
                try:
                    proc.wait(timeout=max_delay)  # the writer's own kill
                except subprocess.TimeoutExpired:
                    pass  # the backstop below
            if proc.poll() is None:  # never signal a reaped pid: it may be reused
                os.kill(proc.pid, signal.SIGKILL)
            # The pipe reaches EOF once the process is gone: this is all it printed.
            while chunk := os.read(fd, 65536):
                out += chunk
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL, (
            f"{where}: writer ended with {proc.returncode}, not by our SIGKILL;"
            f" stderr:\n{_tail(stderr)}"
        )
    return Killed(_complete_lines(out), delay)
