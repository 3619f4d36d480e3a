"""Deadlines of staged-procedure steps: calendar days and school days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar_model import DateRange
from app.domain.closures import build_closure_calendar
from app.domain.procedures import is_school_day, step_deadline

AUTUMN_HOLIDAY = DateRange(date(2026, 10, 12), date(2026, 10, 16))  # ISO week 42
CHRISTMAS_HOLIDAY = DateRange(date(2026, 12, 21), date(2027, 1, 1))
CALENDAR = build_closure_calendar(
    "DK", 2026, 2027, school_holidays=[AUTUMN_HOLIDAY, CHRISTMAS_HOLIDAY]
)
NO_HOLIDAYS = build_closure_calendar("DK", 2026, 2027)  # public holidays and closures only
FRIDAY = date(2026, 11, 20)


def test_offset_zero_is_the_start_day_itself() -> None:
    for start in (FRIDAY, date(2026, 11, 21), date(2026, 12, 25), date(2026, 10, 14)):
        assert step_deadline(start, 0, True, CALENDAR) == start  # even on a closed day
        assert step_deadline(start, 0, False, CALENDAR) == start


def test_calendar_days_count_every_day() -> None:
    assert step_deadline(FRIDAY, 1, False, CALENDAR) == date(2026, 11, 21)
    assert step_deadline(FRIDAY, 7, False, CALENDAR) == date(2026, 11, 27)
    assert step_deadline(date(2026, 12, 20), 10, False, CALENDAR) == date(2026, 12, 30)
    assert step_deadline(date(2026, 10, 9), 3, False, CALENDAR) == date(2026, 10, 12)


def test_school_days_skip_weekends() -> None:
    assert step_deadline(FRIDAY, 1, True, NO_HOLIDAYS) == date(2026, 11, 23)
    assert step_deadline(FRIDAY, 2, True, NO_HOLIDAYS) == date(2026, 11, 24)
    assert step_deadline(FRIDAY, 5, True, NO_HOLIDAYS) == date(2026, 11, 27)
    assert step_deadline(FRIDAY, 10, True, NO_HOLIDAYS) == date(2026, 12, 4)
    saturday = date(2026, 11, 21)
    assert step_deadline(saturday, 1, True, NO_HOLIDAYS) == date(2026, 11, 23)
    assert step_deadline(date(2026, 11, 23), 4, True, NO_HOLIDAYS) == date(2026, 11, 27)


def test_school_days_skip_public_holidays_and_closure_days() -> None:
    # Easter 2027: Maundy Thursday 25 March, Good Friday 26, Easter Monday 29.
    assert step_deadline(date(2027, 3, 24), 1, True, NO_HOLIDAYS) == date(2027, 3, 30)
    # Christmas Eve (a closure day) and Christmas Day (a holiday), then the weekend.
    assert step_deadline(date(2026, 12, 23), 1, True, NO_HOLIDAYS) == date(2026, 12, 28)
    # New Year's Eve (closure) and New Year's Day (holiday).
    assert step_deadline(date(2026, 12, 30), 1, True, NO_HOLIDAYS) == date(2027, 1, 4)
    # Without extra closure days Christmas Eve is a school day.
    bare = build_closure_calendar("DK", 2026, 2027, extra_closure_days=[])
    assert step_deadline(date(2026, 12, 23), 1, True, bare) == date(2026, 12, 24)
    # Store Bededag is no holiday since 2024: Friday 23 April 2027 counts.
    assert step_deadline(date(2027, 4, 22), 1, True, NO_HOLIDAYS) == date(2027, 4, 23)


def test_school_days_skip_school_holidays() -> None:
    before_autumn = date(2026, 10, 9)  # the Friday before the autumn holiday
    assert step_deadline(before_autumn, 1, True, NO_HOLIDAYS) == date(2026, 10, 12)
    assert step_deadline(before_autumn, 1, True, CALENDAR) == date(2026, 10, 19)
    assert step_deadline(before_autumn, 2, True, CALENDAR) == date(2026, 10, 20)
    # Started inside the holiday: the first school day after it is day one.
    assert step_deadline(date(2026, 10, 13), 1, True, CALENDAR) == date(2026, 10, 19)
    # Across the Christmas holiday and the New Year.
    assert step_deadline(date(2026, 12, 18), 1, True, CALENDAR) == date(2027, 1, 4)
    assert step_deadline(date(2026, 12, 17), 3, True, CALENDAR) == date(2027, 1, 5)
    assert is_school_day(date(2026, 10, 19), CALENDAR)
    for closed in (date(2026, 10, 14), date(2026, 11, 21), date(2026, 12, 25), date(2027, 1, 1)):
        assert not is_school_day(closed, CALENDAR)


def test_a_negative_offset_is_refused() -> None:
    with pytest.raises(ValueError):
        step_deadline(FRIDAY, -1, True, CALENDAR)
    with pytest.raises(ValueError):
        step_deadline(FRIDAY, -1, False, CALENDAR)


def school_days_between(start: date, end: date) -> int:
    """School days after ``start`` up to and including ``end``."""
    days = (end - start).days
    return sum(is_school_day(start + timedelta(days=n), CALENDAR) for n in range(1, days + 1))


starts = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 9, 30))
offsets = st.integers(min_value=0, max_value=60)


@settings(max_examples=150, deadline=None)
@given(start=starts, a=offsets, b=offsets, school_days=st.booleans())
def test_deadlines_never_precede_the_start_and_grow_with_the_offset(
    start: date, a: int, b: int, school_days: bool
) -> None:
    low, high = sorted((a, b))
    first = step_deadline(start, low, school_days, CALENDAR)
    second = step_deadline(start, high, school_days, CALENDAR)
    assert start <= first <= second
    if low < high:
        assert first < second  # each further day is a later day
    if school_days:
        assert school_days_between(start, second) == high
        if high:
            assert is_school_day(second, CALENDAR)
    else:
        assert second == start + timedelta(days=high)
