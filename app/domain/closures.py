"""Which days are public holidays, closure days and school holidays, per country.

Public holidays come from the ``holidays`` package for Denmark and Norway,
corrected for the gaps the issue names: Store Bededag is no longer a Danish
holiday from 2024, Norway's plain Sundays are weekend rather than holidays,
and the days most workplaces close without a public holiday (DK 5 June,
24 and 31 December) are a configurable list of extra closure days.

No I/O, no clock: ``holidays`` computes from its own tables, and the holiday
names are asked for in an explicit language so the result never depends on
the process locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

import holidays
from dateutil.easter import easter

from app.domain.calendar_model import DateRange

COUNTRIES = ("DK", "NO")

DEFAULT_EXTRA_CLOSURES: dict[str, tuple[tuple[int, int], ...]] = {
    # Constitution Day, Christmas Eve and New Year's Eve: not public holidays,
    # but offices, schools and day-care consultations do not meet.
    "DK": ((6, 5), (12, 24), (12, 31)),
    "NO": ((12, 24), (12, 31)),
}

TIMEZONES: dict[str, str] = {"DK": "Europe/Copenhagen", "NO": "Europe/Oslo"}

# Store Bededag was abolished by law from 2024; it falls 26 days after Easter.
GREAT_PRAYER_DAY_LAST_YEAR = 2023
_GREAT_PRAYER_DAY_AFTER_EASTER = timedelta(days=26)
_GREAT_PRAYER_DAY_WORDS = ("great prayer", "bededag")

# Names the package gives an ordinary Norwegian Sunday when it lists Sundays.
_PLAIN_SUNDAY_NAMES = frozenset({"sunday", "søndag"})

# The package joins two holidays on one date into one name with this separator.
_NAME_SEPARATOR = "; "

# App language -> the package's code for it, per country. Anything else falls
# back to the package's original language for that country.
_PACKAGE_LANGUAGES: dict[str, dict[str, str]] = {
    "DK": {"da": "da", "en": "en_US", "en_US": "en_US"},
    "NO": {"nb": "no", "no": "no", "nn": "no", "en": "en_US", "en_US": "en_US"},
}

SATURDAY = 5


def _check_country(country: str) -> str:
    code = country.upper()
    if code not in COUNTRIES:
        raise ValueError(f"unknown country: {country!r} (expected DK or NO)")
    return code


@dataclass(frozen=True)
class ClosureCalendar:
    """The days a series must avoid, for the years it was built for.

    A closure day is a public holiday or an extra closure day; weekends and
    school holidays are separate questions. Days outside the years the
    calendar was built for have no holidays, so build it for the whole span
    a series is expanded over (plus a little for moves past New Year).
    """

    # Excluded from the hash only because a mapping is not hashable; it still
    # takes part in equality.
    public_holidays: Mapping[date, str] = field(hash=False)
    extra_closures: frozenset[date] = frozenset()
    school_holidays: tuple[DateRange, ...] = ()

    def __post_init__(self) -> None:
        # Copy into read-only containers: a frozen record must not change
        # because the caller later mutates the dict or list it passed in.
        object.__setattr__(self, "public_holidays", MappingProxyType(dict(self.public_holidays)))
        object.__setattr__(self, "extra_closures", frozenset(self.extra_closures))
        object.__setattr__(self, "school_holidays", tuple(self.school_holidays))

    def is_public_holiday(self, day: date) -> bool:
        """True if ``day`` is an official public holiday."""
        return day in self.public_holidays

    def is_closure_day(self, day: date) -> bool:
        """True on a public holiday or an extra closure day (weekends are not asked)."""
        return day in self.public_holidays or day in self.extra_closures

    def is_working_day(self, day: date) -> bool:
        """True Monday to Friday unless the day is a closure day."""
        return day.weekday() < SATURDAY and not self.is_closure_day(day)

    def in_school_holiday(self, day: date) -> bool:
        """True if ``day`` lies in one of the configured school-holiday periods."""
        return any(day in period for period in self.school_holidays)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        # Terminates: the closure sets are finite, so a Monday to Friday
        # outside them always comes.
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name on ``day``, or None (extra closures have none)."""
        return self.public_holidays.get(day)


def _package_language(country: str, language: str | None) -> str:
    # None means English rather than "guess from the locale": the package
    # would otherwise read environment variables, and the result would
    # differ from machine to machine.
    if language is None:
        return "en_US"
    return _PACKAGE_LANGUAGES[country].get(language, language)


def _is_great_prayer_day(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _GREAT_PRAYER_DAY_WORDS)


