"""Create a meeting series: forum, site, first meeting, rhythm and end.

The rhythm fields build the RFC 5545 rule that ``CalendarService.add_series``
takes ("every 2 weeks on Tuesday" → ``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``);
the rule is shown under the fields with the first meeting it gives, so the
advisor sees what will be created before pressing Create.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.rrule import rrulestr
from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import recurrence
from app.domain.calendar_model import HolidayPolicy, SchoolHolidayPolicy
from app.i18n import _
from app.services.calendar_service import CalendarService
from app.services.changes import Changes
from app.store.vault import Vault
from ui.context import Context
from ui.formatting import day_text
from ui.session import message_of
from ui.views.calendar_data import locale_of
from ui.views.meeting_dialog import (
    Choices,
    date_edit,
    duration_box,
    forum_combo,
    site_combo,
    to_date,
    to_time,
)

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Monthly position: 0 = the same date each month, else BYDAY=<n><weekday>.
POSITIONS = (0, 1, 2, 3, 4, -1)


def add_series(
    vault: Vault,
    forum_id: str,
    site_id: str,
    first_start: datetime,
    today: date,
    rule: str,
    minutes: int,
    holiday: HolidayPolicy,
    school: SchoolHolidayPolicy | None,
    ends_on: date | None,
) -> Changes:
    """Create the series and its meetings (database thread)."""
    _series_id, changes = CalendarService(vault).add_series(
        forum_id,
        site_id,
        first_start,
        today,
        rrule=rule,
        duration_minutes=minutes,
        holiday_policy=holiday,
        school_policy=school,
        ends_on=ends_on,
    )
    return changes


class SeriesDialog(QDialog):
    """New meeting series; open with ``open()``, OK creates it on the database thread."""

    def __init__(
        self, ctx: Context, choices: Choices, *, day: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices = choices
        lang = ctx.language()
        locale = locale_of(lang)
        self.setWindowTitle(_("New meeting series"))
        self.forum = forum_combo(self, choices)
        self.site = site_combo(self, choices)
        self.first = date_edit(self, lang, day)
        self.start = QTimeEdit(QTime(9, 0), self)
        self.start.setDisplayFormat("HH:mm")
        self.duration = duration_box(self, 120)
        self.frequency = QComboBox(self)
        self.frequency.addItem(_("week(s)"), "WEEKLY")
        self.frequency.addItem(_("month(s)"), "MONTHLY")
        self.frequency.setAccessibleName(_("Repeat unit"))
        self.interval = QSpinBox(self)
        self.interval.setRange(1, 52)
        self.position = QComboBox(self)
        self.position.setAccessibleName(_("Which week of the month"))
        for value, text in zip(
            POSITIONS,
            (_("same date"), _("1st"), _("2nd"), _("3rd"), _("4th"), _("last")),
            strict=True,
        ):
            self.position.addItem(text, value)
        self.weekday = QComboBox(self)
        self.weekday.setAccessibleName(_("Weekday"))
        for number, code in enumerate(WEEKDAY_CODES, start=1):
            self.weekday.addItem(locale.dayName(number), code)
        self.weekday.setCurrentIndex(day.weekday())
        self.never = QRadioButton(_("&No end"), self)
        self.until_radio = QRadioButton(_("Unt&il"), self)
        self.count_radio = QRadioButton(_("&After"), self)
        self.never.setChecked(True)
        self.ends = QButtonGroup(self)
        for button in (self.never, self.until_radio, self.count_radio):
            self.ends.addButton(button)
        self.until = date_edit(self, lang, date(day.year + 1, 6, 30))
        self.until.setAccessibleName(_("Last day of the series"))
        self.count = QSpinBox(self)
        self.count.setRange(1, 200)
        self.count.setValue(10)
        self.count.setSuffix(" " + _("meetings"))
        self.count.setAccessibleName(_("Number of meetings"))
        self.holiday = QComboBox(self)
        self.holiday.addItem(_("Skip the meeting"), HolidayPolicy.SKIP)
        self.holiday.addItem(_("Move it to the next working day"), HolidayPolicy.MOVE)
        self.school = QComboBox(self)
        self.school.addItem(_("As the forum does"), None)
        self.school.addItem(_("Skip the meeting"), SchoolHolidayPolicy.SKIP)
        self.school.addItem(_("Meet as usual"), SchoolHolidayPolicy.IGNORE)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(_("Rule"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(_("Message"))
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("C&reate"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        self.forum.currentIndexChanged.connect(lambda _i: self._forum_defaults())
        for signal in (
            self.first.dateChanged,
            self.frequency.currentIndexChanged,
            self.interval.valueChanged,
            self.position.currentIndexChanged,
            self.weekday.currentIndexChanged,
            self.ends.buttonToggled,
            self.until.dateChanged,
            self.count.valueChanged,
        ):
            signal.connect(lambda *_a: self._update())
        self._forum_defaults()
        if not choices.sites:
            self._show(_("Add a site on the Sites & people page first."))
            self.ok.setEnabled(False)

    def _lay_out(self) -> None:
        form = QFormLayout()
        for text, field in (
            (_("&Forum:"), self.forum),
            (_("&Site:"), self.site),
            (_("First &date:"), self.first),
            (_("S&tart:"), self.start),
            (_("D&uration:"), self.duration),
        ):
            self._row(form, text, field)
        rhythm = QGridLayout()
        rhythm.addWidget(self.interval, 0, 0)
        rhythm.addWidget(self.frequency, 0, 1)
        rhythm.addWidget(self.position, 0, 2)
        rhythm.addWidget(self.weekday, 0, 3)
        self._row(form, _("&Every:"), self.interval, rhythm)
        ends = QGridLayout()
        ends.addWidget(self.never, 0, 0)
        ends.addWidget(self.until_radio, 1, 0)
        ends.addWidget(self.until, 1, 1)
        ends.addWidget(self.count_radio, 2, 0)
        ends.addWidget(self.count, 2, 1)
        form.addRow(_("Ends:"), ends)
        self._row(form, _("On a &public holiday:"), self.holiday)
        self._row(form, _("In school &holidays:"), self.school)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _row(
        self, form: QFormLayout, text: str, field: QWidget, inner: QGridLayout | None = None
    ) -> None:
        label = QLabel(text, self)
        label.setBuddy(field)
        if inner is None:
            form.addRow(label, field)
        else:
            form.addRow(label, inner)

    # --- the rule -----------------------------------------------------------------

    def _forum_defaults(self) -> None:
        """Take the chosen forum's default rhythm and length."""
        forum_id = self.forum.currentData()
        forum = next((f for f in self.choices.forums if f.id == forum_id), None)
        if forum is None:
            return
        self.duration.setValue(forum.default_minutes)
        parts = dict(
            p.split("=", 1) for p in (forum.default_rrule or "FREQ=WEEKLY").split(";") if "=" in p
        )
        self.frequency.setCurrentIndex(max(0, self.frequency.findData(parts.get("FREQ"))))
        self.interval.setValue(int(parts.get("INTERVAL", "1")))
        day = parts.get("BYDAY", "")
        if day[-2:] in WEEKDAY_CODES:
            self.weekday.setCurrentIndex(WEEKDAY_CODES.index(day[-2:]))
        self._update()

    def rule(self) -> str:
        """The RRULE the fields describe."""
        frequency = str(self.frequency.currentData())
        parts = [f"FREQ={frequency}"]
        if self.interval.value() > 1:
            parts.append(f"INTERVAL={self.interval.value()}")
        code = str(self.weekday.currentData())
        position = int(self.position.currentData())
        if frequency == "WEEKLY":
            parts.append(f"BYDAY={code}")
        elif position:
            parts.append(f"BYDAY={position:+d}{code}".replace("+", ""))
        if self.count_radio.isChecked():
            parts.append(f"COUNT={self.count.value()}")
        return ";".join(parts)

    def ends_on(self) -> date | None:
        """The series' last day, when it ends on a date."""
        return to_date(self.until.date()) if self.until_radio.isChecked() else None

    def first_start(self) -> datetime:
        """The first meeting's local start (naive wall-clock time)."""
        return datetime.combine(to_date(self.first.date()), to_time(self.start.time()))

    def _update(self) -> None:
        monthly = self.frequency.currentData() == "MONTHLY"
        self.position.setVisible(monthly)
        self.weekday.setVisible(not monthly or int(self.position.currentData()) != 0)
        self.until.setEnabled(self.until_radio.isChecked())
        self.count.setEnabled(self.count_radio.isChecked())
        rule = self.rule()
        problem = recurrence.validate_rrule(rule)
        first = None if problem else _first(rule, self.first_start())
        if problem is None and first is None:
            problem = _("This rhythm gives no meeting; change the rule or the first date.")
        if problem is None and first is not None and (end := self.ends_on()) and first > end:
            problem = _("The series ends before its first meeting.")
        self.ok.setEnabled(problem is None and bool(self.choices.sites))
        if problem is not None or first is None:
            self.preview.setText(problem or "")
            return
        self.preview.setText(
            _("Rule: {rule} · first meeting {day}").format(
                rule=rule, day=f"{self.weekday.itemText(first.weekday())} {day_text(first)}"
            )
        )

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    # --- create -------------------------------------------------------------------

    def accept(self) -> None:
        """Create the series on the database thread; close when it is done."""
        session = self.ctx.session
        if not session.is_unlocked or not self.ok.isEnabled():
            return
        self.buttons.setEnabled(False)
        session.run(
            add_series,
            str(self.forum.currentData()),
            str(self.site.currentData()),
            self.first_start(),
            self.ctx.today(),
            self.rule(),
            self.duration.value(),
            HolidayPolicy(self.holiday.currentData()),
            _school_policy(self.school.currentData()),
            self.ends_on(),
            done=self._done,
            failed=self._failed,
        )

    def _done(self, _changes: Changes) -> None:
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self._show(message_of(error))


def _school_policy(value: object) -> SchoolHolidayPolicy | None:
    return None if value is None else SchoolHolidayPolicy(str(value))


def _first(rule: str, start: datetime) -> date | None:
    """The first day the rule gives from ``start``, or None."""
    try:
        found = rrulestr(rule, dtstart=start).after(start, inc=True)
    except (ValueError, TypeError):
        return None
    return found.date() if isinstance(found, datetime) else None
