from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar_model import (
    DateRange,
    HolidayPolicy,
    Occurrence,
    SchoolHolidayPolicy,
)
from app.domain.closures import (
    TIMEZONES,
    ClosureCalendar,
    build_closure_calendar,
    demo_school_holidays,
)
from app.domain.recurrence import expand, iso_week, validate_rrule

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
HOUR = timedelta(hours=1)
DAYCARE_RULE = "FREQ=WEEKLY;INTERVAL=5;BYDAY=MO"
# 2026-01-05 + 5k weeks never reaches Whit Monday 2027 (71 weeks later);
# a week later it does (70 weeks), so the move is actually exercised.
DAYCARE_START = datetime(2026, 1, 12, 9, 0)

DK = build_closure_calendar("DK", 2025, 2029)
CALENDARS = {
    country: build_closure_calendar(
        country,
        2025,
        2029,
        school_holidays=[
            period for year in range(2024, 2029) for period in demo_school_holidays(country, year)
        ],
    )
    for country in ("DK", "NO")
}


def _expand(
    rule: str,
    first_start: datetime,
    window: tuple[date, date],
    *,
    closures: ClosureCalendar = DK,
    holiday: HolidayPolicy = HolidayPolicy.SKIP,
    school: SchoolHolidayPolicy = SchoolHolidayPolicy.IGNORE,
    duration: timedelta = HOUR,
    tz: ZoneInfo = COPENHAGEN,
) -> list[Occurrence]:
    return expand(rule, first_start, duration, window[0], window[1], closures, holiday, school, tz)


TWO_YEARS = (date(2026, 1, 1), date(2027, 12, 31))


# --- The tests -------------------------------------------------------


def test_daycare_series_with_skip_never_lands_on_a_danish_closure_day() -> None:
    occurrences = _expand(DAYCARE_RULE, DAYCARE_START, TWO_YEARS)
    assert len(occurrences) > 0
    assert all(not DK.is_closure_day(o.start.date()) for o in occurrences)
    assert all(o.start.weekday() == 0 for o in occurrences)
    assert all(o.moved_from is None for o in occurrences)
    # The series does hit Whit Monday 2027, and that one is skipped.
    assert date(2027, 5, 17) not in {o.key for o in occurrences}
    # Every 5th week from 12 January 2026 to the end of 2027 is 21 Mondays.
    assert len(occurrences) == 21 - 1


def test_daycare_series_with_move_goes_to_the_next_working_day() -> None:
    occurrences = _expand(DAYCARE_RULE, DAYCARE_START, TWO_YEARS, holiday=HolidayPolicy.MOVE)
    whit_monday = next(o for o in occurrences if o.key == date(2027, 5, 17))
    assert whit_monday.start == datetime(2027, 5, 18, 9, 0, tzinfo=COPENHAGEN)
    assert whit_monday.moved_from == date(2027, 5, 17)
    assert whit_monday.duration == HOUR
    assert all(DK.is_working_day(o.start.date()) for o in occurrences)
    assert all(o.start.weekday() == 0 for o in occurrences if o.moved_from is None)


def test_nine_oclock_stays_nine_oclock_across_both_dst_changes() -> None:
    occurrences = _expand(
        "FREQ=WEEKLY;BYDAY=TU",
        datetime(2026, 1, 6, 9, 0),
        (date(2026, 1, 1), date(2026, 12, 31)),
        closures=build_closure_calendar("DK", 2026, 2027, extra_closure_days=()),
    )
    assert len(occurrences) == 52
    assert all((o.start.hour, o.start.minute) == (9, 0) for o in occurrences)
    offsets = [o.start.utcoffset() for o in occurrences]
    changes = [offsets[0]] + [b for a, b in zip(offsets, offsets[1:], strict=False) if a != b]
    assert changes == [HOUR, 2 * HOUR, HOUR]
    assert {o.start.astimezone(ZoneInfo("UTC")).hour for o in occurrences} == {7, 8}
    march = next(o for o in occurrences if o.key == date(2026, 3, 31))
    assert march.start.utcoffset() == 2 * HOUR


# --- Holiday policy details --------------------------------------------------


def test_a_move_onto_a_day_the_series_already_meets_is_dropped() -> None:
    # Daily on weekdays: 24 and 25 December would both move to Monday 28th,
    # which has its own meeting.
    occurrences = _expand(
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        datetime(2026, 12, 1, 10, 0),
        (date(2026, 12, 21), date(2026, 12, 31)),
        holiday=HolidayPolicy.MOVE,
    )
    assert [o.key for o in occurrences] == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
    ]
    assert all(o.moved_from is None for o in occurrences)


