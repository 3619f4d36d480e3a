"""Settings: passphrase, keyring, auto-lock, backup, calendar, retention, sync, language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain import retention
from app.domain.calendar_model import DateRange
from app.domain.retention import RetentionRules
from app.errors import BadInput
from app.i18n import LANGUAGES, _
from app.services import key_memory, retention_service, vault_settings
from app.services.calendar_service import CalendarService
from app.store.keyring_cache import KeyringCache
from app.store.vault import Vault, outside_data_folder
from ui.context import Context
from ui.formatting import day_text
from ui.views.agenda_item_dialog import date_edit
from ui.views.backup_restore import (
    BackupStatus,
    backup_file_name,
    backup_filter,
    backup_status,
    newest_backup_text,
    selectable_label,
    with_backup_suffix,
)
from ui.views.base_view import View
from ui.views.unlock_view import COUNTRY_NAMES, LANGUAGE_NAMES
from ui.widgets import file_dialogs
from ui.widgets.progress import run_with_progress

_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*[./-]\s*(\d{1,2})\s*\.?\s*$")


def parse_closure_days(text: str) -> list[tuple[int, int]]:
    """``"24.12, 31.12"`` → ``[(12, 24), (12, 31)]`` (month, day); BadInput otherwise."""
    days: list[tuple[int, int]] = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _DAY_MONTH.match(part)
        if not match:
            raise BadInput(_("Write extra closure days as day.month, separated by commas."))
        day, month = int(match.group(1)), int(match.group(2))
        try:
            date(2024, month, day)  # a leap year accepts 29.2
        except ValueError:
            raise BadInput(
                _("Write extra closure days as day.month, separated by commas.")
            ) from None
        days.append((month, day))
    return days


def _closure_text(days: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(f"{day:02d}.{month:02d}" for month, day in days)


def _set_calendar(vault: Vault, travel: int, closures: list[tuple[int, int]]) -> object:
    calendar = CalendarService(vault)
    return calendar.set_travel_buffer(travel) | calendar.set_extra_closure_days(closures)


def _back_up(vault: Vault, out: Path) -> Path:
    vault.backup_to(out)
    return out


def _add_school_holiday(vault: Vault, period: DateRange, name: str) -> object:
    return CalendarService(vault).add_school_holiday(period, name)


class SettingsView(View):
    """One scrolling page of grouped settings; each group saves on its own button."""

    name = "settings"
    tables = frozenset({"settings", "school_holidays"})

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.settings: vault_settings.VaultSettings | None = None
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(QLabel(f"<h2>{self.title()}</h2>"))
        column.addWidget(self._security_group())
        column.addWidget(self._backup_group())
        column.addWidget(self._calendar_group())
        column.addWidget(self._retention_group())
        column.addWidget(self._sync_group())
        column.addWidget(self._language_group())
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def title(self) -> str:
        """The page title."""
        return _("Settings")

    # --- groups ---------------------------------------------------------------

    def _security_group(self) -> QGroupBox:
        group = QGroupBox(_("Passphrase and locking"))
        form = QFormLayout(group)
        self.current_passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.new_passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.new_passphrase_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.change_button = QPushButton(_("&Change passphrase"))
        self.change_button.clicked.connect(self.change_passphrase)
        form.addRow(_("C&urrent passphrase:"), self.current_passphrase)
        form.addRow(_("&New passphrase:"), self.new_passphrase)
        form.addRow(_("&Repeat it:"), self.new_passphrase_again)
        form.addRow("", self.change_button)
        self.keyring_state = QLabel()
        self.keyring_state.setWordWrap(True)
        self.remember_button = QPushButton(_("Re&member on this computer"))
        self.remember_button.clicked.connect(self.remember)
        self.forget_button = QPushButton(_("&Forget on this computer"))
        self.forget_button.clicked.connect(self.forget)
        keyring_row = QHBoxLayout()
        keyring_row.addWidget(self.remember_button)
        keyring_row.addWidget(self.forget_button)
        form.addRow(_("Keyring:"), self.keyring_state)
        form.addRow("", keyring_row)
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(*vault_settings.AUTO_LOCK_RANGE)
        self.auto_lock.setSuffix(" " + _("min"))
        self.auto_lock.setAccessibleName(_("Lock after minutes without use"))
        self.auto_lock.editingFinished.connect(self.save_auto_lock)
        form.addRow(_("&Lock after:"), self.auto_lock)
        return group

    def _backup_group(self) -> QGroupBox:
        group = QGroupBox(_("Backup"))
        form = QFormLayout(group)
        self._backup_form = form
        intro = QLabel(
            _(
                "A backup is one encrypted file; it opens with the passphrase valid when it "
                "was made, or with the recovery code. Keep one outside this computer, for "
                "example on a USB stick."
            )
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.backup_button = QPushButton(_("Back up now…"))
        self.backup_button.clicked.connect(self.back_up_now)
        form.addRow("", self.backup_button)
        self.backup_result = selectable_label()
        self.backup_result.setAccessibleName(_("Last backup written"))
        form.addRow("", self.backup_result)
        form.setRowVisible(self.backup_result, False)
        self.backups_folder = selectable_label()
        self.backups_folder.setAccessibleName(_("Folder of the automatic backups"))
        form.addRow(_("Automatic backups:"), self.backups_folder)
        self.newest_backup = selectable_label()
        self.newest_backup.setAccessibleName(_("Newest automatic backup"))
        form.addRow(_("Newest automatic backup:"), self.newest_backup)
        return group

    def _calendar_group(self) -> QGroupBox:
        group = QGroupBox(_("Calendar"))
        form = QFormLayout(group)
        self.country = QLabel()
        form.addRow(_("Country:"), self.country)
        self.travel = QSpinBox()
        self.travel.setRange(0, 240)
        self.travel.setSuffix(" " + _("min"))
        form.addRow(_("&Travel time between sites:"), self.travel)
        self.closures = QLineEdit()
        self.closures.setPlaceholderText("24.12, 31.12")
        form.addRow(_("E&xtra closure days:"), self.closures)
        save = QPushButton(_("&Save calendar settings"))
        save.clicked.connect(self.save_calendar)
        form.addRow("", save)
        self.holidays = QListWidget()
        self.holidays.setAccessibleName(_("School holidays"))
        self.holidays.setMaximumHeight(120)
        form.addRow(_("School holidays:"), self.holidays)
        # Written as the chosen language writes dates (not the system's C locale).
        self.holiday_from = date_edit(self.ctx.today())
        self.holiday_to = date_edit(self.ctx.today())
        self.holiday_name = QLineEdit()
        self.holiday_name.setPlaceholderText(_("Name, e.g. Autumn holiday"))
        self.holiday_from.setAccessibleName(_("First day"))
        self.holiday_to.setAccessibleName(_("Last day"))
        self.holiday_name.setAccessibleName(_("Holiday name"))
        add = QPushButton(_("&Add holiday"))
        add.clicked.connect(self.add_holiday)
        row = QHBoxLayout()
        for widget in (self.holiday_from, self.holiday_to, self.holiday_name, add):
            row.addWidget(widget)
        form.addRow(_("New holiday:"), row)
        return group

    def _retention_group(self) -> QGroupBox:
        group = QGroupBox(_("Retention"))
        form = QFormLayout(group)
        intro = QLabel(
            _(
                "How long data about a child is kept before it is due for erasure. "
                "The Overview lists what is due."
            )
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.retention_rules: RetentionRules | None = None
        self.anonymous_months = QSpinBox()
        self.anonymous_months.setRange(1, retention.MAX_MONTHS)
        self.anonymous_months.setSuffix(" " + _("months"))
        self.anonymous_months.setAccessibleName(
            _("Anonymous cases: months after the last meeting about them")
        )
        form.addRow(_("Anonymous cases, after the last meetin&g:"), self.anonymous_months)
        self.named_months = QSpinBox()
        self.named_months.setRange(1, retention.MAX_MONTHS)
        self.named_months.setSuffix(" " + _("months"))
        self.named_months.setAccessibleName(_("Named cases: months after they were closed"))
        form.addRow(_("Named cases, after clos&ing:"), self.named_months)
        self.form_days = QSpinBox()
        self.form_days.setRange(0, retention.MAX_FORM_DAYS)
        self.form_days.setSuffix(" " + _("days"))
        self.form_days.setAccessibleName(
            _("Scanned forms of withdrawn consents: days after the withdrawal")
        )
        form.addRow(_("Forms of withdrawn consents, after &withdrawal:"), self.form_days)
        self.save_retention_button = QPushButton(_("Save retention &periods"))
        self.save_retention_button.clicked.connect(self.save_retention)
        form.addRow("", self.save_retention_button)
        return group

    def _sync_group(self) -> QGroupBox:
        group = QGroupBox(_("Synchronisation"))
        form = QFormLayout(group)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("age1…")
        save_recipient = QPushButton(_("Save &key"))
        save_recipient.clicked.connect(self.save_recipient)
        row = QHBoxLayout()
        row.addWidget(self.recipient, 1)
        row.addWidget(save_recipient)
        # A row holding a layout gets a label without a buddy: set it, or the
        # "&" shows literally and Alt+O does nothing.
        recipient_label = QLabel(_("&Office public key:"))
        recipient_label.setBuddy(self.recipient)
        form.addRow(recipient_label, row)
        self.sync_folder = QLineEdit()
        browse = QPushButton(_("&Browse…"))
        browse.clicked.connect(self.browse_folder)
        save_folder = QPushButton(_("Save f&older"))
        save_folder.clicked.connect(self.save_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.sync_folder, 1)
        folder_row.addWidget(browse)
        folder_row.addWidget(save_folder)
        folder_label = QLabel(_("S&ync folder:"))
        folder_label.setBuddy(self.sync_folder)
        form.addRow(folder_label, folder_row)
        return group

    def _language_group(self) -> QGroupBox:
        group = QGroupBox(_("Language"))
        form = QFormLayout(group)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.ctx.language())))
        self.language.activated.connect(
            lambda _i: self.ctx.set_language(str(self.language.currentData()))
        )
        form.addRow(_("L&anguage:"), self.language)
        return group

    # --- data -----------------------------------------------------------------

    def reload(self) -> None:
        """Read every setting."""
        self.session.run(vault_settings.snapshot, done=self._show)
        self.session.run(retention_service.rules, done=self._show_retention)
        self.session.run(backup_status, done=self._show_backup_status)

    def _show(self, settings: vault_settings.VaultSettings) -> None:
        self.settings = settings
        self.country.setText(COUNTRY_NAMES.get(settings.country, settings.country))
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.travel.setValue(settings.travel_buffer_minutes)
        self.closures.setText(_closure_text(settings.extra_closure_days))
        self.holidays.clear()
        for period in settings.school_holidays:
            self.holidays.addItem(f"{day_text(period.first)} – {day_text(period.last)}")
        self.recipient.setText(settings.office_recipient)
        self.sync_folder.setText(settings.sync_folder)
        if settings.remembered_backend:
            self.keyring_state.setText(_("The key is remembered on this computer."))
        else:
            self.keyring_state.setText(_("The passphrase is asked for at every unlock."))
        self.forget_button.setEnabled(bool(settings.remembered_backend))
        today = self.ctx.today()
        self.holiday_from.setDate(QDate(today.year, today.month, today.day))
        self.holiday_to.setDate(QDate(today.year, today.month, today.day))

    def _show_retention(self, rules: RetentionRules) -> None:
        self.retention_rules = rules
        self.anonymous_months.setValue(rules.anonymous_months)
        self.named_months.setValue(rules.named_months)
        self.form_days.setValue(rules.withdrawn_form_days)

    def _show_backup_status(self, status: BackupStatus) -> None:
        self.backups_folder.setText(str(status.folder))
        self.newest_backup.setText(newest_backup_text(status))

    def clear(self) -> None:
        """Forget the shown settings (locked)."""
        self.settings = None
        self.retention_rules = None
        for field in (self.current_passphrase, self.new_passphrase, self.new_passphrase_again):
            field.clear()
        self.recipient.clear()
        self.sync_folder.clear()
        self.holidays.clear()
        for label in (self.backup_result, self.backups_folder, self.newest_backup):
            label.clear()
        self._backup_form.setRowVisible(self.backup_result, False)

    # --- actions --------------------------------------------------------------

    def change_passphrase(self) -> None:
        """Check the current passphrase and set the new one."""
        current = self.current_passphrase.text()
        new, again = self.new_passphrase.text(), self.new_passphrase_again.text()
        if new != again:
            self.session.failed.emit(_("The two passphrases differ; type the same one twice."))
            return
        for field in (self.current_passphrase, self.new_passphrase, self.new_passphrase_again):
            field.clear()
        self.session.run(
            vault_settings.change_passphrase,
            current,
            new,
            done=lambda _r: self.ctx.notify(_("Passphrase changed.")),
        )

    def back_up_now(self) -> None:
        """Write a backup file where the advisor chooses (never into the vault's folder)."""
        path = file_dialogs.ask_save_path(
            self, _("Back up the vault"), backup_file_name(self.ctx.today()), backup_filter()
        )
        if path is None:
            return
        path = with_backup_suffix(path)
        if self.session.directory.layout.contains(path):
            self.session.failed.emit(outside_data_folder().message)
            return
        if not path.parent.is_dir():
            self.session.failed.emit(
                _("The folder {name} does not exist.").format(name=path.parent)
            )
            return
        self.backup_result.clear()
        self._backup_form.setRowVisible(self.backup_result, False)
        self.backup_button.setEnabled(False)

        def written(out: Path) -> None:
            self.backup_button.setEnabled(True)
            message = _("Backup written to {path}.").format(path=out)
            self.backup_result.setText(message)
            self._backup_form.setRowVisible(self.backup_result, True)
            self.ctx.notify(message)

        def refused(message: str) -> None:
            self.backup_button.setEnabled(True)
            self.session.failed.emit(message)

        run_with_progress(
            self,
            self.session,
            _("Writing the backup…"),
            _back_up,
            path,
            done=written,
            failed=refused,
        )

    def remember(self) -> None:
        """Keep the key in this computer's keyring."""
        self.session.run(
            key_memory.remember,
            KeyringCache(),
            done=lambda _r: (
                self.ctx.notify(_("The key is remembered in this computer's keyring.")),
                self.reload(),
            ),
        )

    def forget(self) -> None:
        """Remove the key from this computer's keyring."""
        self.session.run(
            key_memory.forget,
            KeyringCache(),
            done=lambda _r: (
                self.ctx.notify(_("The key is no longer remembered on this computer.")),
                self.reload(),
            ),
        )

    def save_auto_lock(self) -> None:
        """Store the idle time; the window applies it at once."""
        if self.settings is None or self.auto_lock.value() == self.settings.auto_lock_minutes:
            return
        self.session.run(vault_settings.set_auto_lock_minutes, self.auto_lock.value())

    def save_calendar(self) -> None:
        """Store the travel buffer and extra closure days."""
        try:
            closures = parse_closure_days(self.closures.text())
        except BadInput as exc:
            self.session.failed.emit(exc.message)
            return
        self.session.run(
            _set_calendar,
            self.travel.value(),
            closures,
            done=lambda _r: self.ctx.notify(_("Calendar settings saved.")),
        )

    def save_retention(self) -> None:
        """Store the retention periods; what is due changes at once."""
        rules = RetentionRules(
            anonymous_months=self.anonymous_months.value(),
            named_months=self.named_months.value(),
            withdrawn_form_days=self.form_days.value(),
        )
        if rules == self.retention_rules:
            return
        self.session.run(
            retention_service.set_rules,
            rules,
            done=lambda _r: self.ctx.notify(_("Retention periods saved.")),
        )

    def add_holiday(self) -> None:
        """Add the school holiday typed in the row."""
        first = self.holiday_from.date().toPython()
        last = self.holiday_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            self.session.failed.emit(_("A holiday's last day cannot be before its first day."))
            return
        self.session.run(
            _add_school_holiday, DateRange(first, last), self.holiday_name.text().strip()
        )
        self.holiday_name.clear()

    def save_recipient(self) -> None:
        """Store the office's public key."""
        self.session.run(
            vault_settings.set_office_recipient,
            self.recipient.text(),
            done=lambda _r: self.ctx.notify(_("Office key saved.")),
        )

    def browse_folder(self) -> None:
        """Choose the sync folder."""
        folder = file_dialogs.ask_directory(self, _("Sync folder"))
        if folder is not None:
            self.sync_folder.setText(str(folder))
            self.save_folder()

    def save_folder(self) -> None:
        """Store the sync folder."""
        self.session.run(
            vault_settings.set_sync_folder,
            self.sync_folder.text(),
            done=lambda _r: self.ctx.notify(_("Sync folder saved.")),
        )
