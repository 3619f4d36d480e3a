"""Cadence watch: has each site met often enough in a forum?

For one site and one forum, the rule is "no more than ``max_gap_days`` between
meetings" (for example a school's resource team every 14 days). The watch
looks at the held or planned meetings in a period, finds the longest gap and
flags it when it is longer than the rule allows.

School holidays do not count: a school does not meet in its winter holiday,
so a gap that spans it is measured in days outside the holiday. For sites
that stay open in the school holidays (day-cares) the caller passes no
holidays.

Edges of the period: the first and the last day of the period count as if a
meeting took place on them. The gap before the first meeting is therefore
``first meeting - period.first`` days and the gap after the last meeting is
``period.last - last meeting`` days. We cannot see what happened before or
after the period, so this is the most lenient assumption that still flags a
site that never met: a three-week period without any meeting is one gap of
20 days.

No I/O, no clock: the period and the holidays are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from app.domain.calendar_model import DateRange


@dataclass(frozen=True)
class Gap:
    """The days between two meetings (or a meeting and an edge of the period).

    ``after`` is the meeting the gap follows and ``before`` the meeting that
    ends it; either is None where the gap starts or ends at an edge of the
    period (both are None when there was no meeting at all).
    ``calendar_days`` is the plain difference of the two dates and
    ``effective_days`` the same minus the school-holiday days in between.
    """

    after: date | None
    before: date | None
    calendar_days: int
    effective_days: int


@dataclass(frozen=True)
class CadenceFinding:
    """The result of the watch for one site and one forum."""

    site_id: str
    forum: str
    max_gap_days: int
    longest: Gap
    flagged: bool


def effective_gap(first: date, second: date, school_holidays: Sequence[DateRange]) -> int:
    """Days from ``first`` to ``second`` minus the school-holiday days strictly between.

    Overlapping holiday ranges are counted once. ``first`` and ``second``
    themselves are never subtracted: they are meeting days (or the edges of
    the period, which count as meeting days).
    """
    if second < first:
        raise ValueError("the second date of a gap cannot be before the first")
    return _effective(first, second, _merge(school_holidays))


def longest_gap(
    meeting_dates: Iterable[date], period: DateRange, school_holidays: Sequence[DateRange]
) -> Gap:
    """The gap with the most effective days in ``period``.

    The gaps from ``period.first`` to the first meeting and from the last
    meeting to ``period.last`` are included (see the module docstring), so a
    site that never met in the period has one gap across the whole period.
    Dates outside the period and duplicates are ignored. When several gaps are
    equally long the earliest one is returned.
    """
    holidays = _merge(school_holidays)
    days = sorted({day for day in meeting_dates if day in period})
    # None marks an edge of the period; its date for counting is the edge day.
    points: list[tuple[date | None, date]] = [(None, period.first)]
    points.extend((day, day) for day in days)
    points.append((None, period.last))

    best: Gap | None = None
    for (after, start), (before, end) in pairwise(points):
        gap = Gap(
            after=after,
            before=before,
            calendar_days=(end - start).days,
            effective_days=_effective(start, end, holidays),
        )
        # Strictly greater: ties keep the earliest gap.
        if best is None or gap.effective_days > best.effective_days:
            best = gap
    assert best is not None  # there are always at least the two edge points
    return best


def check(
    site_id: str,
    forum: str,
    meeting_dates: Iterable[date],
    period: DateRange,
    max_gap_days: int,
    school_holidays: Sequence[DateRange],
) -> CadenceFinding:
    """Watch one site's meetings in one forum against the forum's rule.

    ``meeting_dates`` are the held or planned meetings (the caller leaves out
    cancelled ones). The finding is flagged when the longest gap has more
    effective days than ``max_gap_days``; a gap of exactly ``max_gap_days``
    is within the rule ("every 14 days" allows 14).
    """
    if max_gap_days < 0:
        raise ValueError("max_gap_days cannot be negative")
    longest = longest_gap(meeting_dates, period, school_holidays)
    return CadenceFinding(
        site_id=site_id,
        forum=forum,
        max_gap_days=max_gap_days,
        longest=longest,
        flagged=longest.effective_days > max_gap_days,
    )


def _merge(ranges: Sequence[DateRange]) -> list[tuple[date, date]]:
    """Sort and join overlapping or adjacent ranges so no day is counted twice."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted((r.first, r.last) for r in ranges):
        # Compare by difference rather than ``last + 1 day``: no overflow at date.max.
        if merged and (first - merged[-1][1]).days <= 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _effective(first: date, second: date, holidays: list[tuple[date, date]]) -> int:
    calendar = (second - first).days
    if calendar <= 1:
        return calendar  # no day lies strictly between
    inner_first = first + timedelta(days=1)
    inner_last = second - timedelta(days=1)
    holiday_days = 0
    for h_first, h_last in holidays:
        lo = max(h_first, inner_first)
        hi = min(h_last, inner_last)
        if lo <= hi:
            holiday_days += (hi - lo).days + 1
    return calendar - holiday_days
