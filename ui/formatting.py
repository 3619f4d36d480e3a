"""Dates, times and weeks as the advisor reads them, in the chosen language.

Danish and Norwegian write 23.11.2026; English gets 23 Nov 2026. Weeks are
always ISO weeks (what Danish and Norwegian calendars print).
"""

from __future__ import annotations

from datetime import date, datetime

from app import i18n
from app.i18n import _
from app.reports.date_words import long_date as _long_date

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date | None, lang: str | None = None) -> str:
    """A short date: ``23.11.2026`` (da, nb) or ``23 Nov 2026`` (en); '' for None."""
    if day is None:
        return ""
    lang = lang or i18n.current_language()
    if lang == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def long_day_text(day: date, lang: str | None = None) -> str:
    """A long date with the weekday (as the PDFs print it)."""
    return _long_date(day, lang or i18n.current_language())


def time_text(moment: datetime) -> str:
    """``14:30`` (24-hour clock in all three languages)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def week_text(day: date) -> str:
    """``Week 48`` in the chosen language (ISO week of ``day``)."""
    return _("Week {number}").format(number=day.isocalendar().week)


def sort_key(day: date | None) -> str:
    """A sortable text for a possibly missing date (missing sorts last)."""
    return day.isoformat() if day else "9999"
