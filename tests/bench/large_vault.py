"""The large vault every benchmark runs on, built once and cached.

``samraad demo --size large`` content (seed :data:`common.SEED`), created
with the production key derivation and :data:`common.PASSPHRASE`. The built
vault is kept under ``.bench-cache/large-<key>/`` (gitignored), keyed by the
seed, the schema version, the generator's version and the day it is built
for; a new key builds anew and removes the older copies. Each benchmark run
works on a fresh copy in a temporary folder, so unlocking, audit entries and
automatic backups never change the cached one.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.services import demo_large
from app.store import migrate
from app.store.vault import VaultDirectory
from tests.bench.common import CACHE, PASSPHRASE, SEED, today


@dataclass(frozen=True)
class Built:
    """The cached vault and what building it cost (None: taken from the cache)."""

    root: Path
    build_seconds: float | None


def cache_key(seed: int = SEED) -> str:
    """What the cached vault depends on."""
    return (
        f"large-s{seed}-v{migrate.latest_version()}-g{demo_large.GENERATOR_VERSION}"
        f"-{today().isoformat()}"
    )


def cached(seed: int = SEED) -> Built:
    """The cached large vault's folder, built first if needed."""
    home = CACHE / cache_key(seed)
    root = home / "vault"
    if (home / "complete").exists():
        return Built(root, None)
    if CACHE.is_dir():
        for old in CACHE.glob("large-*"):
            shutil.rmtree(old, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with VaultDirectory.open(root) as directory:
        vault, _summary = demo_large.create_large(
            directory, today(), seed=seed, size="large", passphrase=PASSPHRASE
        )
        vault.close(auto_backup=False)
    seconds = time.perf_counter() - started
    (home / "complete").write_text(f"{seconds:.1f}\n")
    return Built(root, seconds)


def working_copy(built: Built, into: Path) -> Path:
    """A copy of the cached vault to work on (the lock file stays behind)."""
    target = into / "vault"
    shutil.copytree(built.root, target, ignore=shutil.ignore_patterns("*.lock", "backups"))
    return target
