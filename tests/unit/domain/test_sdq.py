"""The SDQ scoring rules and bands, against hand-computed cases from sdq.md.

Items are referred to by number only: Samråd never holds item wording.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.sdq import (
    SCALES,
    Instrument,
    Scores,
    Version,
    band,
    bands,
    choose_version,
    parse_answers,
    parse_instrument,
    score_answers,
    score_impact,
    scores_from_scales,
)
from app.instruments import DEFAULT_SDQ_FILE, instruments_dir

RAW: dict[str, Any] = json.loads((instruments_dir() / DEFAULT_SDQ_FILE).read_text("utf-8"))
SDQ: Instrument = parse_instrument(RAW)
PARENT = SDQ.versions["parent-4-17"]
TEACHER = SDQ.versions["teacher-4-17"]
SELF = SDQ.versions["self-11-17"]

ITEMS = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
    "prosocial": (1, 4, 9, 17, 20),
}
REVERSED = {7, 21, 25, 11, 14}

answer_lists = st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=25, max_size=25)
full_answer_lists = st.lists(st.integers(0, 2), min_size=25, max_size=25)


def raw() -> dict[str, Any]:
    """A fresh, editable copy of the shipped file's JSON."""
    return copy.deepcopy(RAW)


def answers(**by_item: int | None) -> list[int | None]:
    """25 missing answers except ``i<number>=value``."""
    out: list[int | None] = [None] * 25
    for name, value in by_item.items():
        out[int(name.removeprefix("i")) - 1] = value
    return out


def scale_answers(scale: str, values: tuple[int | None, ...]) -> list[int | None]:
    """Answers to one scale's items in order; every other item answered 0."""
    out: list[int | None] = [0] * 25
    for item, value in zip(ITEMS[scale], values, strict=True):
        out[item - 1] = value
    return out


# --- the shipped file -------------------------------------------------------------


def test_shipped_file_matches_the_published_scales() -> None:
    assert [s.key for s in SDQ.scales] == list(SCALES)
    for scale in SDQ.scales:
        assert scale.items == ITEMS[scale.key]
    assert set().union(*(s.reversed_items for s in SDQ.scales)) == REVERSED
    assert SDQ.source.startswith("R. Goodman, SDQ hand-scoring rules")
    assert SDQ.date in SDQ.source


def test_shipped_versions_and_placeholder_bands() -> None:
    assert list(SDQ.versions) == [
        "parent-2-4",
        "parent-4-17",
        "teacher-2-4",
        "teacher-4-17",
        "self-11-17",
    ]
    # Only the two tables sdq.md gives are real; the others say they are stand-ins.
    assert PARENT.bands_note == "" and TEACHER.bands_note == ""
    for key in ("parent-2-4", "teacher-2-4", "self-11-17"):
        assert SDQ.versions[key].bands_note == "placeholder: load local norms"
    assert SDQ.versions["parent-2-4"].bands is PARENT.bands
    assert SDQ.versions["teacher-2-4"].bands is TEACHER.bands
    assert SELF.bands is PARENT.bands
    assert (PARENT.impact_areas, SELF.impact_areas, TEACHER.impact_areas) == (4, 4, 2)
    assert (PARENT.impact_max, SELF.impact_max, TEACHER.impact_max) == (10, 10, 6)