def test_two_moves_to_the_same_day_keep_the_earlier_one() -> None:
    window = (date(2026, 12, 1), date(2026, 12, 31))
    occurrences = _expand(
        "FREQ=WEEKLY;BYDAY=TH,FR", datetime(2026, 12, 3, 10, 0), window, holiday=HolidayPolicy.MOVE
    )
    christmas = [o for o in occurrences if o.moved_from is not None]
    assert [(o.key, o.start.date()) for o in christmas] == [
        (date(2026, 12, 24), date(2026, 12, 28)),
        (date(2026, 12, 31), date(2027, 1, 4)),
    ]
    assert date(2026, 12, 25) not in {o.key for o in occurrences}
    # The same decision in a window that starts on the losing day.
    later = _expand(
        "FREQ=WEEKLY;BYDAY=TH,FR",
        datetime(2026, 12, 3, 10, 0),
        (date(2026, 12, 25), date(2026, 12, 31)),
        holiday=HolidayPolicy.MOVE,
    )
    assert [o.key for o in later] == [date(2026, 12, 31)]


def test_weekend_dates_asked_for_are_kept_but_weekend_holidays_follow_the_policy() -> None:
    window = (date(2026, 12, 1), date(2026, 12, 31))
    start = datetime(2026, 12, 5, 11, 0)
    skipped = _expand("FREQ=WEEKLY;BYDAY=SA", start, window)
    assert [o.key.day for o in skipped] == [5, 12, 19]  # 26th: Second Day of Christmas
    moved = _expand("FREQ=WEEKLY;BYDAY=SA", start, window, holiday=HolidayPolicy.MOVE)
    assert moved[-1].key == date(2026, 12, 26)
    assert moved[-1].start == datetime(2026, 12, 28, 11, 0, tzinfo=COPENHAGEN)


def test_the_key_not_the_moved_date_decides_the_window() -> None:
    occurrences = _expand(
        DAYCARE_RULE,
        DAYCARE_START,
        (date(2027, 5, 17), date(2027, 5, 17)),
        holiday=HolidayPolicy.MOVE,
    )
    assert [o.key for o in occurrences] == [date(2027, 5, 17)]
    assert (
        _expand(
            DAYCARE_RULE,
            DAYCARE_START,
            (date(2027, 5, 18), date(2027, 5, 18)),
            holiday=HolidayPolicy.MOVE,
        )
        == []
    )


# --- School holidays ---------------------------------------------------------


def test_school_skip_drops_occurrences_in_a_school_holiday_and_ignore_keeps_them() -> None:
    closures = CALENDARS["DK"]
    window = (date(2026, 1, 1), date(2026, 12, 31))
    start = datetime(2026, 1, 5, 13, 0)
    ignored = _expand("FREQ=WEEKLY;BYDAY=MO", start, window, closures=closures)
    skipped = _expand(
        "FREQ=WEEKLY;BYDAY=MO", start, window, closures=closures, school=SchoolHolidayPolicy.SKIP
    )
    in_holiday = {o.key for o in ignored if closures.in_school_holiday(o.start.date())}
    assert date(2026, 2, 9) in in_holiday  # week 7
    assert date(2026, 10, 12) in in_holiday  # week 42
    assert {o.key for o in skipped} == {o.key for o in ignored} - in_holiday
    assert not any(closures.in_school_holiday(o.start.date()) for o in skipped)


def test_a_move_into_a_school_holiday_is_dropped_under_school_skip() -> None:
    closures = build_closure_calendar(
        "DK", 2027, 2027, school_holidays=[DateRange(date(2027, 5, 18), date(2027, 5, 21))]
    )
    window = (date(2027, 5, 1), date(2027, 5, 31))
    kept = _expand(
        DAYCARE_RULE, DAYCARE_START, window, closures=closures, holiday=HolidayPolicy.MOVE
    )
    assert [o.key for o in kept] == [date(2027, 5, 17)]
    assert (
        _expand(
            DAYCARE_RULE,
            DAYCARE_START,
            window,
            closures=closures,
            holiday=HolidayPolicy.MOVE,
            school=SchoolHolidayPolicy.SKIP,
        )
        == []
    )


# --- Time details ------------------------------------------------------------


