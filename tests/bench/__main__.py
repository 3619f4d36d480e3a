"""Run the benchmarks and print a table of medians.

Measures so far (foundation issue):
- unlock: passphrase → scrypt (production parameters) → open, migrate check,
  audit entry; what an advisor waits for after pressing Enter.
- open: opening the database with the key already unwrapped (the keyring path).
- cli self-test: a whole ``samraad self-test`` process, start to exit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.store import keyfile
from app.store.connection import open_database
from app.store.vault import VaultDirectory

PASSPHRASE = "benchmark passphrase 2026"
RUNS = 5


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        with VaultDirectory.open(root) as directory:
            directory.create(PASSPHRASE, "DK").vault.close()

            def unlock() -> None:
                directory.unlock(PASSPHRASE).close(auto_backup=False)

            unlock_s = median_seconds(unlock)
            key = keyfile.unwrap_with_passphrase(keyfile.read(root / "vault.key"), PASSPHRASE)

            def open_only() -> None:
                open_database(root / "vault.db", key).close()

            open_s = median_seconds(open_only)
        env = {**os.environ, "SAMRAAD_PASSPHRASE": PASSPHRASE, "SAMRAAD_LOG_DIR": tmp}

        def cli() -> None:
            subprocess.run(
                [sys.executable, "-m", "app.cli", "--data-dir", str(root), "self-test"],
                env=env,
                check=True,
                capture_output=True,
            )

        cli_s = median_seconds(cli)
    print(f"{'measure':<28}{'median of ' + str(RUNS):>14}")
    for name, value in (
        ("unlock (passphrase)", unlock_s),
        ("open (key at hand)", open_s),
        ("cli self-test (process)", cli_s),
    ):
        print(f"{name:<28}{value * 1000:>11.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
