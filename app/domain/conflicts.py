"""Conflicts in one advisor's calendar: overlapping meetings and too little travel time.

Two kinds of conflict:

* **overlap**: two meetings share some time. Meetings that only touch (one
  ends when the other starts) do not overlap.
* **travel**: the advisor goes from a meeting at one site to the next meeting
  at another site with less free time than the travel buffer. "Next" is
  consecutive in time: the meeting(s) with the earliest start at or after the
  end of the first one. A short hop between two meetings at the same site is
  fine, and a travel conflict is never reported for a pair that overlaps.

All times are compared as instants (converted to UTC first): aware
datetimes in one zone compare by wall-clock time in Python, which would
misorder two meetings in the repeated hour of the autumn clock change.

No I/O, no clock.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

DEFAULT_TRAVEL_BUFFER = timedelta(minutes=30)


class ConflictKind(StrEnum):
    """What is wrong between two meetings."""

    OVERLAP = "overlap"
    TRAVEL = "travel"


@dataclass(frozen=True)
class Slot:
    """The time one meeting takes at one site.

    ``start`` and ``end`` are timezone-aware. The caller leaves cancelled
    meetings out.
    """

    meeting_id: str
    site_id: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError("slot times must be timezone-aware")
        if self.end.astimezone(UTC) < self.start.astimezone(UTC):
            raise ValueError("a slot cannot end before it starts")


@dataclass(frozen=True)
class Conflict:
    """One conflicting pair of meetings, reported once.

    ``first_id`` is the meeting that starts first (ties: the one that ends
    first, then the smaller id). ``gap`` is the free time between them: for
    a travel conflict the positive time from the end of the first to the
    start of the second; for an overlap the length of the shared time as a
    negative (zero only when a zero-length meeting lies inside another).
    """

    kind: ConflictKind
    first_id: str
    second_id: str
    gap: timedelta


class _Span(NamedTuple):
    # Field order is the sort order: start, then end, then the ids as tie-breakers.
    start: datetime
    end: datetime
    meeting_id: str
    site_id: str


def find_conflicts(
    slots: Iterable[Slot], travel_buffer: timedelta = DEFAULT_TRAVEL_BUFFER
) -> list[Conflict]:
    """Every overlap and every travel conflict among ``slots``.

    The result is sorted by the first meeting, then the second, and does not
    depend on the order of ``slots``. A meeting never conflicts with itself:
    pairs with the same ``meeting_id`` are skipped and repeated slots are
    counted once. Runs in O(n log n + k) for n slots and k conflicts.
    """
    if travel_buffer < timedelta(0):
        raise ValueError("the travel buffer cannot be negative")
    spans = sorted(
        {
            _Span(s.start.astimezone(UTC), s.end.astimezone(UTC), s.meeting_id, s.site_id)
            for s in slots
        }
    )
    found = _overlaps(spans) + _travel(spans, travel_buffer)
    found.sort(key=lambda item: (item[0], item[1], item[2].kind))
    return [conflict for _, _, conflict in found]


def _overlaps(spans: list[_Span]) -> list[tuple[int, int, Conflict]]:
    """Sweep by start time, keeping the meetings still running in a heap by end."""
    found: list[tuple[int, int, Conflict]] = []
    running: list[tuple[datetime, int]] = []
    for index, span in enumerate(spans):
        # A meeting that ended by this start cannot overlap this or any later one.
        while running and running[0][0] <= span.start:
            heapq.heappop(running)
        for _, earlier in running:
            other = spans[earlier]
            # other.start <= span.start < other.end holds for every running meeting;
            # the check below only matters when ``span`` has zero length.
            if other.start < span.end and other.meeting_id != span.meeting_id:
                shared = min(other.end, span.end) - span.start
                found.append(
                    (
                        earlier,
                        index,
                        Conflict(ConflictKind.OVERLAP, other.meeting_id, span.meeting_id, -shared),
                    )
                )
        if span.end > span.start:
            heapq.heappush(running, (span.end, index))
    return found


def _travel(spans: list[_Span], buffer: timedelta) -> list[tuple[int, int, Conflict]]:
    """For each meeting, look at the meetings starting first at or after its end."""
    # Group by start, then by site, so skipping the same site costs O(1) per
    # site instead of O(meetings): the work stays proportional to the output.
    starts: list[datetime] = []
    groups: list[dict[str, list[int]]] = []
    sizes: list[int] = []
    for index, span in enumerate(spans):
        if not starts or starts[-1] != span.start:
            starts.append(span.start)
            groups.append({})
            sizes.append(0)
        groups[-1].setdefault(span.site_id, []).append(index)
        sizes[-1] += 1

    found: list[tuple[int, int, Conflict]] = []
    seen: set[tuple[int, int]] = set()
    for index, span in enumerate(spans):
        g = bisect_left(starts, span.end)
        # A zero-length meeting sits in the group at its own end; alone there,
        # the next meetings are the following group.
        if g < len(starts) and starts[g] == span.start and sizes[g] == 1:
            g += 1
        if g == len(starts):
            continue
        free = starts[g] - span.end
        if free >= buffer:
            continue
        for site_id, members in groups[g].items():
            if site_id == span.site_id:
                continue
            for other in members:
                if spans[other].meeting_id == span.meeting_id:
                    continue
                pair = (min(index, other), max(index, other))
                # Only two zero-length meetings at one instant can find each other twice.
                if pair in seen:
                    continue
                seen.add(pair)
                first, second = spans[pair[0]], spans[pair[1]]
                found.append(
                    (
                        *pair,
                        Conflict(ConflictKind.TRAVEL, first.meeting_id, second.meeting_id, free),
                    )
                )
    return found
