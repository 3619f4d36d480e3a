from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.conflicts import (
    DEFAULT_TRAVEL_BUFFER,
    Conflict,
    ConflictKind,
    Slot,
    find_conflicts,
)

CPH = timezone(timedelta(hours=1))  # fixed offset: no tz database needed
DAY = datetime(2025, 3, 4, tzinfo=CPH)


def at(hour: float, minutes: int, meeting_id: str, site_id: str) -> Slot:
    start = DAY + timedelta(hours=hour)
    return Slot(meeting_id, site_id, start, start + timedelta(minutes=minutes))


def test_overlap_is_reported_once_with_the_shared_time_as_negative_gap() -> None:
    a = at(9, 60, "a", "school")
    b = at(9.5, 60, "b", "daycare")
    assert find_conflicts([b, a]) == [
        Conflict(ConflictKind.OVERLAP, "a", "b", -timedelta(minutes=30))
    ]


def test_touching_meetings_do_not_overlap() -> None:
    assert find_conflicts([at(9, 60, "a", "school"), at(10, 60, "b", "school")]) == []


def test_overlap_at_the_same_site_is_still_an_overlap() -> None:
    (conflict,) = find_conflicts([at(9, 60, "a", "x"), at(9, 30, "b", "x")])
    assert conflict.kind == "overlap" and conflict.gap == -timedelta(minutes=30)


def test_too_little_travel_time_between_sites_is_a_travel_conflict() -> None:
    slots = [at(9, 60, "a", "school"), at(10 + 1 / 6, 60, "b", "daycare")]
    assert find_conflicts(slots) == [Conflict(ConflictKind.TRAVEL, "a", "b", timedelta(minutes=10))]


def test_enough_travel_time_or_the_same_site_is_fine() -> None:
    assert find_conflicts([at(9, 60, "a", "school"), at(10.5, 60, "b", "daycare")]) == []
    assert find_conflicts([at(9, 60, "a", "school"), at(10, 60, "b", "school")]) == []


def test_the_travel_buffer_is_configurable() -> None:
    slots = [at(9, 60, "a", "school"), at(10.5, 60, "b", "daycare")]
    (conflict,) = find_conflicts(slots, travel_buffer=timedelta(minutes=45))
    assert conflict.kind == ConflictKind.TRAVEL
    assert find_conflicts(slots, travel_buffer=timedelta(0)) == []


def test_travel_is_checked_only_against_the_next_meeting() -> None:
    # a ends at 10:00 at X, b (X) fills 10:05-10:10, c is at Y at 10:20:
    # the advisor travels from b, not from a.
    a = at(9, 60, "a", "x")
    b = at(10 + 5 / 60, 5, "b", "x")
    c = at(10 + 20 / 60, 30, "c", "y")
    assert find_conflicts([a, b, c]) == [
        Conflict(ConflictKind.TRAVEL, "b", "c", timedelta(minutes=10))
    ]


def test_meetings_starting_at_the_same_time_after_one_both_count_as_next() -> None:
    a = at(9, 60, "a", "x")
    b = at(10.25, 30, "b", "y")
    c = at(10.25, 60, "c", "z")
    kinds = {(c.kind, c.first_id, c.second_id) for c in find_conflicts([a, b, c])}
    assert kinds == {("travel", "a", "b"), ("travel", "a", "c"), ("overlap", "b", "c")}


def test_times_in_different_zones_compare_as_instants() -> None:
    a = Slot("a", "x", datetime(2025, 3, 4, 8, tzinfo=UTC), datetime(2025, 3, 4, 9, tzinfo=UTC))
    b = at(9.5, 60, "b", "y")  # 09:30+01:00 = 08:30Z
    assert find_conflicts([a, b]) == [
        Conflict(ConflictKind.OVERLAP, "a", "b", -timedelta(minutes=30))
    ]


def test_a_meeting_never_conflicts_with_itself() -> None:
    a = at(9, 60, "a", "x")
    assert find_conflicts([a, a]) == []
    assert find_conflicts([a, at(9, 30, "a", "y")]) == []


def test_zero_length_meeting_inside_another_overlaps_by_zero() -> None:
    assert find_conflicts([at(9, 60, "a", "x"), at(9.5, 0, "b", "x")]) == [
        Conflict(ConflictKind.OVERLAP, "a", "b", timedelta(0))
    ]


