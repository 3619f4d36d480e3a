from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar_model import DateRange
from app.domain.closures import (
    DEFAULT_EXTRA_CLOSURES,
    TIMEZONES,
    ClosureCalendar,
    build_closure_calendar,
    demo_school_holidays,
    public_holidays,
)

DK = build_closure_calendar("DK", 2023, 2028)
NO = build_closure_calendar("NO", 2023, 2028)


def _all_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


# --- Denmark -----------------------------------------------------------------


def test_whit_monday_2027_is_a_danish_public_holiday() -> None:
    assert DK.is_public_holiday(date(2027, 5, 17))
    assert DK.holiday_name(date(2027, 5, 17)) == "Pentecost Monday"


def test_store_bededag_is_a_holiday_in_2023_but_not_from_2024() -> None:
    assert DK.is_public_holiday(date(2023, 5, 5))
    assert not DK.is_public_holiday(date(2024, 4, 26))
    assert not DK.is_closure_day(date(2024, 4, 26))
    assert DK.is_working_day(date(2024, 4, 26))


def test_store_bededag_is_removed_even_if_the_package_still_lists_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = holidays.country_holidays

    def outdated(country: str, **kwargs: Any) -> Any:
        table = real(country, **kwargs)
        if 2025 in kwargs["years"]:
            table[date(2025, 5, 16)] = "Store bededag"  # Easter 2025 + 26 days
        return table

    monkeypatch.setattr(holidays, "country_holidays", outdated)
    days = public_holidays("DK", [2025])
    assert date(2025, 5, 16) not in days
    assert date(2025, 4, 20) in days  # Easter Sunday is untouched


@pytest.mark.parametrize("day", [date(2026, 6, 5), date(2026, 12, 24), date(2026, 12, 31)])
def test_danish_extra_closure_days_by_default(day: date) -> None:
    assert DK.is_closure_day(day)
    assert not DK.is_public_holiday(day)
    assert DK.holiday_name(day) is None
    assert not DK.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 6, 5), date(2026, 12, 24), date(2026, 12, 31)])
def test_no_extra_closure_days_when_the_list_is_empty(day: date) -> None:
    calendar = build_closure_calendar("DK", 2026, 2026, extra_closure_days=())
    assert not calendar.is_closure_day(day)
    assert calendar.is_working_day(day)


def test_extra_closure_days_are_configurable() -> None:
    calendar = build_closure_calendar("DK", 2026, 2027, extra_closure_days=[(5, 15), (2, 29)])
    assert calendar.is_closure_day(date(2026, 5, 15))
    assert calendar.is_closure_day(date(2027, 5, 15))
    assert not calendar.is_closure_day(date(2026, 12, 24))
    # 29 February is accepted and simply absent in years without it.
    assert not any(day.month == 2 for day in calendar.extra_closures)


def test_an_impossible_extra_closure_day_is_refused() -> None:
    with pytest.raises(ValueError):
        build_closure_calendar("DK", 2026, 2026, extra_closure_days=[(2, 30)])


def test_danish_names_in_danish() -> None:
    assert public_holidays("DK", [2027], language="da")[date(2027, 5, 17)] == "Anden pinsedag"


# --- Norway ------------------------------------------------------------------


def test_no_plain_norwegian_sunday_is_a_public_holiday() -> None:
    sundays = [day for day in _all_days(2026) if day.weekday() == 6]
    holiday_sundays = {day: NO.holiday_name(day) for day in sundays if NO.is_public_holiday(day)}
    # Easter Sunday, Whit Sunday, and 17 May which falls on a Sunday in 2026.
    assert holiday_sundays == {
        date(2026, 4, 5): "Easter Sunday",
        date(2026, 5, 17): "Constitution Day",
        date(2026, 5, 24): "Pentecost",
    }


def test_seventeenth_of_may_is_a_norwegian_public_holiday() -> None:
    for year in range(2023, 2029):
        assert NO.is_public_holiday(date(year, 5, 17))


def test_norwegian_sundays_are_removed_even_if_the_package_lists_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = holidays.country_holidays

    def with_sundays(country: str, **kwargs: Any) -> Any:
        kwargs["include_sundays"] = True
        return real(country, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", with_sundays)
    for language in (None, "nb"):
        days = public_holidays("NO", [2026], language=language)
        sundays = [day for day in days if day.weekday() == 6]
        assert sundays == [date(2026, 4, 5), date(2026, 5, 17), date(2026, 5, 24)]
        assert all("Sunday" != days[day] != "Søndag" for day in sundays)


def test_norwegian_names_in_norwegian() -> None:
    assert public_holidays("NO", [2026], language="nb")[date(2026, 5, 17)] == "Grunnlovsdag"


# --- The calendar record -----------------------------------------------------


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError):
        build_closure_calendar("SE", 2026, 2026)
    with pytest.raises(ValueError):
        public_holidays("XX", [2026])
    with pytest.raises(ValueError):
        demo_school_holidays("FI", 2026)


