"""Sites & people: districts, sites, contacts, and the CSV import with its report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar_model import SiteKind
from app.i18n import _, ngettext
from app.services import sites_service
from app.store.contacts_repo import Contact
from app.store.sites_repo import Site
from ui.context import Context
from ui.models.id_table_model import Column, IdTableModel
from ui.session import message_of
from ui.views.base_view import View
from ui.widgets import file_dialogs
from ui.widgets.id_table import IdTable


def kind_names() -> dict[str, str]:
    """Site kinds as the advisor reads them."""
    return {
        SiteKind.DAYCARE: _("Day-care centre"),
        SiteKind.FAMILY_DAYCARE: _("Family day care"),
        SiteKind.SCHOOL: _("School"),
        SiteKind.OTHER: _("Other"),
    }


def sites_model() -> IdTableModel[Site]:
    """The sites table."""
    kinds = kind_names()
    return IdTableModel(
        [
            Column(_("Name"), lambda s: s.name),
            Column(_("Kind"), lambda s: kinds.get(s.kind, s.kind)),
            Column(_("District"), lambda s: s.district),
            Column(_("Address"), lambda s: s.address),
            Column(_("Leader"), lambda s: s.leader),
        ]
    )


def contacts_model() -> IdTableModel[Contact]:
    """The people table."""
    return IdTableModel(
        [
            Column(_("Name"), lambda c: c.name),
            Column(_("Role"), lambda c: _(c.role) if c.role else ""),
            Column(_("Site"), lambda c: c.site),
            Column(_("Organisation"), lambda c: c.organisation),
            Column(_("Phone"), lambda c: c.phone),
            Column(_("Email"), lambda c: c.email),
        ]
    )


class FormDialog(QDialog):
    """A small form; the view reads the fields when it is accepted."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def line(self, label: str) -> QLineEdit:
        """Add a text field with a keyboard-reachable label."""
        field = QLineEdit(self)
        self.form.addRow(label, field)
        return field

    def combo(self, label: str, items: list[tuple[str, str | None]]) -> QComboBox:
        """Add a choice of (text, data) items."""
        box = QComboBox(self)
        for text, data in items:
            box.addItem(text, data)
        self.form.addRow(label, box)
        return box


