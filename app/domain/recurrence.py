"""Meeting series: expand an RFC 5545 recurrence rule into dated occurrences.

A series is a rule (``FREQ=WEEKLY;INTERVAL=5;BYDAY=MO``), a first start in
local wall-clock time, a duration and the two holiday policies. The rule is
expanded over naive wall-clock datetimes and the zone is attached afterwards,
so a 09:00 meeting stays 09:00 on both sides of a daylight-saving change.

No I/O, no clock: the window to expand is passed in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from app.domain.calendar_model import HolidayPolicy, Occurrence, SchoolHolidayPolicy
from app.domain.closures import ClosureCalendar
from app.i18n import _

_DAY_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_SUB_DAY_FREQUENCIES = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_SUB_DAY_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})
_ALLOWED_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
# RFC 5545 ranges of the numeric BYxxx parts; zero is never allowed. dateutil
# accepts values outside them and then scans to year 9999 finding nothing.
_NUMBER_RANGES = {
    "BYMONTHDAY": 31,
    "BYYEARDAY": 366,
    "BYWEEKNO": 53,
    "BYSETPOS": 366,
}
_UNTIL_PATTERN = re.compile(r"\d{8}(T\d{6}Z?)?")
_RRULE_PREFIX = "RRULE:"
_UNTIL_UTC_FORMAT = "%Y%m%dT%H%M%SZ"
_UNTIL_LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# Any fixed wall-clock start will do to ask dateutil whether it accepts a rule.
_PROBE_START = datetime(2026, 1, 5, 9, 0)


def _split_rule(rule: str) -> list[tuple[str, str]] | str:
    """The rule's NAME=value parts in order, or one sentence saying what is wrong."""
    text = rule.strip()
    if text.upper().startswith(_RRULE_PREFIX):
        text = text[len(_RRULE_PREFIX) :].strip()
    if not text:
        return _("The recurrence rule is empty.")
    if "\n" in text or "\r" in text or ":" in text:
        return _(
            "Give only the recurrence rule, such as FREQ=WEEKLY;BYDAY=MO, "
            "without DTSTART or other lines."
        )
    parts: list[tuple[str, str]] = []
    for chunk in text.split(";"):
        name, equals, value = chunk.partition("=")
        name = name.strip().upper()
        value = value.strip().upper()
        if not equals or not name or not value:
            return _("Each part of the recurrence rule must look like NAME=value.")
        parts.append((name, value))
    return parts


