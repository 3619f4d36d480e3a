"""One Samråd per vault: a second one is refused while the first runs, and a
first one killed with SIGKILL (stale lock file) does not block the next.

``tests/cli/test_vault_cli.py`` proves both with a process that only holds the
folder. Here the first instance is busy: unlocked and committing in a loop.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import VaultInUse
from app.store.vault import VaultDirectory
from tests.helpers.cli import Cli, assert_ok, assert_one_sentence, snapshot
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.proof.support import REPO_ROOT, STARTUP_TIMEOUT, make_vault, posix_only

pytestmark = posix_only


def test_second_instance_refused_while_the_first_runs_and_allowed_after_sigkill(
    tmp_path: Path,
) -> None:
    vault_dir = tmp_path / "vault"
    make_vault(vault_dir)
    cli = Cli(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.writer", str(vault_dir), "rows"],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    reported: list[int] = []
    try:
        assert writer.stdout is not None
        first = writer.stdout.readline()  # blocks until the first commit (or EOF)
        assert re.fullmatch(r"committed \d+\n", first), first
        reported.append(int(first.split()[1]))

        # While it runs: refused, in one sentence, by the command line and in-process.
        refused = cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)
        assert_one_sentence(refused, contains=["already open"])
        with pytest.raises(VaultInUse):
            VaultDirectory.open(vault_dir)
        assert writer.poll() is None, "the first instance must still be running"
    finally:
        writer.send_signal(signal.SIGKILL)
        remaining, _ = writer.communicate(timeout=STARTUP_TIMEOUT)
    assert writer.returncode == -signal.SIGKILL
    reported += [int(line.split()[1]) for line in remaining.splitlines()]

    # The lock file is still there (stale); the operating system released the lock.
    assert (vault_dir / "vault.lock").exists()
    before = snapshot(vault_dir)
    result = cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)
    assert_ok(result)
    assert "Vault OK" in result.stdout
    assert snapshot(vault_dir) != before, "the self-test's unlock is audited"
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        names = {n for (n,) in vault.conn.execute("SELECT name FROM districts")}
        vault.close(auto_backup=False)
    assert {f"row-{i}" for i in reported} <= names, "the killed instance's commits were lost"