def _strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path + "." + k, k
            yield from _strings(v, path + "." + k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def test_shipped_file_holds_no_long_text() -> None:
    """Scoring data only: no string long enough to be item wording (licence)."""
    long = [(path, len(text)) for path, text in _strings(RAW) if len(text) > 200]
    assert long == []
    for path, text in _strings(RAW):
        if path != ".source":
            assert len(text) <= 200, path


# --- scoring all answers ------------------------------------------------------------


def test_all_answered_hand_computed() -> None:
    given_answers = parse_answers("2102012110202120110201211")
    scores = score_answers(SDQ, given_answers)
    # emotional 3,8,13,16,24 = 0+1+2+0+1; conduct 5,7r,12,18,22 = 0+(2-2)+0+1+1;
    # hyperactivity 2,10,15,21r,25r = 1+0+2+(2-0)+(2-1); peer 6,11r,14r,19,23 =
    # 1+(2-2)+(2-1)+0+2; prosocial 1,4,9,17,20 = 2+2+1+1+2.
    assert scores == Scores(
        emotional=4,
        conduct=2,
        hyperactivity=6,
        peer=4,
        prosocial=8,
        total=16,
        externalising=8,
        internalising=8,
        impact=None,
    )
    assert bands(PARENT, scores) == {
        "emotional": "borderline",
        "conduct": "normal",
        "hyperactivity": "borderline",
        "peer": "abnormal",
        "prosocial": "normal",
        "total": "borderline",
    }


def test_reversed_items_count_two_minus_the_answer() -> None:
    zeros = score_answers(SDQ, [0] * 25)
    assert (zeros.emotional, zeros.conduct, zeros.hyperactivity, zeros.peer) == (0, 2, 4, 4)
    assert zeros.prosocial == 0
    twos = score_answers(SDQ, [2] * 25)
    assert (twos.emotional, twos.conduct, twos.hyperactivity, twos.peer) == (10, 8, 6, 6)
    assert twos.prosocial == 10


@pytest.mark.parametrize(
    ("item", "scale"),
    [(7, "conduct"), (21, "hyperactivity"), (25, "hyperactivity"), (11, "peer"), (14, "peer")],
)
def test_each_reversed_item_alone(item: int, scale: str) -> None:
    base = [0] * 25
    for other in REVERSED:
        base[other - 1] = 2  # every reversed item counts 0 ...
    before = score_answers(SDQ, base).as_dict()[scale]
    base[item - 1] = 0  # ... then this one counts 2
    after = score_answers(SDQ, base).as_dict()[scale]
    assert (before, after) == (0, 2)


def test_scores_as_dict_in_field_order() -> None:
    scores = scores_from_scales(1, 2, 3, 4, 5, impact=6)
    assert scores.as_dict() == {
        "emotional": 1,
        "conduct": 2,
        "hyperactivity": 3,
        "peer": 4,
        "prosocial": 5,
        "total": 10,
        "externalising": 5,
        "internalising": 5,
        "impact": 6,
    }


# --- missing answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # conduct items 5, 7r, 12, 18, 22
        ((1, None, 1, 0, 0), 3),  # 4 answered, sum 2: 2.5 -> 3 (round() would give 2)
        ((2, None, 2, 2, 0), 8),  # 4 answered, sum 6: 7.5 -> 8
        ((1, None, 0, 0, None), 2),  # 3 answered, sum 1: 1.67 -> 2
        ((1, None, 1, 1, 0), 4),  # 4 answered, sum 3: 3.75 -> 4
        ((None, 2, None, 1, 0), 2),  # 3 answered, 7r counts 0, sum 1: 1.67 -> 2
        ((2, 0, 2, None, None), 10),  # 3 answered, 7r counts 2: 10
        ((1, None, None, 0, 0), 2),  # 3 answered, sum 1 -> 2 (with 2 missing)
    ],
)
def test_scale_with_missing_answers_is_prorated_half_up(
    values: tuple[int | None, ...], expected: int
) -> None:
    scores = score_answers(SDQ, scale_answers("conduct", values))
    assert scores.conduct == expected
    assert scores.total is not None and scores.externalising is not None


def test_half_up_differs_from_round() -> None:
    scores = score_answers(SDQ, scale_answers("emotional", (1, 1, 0, 0, None)))
    assert scores.emotional == 3
    assert round(2.5) == 2  # the trap the rule avoids


def test_scale_with_three_missing_is_missing() -> None:
    scores = score_answers(SDQ, scale_answers("peer", (1, None, None, None, 2)))
    assert scores.peer is None
    assert scores.total is None
    assert scores.internalising is None
    assert scores.externalising is not None  # conduct and hyperactivity are whole
    assert bands(PARENT, scores)["peer"] is None
    assert bands(PARENT, scores)["total"] is None


def test_missing_prosocial_leaves_total() -> None:
    scores = score_answers(SDQ, scale_answers("prosocial", (None, None, None, 2, 2)))
    assert scores.prosocial is None
    assert scores.total == 10  # 0 + 2 + 4 + 4 from the reversed items


