"""Window preferences that are not personal data: language, geometry, page.

Stored with QSettings in an INI file in the platform config folder (never the
registry, so a test can look inside it). Nothing about a case, a meeting or a
person may be written here — not even an id: ids of children's cases stay in
the encrypted vault and in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from app.i18n import LANGUAGES
from app.paths import APP_NAME


def config_dir() -> Path:
    """Where the preferences file lives (``SAMRAAD_CONFIG_DIR`` overrides it)."""
    given = os.environ.get("SAMRAAD_CONFIG_DIR")
    return Path(given) if given else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


class Preferences:
    """Typed access to the few values kept between runs."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "samraad.ini"
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def language(self) -> str | None:
        """The language the advisor chose, if any."""
        value = self._settings.value("ui/language")
        return value if isinstance(value, str) and value in LANGUAGES else None

    def set_language(self, lang: str) -> None:
        """Remember the chosen language."""
        self._settings.setValue("ui/language", lang)
        self._settings.sync()

    def geometry(self) -> QByteArray | None:
        """The main window's saved geometry."""
        value = self._settings.value("ui/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, geometry: QByteArray) -> None:
        """Remember the main window's geometry."""
        self._settings.setValue("ui/geometry", geometry)
        self._settings.sync()

    def page(self) -> str | None:
        """The page shown last (a page name, never an object id)."""
        value = self._settings.value("ui/page")
        return value if isinstance(value, str) else None

    def set_page(self, name: str) -> None:
        """Remember the page shown last."""
        self._settings.setValue("ui/page", name)
        self._settings.sync()