class SitesView(View):
    """Districts, sites and people; Ctrl+N adds to the tab shown."""

    name = "sites"
    tables = frozenset({"districts", "sites", "contacts", "roles"})

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._directory: sites_service.Directory | None = None
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Filter…"))
        self.filter.setAccessibleName(_("Filter"))
        self.filter.setClearButtonEnabled(True)
        self.import_button = QPushButton(_("&Import CSV…"), self)
        self.import_button.clicked.connect(self.import_csv)
        self.add_button = QPushButton(_("&Add…"), self)
        self.add_button.clicked.connect(self.new)

        self.sites = IdTable(sites_model(), self)
        self.contacts = IdTable(contacts_model(), self)
        self.districts = QListWidget(self)
        self.districts.setAccessibleName(_("Districts"))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.sites, _("&Sites"))
        self.tabs.addTab(self.contacts, _("&People"))
        self.tabs.addTab(self.districts, _("&Districts"))
        self.filter.textChanged.connect(self.sites.set_filter)
        self.filter.textChanged.connect(self.contacts.set_filter)

        self.report = QListWidget(self)
        self.report.setObjectName("importReport")
        self.report.setAccessibleName(_("Problems in the imported file"))
        self.report_label = QLabel(self)
        self.report_label.setWordWrap(True)
        self.report.hide()
        self.report_label.hide()

        top = QHBoxLayout()
        heading = QLabel(f"<h2>{self.title()}</h2>", self)
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.filter)
        top.addWidget(self.add_button)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.report_label)
        layout.addWidget(self.report)

    def title(self) -> str:
        """The page title."""
        return _("Sites & people")

    # --- data -----------------------------------------------------------------

    def reload(self) -> None:
        """Fetch districts, sites and contacts."""
        self.session.run(sites_service.directory, done=self._show)

    def _show(self, directory: sites_service.Directory) -> None:
        self._directory = directory
        self.sites.source.set_rows(directory.sites)
        self.contacts.source.set_rows(directory.contacts)
        self.districts.clear()
        for district in directory.districts:
            self.districts.addItem(district.name)

    def clear(self) -> None:
        """Forget everything shown (locked)."""
        self._directory = None
        self.sites.source.clear()
        self.contacts.source.clear()
        self.districts.clear()
        self.report.clear()
        self.report.hide()
        self.report_label.hide()

    def open(self, ref: str | None) -> None:
        """Select a site (or a contact) by id."""
        if ref is None:
            return
        if self.sites.select_id(ref):
            self.tabs.setCurrentWidget(self.sites)
        elif self.contacts.select_id(ref):
            self.tabs.setCurrentWidget(self.contacts)

    def selection(self) -> str | None:
        """The selected site or contact."""
        current = self.tabs.currentWidget()
        return current.selected_id() if isinstance(current, IdTable) else None

    def focus_filter(self) -> None:
        """Ctrl+F."""
        self.filter.setFocus()
        self.filter.selectAll()

    # --- adding ---------------------------------------------------------------

    def new(self) -> None:
        """Add a site, a person or a district, depending on the tab shown."""
        current = self.tabs.currentWidget()
        if current is self.contacts:
            self.add_contact_dialog().open()
        elif current is self.districts:
            self.add_district_dialog().open()
        else:
            self.add_site_dialog().open()

    def _district_items(self) -> list[tuple[str, str | None]]:
        districts = self._directory.districts if self._directory else []
        return [(_("(no district)"), None)] + [(d.name, d.id) for d in districts]

    def add_site_dialog(self) -> FormDialog:
        """The "new site" form; accepting it adds the site."""
        dialog = FormDialog(_("New site"), self)
        name = dialog.line(_("&Name:"))
        kind = dialog.combo(_("&Kind:"), [(text, str(k)) for k, text in kind_names().items()])
        district = dialog.combo(_("&District:"), self._district_items())
        address = dialog.line(_("&Address:"))
        leader = dialog.line(_("&Leader:"))

        def add() -> None:
            self.session.run(
                sites_service.add_site,
                name.text(),
                SiteKind(kind.currentData()),
                district.currentData(),
                address.text(),
                leader.text(),
                done=lambda result: self.sites.select_id(result[0]),
            )

        dialog.accepted.connect(add)
        return dialog

    def add_contact_dialog(self) -> FormDialog:
        """The "new person" form; accepting it adds the contact."""
        dialog = FormDialog(_("New person"), self)
        name = dialog.line(_("&Name:"))
        roles = self._directory.roles if self._directory else []
        role = dialog.combo(_("&Role:"), [(_("(no role)"), None)] + [(_(n), i) for i, n in roles])
        sites = self._directory.sites if self._directory else []
        site = dialog.combo(_("&Site:"), [(_("(no site)"), None)] + [(s.name, s.id) for s in sites])
        organisation = dialog.line(_("&Organisation:"))
        phone = dialog.line(_("&Phone:"))
        email = dialog.line(_("&Email:"))

        def add() -> None:
            self.session.run(
                sites_service.add_contact,
                name.text(),
                role.currentData(),
                site.currentData(),
                organisation.text(),
                phone.text(),
                email.text(),
                done=lambda result: self._select_contact(result[0]),
            )

        dialog.accepted.connect(add)
        return dialog

    def _select_contact(self, contact_id: str) -> None:
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.select_id(contact_id)

    def add_district_dialog(self) -> FormDialog:
        """The "new district" form."""
        dialog = FormDialog(_("New district"), self)
        name = dialog.line(_("&Name:"))
        dialog.accepted.connect(lambda: self.session.run(sites_service.add_district, name.text()))
        return dialog

    # --- CSV import -----------------------------------------------------------

    def import_csv(self) -> None:
        """Ask for a CSV file and import it whole, or show which lines are wrong."""
        path = file_dialogs.ask_open_path(
            self, _("Import sites and people"), _("CSV files (*.csv);;All files (*)")
        )
        if path is not None:
            self.import_path(path)

    def import_path(self, path: Path) -> None:
        """Import ``path``; the report appears below the tables."""
        self.report.clear()
        self.report.hide()
        self.report_label.hide()
        self.session.run(
            sites_service.import_csv_file, path, done=self._imported, failed=self._rejected
        )

    def _imported(self, report: sites_service.ImportReport) -> None:
        parts = (
            ngettext("{n} site", "{n} sites", report.sites).format(n=report.sites),
            ngettext("{n} contact", "{n} contacts", report.contacts).format(n=report.contacts),
            ngettext("{n} new district", "{n} new districts", report.districts).format(
                n=report.districts
            ),
        )
        self.ctx.notify(_("Imported: {parts}.").format(parts=", ".join(parts)))

    def _rejected(self, error: BaseException) -> None:
        self.report_label.setText(message_of(error))
        self.report_label.show()
        if isinstance(error, sites_service.ImportRejected):
            self.report.addItems(error.details())
            self.report.show()
