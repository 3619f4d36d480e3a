"""A dated addendum to approved minutes: the only change once they are locked."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from app.i18n import _
from app.services import minutes_service
from app.services.changes import Changes
from app.services.minutes_service import MinutesView
from app.store.vault import Vault
from ui.context import Context
from ui.formatting import day_text
from ui.views.agenda_item_dialog import FormDialog, date_edit, date_of


class AddendumDialog(FormDialog):
    """Author, date and text of an addendum."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(_("Add addendum"), parent)
        self.author = QLineEdit(self)
        self.on = date_edit(today, self)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumSize(380, 120)
        self.form.addRow(_("&Author:"), self.author)
        self.form.addRow(_("&Date:"), self.on)
        self.form.addRow(_("&Text:"), self.text)
        self.author.textChanged.connect(self._check)
        self.text.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.set_valid(bool(self.author.text().strip() and self.text.toPlainText().strip()))

    def values(self) -> tuple[str, date, str]:
        """(author, date, text)."""
        return self.author.text().strip(), date_of(self.on), self.text.toPlainText().strip()


def open_add_addendum(parent: QWidget, ctx: Context, meeting_id: str) -> AddendumDialog:
    """Open the dialog; when accepted, the addendum is added to the approved minutes."""
    dialog = AddendumDialog(ctx.today(), parent)
    dialog.accepted.connect(lambda: ctx.session.run(_add, meeting_id, *dialog.values()))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _add(vault: Vault, meeting_id: str, author: str, on: date, text: str) -> Changes:
    return minutes_service.add_addendum(vault, meeting_id, author, text, on)[1]


def addenda_text(minutes: MinutesView) -> str:
    """The addenda of approved minutes, oldest first, each dated and signed."""
    return "\n\n".join(
        _("{date}, {author}: {text}").format(
            date=day_text(a.written_on), author=a.author, text=a.text
        )
        for a in minutes.addenda
    )
