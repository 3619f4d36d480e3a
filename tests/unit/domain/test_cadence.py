from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.cadence import Gap, check, effective_gap, longest_gap
from app.domain.calendar_model import DateRange

# Danish winter holiday 2025 (week 7) with its weekends: Saturday to Sunday.
WINTER = DateRange(date(2025, 2, 8), date(2025, 2, 16))
SPRING = DateRange(date(2025, 1, 6), date(2025, 3, 31))
RESOURCE_TEAM_DAYS = 14


def test_flags_a_21_day_gap_outside_holidays_but_not_one_spanning_the_winter_holiday() -> None:
    steady = [date(2025, 1, 6), date(2025, 1, 20), date(2025, 2, 3), date(2025, 2, 24)]
    steady += [date(2025, 3, 10), date(2025, 3, 24)]
    lapsed = [date(2025, 1, 6), date(2025, 1, 20), date(2025, 2, 3), date(2025, 2, 17)]
    lapsed += [date(2025, 3, 3), date(2025, 3, 24)]

    over_holiday = check(
        "school-a", "school-resource-team", steady, SPRING, RESOURCE_TEAM_DAYS, [WINTER]
    )
    outside = check(
        "school-b", "school-resource-team", lapsed, SPRING, RESOURCE_TEAM_DAYS, [WINTER]
    )

    assert not over_holiday.flagged
    assert over_holiday.longest.effective_days == 14
    assert outside.flagged
    assert outside.longest == Gap(date(2025, 3, 3), date(2025, 3, 24), 21, 21)
    assert (outside.site_id, outside.forum, outside.max_gap_days) == (
        "school-b",
        "school-resource-team",
        14,
    )


def test_the_gap_over_the_winter_holiday_counts_only_school_days() -> None:
    assert effective_gap(date(2025, 2, 3), date(2025, 2, 24), [WINTER]) == 21 - 9


def test_overlapping_holidays_are_counted_once() -> None:
    doubled = [WINTER, DateRange(date(2025, 2, 10), date(2025, 2, 20))]
    # Holiday days strictly between: 8 Feb .. 20 Feb = 13.
    assert effective_gap(date(2025, 2, 3), date(2025, 2, 24), doubled) == 21 - 13


def test_the_meeting_days_themselves_are_never_subtracted() -> None:
    holiday = [DateRange(date(2025, 2, 1), date(2025, 2, 28))]
    assert effective_gap(date(2025, 2, 3), date(2025, 2, 4), holiday) == 1
    assert effective_gap(date(2025, 2, 3), date(2025, 2, 3), holiday) == 0
    assert effective_gap(date(2025, 2, 3), date(2025, 2, 6), holiday) == 1


def test_effective_gap_refuses_reversed_dates() -> None:
    with pytest.raises(ValueError):
        effective_gap(date(2025, 2, 4), date(2025, 2, 3), [])


def test_a_school_that_never_met_is_flagged_with_one_gap_across_the_period() -> None:
    three_weeks = DateRange(date(2025, 3, 3), date(2025, 3, 23))
    finding = check("s", "school-resource-team", [], three_weeks, 14, [])
    assert finding.flagged
    assert finding.longest == Gap(None, None, 20, 20)


def test_edge_gaps_count_from_the_period_edges() -> None:
    period = DateRange(date(2025, 3, 1), date(2025, 3, 31))
    leading = longest_gap([date(2025, 3, 20), date(2025, 3, 25)], period, [])
    assert leading == Gap(None, date(2025, 3, 20), 19, 19)
    trailing = longest_gap([date(2025, 3, 2), date(2025, 3, 5)], period, [])
    assert trailing == Gap(date(2025, 3, 5), None, 26, 26)


def test_dates_outside_the_period_and_duplicates_are_ignored() -> None:
    period = DateRange(date(2025, 3, 1), date(2025, 3, 31))
    meetings = [date(2025, 2, 20), date(2025, 3, 10), date(2025, 3, 10), date(2025, 4, 5)]
    assert longest_gap(meetings, period, []) == Gap(date(2025, 3, 10), None, 21, 21)


def test_ties_return_the_earliest_gap() -> None:
    period = DateRange(date(2025, 3, 1), date(2025, 3, 21))
    gap = longest_gap([date(2025, 3, 11)], period, [])
    assert gap == Gap(None, date(2025, 3, 11), 10, 10)


def test_a_gap_of_exactly_the_rule_is_not_flagged() -> None:
    period = DateRange(date(2025, 3, 3), date(2025, 3, 17))
    assert not check("s", "f", [date(2025, 3, 3), date(2025, 3, 17)], period, 14, []).flagged
    assert check("s", "f", [date(2025, 3, 3), date(2025, 3, 17)], period, 13, []).flagged


def test_negative_rule_is_refused() -> None:
    with pytest.raises(ValueError):
        check("s", "f", [], SPRING, -1, [])


BASE = date(2025, 1, 1)
days = st.integers(min_value=0, max_value=120)


@st.composite
def periods(draw: st.DrawFn) -> DateRange:
    first = BASE + timedelta(days=draw(days))
    return DateRange(first, first + timedelta(days=draw(days)))


@st.composite
def holiday_lists(draw: st.DrawFn) -> list[DateRange]:
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        first = BASE + timedelta(days=draw(st.integers(min_value=-10, max_value=250)))
        result.append(DateRange(first, first + timedelta(days=draw(st.integers(0, 20)))))
    return result


meeting_lists = st.lists(
    st.integers(min_value=-20, max_value=260).map(lambda n: BASE + timedelta(days=n)),
    max_size=15,
)


@given(periods(), holiday_lists(), meeting_lists, meeting_lists.map(lambda m: m[:1]))
def test_adding_a_meeting_never_lengthens_the_longest_gap(
    period: DateRange,
    holidays: list[DateRange],
    meetings: list[date],
    extra: list[date],
) -> None:
    before = longest_gap(meetings, period, holidays)
    after = longest_gap(meetings + extra, period, holidays)
    assert after.effective_days <= before.effective_days


@given(periods(), holiday_lists(), meeting_lists)
def test_effective_days_never_exceed_calendar_days(
    period: DateRange, holidays: list[DateRange], meetings: list[date]
) -> None:
    gap = longest_gap(meetings, period, holidays)
    assert 0 <= gap.effective_days <= gap.calendar_days


@given(
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=1, max_value=30),
    st.data(),
)
def test_meeting_every_n_days_without_holidays_is_never_flagged(
    offset: int, n: int, data: st.DataObject
) -> None:
    steps = data.draw(st.lists(st.integers(min_value=1, max_value=n), min_size=1, max_size=20))
    lead = data.draw(st.integers(min_value=0, max_value=n))
    first = BASE + timedelta(days=offset)
    meetings = []
    day = first + timedelta(days=lead)
    for step in steps:
        meetings.append(day)
        day += timedelta(days=step)
    period = DateRange(first, meetings[-1] + timedelta(days=steps[-1]))
    assert not check("s", "f", meetings, period, n, []).flagged
