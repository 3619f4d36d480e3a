"""Samråd core: domain rules, encrypted store, services, sync and reports.

Nothing in this package imports Qt (see the import-linter contract in
pyproject.toml); the desktop UI lives in ``ui/``.
"""

__version__ = "0.1.0"
