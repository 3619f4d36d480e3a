"""Dates written out in a document's language, without reportlab.

The window (ui/formatting.py) writes dates the way the PDFs do; keeping these
here lets it do so without loading reportlab at start-up.
"""

from __future__ import annotations

from datetime import date, datetime

# Our own tables rather than the OS locale: the laptop's locale says nothing
# about the vault's country, and strftime's %A follows the process locale.
WEEKDAYS = {
    "da": tuple("mandag tirsdag onsdag torsdag fredag lørdag søndag".split()),
    "nb": tuple("mandag tirsdag onsdag torsdag fredag lørdag søndag".split()),
    "en": tuple("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()),
}
MONTHS = {
    "da": tuple(
        "januar februar marts april maj juni "
        "juli august september oktober november december".split()
    ),
    "nb": tuple(
        "januar februar mars april mai juni juli august september oktober november desember".split()
    ),
    "en": tuple(
        "January February March April May June "
        "July August September October November December".split()
    ),
}


def long_date(day: date, lang: str) -> str:
    """``day`` written out with its weekday: "Tirsdag den 24. november 2026"."""
    weekday = WEEKDAYS[lang][day.weekday()].capitalize()
    month = MONTHS[lang][day.month - 1]
    if lang == "da":
        return f"{weekday} den {day.day}. {month} {day.year}"
    if lang == "nb":
        return f"{weekday} {day.day}. {month} {day.year}"
    return f"{weekday} {day.day} {month} {day.year}"


def short_date(day: date, lang: str) -> str:
    """``day`` as dd.mm.yyyy in Danish and Norwegian, else as yyyy-mm-dd."""
    if lang in ("da", "nb"):
        return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
    return day.isoformat()


def time_span(start: datetime, end: datetime) -> str:
    """The clock times as given, e.g. "09:00–11:00" (the caller passes local times)."""
    return f"{start:%H:%M}–{end:%H:%M}"
