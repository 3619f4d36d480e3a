"""scale_ratio (``make bench-scale``): per-case time of export + import at
50,000 cases ÷ at 500 cases.

Two generated vaults of the same shape — ``--size huge`` (50,000 cases) and
a tenth of ``large`` (500 cases) — each moved whole into a new, empty vault
by bundles of :data:`CHUNK` cases (``export --case …``, then ``import``),
the cases taken site by site. Per-case time = (all exports + all imports)
÷ cases. Bundles of equal size rather than one ``--all`` bundle: the huge
vault's ``--all`` bundle (about 660 MB) is over the bundle size limit
(``MAX_BUNDLE_BYTES``, 512 MB), so the only way to move it is in parts,
and equal parts make the two sizes comparable. The small vault is measured
:data:`SMALL_RUNS` times (median), the huge one :data:`HUGE_RUNS` times: it
takes many minutes. The result goes to ``.bench-cache/bench-scale.json``,
which ``make bench`` reports.

Run: ``make bench-scale`` (or ``python -m tests.bench.scale``; ``--huge-factor
F`` for a quicker try at ``scaled(F)`` instead of ``huge``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage

from app.services import demo_large
from app.store.vault import Vault, VaultDirectory
from app.sync.exporter import export_bundle
from app.sync.importer import import_bundle
from tests.bench.common import CACHE, SCALE_RESULTS, SEED, today
from tests.helpers.vaults import FAST_KDF, PASSPHRASE

SMALL_FACTOR = 0.1  # 500 cases
HUGE_FACTOR = 10.0  # 50,000 cases
SMALL_RUNS = 3
HUGE_RUNS = 1
CHUNK = 500


@dataclass(frozen=True)
class Point:
    """One size: what it held and what export and import took (medians)."""

    cases: int
    records: int
    bundle_mb: float
    build_s: float
    export_s: float
    import_s: float

    @property
    def per_case_ms(self) -> float:
        """(Export + import) per case, in milliseconds."""
        return (self.export_s + self.import_s) / self.cases * 1000


def _directory(root: Path) -> VaultDirectory:
    return VaultDirectory.open(root, passphrase_kdf=FAST_KDF, recovery_kdf=FAST_KDF)


def case_chunks(vault: Vault) -> list[list[str]]:
    """The case ids, site by site, in parts of :data:`CHUNK`."""
    ids = [
        str(row[0])
        for row in vault.conn.execute("SELECT id FROM cases ORDER BY site_id, opened_on, id")
    ]
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def measure(factor: float, runs: int, scratch: Path) -> Point:
    """Build ``scaled(factor)``, then move every case into an empty vault ``runs`` times."""
    identity = pyrage.x25519.Identity.generate()
    started = time.perf_counter()
    with _directory(scratch / f"source-{factor}") as source:
        vault, summary = demo_large.create_large(
            source,
            today(),
            seed=SEED,
            scale=demo_large.scaled(factor),
            passphrase=PASSPHRASE,
        )
        build_s = time.perf_counter() - started
        chunks = case_chunks(vault)
        exports: list[float] = []
        imports: list[float] = []
        records = 0
        size = 0
        for run in range(runs):
            exported = imported = 0.0
            records = size = 0
            with _directory(scratch / f"target-{factor}-{run}") as target:
                empty = target.create(PASSPHRASE, "DK").vault
                for number, chunk in enumerate(chunks):
                    out = scratch / f"part-{factor}-{run}-{number}.samraad"
                    start = time.perf_counter()
                    result = export_bundle(
                        vault, out, recipients=[str(identity.to_public())], case_ids=chunk
                    )
                    exported += time.perf_counter() - start
                    records, size = records + result.records, size + out.stat().st_size
                    data = out.read_bytes()
                    start = time.perf_counter()
                    import_bundle(empty, data, identities=[str(identity)], trust_new_sender=True)
                    imported += time.perf_counter() - start
                    out.unlink()
                empty.close(auto_backup=False)
            exports.append(exported)
            imports.append(imported)
        vault.close(auto_backup=False)
    return Point(
        cases=summary.cases,
        records=records,
        bundle_mb=round(size / 1e6, 1),
        build_s=round(build_s, 1),
        export_s=statistics.median(exports),
        import_s=statistics.median(imports),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale")
    parser.add_argument("--huge-factor", type=float, default=HUGE_FACTOR)
    args = parser.parse_args(argv)
    random.seed(SEED)
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        small = measure(SMALL_FACTOR, SMALL_RUNS, Path(tmp))
        print_point("small", small)
        huge = measure(args.huge_factor, HUGE_RUNS, Path(tmp))
        print_point("huge", huge)
    ratio = huge.per_case_ms / small.per_case_ms
    result = {
        "scale_ratio": round(ratio, 3),
        "huge_factor": args.huge_factor,
        "measured_on": today().isoformat(),
        "small": {**asdict(small), "per_case_ms": round(small.per_case_ms, 4)},
        "huge": {**asdict(huge), "per_case_ms": round(huge.per_case_ms, 4)},
    }
    SCALE_RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"scale_ratio {ratio:.3f} (target ≤ 1.2) → {SCALE_RESULTS.relative_to(CACHE.parent)}")
    return 0


def print_point(name: str, point: Point) -> None:
    print(
        f"{name:<6} {point.cases:>6} cases {point.records:>8} records {point.bundle_mb:>7.1f} MB"
        f"  build {point.build_s:6.1f} s  export {point.export_s:7.2f} s"
        f"  import {point.import_s:7.2f} s  → {point.per_case_ms:.3f} ms/case",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
