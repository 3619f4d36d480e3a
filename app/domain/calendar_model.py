"""Plain values of the calendar: enums and small frozen records shared by the rules.

No I/O, no clock: every function that needs "today" takes it as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class SiteKind(StrEnum):
    """What kind of place a site is."""

    DAYCARE = "day-care"
    FAMILY_DAYCARE = "family-day-care"
    SCHOOL = "school"
    OTHER = "other"


class ForumKind(StrEnum):
    """The meeting forums of the district model (product.md)."""

    DAYCARE_CONSULTATION = "daycare-consultation"
    SCHOOL_RESOURCE_TEAM = "school-resource-team"
    DIALOGUE = "dialogue"
    NETWORK = "network"
    DISTRICT_HALF_YEARLY = "district-half-yearly"
    OTHER = "other"


class HolidayPolicy(StrEnum):
    """What a series does with an occurrence on a public holiday or closure day."""

    SKIP = "skip"
    MOVE = "move"  # to the next working day


class SchoolHolidayPolicy(StrEnum):
    """What a series does with an occurrence inside a school-holiday period.

    Schools do not meet in their holidays; day-cares stay open. Moving a
    meeting out of a six-week summer holiday would pile them up on one day,
    so the only choices are to skip or to ignore the period.
    """

    SKIP = "skip"
    IGNORE = "ignore"


class MeetingStatus(StrEnum):
    """Where a meeting stands."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class DateRange:
    """A closed range of days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a date range cannot end before it starts")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def days(self) -> int:
        """How many days the range covers."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Occurrence:
    """One generated instance of a series.

    ``key`` is the date the recurrence rule produced (RFC 5545 RECURRENCE-ID):
    it identifies the instance even after a holiday move changed its date.
    ``start`` and ``end`` are timezone-aware, in the series' local zone.
    """

    key: date
    start: datetime
    end: datetime
    moved_from: date | None = None

    @property
    def duration(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start
