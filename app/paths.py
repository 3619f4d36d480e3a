"""Where a vault and the log live on this computer."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Samraad"


def default_data_dir() -> Path:
    """The vault directory: ``SAMRAAD_DATA_DIR`` or the platform's user data dir."""
    override = os.environ.get("SAMRAAD_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(given: str | os.PathLike[str] | None) -> Path:
    """``--data-dir`` if given, else :func:`default_data_dir`."""
    if given:
        return Path(given).expanduser()
    return default_data_dir()


def default_demo_dir() -> Path:
    """Where ``samraad demo`` puts its vault unless told: beside, never inside, the real one."""
    return Path(platformdirs.user_data_dir(APP_NAME + "-demo", appauthor=False))


def log_dir() -> Path:
    """The log directory: ``SAMRAAD_LOG_DIR`` or the platform's user log dir."""
    override = os.environ.get("SAMRAAD_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
