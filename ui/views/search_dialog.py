"""Global search (Ctrl+K) across cases, meetings and minutes (being built)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.i18n import _
from ui.context import Context


class SearchDialog(QDialog):
    """Type to search; Enter opens the hit."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Search everything"))
        QVBoxLayout(self)
