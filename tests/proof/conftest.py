"""The proof suite reports its own counts (kills per workload, hostile bundles tried)."""

from __future__ import annotations

import pytest

from tests.proof.support import FUZZ, KILLS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not KILLS and not FUZZ:
        return
    terminalreporter.section("proof suite counts")
    if KILLS:
        detail = ", ".join(f"{name} {n}" for name, n in sorted(KILLS.items()))
        terminalreporter.write_line(f"SIGKILLs: {sum(KILLS.values())} ({detail})")
    if FUZZ:
        detail = ", ".join(f"{name} {n}" for name, n in sorted(FUZZ.items()))
        terminalreporter.write_line(f"hostile bundles: {sum(FUZZ.values())} ({detail})")