def test_no_answers_at_all() -> None:
    scores = score_answers(SDQ, [None] * 25)
    assert set(scores.as_dict().values()) == {None}


@pytest.mark.parametrize(
    "bad", [[0] * 24, [0] * 26, [0] * 24 + [3], [0] * 24 + [-1], [0] * 24 + [True]]
)
def test_score_answers_rejects_malformed_answers(bad: list[Any]) -> None:
    with pytest.raises(ValueError):
        score_answers(SDQ, bad)


def test_score_answers_message_names_the_item() -> None:
    with pytest.raises(ValueError, match=r"^The answer to item 25 must be 0, 1, 2 or missing\.$"):
        score_answers(SDQ, [0] * 24 + [3])


# --- impact ---------------------------------------------------------------------------


def test_impact_parent() -> None:
    # distress, home, friendships, classroom, leisure; indexes count 0/0/1/2.
    assert score_impact(PARENT, (3, 2, 1, 0, 3)) == 5
    assert score_impact(PARENT, (3, 3, 3, 3, 3)) == 10
    assert score_impact(PARENT, (1, 1, 1, 1, 1)) == 0
    assert PARENT.impact_keys == ("distress", "home", "friendships", "classroom", "leisure")


def test_impact_self_scores_like_parent() -> None:
    assert score_impact(SELF, (2, 2, 0, 3, 1)) == 4
    assert SELF.impact_keys == PARENT.impact_keys


def test_impact_teacher() -> None:
    # distress, peers, classroom
    assert TEACHER.impact_keys == ("distress", "peers", "classroom")
    assert score_impact(TEACHER, (2, 3, 1)) == 3
    assert score_impact(TEACHER, (3, 3, 3)) == 6
    with pytest.raises(ValueError, match="has 3 answers"):
        score_impact(TEACHER, (3, 3, 3, 3, 3))


def test_impact_no_difficulties_and_missing() -> None:
    assert score_impact(PARENT, None, no_difficulties=True) == 0
    assert score_impact(TEACHER, None, no_difficulties=True) == 0
    assert score_impact(PARENT, None) is None
    assert score_impact(PARENT, (3, None, 3, 3, 3)) is None


@pytest.mark.parametrize("bad", [(4, 0, 0, 0, 0), (0, -1, 0, 0, 0), (0, 0, 0, 0, True)])
def test_impact_rejects_out_of_range(bad: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="must be a number from 0 to 3"):
        score_impact(PARENT, bad)
    with pytest.raises(ValueError):
        score_impact(PARENT, bad, no_difficulties=True)


def test_impact_passes_into_scores() -> None:
    impact = score_impact(PARENT, (3, 2, 1, 0, 3))
    scores = score_answers(SDQ, [1] * 25, impact=impact)
    assert scores.impact == 5
    with pytest.raises(ValueError, match="impact score"):
        score_answers(SDQ, [1] * 25, impact=11)


# --- scale scores recorded directly ----------------------------------------------------


def test_scores_from_scales_derives_totals() -> None:
    scores = scores_from_scales(4, 2, 6, 4, 8)
    assert (scores.total, scores.externalising, scores.internalising) == (16, 8, 8)
    assert scores.impact is None
    partial = scores_from_scales(None, 2, 6, 4, 8, impact=0)
    assert (partial.total, partial.externalising, partial.internalising) == (None, 8, None)
    assert partial.impact == 0


@pytest.mark.parametrize(
    "args", [(11, 0, 0, 0, 0), (0, -1, 0, 0, 0), (0, 0, 0, 0, 10.0), (True, 0, 0, 0, 0)]
)
def test_scores_from_scales_rejects_out_of_range(args: tuple[Any, ...]) -> None:
    with pytest.raises(
        ValueError, match=r"^Each scale score must be a whole number from 0 to 10\."
    ):
        scores_from_scales(*args)


def test_scores_from_scales_rejects_impact_out_of_range() -> None:
    with pytest.raises(ValueError, match="impact score"):
        scores_from_scales(0, 0, 0, 0, 0, impact=-1)


