"""``make bench``: run every measure, print a table, write bench-results.json.

The targets of issue 8 are ratios against a floor measured in the same run
(the machines are noisy); each ratio is of medians taken pair by pair:

* cipher_ratio — the query mix on the large vault ÷ a plaintext copy (≤ 1.3);
* pdf_ratio — the 12-item agenda PDF ÷ a bare reportlab document (≤ 3);
* scale_ratio — per-case export + import at 50,000 ÷ at 500 cases (≤ 1.2),
  from the last ``make bench-scale`` (``.bench-cache/bench-scale.json``),
  else null;
* startup_ratio (≤ 1.5), gui_stall_ms (≤ 50), rss_extra_mb (≤ 100) — the
  desktop UI in child processes, offscreen (``tests/bench/gui.py``);
* unlock_s — passphrase → key derivation (production scrypt) → open of the
  large vault, absolute, for information.

``targets_met`` is true only when every target has a value and holds.
Also printed, for information: unlock and open of an empty vault and a whole
``samraad self-test`` process (the foundation issue's measures).

The large vault is built once and cached (``tests/bench/large_vault.py``);
every run works on a fresh copy in a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.store import keyfile
from app.store.connection import open_database
from app.store.vault import VaultDirectory
from tests.bench import cipher, gui, large_vault, pdf, scale
from tests.bench.common import PASSPHRASE, RESULTS, RUNS, SCALE_RESULTS, median_seconds, today

KEYS = (
    "startup_ratio",
    "cipher_ratio",
    "gui_stall_ms",
    "scale_ratio",
    "pdf_ratio",
    "rss_extra_mb",
    "unlock_s",
    "targets_met",
)
# measure → (target, unit); every target is "at most".
TARGETS: dict[str, tuple[float, str]] = {
    "startup_ratio": (1.5, "×"),
    "cipher_ratio": (1.3, "×"),
    "gui_stall_ms": (50, "ms"),
    "scale_ratio": (1.2, "×"),
    "pdf_ratio": (3, "×"),
    "rss_extra_mb": (100, "MB"),
}


def targets_met(results: dict[str, Any]) -> bool:
    """True only when every target has a measured value within it."""
    return all(
        results.get(name) is not None and results[name] <= limit
        for name, (limit, _unit) in TARGETS.items()
    )


def last_scale_ratio() -> float | None:
    """The scale ratio of the last ``make bench-scale``, if one ran here."""
    try:
        found = json.loads(SCALE_RESULTS.read_text())
        value = found["scale_ratio"]
        if found.get("huge_factor") != scale.HUGE_FACTOR:
            return None  # a quicker trial run (--huge-factor), not the measure
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def empty_vault_measures(tmp: Path) -> dict[str, float]:
    """Unlock and open of an empty vault, and a whole ``samraad self-test`` process."""
    root = tmp / "empty"
    with VaultDirectory.open(root) as directory:
        directory.create(PASSPHRASE, "DK").vault.close(auto_backup=False)

        def unlock() -> None:
            directory.unlock(PASSPHRASE).close(auto_backup=False)

        unlock_s = median_seconds(unlock)
        key = keyfile.unwrap_with_passphrase(keyfile.read(root / "vault.key"), PASSPHRASE)
        open_s = median_seconds(lambda: open_database(root / "vault.db", key).close())
    env = {**os.environ, "SAMRAAD_PASSPHRASE": PASSPHRASE, "SAMRAAD_LOG_DIR": str(tmp)}

    def cli() -> None:
        subprocess.run(
            [sys.executable, "-m", "app.cli", "--data-dir", str(root), "self-test"],
            env=env,
            check=True,
            capture_output=True,
        )

    return {"unlock": unlock_s, "open": open_s, "self-test": median_seconds(cli)}


def unlock_large(root: Path) -> float:
    """Passphrase → key derivation → open (migration check, audit entry) of the large vault."""
    with VaultDirectory.open(root, create=False) as directory:

        def unlock() -> None:
            directory.unlock(PASSPHRASE).close(auto_backup=False)

        return median_seconds(unlock)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "null"
    return f"{value:.2f} {unit}".strip()


def main() -> int:
    results: dict[str, Any] = dict.fromkeys(KEYS)
    built = large_vault.cached()
    if built.build_seconds is not None:
        print(f"built the large vault in {built.build_seconds:.1f} s (cached for today)")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        root = large_vault.working_copy(built, scratch)
        results["unlock_s"] = round(unlock_large(root), 3)
        mix = cipher.measure(root, scratch, today())
        results["cipher_ratio"] = round(mix.ratio, 3)
        printed = pdf.measure(root, scratch)
        results["pdf_ratio"] = round(printed.ratio, 3)
        results["startup_ratio"] = gui.startup_ratio(root, scratch)
        results["gui_stall_ms"] = gui.gui_stall_ms(root, scratch)
        results["rss_extra_mb"] = gui.rss_extra_mb(root, scratch)
        results["scale_ratio"] = last_scale_ratio()
        floor = empty_vault_measures(scratch)
    results["targets_met"] = targets_met(results)
    RESULTS.write_text(json.dumps({k: results[k] for k in KEYS}, indent=2) + "\n")

    print(f"\n{'measure':<16}{'value':>12}{'target':>10}  holds")
    for name in KEYS[:-1]:
        target = TARGETS.get(name)
        unit = target[1] if target else "s"
        value = results[name]
        limit = f"≤ {target[0]:g}" if target else "info"
        if target is None:
            holds = "-"
        else:
            holds = "?" if value is None else "yes" if value <= target[0] else "NO"
        print(f"{name:<16}{_value(value, unit):>12}{limit:>10}  {holds}")
    print(f"{'targets_met':<16}{str(results['targets_met']).lower():>12}")

    print(f"\nquery mix, medians of {cipher.RUNS} (ms){'encrypted':>13}{'plain':>10}{'ratio':>8}")
    for step, seconds in mix.encrypted.items():
        plain = mix.plain[step]
        print(f"  {step:<32}{seconds * 1000:>11.1f}{plain * 1000:>10.1f}{seconds / plain:>8.2f}")
    print(
        f"agenda PDF, 12 items (ms)         {printed.app_s * 1000:>11.1f}"
        f"{printed.bare_s * 1000:>10.1f}{printed.ratio:>8.2f}"
    )
    startup = gui.DETAILS.get("startup")
    if isinstance(startup, gui.Startup):
        unlock = "" if startup.unlock_s is None else f", of which unlock {startup.unlock_s:.2f} s"
        print(
            f"\nstartup, medians of {gui.RUNS}: app {startup.app_s:.2f} s{unlock};"
            f" bare window {startup.bare_s:.2f} s"
        )
        print(f"RSS: app {startup.app_rss_mb:.1f} MB; bare window {startup.bare_rss_mb:.1f} MB")
    stall = gui.DETAILS.get("stall")
    if isinstance(stall, dict):
        print(f"\nGUI heartbeat, longest gap per phase ({stall['per_child_pdfs']} per-child PDFs)")
        for phase, (ms, seconds) in stall["phases"].items():
            print(f"  {phase:<32}{ms:>8.1f} ms{seconds:>9.1f} s")
    print(f"\nempty vault, medians of {RUNS} (ms)")
    for name, seconds in floor.items():
        print(f"  {name:<32}{seconds * 1000:>11.1f}")
    print(f"\nwritten to {RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