def _keep_names(country: str, day: date, name: str) -> list[str]:
    """The parts of the package's name for ``day`` that are real holidays here."""
    parts = [part for part in name.split(_NAME_SEPARATOR) if part]
    if country == "DK" and day.year > GREAT_PRAYER_DAY_LAST_YEAR:
        # By date as well as by name: a package version that does not know
        # the abolition, or names the day in a language we do not match,
        # must not bring it back.
        if day == easter(day.year) + _GREAT_PRAYER_DAY_AFTER_EASTER:
            return []
        parts = [part for part in parts if not _is_great_prayer_day(part)]
    if country == "NO" and day.weekday() == 6:
        parts = [part for part in parts if part.strip().lower() not in _PLAIN_SUNDAY_NAMES]
    return parts


def public_holidays(
    country: str, years: Iterable[int], language: str | None = None
) -> dict[date, str]:
    """Public holidays of ``country`` ("DK" or "NO") in ``years``, date -> name.

    ``language`` is an app language ("da", "nb", "en"); None gives English
    names. Store Bededag is left out from 2024 on, and in Norway ordinary
    Sundays are never listed (Easter Sunday and Whit Sunday stay: they are
    holidays that happen to fall on a Sunday).
    """
    code = _check_country(country)
    year_list = sorted(set(years))
    if not year_list:
        return {}
    package_language = _package_language(code, language)
    if code == "NO":
        try:
            table = holidays.country_holidays(
                code, years=year_list, language=package_language, include_sundays=False
            )
        except TypeError:
            # A package version whose Norway class has no include_sundays
            # switch; the name filter below removes the Sundays instead.
            table = holidays.country_holidays(code, years=year_list, language=package_language)
    else:
        table = holidays.country_holidays(code, years=year_list, language=package_language)
    result: dict[date, str] = {}
    for day, name in sorted(table.items()):
        kept = _keep_names(code, day, str(name))
        if kept:
            result[day] = _NAME_SEPARATOR.join(kept)
    return result


def _expand_closure_days(pairs: Iterable[tuple[int, int]], years: range) -> frozenset[date]:
    days: set[date] = set()
    for month, day in pairs:
        # Checked against a leap year so 29 February is allowed; it then
        # simply does not occur in the other years.
        date(2000, month, day)
        for year in years:
            if month == 2 and day == 29 and not _is_leap(year):
                continue
            days.add(date(year, month, day))
    return frozenset(days)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def build_closure_calendar(
    country: str,
    first_year: int,
    last_year: int,
    extra_closure_days: Iterable[tuple[int, int]] | None = None,
    school_holidays: Iterable[DateRange] = (),
) -> ClosureCalendar:
    """The closure calendar of ``country`` for ``first_year`` to ``last_year`` inclusive.

    ``extra_closure_days`` are (month, day) pairs repeated every year; None
    takes the country's defaults (``DEFAULT_EXTRA_CLOSURES``), an empty list
    means none. School holidays default to none: they are set per vault.
    """
    code = _check_country(country)
    if last_year < first_year:
        raise ValueError("last_year cannot be before first_year")
    years = range(first_year, last_year + 1)
    pairs = DEFAULT_EXTRA_CLOSURES[code] if extra_closure_days is None else extra_closure_days
    return ClosureCalendar(
        public_holidays=public_holidays(code, years),
        extra_closures=_expand_closure_days(pairs, years),
        school_holidays=tuple(school_holidays),
    )


def _iso_week_range(year: int, week: int) -> DateRange:
    monday = date.fromisocalendar(year, week, 1)
    return DateRange(monday, monday + timedelta(days=6))


def _last_saturday_of_june(year: int) -> date:
    june_30 = date(year, 6, 30)
    return june_30 - timedelta(days=(june_30.weekday() - SATURDAY) % 7)


def _saturday_nearest(day: date) -> date:
    ahead = (SATURDAY - day.weekday()) % 7
    # Seven is odd, so there is never a tie between the Saturday before and after.
    return day + timedelta(days=ahead if ahead <= 3 else ahead - 7)


def demo_school_holidays(country: str, year: int) -> tuple[DateRange, ...]:
    """Typical school holidays of ``year``, as the demo data sets them.

    Denmark: winter = ISO week 7, autumn = ISO week 42, summer = six weeks
    from the last Saturday of June, Christmas = 21 December to 2 January of
    the next year. Norway: winter = ISO week 8, autumn = ISO week 40, summer
    = eight weeks from the Saturday nearest 20 June, Christmas as Denmark.
    The Christmas period belongs to the year it starts in, so the first days
    of January come from the previous year's periods. Real dates vary by
    municipality; vaults configure their own.
    """
    code = _check_country(country)
    christmas = DateRange(date(year, 12, 21), date(year + 1, 1, 2))
    if code == "DK":
        summer_first = _last_saturday_of_june(year)
        summer = DateRange(summer_first, summer_first + timedelta(days=6 * 7 - 1))
        return (_iso_week_range(year, 7), summer, _iso_week_range(year, 42), christmas)
    summer_first = _saturday_nearest(date(year, 6, 20))
    summer = DateRange(summer_first, summer_first + timedelta(days=8 * 7 - 1))
    return (_iso_week_range(year, 8), summer, _iso_week_range(year, 40), christmas)
