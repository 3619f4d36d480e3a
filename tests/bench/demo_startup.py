"""Start → unlocked Overview painted on the small demo vault (issue 6's measure).

``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.demo_startup``
builds a fresh demo vault in a temporary folder and prints the median of five
starts next to the bare-window floor (the same children as ``make bench``).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from app.services import demo
from app.store.vault import VaultDirectory
from tests.bench import gui
from tests.bench.common import PASSPHRASE


def main() -> None:
    """Measure and print; the temporary folder is removed whatever happens."""
    scratch = Path(tempfile.mkdtemp(prefix="demo-startup-"))
    try:
        root = scratch / "demo"
        with VaultDirectory.open(root, create=True) as directory:
            vault, _summary = demo.create_demo(directory, date.today(), passphrase=PASSPHRASE)
            vault.close(auto_backup=False)
        found = gui.measure_startup(root, scratch, runs=5)
        print(
            f"demo vault, start -> unlocked Overview painted, median of 5: "
            f"{found.app_s * 1000:.0f} ms (of which unlock {found.unlock_s or 0:.2f} s); "
            f"bare QMainWindow {found.bare_s * 1000:.0f} ms"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
