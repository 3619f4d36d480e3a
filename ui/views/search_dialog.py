"""Global search (Ctrl+K) across cases, meetings, agenda items and minutes.

Typing searches as you go (after a short pause); results arrive from the
database thread and an answer to an older text is dropped. Enter or a
double click opens the hit and closes the dialog.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.i18n import _
from app.services import search_service
from app.services.search_service import SearchHit
from ui.context import Context
from ui.formatting import day_text, sort_key
from ui.models.id_table_model import Column, IdTableModel
from ui.widgets.id_table import IdTable

DEBOUNCE_MS = 150
#: The results column holding the matched text (see :func:`hits_model`).
MATCH_COLUMN = 2


def hit_key(hit: SearchHit) -> str:
    """A row id unique per hit (a meeting can be hit as itself and by its minutes)."""
    return f"{hit.kind}:{hit.ref_id}:{hit.item_id or ''}"


def kind_names() -> dict[str, str]:
    """What each kind of hit is called."""
    return {
        "case": _("Case"),
        "meeting": _("Meeting"),
        "agenda_item": _("Agenda item"),
        "minutes": _("Minutes"),
    }


def hits_model() -> IdTableModel[SearchHit]:
    """The results table."""
    kinds = kind_names()
    return IdTableModel(
        [
            Column(_("Kind"), lambda h: kinds.get(h.kind, h.kind)),
            Column(_("Title"), lambda h: h.title),
            Column(_("Match"), lambda h: search_service.plain(h.snippet)),
            Column(_("Date"), lambda h: day_text(h.when), sort_key=lambda h: sort_key(h.when)),
        ],
        id_of=hit_key,
    )


class SearchDialog(QDialog):
    """Type to search; Enter opens the hit."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Search everything"))
        self.resize(760, 420)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(_("Search cases, meetings and minutes…"))
        self.query.setAccessibleName(_("Search text"))
        self.results = IdTable(hits_model(), self)
        self.results.setSortingEnabled(False)  # best match first
        # The snippet takes what is left (elided), so the date stays in view.
        header = self.results.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(MATCH_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.results.activated_id.connect(self.open_hit)
        self.status = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self._asked = ""
        self.query.setFocus()

    def search_now(self) -> None:
        """Search for the text typed (also called by tests instead of waiting)."""
        self._timer.stop()
        text = self.query.text()
        self._asked = text
        if not text.strip():
            self.results.source.clear()
            self.status.clear()
            return
        session = self.ctx.session
        if not session.is_unlocked:
            return
        session.run(
            partial(search_service.search, today=self.ctx.today()),
            text,
            done=lambda hits, asked=text: self._show(asked, hits),
        )

    def _show(self, asked: str, hits: list[SearchHit]) -> None:
        if asked != self._asked:
            return  # an answer to an older text
        self.results.source.set_rows(hits)
        if hits:
            self.status.setText(_("{n} found").format(n=len(hits)))
            self.results.selectRow(0)
        else:
            self.status.setText(_("Nothing found."))

    def open_hit(self, key: str) -> None:
        """Open the hit with row id ``key`` and close the dialog."""
        hit = self.results.source.object_of(key)
        if hit is None:
            return
        self.accept()
        if hit.kind == "case":
            self.ctx.navigate("case", hit.ref_id)
        else:
            self.ctx.navigate("meeting", hit.ref_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        # Down from the search field goes to the results; Enter opens the first.
        if event.key() == Qt.Key.Key_Down and self.query.hasFocus():
            self.results.setFocus()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.query.hasFocus():
            self._timer.stop()
            selected = self.results.selected_id()
            if selected is not None:
                self.open_hit(selected)
            return
        super().keyPressEvent(event)