def test_nonexistent_and_doubled_local_times_use_fold_zero() -> None:
    calendar = build_closure_calendar("DK", 2026, 2026, extra_closure_days=())
    gap = _expand(
        "FREQ=DAILY",
        datetime(2026, 3, 29, 2, 30),
        (date(2026, 3, 29), date(2026, 3, 29)),
        closures=calendar,
    )
    assert (gap[0].start.hour, gap[0].start.minute) == (2, 30)
    assert gap[0].start.utcoffset() == HOUR  # the offset before the change
    doubled = _expand(
        "FREQ=DAILY",
        datetime(2026, 10, 25, 2, 30),
        (date(2026, 10, 25), date(2026, 10, 25)),
        closures=calendar,
    )
    assert doubled[0].start.utcoffset() == 2 * HOUR  # the first, summer-time 02:30


def test_duration_is_wall_clock_and_end_follows_start() -> None:
    occurrences = _expand(
        "FREQ=WEEKLY;BYDAY=WE",
        datetime(2026, 1, 7, 15, 30),
        (date(2026, 1, 1), date(2026, 1, 31)),
        duration=timedelta(minutes=90),
    )
    assert all(o.end.hour == 17 and o.end.minute == 0 for o in occurrences)
    assert all(o.duration == timedelta(minutes=90) for o in occurrences)


def test_until_in_utc_is_read_in_local_time() -> None:
    # 08:00 UTC is 09:00 in Copenhagen in winter, so the 2 March meeting is the last.
    occurrences = _expand(
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260302T080000Z",
        datetime(2026, 2, 16, 9, 0),
        (date(2026, 1, 1), date(2026, 12, 31)),
    )
    assert [o.key for o in occurrences] == [date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2)]


def test_until_as_a_date_includes_that_day() -> None:
    occurrences = _expand(
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260302",
        datetime(2026, 2, 16, 9, 0),
        (date(2026, 1, 1), date(2026, 12, 31)),
    )
    assert occurrences[-1].key == date(2026, 3, 2)


def test_count_limits_the_series() -> None:
    occurrences = _expand(
        "FREQ=WEEKLY;COUNT=3", datetime(2026, 2, 2, 9, 0), (date(2026, 1, 1), date(2026, 12, 31))
    )
    assert [o.key for o in occurrences] == [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16)]


def test_expand_refuses_bad_input() -> None:
    window = (date(2026, 1, 1), date(2026, 1, 31))
    with pytest.raises(ValueError):
        _expand("FREQ=HOURLY", DAYCARE_START, window)
    with pytest.raises(ValueError):
        _expand(DAYCARE_RULE, DAYCARE_START.replace(tzinfo=COPENHAGEN), window)
    with pytest.raises(ValueError):
        _expand(DAYCARE_RULE, DAYCARE_START, window, duration=timedelta(0))
    assert _expand(DAYCARE_RULE, DAYCARE_START, (window[1], window[0])) == []


# --- Small functions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 12, 31), (2026, 53)),
        (date(2027, 1, 3), (2026, 53)),
        (date(2027, 1, 4), (2027, 1)),
        (date(2025, 12, 29), (2026, 1)),
        (date(2026, 2, 9), (2026, 7)),
    ],
)
def test_iso_week(day: date, week: tuple[int, int]) -> None:
    assert iso_week(day) == week


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;INTERVAL=5;BYDAY=MO",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE",
        "freq=monthly;byday=1tu",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=-1",
        "FREQ=DAILY;COUNT=10",
        "FREQ=WEEKLY;UNTIL=20271231",
        "FREQ=WEEKLY;UNTIL=20271231T225959Z",
        "FREQ=WEEKLY;WKST=SU;BYDAY=MO,TH",
        "FREQ=YEARLY;BYWEEKNO=7;BYDAY=MO",
    ],
)
def test_good_rules_are_accepted(rule: str) -> None:
    assert validate_rrule(rule) is None


@pytest.mark.parametrize(
    ("rule", "hint"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("garbage", "NAME=value"),
        ("FREQ=WEEKLY;;BYDAY=MO", "NAME=value"),
        ("INTERVAL=2", "FREQ"),
        ("FREQ=FORTNIGHTLY", "FREQ"),
        ("FREQ=HOURLY", "once a day"),
        ("FREQ=MINUTELY", "once a day"),
        ("FREQ=SECONDLY", "once a day"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=-1", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=²", "INTERVAL"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20271231", "not both"),
        ("FREQ=WEEKLY;UNTIL=2027", "UNTIL"),
        ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "more than once"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("FREQ=WEEKLY;WKST=XX", "not valid"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO"),
        ("FREQ=YEARLY;BYEASTER=1", "BYEASTER"),
        ("DTSTART:20260105T090000\nRRULE:FREQ=WEEKLY", "DTSTART"),
    ],
)
def test_bad_rules_get_one_sentence(rule: str, hint: str) -> None:
    problem = validate_rrule(rule)
    assert problem is not None
    assert hint in problem
    assert problem.endswith(".") and problem.count(". ") == 0


# --- Properties --------------------------------------------------------------

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
ALL_DAYS = (*WEEKDAYS, "SA", "SU")


@st.composite
def series(draw: st.DrawFn, days: tuple[str, ...]) -> tuple[str, datetime]:
    frequency = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    interval = draw(st.integers(min_value=1, max_value=6))
    byday = draw(st.lists(st.sampled_from(days), min_size=1, max_size=len(days), unique=True))
    rule = f"FREQ={frequency};INTERVAL={interval};BYDAY={','.join(byday)}"
    first_day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
    # Outside 02:00-03:00, so the documented nonexistent-time case never arises.
    hour = draw(st.integers(min_value=7, max_value=17))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    return rule, datetime(first_day.year, first_day.month, first_day.day, hour, minute)


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    first = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=400))
    return first, min(first + timedelta(days=length), date(2028, 12, 31))