def _structure_problem(parts: list[tuple[str, str]]) -> str | None:
    """What dateutil would accept but a meeting series must not be, or None."""
    names = [name for name, _value in parts]
    for name in names:
        if names.count(name) > 1:
            return _("The recurrence rule gives {name} more than once.").format(name=name)
        if name in _SUB_DAY_PARTS:
            # The time of day comes from the first meeting; two meetings on
            # one day would share one occurrence key.
            return _(
                "A meeting series takes its time of day from the first meeting, "
                "so BYHOUR, BYMINUTE and BYSECOND cannot be used."
            )
        if name not in _ALLOWED_PARTS:
            return _("The recurrence rule has a part this program does not know: {name}.").format(
                name=name
            )
    values = dict(parts)
    frequency = values.get("FREQ")
    if frequency is None:
        return _("The recurrence rule must say how often it repeats (FREQ).")
    if frequency in _SUB_DAY_FREQUENCIES:
        return _(
            "A meeting series repeats at most once a day: use DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    if frequency not in _DAY_FREQUENCIES:
        return _("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    interval = values.get("INTERVAL", "1")
    # dateutil loops forever on INTERVAL=0, so it is checked here first.
    if not _is_whole_number(interval) or int(interval) < 1:
        return _("INTERVAL must be a whole number of at least 1.")
    if "COUNT" in values and "UNTIL" in values:
        return _("The recurrence rule can end by COUNT or by UNTIL, not both.")
    count = values.get("COUNT", "1")
    if not _is_whole_number(count) or int(count) < 1:
        return _("COUNT must be a whole number of at least 1.")
    if "UNTIL" in values and not _UNTIL_PATTERN.fullmatch(values["UNTIL"]):
        return _("UNTIL must be a date such as 20271231 or a time such as 20271231T120000Z.")
    for name, value in parts:
        if name == "BYMONTH" and not _numbers_within(value, 12, signed=False):
            return _("BYMONTH must list months from 1 to 12.")
        limit = _NUMBER_RANGES.get(name)
        if limit is not None and not _numbers_within(value, limit, signed=True):
            return _("{name} must list numbers from 1 to {limit} or -1 to -{limit}.").format(
                name=name, limit=limit
            )
    return None


def _is_whole_number(text: str) -> bool:
    # ASCII only: str.isdigit() also accepts "²", which int() refuses.
    return text.isascii() and text.isdigit()


def _numbers_within(value: str, limit: int, *, signed: bool) -> bool:
    """True if ``value`` is a comma list of non-zero integers no larger than ``limit``."""
    for item in value.split(","):
        digits = item[1:] if signed and item[:1] in "+-" and item[1:] else item
        if not _is_whole_number(digits) or not 1 <= int(digits) <= limit:
            return False
    return True


def _local_rule_text(parts: list[tuple[str, str]], tz: ZoneInfo) -> str:
    """The rule for dateutil, with ``UNTIL`` as a local wall-clock time.

    RFC 5545 wants ``UNTIL`` in UTC when DTSTART has a time zone, as ours
    does once exported; the expansion runs on naive local times, and dateutil
    refuses to compare a UTC ``UNTIL`` with a naive start.
    """
    rendered: list[str] = []
    for name, value in parts:
        if name == "UNTIL" and value.endswith("Z"):
            instant = datetime.strptime(value, _UNTIL_UTC_FORMAT).replace(tzinfo=UTC)
            value = instant.astimezone(tz).replace(tzinfo=None).strftime(_UNTIL_LOCAL_FORMAT)
        elif name == "UNTIL" and "T" not in value:
            # A bare date means "up to and including that day"; dateutil would
            # read it as midnight and drop a 09:00 meeting on the last day.
            value += "T235959"
        rendered.append(f"{name}={value}")
    return ";".join(rendered)


def _parse(parts: list[tuple[str, str]], first_start: datetime, tz: ZoneInfo) -> rrule:
    parsed = rrulestr(_local_rule_text(parts, tz), dtstart=first_start)
    if not isinstance(parsed, rrule):  # pragma: no cover - one line never gives a set
        raise ValueError("expected a single recurrence rule")
    return parsed


def validate_rrule(rule: str) -> str | None:
    """None if ``rule`` is a usable RRULE for a meeting series, else one sentence why not.

    The rule comes without DTSTART (the series' first meeting gives it), for
    example ``FREQ=WEEKLY;INTERVAL=5;BYDAY=MO``; an ``RRULE:`` prefix is
    allowed. Beyond what RFC 5545 and dateutil accept, a series must repeat by
    the day or less often and take its time of day from its first meeting.
    Rules without an end are fine: only a window is ever expanded.
    """
    parts = _split_rule(rule)
    if isinstance(parts, str):
        return parts
    problem = _structure_problem(parts)
    if problem is not None:
        return problem
    try:
        # Parsing is enough: the values that only fail once iterated (a
        # negative INTERVAL) are refused above. Iterating here would not help
        # either: a rule that can never match (30 February) is not an error
        # to dateutil, only a scan to year 9999 that finds nothing.
        _parse(parts, _PROBE_START, ZoneInfo("UTC"))
    except (ValueError, TypeError, OverflowError):
        return _("The recurrence rule is not valid: check each part and its value.")
    return None


def iso_week(day: date) -> tuple[int, int]:
    """The ISO 8601 (year, week) of ``day``; 31 December can be week 1 or 53."""
    calendar = day.isocalendar()
    return calendar.year, calendar.week


def _scan_first(window_first: date, closures: ClosureCalendar) -> date:
    """The earliest rule date whose holiday move can reach the window's first day.

    A move only passes over non-working days, so dates back to just after
    the last working day before the window can compete for the same target.
    Scanning them makes the result for a date independent of the window.
    """
    first = window_first
    while not closures.is_working_day(first - timedelta(days=1)):
        first -= timedelta(days=1)
    return first


def expand(
    rule: str,
    first_start: datetime,
    duration: timedelta,
    window_first: date,
    window_last: date,
    closures: ClosureCalendar,
    holiday_policy: HolidayPolicy,
    school_policy: SchoolHolidayPolicy,
    tz: ZoneInfo,
) -> list[Occurrence]:
    """The series' occurrences whose rule date lies in ``window_first``..``window_last``.

    ``first_start`` is the naive local wall-clock DTSTART. Every occurrence
    starts at that wall-clock time in ``tz``, whatever the UTC offset of its
    day, and ends ``duration`` of wall-clock time later (so ``end - start``
    is always ``duration``; across a DST night, which a meeting never spans,
    the elapsed time would differ by the hour the clocks moved).

    A wall-clock time that does not exist (02:30 on the spring-forward
    Sunday) or exists twice (02:30 on the fall-back Sunday) is kept as
    written with ``fold=0``: zoneinfo then uses the offset in force before
    the change, so the nonexistent 02:30 is the instant 03:30 summer time
    and the doubled 02:30 is the first, summer-time one.

    Holiday policy applies when the rule's date is a closure day (public
    holiday or extra closure day). Weekend dates the rule itself produces are
    kept: the user asked for them. SKIP drops the occurrence; MOVE moves it
    to the next working day at the same wall-clock time, with ``moved_from``
    set. A move onto a day the series already meets on is dropped, and when
    two moves reach the same day, the earlier rule date keeps it.

    School policy SKIP then drops every occurrence whose final date lies in
    a school holiday (so a move into a holiday drops it); IGNORE keeps them.

    ``key`` is always the rule's date, and it alone decides whether an
    occurrence is in the window; the result for a date is the same in any
    window that contains it. The list is sorted by start.

    Raises ValueError for a rule ``validate_rrule`` refuses (with its
    sentence), an aware ``first_start`` or a duration that is not positive.
    A rule that can never match (30 February) gives an empty list, after
    dateutil has scanned to year 9999: a few seconds at worst.
    """
    problem = validate_rrule(rule)
    parts = _split_rule(rule)
    if problem is not None or isinstance(parts, str):
        raise ValueError(problem)
    if first_start.tzinfo is not None:
        raise ValueError("first_start must be a naive local wall-clock time")
    if duration <= timedelta(0):
        raise ValueError("a meeting must last longer than zero")
    if window_last < window_first:
        return []

    scan_first = _scan_first(window_first, closures)
    # Every move from a date in the window lands on or before this day.
    scan_last = closures.next_working_day(window_last)
    produced = _parse(parts, first_start, tz).between(
        datetime.combine(scan_first, time.min),
        datetime.combine(scan_last, time.max),
        inc=True,
    )
    # Moves only land on working days, so only these dates can be taken.
    kept_days = {start.date() for start in produced if not closures.is_closure_day(start.date())}
    move_targets: set[date] = set()

    occurrences: list[Occurrence] = []
    for wall_start in produced:
        key = wall_start.date()
        moved_from: date | None = None
        if closures.is_closure_day(key):
            if holiday_policy is HolidayPolicy.SKIP:
                continue
            target = closures.next_working_day(key)
            if target in kept_days or target in move_targets:
                continue
            # Claimed even when the key is outside the window, so a later
            # date competing for the same day loses the same way in any window.
            move_targets.add(target)
            wall_start = datetime.combine(target, wall_start.time())
            moved_from = key
        if not window_first <= key <= window_last:
            continue
        if school_policy is SchoolHolidayPolicy.SKIP and closures.in_school_holiday(
            wall_start.date()
        ):
            continue
        occurrences.append(
            Occurrence(
                key=key,
                start=wall_start.replace(tzinfo=tz),
                end=(wall_start + duration).replace(tzinfo=tz),
                moved_from=moved_from,
            )
        )
    # A move can pass a weekend date the rule kept, so re-sort.
    occurrences.sort(key=lambda occurrence: (occurrence.start, occurrence.key))
    return occurrences
