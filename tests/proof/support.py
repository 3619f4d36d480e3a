"""Shared machinery of the proof suite: the SIGKILL harness, counters, test vaults.

The counters (:data:`KILLS`, :data:`FUZZ`) are printed at the end of a run by
``tests/proof/conftest.py``, so the numbers the issue asks for (kills per
workload, hostile bundles tried) come from the run itself, not from a
comment that may have gone stale.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from app.domain.calendar_model import SiteKind
from app.services import sites_service
from app.store import cases_repo, contacts_repo, districts_repo, sites_repo
from app.store.vault import Vault
from tests.helpers import kill
from tests.helpers.kill import REPO_ROOT as REPO_ROOT
from tests.helpers.kill import STARTUP_TIMEOUT as STARTUP_TIMEOUT
from tests.helpers.kill import Killed as Killed
from tests.helpers.vaults import PASSPHRASE, open_directory

KILLS: Counter[str] = Counter()  # workload -> SIGKILLs delivered while it ran
FUZZ: Counter[str] = Counter()  # fuzz test -> examples run
LEAK_SCAN: Counter[str] = Counter()  # "files searched", "planted strings"

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")


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
    """:func:`tests.helpers.kill.run_and_kill`, counted in :data:`KILLS`."""
    killed = kill.run_and_kill(
        vault_dir,
        mode,
        *args,
        rng=rng,
        wait_for=wait_for,
        max_delay=max_delay,
        where=where,
        stderr_path=stderr_path,
        lines_before_kill=lines_before_kill,
        self_kill_after=self_kill_after,
    )
    KILLS[mode] += 1
    return killed


def make_vault(root: Path) -> tuple[str, str]:
    """A fresh, locked test vault (fast KDF, PASSPHRASE); returns (vault id, recovery code)."""
    directory = open_directory(root)
    try:
        created = directory.create(PASSPHRASE, "DK")
        vault_id = created.vault.vault_id
        created.vault.close(auto_backup=False)
        return vault_id, created.recovery_code
    finally:
        directory.release()


def fill_large(vault: Vault, *, sites: int = 40, contacts: int = 2500, cases: int = 900) -> int:
    """Fictional records in bulk (one transaction per table); returns how many were added."""
    district_id, _changes = sites_service.add_district(vault, "Distrikt Nord")
    with vault.transaction() as conn:
        site_ids = [
            sites_repo.add(conn, vault.ctx, f"Skole {i}", str(SiteKind.SCHOOL), district_id)
            for i in range(sites)
        ]
    with vault.transaction() as conn:
        for i in range(contacts):
            contacts_repo.add(
                conn,
                vault.ctx,
                f"Kontakt {i}",
                None,
                site_ids[i % sites],
                organisation="Kommunen",
                phone=f"+45 {10_000_000 + i}",
                email=f"kontakt{i}@example.invalid",
            )
    opened = date(2026, 10, 1).isoformat()
    with vault.transaction() as conn:
        for i in range(cases):
            cases_repo.add(
                conn,
                vault.ctx,
                kind="anonymous",
                first_name=f"Barn{i}",
                age_or_year="5 år",
                site_id=site_ids[i % sites],
                concern="Fiktiv bekymring " * 8,
                level=i % 4,
                relay_holder_id=None,
                status="open",
                opened_on=opened,
            )
    with vault.transaction() as conn:
        districts_repo.add(conn, vault.ctx, "Distrikt Syd")
    return 1 + sites + contacts + cases + 1
