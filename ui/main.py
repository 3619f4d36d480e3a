"""Start the desktop application."""

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
from ui.main_window import MainWindow, app_icon, install_qt_translator
from ui.preferences import Preferences


def make_application() -> QApplication:
    """The one QApplication, named so the desktop matches it to its entry."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Samraad")
    app.setApplicationDisplayName("Samråd")
    app.setWindowIcon(app_icon())
    # Wayland app id: lets the desktop match windows to packaging/linux's entry.
    app.setDesktopFileName("dk.samraad.Samraad")
    return app


def run_gui(data_dir: Path, lang: str | None = None) -> int:
    """Run the Qt event loop until the window closes; returns the exit status.

    ``lang`` is an explicit ``--lang``; without it the language chosen in the
    window earlier wins, then the system's.
    """
    app = make_application()
    preferences = Preferences()
    language = lang or preferences.language() or i18n.choose_language(None)
    i18n.set_language(language)
    install_qt_translator(language)
    try:
        directory = VaultDirectory.open(data_dir)
    except KnownError as exc:
        # Most often: Samråd is already open on this vault (a second instance).
        QMessageBox.information(None, _("Samråd"), exc.message)
        return 2
    window = MainWindow(directory, preferences=preferences)
    try:
        window.show()
        window.unlock_view.try_remembered()
        return int(app.exec())
    finally:
        window.session.directory.release()


def main() -> int:
    """Entry point of the ``samraad-gui`` script."""
    install_excepthook()
    try:
        configure_logging()
    except OSError:
        pass  # No log is better than no Samråd.
    return run_gui(resolve_data_dir(None))


if __name__ == "__main__":
    sys.exit(main())
