"""The Overview (start page): what needs the advisor's attention today.

One service call (:func:`app.services.overview_service.gather`) fetches every
section on the database thread. Each section is a heading and either a
compact table (Tab into it, Enter or a double click opens the line's object)
or a quiet "Nothing" line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import overview_service
from app.services.overview_service import Overview
from ui.context import Context
from ui.formatting import long_day_text, week_text
from ui.models import overview_model
from ui.models.id_table_model import IdTableModel
from ui.models.overview_model import SectionSpec
from ui.views.base_view import View
from ui.views.erasure_dialog import ErasureDialog
from ui.widgets.id_table import IdTable


def quiet_label(text: str, parent: QWidget) -> QLabel:
    """A label in the palette's placeholder colour (light and dark alike)."""
    label = QLabel(text, parent)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class Section(QWidget):
    """A heading with a compact table of lines, or "Nothing"."""

    #: A line asks to open its object: (navigation kind, id).
    opened = Signal(str, object)

    def __init__(self, heading: str, spec: SectionSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._heading_text = heading
        self.heading = QLabel(heading, self)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.model: IdTableModel[Any] = overview_model.model_for(spec)
        self.table = IdTable(self.model, self)
        # The service's order is the useful one: no sorting, not even the default.
        self.table.setSortingEnabled(False)
        self.table.proxy.sort(-1)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next section
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName(heading.replace("&", ""))
        self.heading.setBuddy(self.table)
        self.table.activated_id.connect(self._open)
        self.nothing = quiet_label(_("Nothing"), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        layout.addWidget(self.nothing)
        self.set_lines([])

    def set_heading(self, heading: str) -> None:
        """Change the heading (e.g. a new week number)."""
        self._heading_text = heading
        self.table.setAccessibleName(heading.replace("&", ""))
        self._show_count()

    def set_lines(self, lines: list[Any] | tuple[Any, ...]) -> None:
        """Show ``lines`` (a service's frozen values), or "Nothing"."""
        self.model.set_rows(lines)
        empty = not lines
        self.table.setVisible(not empty)
        self.nothing.setVisible(empty)
        self._show_count()
        self._fit()

    def _show_count(self) -> None:
        count = self.model.rowCount()
        text = self._heading_text
        self.heading.setText(f"{text} ({count})" if count else text)

    def _fit(self) -> None:
        """As tall as its rows: the page scrolls, never the section."""
        rows = self.model.rowCount()
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(header + rows * row + 2 * self.table.frameWidth())

    def _open(self, record_id: str) -> None:
        line = self.model.object_of(record_id)
        if line is not None:
            kind, ref = self.spec.target(line)
            self.opened.emit(kind, ref)


class OverviewView(View):
    """Today's meetings and everything due, each line opening its object."""

    name = "overview"
    tables = frozenset()  # nearly every change shows here: reload on any

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.overview: Overview | None = None
        today = ctx.today()
        self.date_label = QLabel(self)
        font = QFont(self.date_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.date_label.setFont(font)
        self.date_label.setAccessibleName(_("Today"))

        self.today_section = Section(_("&Today"), overview_model.today_meetings())
        self.week_section = Section(self._week_heading(today), overview_model.week_meetings())
        self.overdue_section = Section(
            _("&Overdue agreements"), overview_model.agreements(ctx.today, overdue=True)
        )
        self.due_section = Section(
            _("Agreements &due within 7 days"), overview_model.agreements(ctx.today, overdue=False)
        )
        self.failing_section = Section(
            _("&Agenda items the consent does not cover"), overview_model.failing_items()
        )
        self.consent_section = Section(
            _("&Consents expiring within 30 days"), overview_model.consents()
        )
        self.evaluation_section = Section(
            _("Interventions due for e&valuation"), overview_model.evaluations()
        )
        self.cadence_section = Section(_("Meeting cad&ence warnings"), overview_model.cadence())
        self.sections = [
            self.today_section,
            self.week_section,
            self.overdue_section,
            self.due_section,
            self.failing_section,
            self.consent_section,
            self.evaluation_section,
            self.cadence_section,
        ]
        for section in self.sections:
            section.opened.connect(self._navigate)
        self._today_shown = today

        # Retention: a count that opens the list of what is due, to erase it.
        self.erasure_heading = QLabel(_("Due for e&rasure"), self)
        bold = QFont(self.erasure_heading.font())
        bold.setBold(True)
        self.erasure_heading.setFont(bold)
        self.erasure_button = QPushButton(self)
        self.erasure_button.setFlat(True)
        self.erasure_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.erasure_button.clicked.connect(self.open_erasure)
        self.erasure_dialog: ErasureDialog | None = None
        self.erasure_heading.setBuddy(self.erasure_button)
        self.erasure_nothing = quiet_label(_("Nothing"), self)
        erasure = QWidget(self)
        erasure_layout = QVBoxLayout(erasure)
        erasure_layout.setContentsMargins(0, 0, 0, 0)
        erasure_layout.setSpacing(4)
        erasure_layout.addWidget(self.erasure_heading)
        button_row = QHBoxLayout()
        button_row.addWidget(self.erasure_button)
        button_row.addStretch(1)
        erasure_layout.addLayout(button_row)
        erasure_layout.addWidget(self.erasure_nothing)
        self.erasure_section = erasure
        self.erasure_section.hide()

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(16, 12, 16, 16)
        column.setSpacing(18)
        column.addWidget(self.date_label)
        for section in self.sections:
            column.addWidget(section)
        column.addWidget(self.erasure_section)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._show_date()

    def title(self) -> str:
        """The page title."""
        return _("Overview")

    # --- loading --------------------------------------------------------------

    def reload(self) -> None:
        """Gather every section for today on the database thread."""
        if not self.session.is_unlocked:
            return
        self.session.run(overview_service.gather, self.ctx.today(), done=self._show)

    def _show(self, overview: Overview) -> None:
        if not self.session.is_unlocked:
            return  # locked while the gather ran: show nothing about anyone
        self.overview = overview
        self._today_shown = overview.today
        self._show_date()
        self.today_section.set_lines(overview.today_meetings)
        self.week_section.set_lines(overview.week_meetings)
        self.overdue_section.set_lines(overview.overdue)
        self.due_section.set_lines(overview.due_soon)
        self.failing_section.set_lines(overview.failing_items)
        self.consent_section.set_lines(overview.expiring_consents)
        self.evaluation_section.set_lines(overview.evaluations)
        self.cadence_section.set_lines(overview.cadence)
        self._show_erasure(overview.erasure_due)

    def _show_erasure(self, count: int) -> None:
        self.erasure_section.show()
        self.erasure_button.setVisible(count > 0)
        self.erasure_nothing.setVisible(count == 0)
        self.erasure_button.setText(
            ngettext(
                "{count} case or withdrawn consent form is due for erasure – review and erase",
                "{count} cases or withdrawn consent forms are due for erasure – review and erase",
                count,
            ).format(count=count)
        )

    @staticmethod
    def _week_heading(day: date) -> str:
        return _("This &week ({week})").format(week=week_text(day))

    def _show_date(self) -> None:
        day = self._today_shown
        self.date_label.setText(f"{long_day_text(day)} · {week_text(day)}")
        self.week_section.set_heading(self._week_heading(day))

    def clear(self) -> None:
        """Forget every line (the vault was locked)."""
        self.overview = None
        for section in self.sections:
            section.set_lines([])
        self.erasure_section.hide()

    def open(self, ref: str | None) -> None:
        """No objects of its own; a new day (the app ran past midnight) reloads."""
        if self.overview is not None and self.overview.today != self.ctx.today():
            self.reload()

    # --- actions --------------------------------------------------------------

    def open_erasure(self) -> None:
        """The list of what is due for erasure (a dialog the lock closes)."""
        if not self.session.is_unlocked:
            return
        dialog = ErasureDialog(self.ctx, self.window())
        dialog.finished.connect(dialog.deleteLater)
        self.erasure_dialog = dialog
        dialog.open()

    def _navigate(self, kind: str, ref: object) -> None:
        self.ctx.navigate(kind, ref if isinstance(ref, str) else None)