def test_slots_must_be_aware_and_in_order() -> None:
    naive = datetime(2025, 3, 4, 9)
    with pytest.raises(ValueError):
        Slot("a", "x", naive, naive + timedelta(hours=1))
    with pytest.raises(ValueError):
        Slot("a", "x", DAY, DAY - timedelta(minutes=1))
    with pytest.raises(ValueError):
        find_conflicts([], travel_buffer=timedelta(minutes=-1))


def test_default_buffer_is_thirty_minutes() -> None:
    assert DEFAULT_TRAVEL_BUFFER == timedelta(minutes=30)


# --- properties against a brute-force O(n^2) reference -----------------------


def reference(slots: list[Slot], buffer: timedelta) -> set[tuple[str, frozenset[str], timedelta]]:
    found: set[tuple[str, frozenset[str], timedelta]] = set()
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if a.meeting_id != b.meeting_id and a.start < b.end and b.start < a.end:
                shared = min(a.end, b.end) - max(a.start, b.start)
                found.add(("overlap", frozenset({a.meeting_id, b.meeting_id}), -shared))
    for a in slots:
        later = [b.start for b in slots if b is not a and b.start >= a.end]
        if not later:
            continue
        following = [b for b in slots if b is not a and b.start == min(later)]
        for b in following:
            free = b.start - a.end
            if b.site_id != a.site_id and free < buffer:
                found.add(("travel", frozenset({a.meeting_id, b.meeting_id}), free))
    return found


ZONES = [UTC, CPH, timezone(timedelta(hours=2))]


@st.composite
def slot_lists(draw: st.DrawFn) -> list[Slot]:
    count = draw(st.integers(min_value=0, max_value=12))
    result = []
    for number in range(count):
        zone = draw(st.sampled_from(ZONES))
        start = datetime(2025, 3, 4, 8, tzinfo=UTC) + timedelta(
            minutes=5 * draw(st.integers(min_value=0, max_value=60))
        )
        length = timedelta(minutes=5 * draw(st.integers(min_value=0, max_value=24)))
        site = draw(st.sampled_from(["x", "y", "z"]))
        result.append(
            Slot(f"m{number}", site, start.astimezone(zone), (start + length).astimezone(zone))
        )
    return result


def as_set(conflicts: list[Conflict]) -> set[tuple[str, frozenset[str], timedelta]]:
    return {(str(c.kind), frozenset({c.first_id, c.second_id}), c.gap) for c in conflicts}


@given(slot_lists(), st.integers(min_value=0, max_value=60))
def test_agrees_with_the_brute_force_reference(slots: list[Slot], buffer_minutes: int) -> None:
    buffer = timedelta(minutes=buffer_minutes)
    found = find_conflicts(slots, buffer)
    assert as_set(found) == reference(slots, buffer)
    assert len(found) == len(as_set(found))  # each pair once


@given(slot_lists())
def test_overlaps_agree_with_the_reference(slots: list[Slot]) -> None:
    overlaps = {c for c in as_set(find_conflicts(slots)) if c[0] == "overlap"}
    assert overlaps == {c for c in reference(slots, DEFAULT_TRAVEL_BUFFER) if c[0] == "overlap"}


@given(slot_lists(), st.randoms(use_true_random=False))
def test_order_of_input_is_irrelevant(slots: list[Slot], rnd: random.Random) -> None:
    shuffled = list(slots)
    rnd.shuffle(shuffled)
    assert find_conflicts(shuffled) == find_conflicts(slots)


@given(slot_lists())
def test_no_slot_conflicts_with_itself_and_first_starts_first(slots: list[Slot]) -> None:
    by_id = {s.meeting_id: s for s in slots}
    for conflict in find_conflicts(slots):
        assert conflict.first_id != conflict.second_id
        assert by_id[conflict.first_id].start <= by_id[conflict.second_id].start
        if conflict.kind == ConflictKind.OVERLAP:
            assert conflict.gap <= timedelta(0)
        else:
            assert timedelta(0) <= conflict.gap < DEFAULT_TRAVEL_BUFFER
