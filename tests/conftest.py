"""Shared fixtures: a real temporary vault, offscreen Qt, private temp and log dirs."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Before any Qt import: tests never need a display (Picard, qutebrowser).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SAMRAAD_LANG"] = "en"
# Never touch the developer's real keyring from a test.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import pytest  # noqa: E402

from app import i18n  # noqa: E402
from app.store.vault import Vault  # noqa: E402
from tests.helpers.vaults import PASSPHRASE, open_directory  # noqa: E402


@pytest.fixture(autouse=True)
def _english_and_private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    i18n.set_language("en")
    base = tmp_path_factory.mktemp("env")
    monkeypatch.setenv("SAMRAAD_LOG_DIR", str(base / "logs"))
    monkeypatch.setenv("SAMRAAD_DATA_DIR", str(base / "default-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """Where the test's vault lives."""
    return tmp_path / "vault"


@pytest.fixture
def vault(vault_dir: Path) -> Iterator[Vault]:
    """A fresh, unlocked vault in a temp dir; closed and released afterwards."""
    directory = open_directory(vault_dir)
    created = directory.create(PASSPHRASE, "DK")
    try:
        yield created.vault
    finally:
        directory.release()


# --- the proof suite's counts (kills, hostile bundles, leak-scan files) ---------------
# Printed at the end of a run. Under pytest-xdist each worker counts its own
# tests and hands its counters to the controller, which prints the sums; these
# hooks live here because the controller loads only the root conftest.


def _proof_counters() -> dict[str, Counter[str]]:
    from tests.proof.support import FUZZ, KILLS, LEAK_SCAN

    return {"SIGKILLs": KILLS, "hostile bundles": FUZZ, "leak scan": LEAK_SCAN}


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: report to the controller
        workeroutput["proof_counts"] = {k: dict(c) for k, c in _proof_counters().items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    counters = _proof_counters()
    for name, values in getattr(node, "workeroutput", {}).get("proof_counts", {}).items():
        counters[name].update(values)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counters = _proof_counters()
    if not any(counters.values()):
        return
    terminalreporter.section("proof suite counts")
    for title, counter in counters.items():
        if counter:
            detail = ", ".join(f"{name} {n}" for name, n in sorted(counter.items()))
            total = "" if title == "leak scan" else f"{sum(counter.values())} "
            terminalreporter.write_line(f"{title}: {total}({detail})")