COUNTRIES = st.sampled_from(["DK", "NO"])
SCHOOL = st.sampled_from(list(SchoolHolidayPolicy))
PROPERTY = settings(max_examples=60, deadline=None)


def _check_common(
    occurrences: list[Occurrence], first_start: datetime, window: tuple[date, date]
) -> None:
    # (c) the wall clock never moves
    assert all(
        (o.start.hour, o.start.minute) == (first_start.hour, first_start.minute)
        for o in occurrences
    )
    # (d) sorted and one per day
    starts = [o.start for o in occurrences]
    assert starts == sorted(starts)
    assert len({o.start.date() for o in occurrences}) == len(occurrences)
    # (e) keys lie in the window
    assert all(window[0] <= o.key <= window[1] for o in occurrences)


@PROPERTY
@given(series=series(ALL_DAYS), window=windows(), country=COUNTRIES, school=SCHOOL)
def test_with_skip_no_occurrence_is_on_a_closure_day(
    series: tuple[str, datetime],
    window: tuple[date, date],
    country: str,
    school: SchoolHolidayPolicy,
) -> None:
    rule, first_start = series
    closures = CALENDARS[country]
    occurrences = _expand(
        rule,
        first_start,
        window,
        closures=closures,
        school=school,
        tz=ZoneInfo(TIMEZONES[country]),
    )
    assert not any(closures.is_closure_day(o.start.date()) for o in occurrences)
    assert all(o.moved_from is None and o.key == o.start.date() for o in occurrences)
    _check_common(occurrences, first_start, window)


@PROPERTY
@given(series=series(WEEKDAYS), window=windows(), country=COUNTRIES, school=SCHOOL)
def test_with_move_every_weekday_series_meets_on_working_days(
    series: tuple[str, datetime],
    window: tuple[date, date],
    country: str,
    school: SchoolHolidayPolicy,
) -> None:
    rule, first_start = series
    closures = CALENDARS[country]
    occurrences = _expand(
        rule,
        first_start,
        window,
        closures=closures,
        holiday=HolidayPolicy.MOVE,
        school=school,
        tz=ZoneInfo(TIMEZONES[country]),
    )
    assert all(closures.is_working_day(o.start.date()) for o in occurrences)
    for o in occurrences:
        if o.moved_from is None:
            assert o.start.date() == o.key
        else:
            assert o.moved_from == o.key
            assert o.start.date() == closures.next_working_day(o.key)
        if school is SchoolHolidayPolicy.SKIP:
            assert not closures.in_school_holiday(o.start.date())
    _check_common(occurrences, first_start, window)


@PROPERTY
@given(
    series=series(ALL_DAYS),
    window=windows(),
    cut=st.integers(min_value=0, max_value=400),
    country=COUNTRIES,
    holiday=st.sampled_from(list(HolidayPolicy)),
)
def test_a_smaller_window_gives_the_same_occurrences(
    series: tuple[str, datetime],
    window: tuple[date, date],
    cut: int,
    country: str,
    holiday: HolidayPolicy,
) -> None:
    rule, first_start = series
    closures = CALENDARS[country]
    tz = ZoneInfo(TIMEZONES[country])
    whole = _expand(rule, first_start, window, closures=closures, holiday=holiday, tz=tz)
    middle = min(window[0] + timedelta(days=cut), window[1])
    parts = [
        *_expand(rule, first_start, (window[0], middle), closures=closures, holiday=holiday, tz=tz),
        *_expand(
            rule,
            first_start,
            (middle + timedelta(days=1), window[1]),
            closures=closures,
            holiday=holiday,
            tz=tz,
        ),
    ]
    assert sorted(parts, key=lambda o: o.key) == sorted(whole, key=lambda o: o.key)