def test_years_must_be_in_order() -> None:
    with pytest.raises(ValueError):
        build_closure_calendar("DK", 2027, 2026)


def test_defaults_cover_both_countries() -> None:
    assert set(DEFAULT_EXTRA_CLOSURES) == set(TIMEZONES) == {"DK", "NO"}


def test_weekends_are_not_closure_days_but_not_working_days_either() -> None:
    saturday = date(2026, 3, 7)
    assert not DK.is_closure_day(saturday)
    assert not DK.is_working_day(saturday)


def test_next_working_day_skips_christmas_and_the_weekend() -> None:
    assert DK.next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)
    assert DK.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert DK.next_working_day(date(2027, 5, 17)) == date(2027, 5, 18)


def test_school_holidays_are_separate_from_closures() -> None:
    calendar = build_closure_calendar(
        "DK", 2026, 2026, school_holidays=[DateRange(date(2026, 2, 9), date(2026, 2, 15))]
    )
    assert calendar.in_school_holiday(date(2026, 2, 9))
    assert not calendar.in_school_holiday(date(2026, 2, 16))
    assert calendar.is_working_day(date(2026, 2, 9))


def test_the_calendar_does_not_change_when_its_inputs_do() -> None:
    source = {date(2026, 1, 1): "New Year's Day"}
    calendar = ClosureCalendar(public_holidays=source, extra_closures=frozenset())
    source[date(2026, 1, 2)] = "Invented"
    assert not calendar.is_public_holiday(date(2026, 1, 2))
    assert hash(calendar) == hash(ClosureCalendar(public_holidays=dict(source)))
    assert calendar == ClosureCalendar(public_holidays={date(2026, 1, 1): "New Year's Day"})


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 20)),
    country=st.sampled_from(["DK", "NO"]),
)
def test_next_working_day_is_the_first_working_day_after(day: date, country: str) -> None:
    calendar = DK if country == "DK" else NO
    found = calendar.next_working_day(day)
    assert found > day
    assert calendar.is_working_day(found)
    between = [day + timedelta(days=n) for n in range(1, (found - day).days)]
    assert not any(calendar.is_working_day(other) for other in between)


# --- Demo school holidays ----------------------------------------------------


def test_danish_demo_school_holidays_2026() -> None:
    assert demo_school_holidays("DK", 2026) == (
        DateRange(date(2026, 2, 9), date(2026, 2, 15)),
        DateRange(date(2026, 6, 27), date(2026, 8, 7)),
        DateRange(date(2026, 10, 12), date(2026, 10, 18)),
        DateRange(date(2026, 12, 21), date(2027, 1, 2)),
    )


def test_norwegian_demo_school_holidays_2026() -> None:
    assert demo_school_holidays("NO", 2026) == (
        DateRange(date(2026, 2, 16), date(2026, 2, 22)),
        DateRange(date(2026, 6, 20), date(2026, 8, 14)),
        DateRange(date(2026, 9, 28), date(2026, 10, 4)),
        DateRange(date(2026, 12, 21), date(2027, 1, 2)),
    )


@given(year=st.integers(min_value=1990, max_value=2100))
def test_demo_school_holidays_have_their_shape(year: int) -> None:
    dk_winter, dk_summer, dk_autumn, dk_christmas = demo_school_holidays("DK", year)
    no_winter, no_summer, no_autumn, no_christmas = demo_school_holidays("NO", year)
    for period, week in ((dk_winter, 7), (dk_autumn, 42), (no_winter, 8), (no_autumn, 40)):
        assert period.first.isocalendar()[1:] == (week, 1)
        assert period.last.isocalendar()[1:] == (week, 7)
    assert dk_summer.first.weekday() == 5 and dk_summer.days() == 42
    assert dk_summer.first.month == 6 and dk_summer.first.day >= 24
    assert no_summer.first.weekday() == 5 and no_summer.days() == 56
    assert abs((no_summer.first - date(year, 6, 20)).days) <= 3
    assert dk_christmas == no_christmas == DateRange(date(year, 12, 21), date(year + 1, 1, 2))
