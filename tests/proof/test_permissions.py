"""Private files: vault folder 0700, every file in it 0600, every exported file 0600.

Run under the most careless umask there is (0000, which would make new files
world-writable) so that the modes come from Samråd and not from the
environment: the vault is made in-process, the exports and the restore by
``samraad`` subprocesses with the same umask. The log folder is checked too.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pyrage
import pytest

from app.services import demo
from tests.helpers.cli import Cli, CliResult, assert_ok
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.proof.support import REPO_ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def run(cli: Cli, *args: str | Path) -> CliResult:
    """``samraad *args`` with umask 0000."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *(str(a) for a in args)],
        cwd=REPO_ROOT,
        env=cli.env(PASSPHRASE),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=0,
    )
    return CliResult(tuple(str(a) for a in args), done.returncode, done.stdout, done.stderr)


def loose(root: Path, *, dirs: int = 0o700, files: int = 0o600) -> list[str]:
    """Everything under ``root`` (and ``root`` itself) whose mode is not as private as asked."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = dirs if path.is_dir() else files
        if mode != wanted:
            found.append(f"{path.relative_to(root.parent)}: {mode:o}")
    return found


def test_vault_files_and_every_export_are_private_under_a_careless_umask(tmp_path: Path) -> None:
    vault_dir = tmp_path / "data" / "vault"
    today = date.today()
    with umask(0):
        with open_directory(vault_dir) as directory:
            vault = directory.create(PASSPHRASE, "DK").vault
            demo.fill(vault, today, random.Random(7))
            # Open and written to: the write-ahead log and its index exist now.
            assert (vault_dir / "vault.db-wal").exists() and (vault_dir / "vault.db-shm").exists()
            assert loose(vault_dir) == []
            (meeting_id,) = vault.conn.execute(
                "SELECT meeting_id FROM agenda_items ORDER BY meeting_id LIMIT 1"
            ).fetchone()
            (case_id,) = vault.conn.execute("SELECT id FROM cases ORDER BY id LIMIT 1").fetchone()
            vault.close()
    assert loose(vault_dir) == []

    cli = Cli(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    per_child = out / "per-child"
    per_child.mkdir()
    for args in (
        ("agenda", meeting_id, "--out", out / "agenda.pdf", "--per-child", per_child),
        ("minutes", meeting_id, "--out", out / "minutes.pdf"),
        ("case-report", case_id, "--out", out / "report.pdf", "--json", out / "report.json"),
        ("calendar", "--format", "ics", "--out", out / "calendar.ics"),
        ("export", "--all", "--recipient", recipient, "--out", out / "all.samraad"),
        ("backup", "--out", out / "manual.samraad-backup"),
        ("restore", out / "manual.samraad-backup", "--yes"),
    ):
        assert_ok(run(cli, *args, "--data-dir", vault_dir))

    written = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert {
        "agenda.pdf",
        "minutes.pdf",
        "report.pdf",
        "report.json",
        "calendar.ics",
        "all.samraad",
        "manual.samraad-backup",
    } <= set(written), written
    exported = [p for p in out.rglob("*") if p.is_file()]
    assert [
        f"{p.name}: {stat.S_IMODE(p.stat().st_mode):o}"
        for p in exported
        if stat.S_IMODE(p.stat().st_mode) != 0o600
    ] == []
    # The restore set the old vault aside, in private folders too.
    assert list((vault_dir / "backups").glob("replaced-*"))
    assert loose(vault_dir) == []
    assert loose(cli.log_dir) == [], "the log folder"
