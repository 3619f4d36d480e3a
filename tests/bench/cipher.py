"""cipher_ratio: the app's query mix on the encrypted vault ÷ on a plaintext copy.

The copy is made with ``sqlcipher_export`` into a plain SQLite file in a
temporary folder (deleted afterwards) and opened with the same pragmas as
the vault (``app/store/connection.py``), by the same SQLite build. The mix
runs through the real services, as the UI's pages load their data:

* month view and week view: ``between``, conflicts, closure calendar, buffer;
* case list: every case with today's consent state, and the site directory;
* overdue agreements;
* full-text search (a few typed words);
* one case opened with everything (the case page's sections).

Each run takes the mix once on each database, turn about; the ratio is of
the medians of the totals, measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3

from app.domain import consent as consent_rule
from app.services import (
    agreements_service,
    case_timeline,
    cases_service,
    sdq_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.store import keyfile
from app.store.vault import Vault, VaultDirectory
from tests.bench.common import PASSPHRASE

RUNS = 7
SEARCHES = ("fravær", "sprogvurdering", "forældrene samarbejde", "hansen")


@dataclass(frozen=True)
class CipherResult:
    """Medians (seconds) of each step and of the whole mix, encrypted and plain."""

    encrypted: dict[str, float]
    plain: dict[str, float]

    @property
    def ratio(self) -> float:
        """Encrypted ÷ plain, for the whole mix."""
        return self.encrypted["total"] / self.plain["total"]


def _search(vault: Vault, text: str, today: date) -> Any:
    # search_service arrived with the search issue; the hook stays harmless
    # if a checkout predates it.
    try:
        from app.services import search_service
    except ImportError:  # pragma: no cover - older checkout
        return None
    return search_service.search(vault, text, today=today)


def _period(vault: Vault, first: date, last: date, today: date) -> None:
    """What the calendar page loads for a week or a month (ui/views/calendar_data.py)."""
    service = CalendarService(vault)
    service.ensure_horizon(today)
    service.closure_calendar(first.year, last.year)
    service.between(first, last)
    service.conflicts(first, last)
    service.travel_buffer()


def _case_page(vault: Vault, case_id: str, today: date) -> None:
    """What the case page loads (ui/models/case_detail_models.py, load_case_page)."""
    facts = cases_service.read_named(vault, case_id, "case-page")
    cases_service.get_case(vault, case_id)
    consents = cases_service.consents(vault, case_id)
    consent_rule.may_become_named(facts, consents, today)
    sites_service.directory(vault)
    case_timeline.level_history(vault, case_id)
    case_timeline.interventions(vault, case_id)
    agreements_service.by_case(vault, case_id)
    sdq_service.assessments(vault, case_id)
    sdq_service.series(vault, case_id)
    case_timeline.meetings(vault, case_id)


def busiest_named_case(vault: Vault) -> str:
    """The named case on the most agendas: the heaviest case page."""
    row = vault.conn.execute(
        "SELECT c.id FROM cases c JOIN agenda_items i ON i.case_id = c.id"
        " WHERE c.kind = 'named' GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1"
    ).fetchone()
    return str(row[0])


def query_mix(vault: Vault, today: date, case_id: str) -> dict[str, Callable[[], object]]:
    """The steps of the mix, by name."""
    month_first = today.replace(day=1)
    month_last = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    return {
        "month view": lambda: _period(vault, month_first, month_last, today),
        "week view": lambda: _period(vault, monday, monday + timedelta(days=6), today),
        "case list": lambda: (
            cases_service.list_cases(vault, today),
            sites_service.directory(vault),
        ),
        "overdue agreements": lambda: agreements_service.overdue(vault, today),
        "search": lambda: [_search(vault, text, today) for text in SEARCHES],
        "open case": lambda: _case_page(vault, case_id, today),
    }


def _run_mix(steps: dict[str, Callable[[], object]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, step in steps.items():
        start = time.perf_counter()
        step()
        found[name] = time.perf_counter() - start
    found["total"] = sum(found.values())
    return found


def plain_copy(vault: Vault, target: Path) -> None:
    """The vault's database exported into a plaintext SQLite file (benchmark only)."""
    conn = vault.conn
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('plain')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA plain.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE plain")


def _open_plain(path: Path, cache_size: int) -> Any:
    """The plain copy, with the vault's own pragmas (app/store/connection.py).

    ``cache_size`` is the vault connection's own, read back from it, so that
    both sides keep the same number of pages in memory.
    """
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def measure(root: Path, scratch: Path, today: date, runs: int = RUNS) -> CipherResult:
    """The query mix on the vault at ``root`` and on a plain copy made in ``scratch``."""
    with VaultDirectory.open(root, create=False) as directory:
        vault = directory.unlock(PASSPHRASE)
        plain_path = scratch / "plain.db"
        plain_copy(vault, plain_path)
        key = keyfile.unwrap_with_passphrase(keyfile.read(directory.layout.keyfile), PASSPHRASE)
        cache_size = vault.conn.execute("PRAGMA cache_size").fetchone()[0]
        plain_conn = _open_plain(plain_path, cache_size)
        try:
            # The same services on the plain connection: a Vault is its connection.
            plain = Vault(directory, plain_conn, key, vault.vault_id, vault.country)
            case_id = busiest_named_case(vault)
            enc_steps = query_mix(vault, today, case_id)
            plain_steps = query_mix(plain, today, case_id)
            _run_mix(enc_steps)  # warm-up: first reads, imports, caches
            _run_mix(plain_steps)
            enc_runs: list[dict[str, float]] = []
            plain_runs: list[dict[str, float]] = []
            for _ in range(runs):
                enc_runs.append(_run_mix(enc_steps))
                plain_runs.append(_run_mix(plain_steps))
        finally:
            plain_conn.close()
            for suffix in ("", "-wal", "-shm"):
                plain_path.with_name(plain_path.name + suffix).unlink(missing_ok=True)
            vault.close(auto_backup=False)

    def medians(found: list[dict[str, float]]) -> dict[str, float]:
        return {name: statistics.median(r[name] for r in found) for name in found[0]}

    return CipherResult(medians(enc_runs), medians(plain_runs))
