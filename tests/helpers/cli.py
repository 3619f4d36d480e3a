"""Run ``samraad`` as a real subprocess and look at what it left on disk.

The CLI tests go through ``python -m app.cli`` exactly as a user or a script
would: separate process, production KDF, no tty on stdin, no keyring. Every
run gets its own log and temp folders inside the test's ``tmp_path`` so a
test can scan them afterwards for leaked plaintext.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.store import districts_repo
from tests.helpers.vaults import PASSPHRASE, open_directory

REPO_ROOT = Path(__file__).resolve().parents[2]
RECOVERY_CODE_RE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")
# Secrets the CLI reads from the environment: a test opts in, never inherits.
_SECRET_ENV = ("SAMRAAD_PASSPHRASE", "SAMRAAD_NEW_PASSPHRASE", "SAMRAAD_RECOVERY_CODE")
TIMEOUT = 120


@dataclass(frozen=True)
class CliResult:
    """What one ``samraad`` run returned."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"samraad {' '.join(self.args)} -> {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


class Cli:
    """Runs ``samraad`` with a private environment rooted in ``base``."""

    def __init__(self, base: Path) -> None:
        self.log_dir = base / "cli-logs"
        self.tmp_dir = base / "cli-tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def env(self, passphrase: str | None = None, **extra: str) -> dict[str, str]:
        """The subprocess environment (``passphrase`` -> SAMRAAD_PASSPHRASE)."""
        env = dict(os.environ)
        for name in _SECRET_ENV:
            env.pop(name, None)
        env.update(
            SAMRAAD_LANG="en",
            SAMRAAD_LOG_DIR=str(self.log_dir),
            TMPDIR=str(self.tmp_dir),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if passphrase is not None:
            env["SAMRAAD_PASSPHRASE"] = passphrase
        env.update(extra)
        return env

    def run(
        self, *args: str | os.PathLike[str], passphrase: str | None = None, **extra_env: str
    ) -> CliResult:
        """Run ``samraad *args`` to the end; stdin is /dev/null (not a tty)."""
        argv = tuple(str(a) for a in args)
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *argv],
            cwd=REPO_ROOT,
            env=self.env(passphrase, **extra_env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )
        return CliResult(argv, done.returncode, done.stdout, done.stderr)

    def python(self, code: str, *args: str) -> subprocess.Popen[str]:
        """Start ``python -c code *args`` in the repo with the same environment."""
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=REPO_ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def assert_ok(result: CliResult) -> None:
    """Exit 0 and nothing on stderr."""
    assert result.returncode == 0, str(result)
    assert result.stderr == "", str(result)


def assert_one_sentence(
    result: CliResult,
    *,
    exact: str | None = None,
    contains: Iterable[str] = (),
    code: int | None = None,
) -> str:
    """A refused command: non-zero exit, one line on stderr, no traceback. Returns the line."""
    assert result.returncode != 0, str(result)
    if code is not None:
        assert result.returncode == code, str(result)
    assert "Traceback" not in result.stderr, str(result)
    assert "Traceback" not in result.stdout, str(result)
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, str(result)
    line = result.stderr.rstrip("\n")
    assert line.strip() == line and line.endswith("."), str(result)
    if exact is not None:
        assert line == exact, str(result)
    for part in contains:
        assert part in line, str(result)
    return line


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (recursively): relative path -> bytes."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def files_containing(roots: Iterable[Path], needle: bytes) -> list[Path]:
    """Regular files under ``roots`` (files or folders) whose bytes contain ``needle``."""
    hits: list[Path] = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        hits.extend(p for p in candidates if p.is_file() and needle in p.read_bytes())
    return hits


def write_secret(path: Path, secret: str) -> Path:
    """A passphrase or recovery-code file as a user would write it (with a newline)."""
    path.write_text(secret + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def mode(path: Path) -> int:
    """The permission bits of ``path``."""
    return path.stat().st_mode & 0o777


@dataclass(frozen=True)
class Template:
    """A vault made by ``samraad init`` and the recovery code it printed."""

    root: Path
    recovery_code: str


def add_districts(root: Path, names: list[str]) -> None:
    """Unlock ``root`` in-process, add one district per name, lock (auto backup)."""
    directory = open_directory(root)
    try:
        vault = directory.unlock(PASSPHRASE)
        with vault.transaction() as conn:
            for name in names:
                districts_repo.add(conn, vault.ctx, name)
        vault.close()
    finally:
        directory.release()