# --- bands ---------------------------------------------------------------------------

# sdq.md, written out again here so the shipped file is checked against it.
PARENT_BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "total": ((0, 13), (14, 16), (17, 40)),
    "emotional": ((0, 3), (4, 4), (5, 10)),
    "conduct": ((0, 2), (3, 3), (4, 10)),
    "hyperactivity": ((0, 5), (6, 6), (7, 10)),
    "peer": ((0, 2), (3, 3), (4, 10)),
    "prosocial": ((6, 10), (5, 5), (0, 4)),
}
PARENT_KEYS = ("normal", "borderline", "abnormal")
TEACHER_BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "total": ((0, 11), (12, 15), (16, 18), (19, 40)),
    "emotional": ((0, 3), (4, 4), (5, 5), (6, 10)),
    "conduct": ((0, 2), (3, 3), (4, 4), (5, 10)),
    "hyperactivity": ((0, 5), (6, 7), (8, 8), (9, 10)),
    "peer": ((0, 2), (3, 4), (5, 5), (6, 10)),
    "prosocial": ((6, 10), (5, 5), (4, 4), (0, 3)),
}
TEACHER_KEYS = ("close_to_average", "slightly_raised", "high", "very_high")
TEACHER_PROSOCIAL_KEYS = ("close_to_average", "slightly_lowered", "low", "very_low")


def _edges(
    table: dict[str, tuple[tuple[int, int], ...]], keys: tuple[str, ...], prosocial: tuple[str, ...]
) -> list[tuple[str, int, str]]:
    cases = []
    for scale, ranges in table.items():
        names = prosocial if scale == "prosocial" else keys
        for name, (low, high) in zip(names, ranges, strict=True):
            cases += [(scale, low, name), (scale, high, name)]
    return cases


@pytest.mark.parametrize(
    ("scale", "value", "expected"), _edges(PARENT_BANDS, PARENT_KEYS, PARENT_KEYS)
)
def test_parent_band_edges(scale: str, value: int, expected: str) -> None:
    assert band(PARENT, scale, value) == expected


@pytest.mark.parametrize(
    ("scale", "value", "expected"), _edges(TEACHER_BANDS, TEACHER_KEYS, TEACHER_PROSOCIAL_KEYS)
)
def test_teacher_band_edges(scale: str, value: int, expected: str) -> None:
    assert band(TEACHER, scale, value) == expected


def test_band_edges_spelled_out() -> None:
    assert [band(PARENT, "total", v) for v in (13, 14, 16, 17)] == [
        "normal",
        "borderline",
        "borderline",
        "abnormal",
    ]
    assert [band(TEACHER, "total", v) for v in (11, 12, 15, 16, 18, 19)] == [
        "close_to_average",
        "slightly_raised",
        "slightly_raised",
        "high",
        "high",
        "very_high",
    ]
    # Prosocial runs the other way: low scores are the concern.
    assert [band(TEACHER, "prosocial", v) for v in (10, 6, 5, 4, 3, 0)] == [
        "close_to_average",
        "close_to_average",
        "slightly_lowered",
        "low",
        "very_low",
        "very_low",
    ]


def test_band_order_is_by_concern() -> None:
    prosocial = [b.key for b in TEACHER.bands.ranges["prosocial"]]
    assert prosocial == list(TEACHER_PROSOCIAL_KEYS)


def test_band_of_missing_and_unbanded_scores() -> None:
    assert band(PARENT, "total", None) is None
    assert band(PARENT, "impact", 3) is None  # sdq.md gives no impact bands
    assert band(PARENT, "externalising", 3) is None
    with pytest.raises(ValueError):
        band(PARENT, "happiness", 3)
    with pytest.raises(ValueError):
        band(PARENT, "emotional", 11)


# --- choosing a version ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("informant", "age", "expected"),
    [
        ("parent", 2, "parent-2-4"),
        ("parent", 3, "parent-2-4"),
        ("parent", 4, "parent-4-17"),
        ("parent", 17, "parent-4-17"),
        ("teacher", 2, "teacher-2-4"),
        ("teacher", 4, "teacher-4-17"),
        ("teacher", 17, "teacher-4-17"),
        ("self", 11, "self-11-17"),
        ("self", 17, "self-11-17"),
    ],
)
def test_choose_version(informant: str, age: int, expected: str) -> None:
    assert choose_version(SDQ, informant, age).key == expected


