"""What every benchmark shares: timing, the passphrase, the repository's paths."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

PASSPHRASE = "benchmark passphrase 2026"
RUNS = 5
SEED = 2026
REPO = Path(__file__).resolve().parents[2]
# Gitignored: the large vault (rebuilt when the seed, the schema, the
# generator or the date changes) and the last ``make bench-scale`` result.
CACHE = REPO / ".bench-cache"
RESULTS = REPO / "bench-results.json"
SCALE_RESULTS = CACHE / "bench-scale.json"


def today() -> date:
    """The day the benchmark vault is built for (the real one: the UI reads it so)."""
    return date.today()


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls of ``fn``."""
    return statistics.median(times(fn, runs))


def times(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Wall time of each of ``runs`` calls of ``fn``."""
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        found.append(time.perf_counter() - start)
    return found


def paired_medians(
    first: Callable[[], object], second: Callable[[], object], runs: int = RUNS
) -> tuple[float, float]:
    """Medians of two measures taken turn about (first, second, first …), so
    that a noisy moment of the machine hits both alike. One untimed warm-up each."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a += times(first, 1)
        b += times(second, 1)
    return statistics.median(a), statistics.median(b)
