"""Start the desktop application.

The full screens arrive with the UI issue; for now the window proves the
path works end to end: Qt starts, this process holds the vault directory
(a second Samråd on the same vault is refused), and the window closes
cleanly.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app import i18n
from app.errors import KnownError
from app.i18n import _
from app.logging_setup import configure_logging, install_excepthook
from app.paths import resolve_data_dir
from app.store.vault import VaultDirectory
from ui.main_window import MainWindow, app_icon


def run_gui(data_dir: Path, lang: str) -> int:
    """Run the Qt event loop until the window closes; returns the exit status."""
    i18n.set_language(lang)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Samraad")
    app.setApplicationDisplayName("Samråd")
    app.setWindowIcon(app_icon())
    # Wayland app id: lets the desktop match windows to packaging/linux's entry.
    app.setDesktopFileName("dk.samraad.Samraad")
    try:
        directory = VaultDirectory.open(data_dir)
    except KnownError as exc:
        QMessageBox.critical(None, _("Samråd"), exc.message)
        return 2
    try:
        window = MainWindow(directory)
        window.show()
        return int(app.exec())
    finally:
        directory.release()


def main() -> int:
    """Entry point of the ``samraad-gui`` script."""
    install_excepthook()
    try:
        configure_logging()
    except OSError:
        pass  # No log is better than no Samråd.
    return run_gui(resolve_data_dir(None), i18n.choose_language(None))


if __name__ == "__main__":
    sys.exit(main())