@pytest.mark.parametrize(
    ("informant", "age", "ages"),
    [
        ("parent", 1, "2 to 17"),
        ("parent", 18, "2 to 17"),
        ("teacher", 1, "2 to 17"),
        ("teacher", 18, "2 to 17"),
        ("self", 10, "11 to 17"),
        ("self", 18, "11 to 17"),
        ("self", -1, "11 to 17"),
    ],
)
def test_choose_version_rejects_ages_outside(informant: str, age: int, ages: str) -> None:
    with pytest.raises(ValueError) as raised:
        choose_version(SDQ, informant, age)
    assert str(raised.value) == f"For this informant the questionnaire covers ages {ages}."


def test_choose_version_rejects_unknown_informant() -> None:
    with pytest.raises(
        ValueError, match=r"^The informant must be one of: parent, self, teacher\.$"
    ):
        choose_version(SDQ, "grandparent", 8)


# --- typed answers ---------------------------------------------------------------------------


def test_parse_answers() -> None:
    assert parse_answers("0" * 25) == (0,) * 25
    parsed = parse_answers(" 012.." + "2" * 20 + "\n")
    assert parsed[:6] == (0, 1, 2, None, None, 2)
    assert len(parsed) == 25


@pytest.mark.parametrize("text", ["", "0" * 24, "0" * 26, "0 1 2" + "0" * 22])
def test_parse_answers_rejects_wrong_length(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Give 25 answers, one character per item"):
        parse_answers(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3" + "0" * 24, 1),
        ("0" * 24 + "x", 25),
        ("0" * 9 + "-" + "0" * 15, 10),
        ("0 1 2" + "0" * 20, 2),
    ],
)
def test_parse_answers_rejects_other_characters(text: str, number: int) -> None:
    with pytest.raises(ValueError) as raised:
        parse_answers(text)
    assert str(raised.value) == (
        f"The answer to item {number} must be 0, 1, 2 or . for a missing answer."
    )


# --- malformed instrument files ----------------------------------------------------------------


def _scale(data: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["scales"] if s["key"] == key)
    return found


