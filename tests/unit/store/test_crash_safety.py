"""SIGKILL at random moments never loses a reported commit (security.md, crash safety).

A writer subprocess (``tests/helpers/writer.py``) works on a vault in a loop and
prints a line after each piece of work returns. The test kills it with SIGKILL
at a random moment, then opens the vault itself and checks:

* the vault opens and ``self_test()`` passes (SQLCipher, SQLite, audit chain);
* every pair the writer reported committed is there, and no transaction is
  half-applied (``row-{i}`` never without ``pair-{i}``, nor the reverse);
* backups: every file under a final name is a complete backup whose database
  copy matches the SHA-256 in its header;
* passphrase change: the key file is whole; the last reported passphrase or
  the other one (a change may have finished unreported) opens it, and the
  recovery code still unwraps the same key.

The same vault is reused within a test, so the kills accumulate. Each test
draws its kill delays from ``random.Random(seed)``; the seed is in every
failure message so a failing schedule can be replayed.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from app.errors import BadBackup, WrongSecret
from app.store import backup
from app.store import keyfile as keyfile_mod
from app.store.vault import VaultDirectory
from tests.helpers.kill import run_and_kill
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.helpers.writer import PASSPHRASES, manual_backup_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")

MAX_KILL_DELAY = 0.150  # seconds after the first reported line
_COMMITTED = re.compile(r"committed (\d+)")
_PASSPHRASE = re.compile(r"passphrase (.+)")


def _no_sleep(_seconds: float) -> None:
    """Wrong-passphrase back-off is not under test here."""


def _create_vault(vault_dir: Path) -> tuple[str, str]:
    """Create the vault the writers will share; returns (vault id, recovery code)."""
    directory = open_directory(vault_dir)
    try:
        created = directory.create(PASSPHRASE, "DK")
        return created.vault.vault_id, created.recovery_code
    finally:
        directory.release()


def _run_and_kill(
    vault_dir: Path,
    mode: str,
    rng: random.Random,
    *,
    wait_for: re.Pattern[str],
    lines_before_kill: int,
    where: str,
    stderr_path: Path,
) -> list[str]:
    """Start the writer, SIGKILL it at a random moment, return every line it printed."""
    return run_and_kill(
        vault_dir,
        mode,
        rng=rng,
        wait_for=wait_for,
        max_delay=MAX_KILL_DELAY,
        where=where,
        stderr_path=stderr_path,
        lines_before_kill=lines_before_kill,
    ).lines


def _committed(lines: list[str], where: str) -> list[int]:
    numbers = []
    for line in lines:
        match = _COMMITTED.fullmatch(line)
        assert match, f"{where}: unexpected writer output {line!r}"
        numbers.append(int(match.group(1)))
    return numbers


def _check_rows(directory: VaultDirectory, passphrase: str, reported: list[int], where: str) -> int:
    """Unlock, self-test, and check the pairs; returns how many pairs are stored."""
    vault = directory.unlock(passphrase)
    try:
        report = vault.self_test()
        assert report.ok, f"{where}: self_test failed after SIGKILL: {report}"
        names = Counter(name for (name,) in vault.conn.execute("SELECT name FROM districts"))
        missing = [i for i in reported if names[f"row-{i}"] != 1 or names[f"pair-{i}"] != 1]
        assert not missing, (
            f"{where}: reported committed but not stored exactly once: {missing[:20]}"
        )
        rows = {n.removeprefix("row-") for n in names if n.startswith("row-")}
        pairs = {n.removeprefix("pair-") for n in names if n.startswith("pair-")}
        assert rows == pairs, (
            f"{where}: half-applied transactions: rows without pair {sorted(rows - pairs)[:20]},"
            f" pairs without row {sorted(pairs - rows)[:20]}"
        )
        duplicates = [n for n, c in names.items() if c != 1]
        assert not duplicates, f"{where}: names stored more than once: {duplicates[:20]}"
        return len(rows)
    finally:
        vault.close()


def _check_backup_files(
    vault_dir: Path, vault_id: str, scratch: Path, where: str
) -> tuple[int, bool]:
    """Every backup under a final name is whole; returns (files checked, manual present)."""
    manual = manual_backup_path(vault_dir)
    folder = vault_dir / "backups"
    candidates = sorted(folder.iterdir()) if folder.is_dir() else []
    candidates += sorted(manual.parent.iterdir()) if manual.parent.is_dir() else []
    finals = [p for p in candidates if p.is_file() and not p.name.startswith(".")]
    for path in finals:
        try:
            parsed = backup.read_header(path)
            scratch.unlink(missing_ok=True)
            backup.extract_database(parsed, scratch)
        except BadBackup as exc:
            pytest.fail(f"{where}: half-written or damaged file under a final name {path}: {exc}")
        assert parsed.header.vault_id == vault_id, f"{where}: {path} is another vault's backup"
        assert scratch.stat().st_size == parsed.header.db_size, f"{where}: {path} size mismatch"
    scratch.unlink(missing_ok=True)
    return len(finals), manual.is_file()


def test_sigkill_during_commit_loop_loses_no_reported_row(tmp_path: Path) -> None:
    seed, kills = 20_240_601, 20
    rng = random.Random(seed)
    vault_dir = tmp_path / "vault"
    _create_vault(vault_dir)
    stored = 0
    for k in range(kills):
        where = f"rows, seed={seed}, kill {k + 1}/{kills}"
        lines = _run_and_kill(
            vault_dir,
            "rows",
            rng,
            wait_for=_COMMITTED,
            lines_before_kill=1,
            where=where,
            stderr_path=tmp_path / "writer.stderr",
        )
        reported = _committed(lines, where)
        assert reported, f"{where}: no committed line read"
        with open_directory(vault_dir) as directory:
            now_stored = _check_rows(directory, PASSPHRASE, reported, where)
        assert now_stored >= stored + len(reported), f"{where}: earlier rows vanished"
        stored = now_stored


def test_sigkill_during_backups_leaves_only_whole_backup_files(tmp_path: Path) -> None:
    seed, kills = 20_240_602, 5
    rng = random.Random(seed)
    vault_dir = tmp_path / "vault"
    vault_id, _ = _create_vault(vault_dir)
    scratch = tmp_path / "extracted.db"
    for k in range(kills):
        where = f"backup, seed={seed}, kill {k + 1}/{kills}"
        # Two commits reported = at least one full backup_to + auto_backup
        # finished in this run, so there are real files to check.
        lines = _run_and_kill(
            vault_dir,
            "backup",
            rng,
            wait_for=_COMMITTED,
            lines_before_kill=2,
            where=where,
            stderr_path=tmp_path / "writer.stderr",
        )
        reported = _committed(lines, where)
        # Check the files exactly as the kill left them, before opening tidies anything.
        checked, manual_present = _check_backup_files(vault_dir, vault_id, scratch, where)
        assert manual_present and checked >= 2, f"{where}: the writer's backups are missing"
        with open_directory(vault_dir) as directory:
            _check_rows(directory, PASSPHRASE, reported, where)
        # The lock (with its automatic backup) must have produced whole files too.
        _check_backup_files(vault_dir, vault_id, scratch, f"{where}, after lock")


def test_sigkill_during_passphrase_change_keeps_the_key_file_whole(tmp_path: Path) -> None:
    seed, kills = 20_240_603, 5
    rng = random.Random(seed)
    vault_dir = tmp_path / "vault"
    _, recovery_code = _create_vault(vault_dir)
    for k in range(kills):
        where = f"passphrase, seed={seed}, kill {k + 1}/{kills}"
        lines = _run_and_kill(
            vault_dir,
            "passphrase",
            rng,
            wait_for=_PASSPHRASE,
            lines_before_kill=1,
            where=where,
            stderr_path=tmp_path / "writer.stderr",
        )
        reported = []
        for line in lines:
            match = _PASSPHRASE.fullmatch(line)
            assert match and match.group(1) in PASSPHRASES, f"{where}: unexpected line {line!r}"
            reported.append(match.group(1))
        last = reported[-1]
        other = PASSPHRASES[1] if last == PASSPHRASES[0] else PASSPHRASES[0]
        with open_directory(vault_dir, sleep=_no_sleep) as directory:
            kf = keyfile_mod.read(directory.layout.keyfile)  # parses: the file is whole
            opened_with = None
            for candidate in (last, other):
                try:
                    key = keyfile_mod.unwrap_with_passphrase(kf, candidate)
                except WrongSecret:
                    continue
                opened_with = candidate
                break
            assert opened_with is not None, (
                f"{where}: neither the last reported passphrase nor the previous one opens it"
            )
            assert keyfile_mod.unwrap_with_recovery_code(kf, recovery_code) == key, (
                f"{where}: the recovery slot no longer unwraps the database key"
            )
            _check_rows(directory, opened_with, [], where)
