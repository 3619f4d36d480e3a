"""The Agreements page (being built)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import _
from ui.context import Context
from ui.views.base_view import View


class AgreementsView(View):
    """Agreements."""

    name = "agreements"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.title(), self))

    def title(self) -> str:
        """The page title."""
        return _("Agreements")
