"""Staged procedures: deadlines of template steps, relative to the start.

A concerning-absence procedure counts in school days ("within 2 school
days"): Monday–Friday, not a public holiday or closure day, not in a school
holiday. Other steps may count calendar days.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.closures import ClosureCalendar


def is_school_day(day: date, calendar: ClosureCalendar) -> bool:
    """A working day outside the school holidays."""
    return calendar.is_working_day(day) and not calendar.in_school_holiday(day)


def step_deadline(
    start: date, offset_days: int, school_days: bool, calendar: ClosureCalendar
) -> date:
    """The deadline of a step ``offset_days`` after ``start``.

    Counting starts the day after ``start``; with ``school_days`` only school
    days count, so "2 school days" from a Friday is the next Tuesday. An
    offset of 0 is the start day itself.
    """
    if offset_days < 0:
        raise ValueError("a step cannot be due before the procedure starts")
    if not school_days:
        return start + timedelta(days=offset_days)
    day, counted = start, 0
    while counted < offset_days:
        day += timedelta(days=1)
        if is_school_day(day, calendar):
            counted += 1
    return day
