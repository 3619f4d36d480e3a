"""The offline guide (F1): HTML shipped in resources/help, shown by Qt."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def open_help(parent: QWidget, screen: str, lang: str) -> None:
    """Show the guide's page for ``screen`` in ``lang`` (arrives with the packaging issue)."""