def _ranges(data: dict[str, Any], table: str, score: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["band_tables"][table]["ranges"][score]
    return found


def test_rejects_a_missing_item() -> None:
    data = raw()
    _scale(data, "emotional")["items"].remove(13)
    with pytest.raises(ValueError, match=r"^Item 13 is in none of the scales\.$"):
        parse_instrument(data)


def test_rejects_an_item_twice() -> None:
    data = raw()
    _scale(data, "emotional")["items"][0] = 5  # also in conduct
    with pytest.raises(ValueError, match=r"^Item 5 is listed more than once"):
        parse_instrument(data)


def test_rejects_an_item_out_of_range() -> None:
    data = raw()
    _scale(data, "emotional")["items"][0] = 26
    with pytest.raises(ValueError, match=r"^Item 26 is not a number from 1 to 25\.$"):
        parse_instrument(data)


def test_rejects_unequal_scales() -> None:
    data = raw()
    _scale(data, "emotional")["items"].remove(3)
    _scale(data, "conduct")["items"].append(3)
    with pytest.raises(ValueError, match=r"must have 5 items"):
        parse_instrument(data)


def test_rejects_a_reversed_item_outside_its_scale() -> None:
    data = raw()
    _scale(data, "conduct")["reversed"] = [8]
    with pytest.raises(ValueError, match=r"reverse-scored item of the scale conduct"):
        parse_instrument(data)


def test_rejects_missing_reversed_key() -> None:
    data = raw()
    del _scale(data, "peer")["reversed"]
    with pytest.raises(ValueError, match=r"no valid scales\[3\]\.reversed\.$"):
        parse_instrument(data)


def test_rejects_a_missing_or_unknown_scale() -> None:
    data = raw()
    data["scales"] = data["scales"][:4]
    with pytest.raises(ValueError, match=r"^The scales must be exactly these"):
        parse_instrument(data)
    data = raw()
    _scale(data, "peer")["key"] = "peers"
    with pytest.raises(ValueError, match=r"^The scales must be exactly these"):
        parse_instrument(data)


def test_rejects_overlapping_ranges() -> None:
    data = raw()
    _ranges(data, "parent-4-17", "total")[1]["low"] = 13
    with pytest.raises(ValueError) as raised:
        parse_instrument(data)
    assert str(raised.value) == "The bands for total in the table parent-4-17 overlap at 13."


def test_rejects_a_gap_in_ranges() -> None:
    data = raw()
    _ranges(data, "teacher-4-17", "hyperactivity")[1]["high"] = 6
    with pytest.raises(ValueError) as raised:
        parse_instrument(data)
    assert str(raised.value) == "The bands for hyperactivity in the table teacher-4-17 leave out 7."


def test_rejects_a_gap_at_zero_and_short_or_long_ranges() -> None:
    data = raw()
    _ranges(data, "parent-4-17", "prosocial")[2]["low"] = 1
    with pytest.raises(ValueError, match="leave out 0"):
        parse_instrument(data)
    data = raw()
    _ranges(data, "parent-4-17", "emotional")[2]["high"] = 9
    with pytest.raises(ValueError, match="must end at 10"):
        parse_instrument(data)
    data = raw()
    _ranges(data, "parent-4-17", "emotional")[2]["high"] = 11
    with pytest.raises(ValueError, match="must end at 10"):
        parse_instrument(data)


def test_rejects_a_band_table_without_a_scale() -> None:
    data = raw()
    del data["band_tables"]["teacher-4-17"]["ranges"]["peer"]
    with pytest.raises(ValueError, match=r"^The band table teacher-4-17 has no bands for peer\.$"):
        parse_instrument(data)


def test_rejects_bad_range_entries() -> None:
    for change in (
        {"low": 5, "high": 4},
        {"band": ""},
        {"low": "0"},
        {"high": True},
        {"band": "borderline"},  # a band key twice in one score
    ):
        data = raw()
        _ranges(data, "parent-4-17", "total")[0].update(change)
        with pytest.raises(ValueError, match="no valid band_tables.parent-4-17.ranges.total"):
            parse_instrument(data)


def test_rejects_an_unknown_score_in_a_table() -> None:
    data = raw()
    data["band_tables"]["parent-4-17"]["ranges"]["totl"] = []
    with pytest.raises(ValueError, match="ranges.totl"):
        parse_instrument(data)


def test_rejects_bad_versions() -> None:
    data = raw()
    data["versions"][0]["band_table"] = "danish-boys"
    with pytest.raises(ValueError, match="uses the band table danish-boys, which is not"):
        parse_instrument(data)
    data = raw()
    data["versions"][0]["informant"] = "grandparent"
    with pytest.raises(ValueError, match=r"versions\[0\]\.informant"):
        parse_instrument(data)
    data = raw()
    data["versions"][0]["min_age"] = 5
    with pytest.raises(ValueError, match=r"versions\[0\]\.max_age"):
        parse_instrument(data)
    data = raw()
    data["versions"][1]["key"] = "parent-2-4"
    with pytest.raises(ValueError, match="listed twice"):
        parse_instrument(data)
    data = raw()
    data["versions"][1]["min_age"] = 2
    with pytest.raises(ValueError, match="start at age 2"):
        parse_instrument(data)
    data = raw()
    data["versions"] = []
    with pytest.raises(ValueError, match="no valid versions"):
        parse_instrument(data)


def test_rejects_bad_impact() -> None:
    data = raw()
    data["impact"]["order"]["teacher"] = ["peers", "classroom"]
    with pytest.raises(ValueError, match="impact.order.teacher"):
        parse_instrument(data)
    data = raw()
    del data["impact"]["order"]["self"]
    with pytest.raises(ValueError, match="impact.order.self"):
        parse_instrument(data)
    data = raw()
    data["impact"]["answer_points"] = []
    with pytest.raises(ValueError, match="impact.answer_points"):
        parse_instrument(data)


@pytest.mark.parametrize(("key", "value"), [("instrument", "kiddie-sads"), ("format", 2)])
def test_rejects_other_kinds_of_file(key: str, value: object) -> None:
    data = raw()
    data[key] = value
    with pytest.raises(ValueError, match="not an SDQ instrument file"):
        parse_instrument(data)


def test_local_norms_with_impact_bands() -> None:
    """A municipality's file: own bands for one version, including impact."""
    data = raw()
    local = copy.deepcopy(data["band_tables"]["parent-4-17"])
    local["ranges"]["total"] = [
        {"band": "normal", "low": 0, "high": 11},
        {"band": "borderline", "low": 12, "high": 14},
        {"band": "abnormal", "low": 15, "high": 40},
    ]
    local["ranges"]["impact"] = [
        {"band": "normal", "low": 0, "high": 0},
        {"band": "borderline", "low": 1, "high": 1},
        {"band": "abnormal", "low": 2, "high": 10},
    ]
    data["band_tables"]["local-self"] = local
    data["versions"][4]["band_table"] = "local-self"
    del data["versions"][4]["bands_note"]
    data["note_from_the_municipality"] = "ignored"
    instrument = parse_instrument(data)
    version: Version = instrument.versions["self-11-17"]
    assert version.bands_note == ""
    assert band(version, "total", 12) == "borderline"
    scores = scores_from_scales(4, 2, 6, 4, 8, impact=1)
    assert bands(version, scores) == {
        "emotional": "borderline",
        "conduct": "normal",
        "hyperactivity": "borderline",
        "peer": "abnormal",
        "prosocial": "normal",
        "total": "abnormal",
        "impact": "borderline",
    }
    # The same table cannot band teacher impact (0-6) as well.
    data["versions"][3]["band_table"] = "local-self"
    with pytest.raises(ValueError, match="bands for impact in the table local-self must end at 6"):
        parse_instrument(data)


# --- properties --------------------------------------------------------------------------------


@given(answer_lists)
def test_scale_scores_are_0_to_10_or_missing(given_answers: list[int | None]) -> None:
    scores = score_answers(SDQ, given_answers)
    for scale in SCALES:
        value = scores.as_dict()[scale]
        assert value is None or 0 <= value <= 10
    assert scores.total is None or 0 <= scores.total <= 40
    for version in SDQ.versions.values():
        for key, name in bands(version, scores).items():
            assert (name is None) == (scores.as_dict()[key] is None)


@given(full_answer_lists)
def test_total_is_the_sum_when_all_answered(given_answers: list[int]) -> None:
    scores = score_answers(SDQ, given_answers)
    parts = (scores.emotional, scores.conduct, scores.hyperactivity, scores.peer)
    assert None not in parts and scores.prosocial is not None
    assert scores.total == sum(p for p in parts if p is not None)
    expected_conduct = sum(
        2 - given_answers[i - 1] if i in REVERSED else given_answers[i - 1]
        for i in ITEMS["conduct"]
    )
    assert scores.conduct == expected_conduct
    assert scores == scores_from_scales(
        scores.emotional, scores.conduct, scores.hyperactivity, scores.peer, scores.prosocial
    )


@given(answer_lists)
def test_reverse_scoring_symmetry(given_answers: list[int | None]) -> None:
    """Flipping every answer (a -> 2 - a) mirrors each scale around 5.

    With all a scale's items answered s + s' = 10 exactly; prorated scores
    that land on a half round up both ways, so then the sum is 11.
    """
    flipped = [None if a is None else 2 - a for a in given_answers]
    before = score_answers(SDQ, given_answers).as_dict()
    after = score_answers(SDQ, flipped).as_dict()
    for scale in SCALES:
        s, t = before[scale], after[scale]
        assert (s is None) == (t is None)
        if s is not None and t is not None:
            complete = all(given_answers[i - 1] is not None for i in ITEMS[scale])
            assert s + t == 10 if complete else s + t in (10, 11)


@given(answer_lists)
def test_parse_answers_round_trip(given_answers: list[int | None]) -> None:
    text = "".join("." if a is None else str(a) for a in given_answers)
    assert parse_answers(text) == tuple(given_answers)
