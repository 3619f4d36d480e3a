"""The SDQ: its definition as data, the published hand-scoring rules and the bands.

The Strengths and Difficulties Questionnaire (R. Goodman) is copyrighted:
Samråd never holds its item wording, in any language, and never shows the
questionnaire. It records what was filled in on the official form elsewhere:
either the five scale scores (:func:`scores_from_scales`) or the 25 answers by
item number (:func:`parse_answers`, then :func:`score_answers`).

Scales, items, reverse-scored items, versions and bands come from a data file
(``resources/instruments/sdq-default.json``, read by ``app.instruments``), so
a municipality can load local norms without a code change. The format of
that file is what :func:`parse_instrument` accepts; see its docstring.

Scoring (the published hand-scoring rules):

* each answer is 0, 1 or 2; a reverse-scored item counts ``2 - answer``;
* a scale is scored when at least 3 of its 5 items are answered: the mean of
  the answered items x 5, rounded half *up* (``floor(x + 0.5)``, computed in
  integers so no float error can tip a half); with fewer answers it is missing;
* total difficulties = emotional + conduct + hyperactivity + peer (missing if
  any of the four is); externalising = conduct + hyperactivity; internalising
  = emotional + peer. Prosocial is in none of them;
* impact (:func:`score_impact`): the answers are given as the response index
  0-3 (not at all / only a little / quite a lot / a great deal), in the
  version's fixed order (``Version.impact_keys``: distress first, then the
  areas), and count 0/0/1/2; a respondent who answered "no difficulties"
  scores 0.

The 2-4 year versions score like the others: only some wording differs on
the form, not item numbers or scales.

Every user-visible sentence (the ``ValueError`` messages the CLI and the UI
show) is translated; the few ``ValueError``s with English messages are
programming errors, not user mistakes.

Pure: no I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType

from app.i18n import _

SCALES = ("emotional", "conduct", "hyperactivity", "peer", "prosocial")
DIFFICULTY_SCALES = ("emotional", "conduct", "hyperactivity", "peer")
TOTAL = "total"
EXTERNALISING = "externalising"
INTERNALISING = "internalising"
IMPACT = "impact"
INFORMANTS = ("parent", "teacher", "self")

ITEM_COUNT = 25
ITEMS_PER_SCALE = 5
ANSWER_MAX = 2
MIN_ANSWERED = 3
SCALE_MAX = ANSWER_MAX * ITEMS_PER_SCALE  # 10
MISSING_ANSWER = "."
DISTRESS = "distress"

FILE_KIND = "sdq"
FILE_FORMAT = 1

# Highest value of each score a band table may give ranges for. Impact is
# not here: its highest value depends on the version (parent 10, teacher 6).
_RANGE_MAX: Mapping[str, int] = MappingProxyType(
    {
        **{scale: SCALE_MAX for scale in SCALES},
        TOTAL: SCALE_MAX * len(DIFFICULTY_SCALES),
        EXTERNALISING: 2 * SCALE_MAX,
        INTERNALISING: 2 * SCALE_MAX,
    }
)
_REQUIRED_RANGES = (*SCALES, TOTAL)
_OPTIONAL_RANGES = (EXTERNALISING, INTERNALISING, IMPACT)
# The largest impact any version can have (distress + four areas, 2 each).
IMPACT_MAX = 10


@dataclass(frozen=True)
class Scale:
    """One of the five scales: its item numbers (1-25) and the reverse-scored ones."""

    key: str
    items: tuple[int, ...]
    reversed_items: frozenset[int]


@dataclass(frozen=True)
class BandRange:
    """One band of one score: the closed range ``low..high`` (both included)."""

    key: str
    low: int
    high: int


@dataclass(frozen=True)
class BandTable:
    """The bands of one norm table.

    ``ranges`` maps each scale key and ``"total"`` (and optionally
    ``"externalising"``, ``"internalising"``, ``"impact"``) to its bands in
    order of increasing concern, so for prosocial the highest values come
    first. Per score the ranges cover 0 to the highest value exactly once.
    """

    key: str
    ranges: Mapping[str, tuple[BandRange, ...]]


@dataclass(frozen=True)
class Version:
    """One version of the questionnaire: who fills it in, for which ages, and its bands.

    ``impact_keys`` is the fixed order in which impact answers are given:
    ``"distress"`` first, then the areas of daily life. ``impact_points`` is
    what each response index (0-3) counts. ``bands_note`` is non-empty when
    the bands are a stand-in (the shipped file says so for the versions whose
    norms are not in Samråd's defaults).
    """

    key: str
    informant: str
    min_age: int
    max_age: int
    bands: BandTable
    impact_keys: tuple[str, ...]
    impact_points: tuple[int, ...] = (0, 0, 1, 2)
    bands_note: str = ""

    @property
    def impact_areas(self) -> int:
        """How many areas of daily life the impact supplement asks about (4 or 2)."""
        return len(self.impact_keys) - 1

    @property
    def impact_max(self) -> int:
        """The highest impact score of this version (10 for parent and self, 6 for teacher)."""
        return max(self.impact_points) * len(self.impact_keys)


@dataclass(frozen=True)
class Instrument:
    """The whole definition read from one instrument file.

    ``scales`` are in the order of ``SCALES``; ``versions`` keep the file's
    order. ``source`` says where the scoring rules and bands come from, and
    ``date`` (ISO, as written in the file) when the file was made.
    """

    source: str
    date: str
    scales: tuple[Scale, ...]
    versions: Mapping[str, Version]


@dataclass(frozen=True)
class Scores:
    """The scores of one assessment; None where a score is missing."""

    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    total: int | None
    externalising: int | None
    internalising: int | None
    impact: int | None

    def as_dict(self) -> dict[str, int | None]:
        """The scores by name, in field order (the five scales first)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- reading the instrument file --------------------------------------------------


def parse_instrument(data: Mapping[str, object]) -> Instrument:
    """Check the decoded JSON of an instrument file and build the :class:`Instrument`.

    The file holds ``"instrument": "sdq"``, ``"format": 1``, ``"source"``,
    ``"date"``, and:

    * ``scales``: five objects ``{"key", "items", "reversed"}``, one per key
      in ``SCALES``, 5 items each; together the items are 1-25, each once;
    * ``impact``: ``{"answer_points": [0, 0, 1, 2], "order": {informant:
      ["distress", area, ...]}}``;
    * ``band_tables``: ``{table_key: {"ranges": {score: [{"band", "low",
      "high"}, ...]}}}`` with ranges for the five scales and ``"total"``
      (``"externalising"``, ``"internalising"``, ``"impact"`` optional), each
      covering 0 to the score's highest value with no gap and no overlap;
    * ``versions``: objects ``{"key", "informant", "min_age", "max_age",
      "band_table"}`` and optionally ``"bands_note"``. Two versions of one
      informant may not start at the same age (the choice would be ambiguous).

    Unknown keys are ignored (room for notes); every required key is checked,
    so a misspelt one is reported rather than silently taken as empty.
    Raises ``ValueError`` with one translated sentence naming what is wrong.
    """
    if data.get("instrument") != FILE_KIND or data.get("format") != FILE_FORMAT:
        raise ValueError(_("The file is not an SDQ instrument file in a format Samråd knows."))
    source = _text(data.get("source"), "source")
    dated = _text(data.get("date"), "date")
    scales = _parse_scales(data.get("scales"))
    points, orders = _parse_impact(data.get("impact"))
    tables = _parse_band_tables(data.get("band_tables"))
    versions = _parse_versions(data.get("versions"), tables, points, orders)
    return Instrument(source, dated, scales, versions)


def _parse_scales(value: object) -> tuple[Scale, ...]:
    """The five scales, checked: every item 1-25 in exactly one scale."""
    entries = _array(value, "scales")
    by_key: dict[str, Scale] = {}
    owner: dict[int, str] = {}
    for i, entry in enumerate(entries):
        where = f"scales[{i}]"
        obj = _object(entry, where)
        key = _text(obj.get("key"), f"{where}.key")
        if key not in SCALES or key in by_key:
            raise ValueError(
                _("The scales must be exactly these, each once: {names}.").format(
                    names=", ".join(SCALES)
                )
            )
        items = tuple(
            _int(item, f"{where}.items[{j}]")
            for j, item in enumerate(_array(obj.get("items"), f"{where}.items"))
        )
        reversed_items = [
            _int(item, f"{where}.reversed[{j}]")
            for j, item in enumerate(_array(obj.get("reversed"), f"{where}.reversed"))
        ]
        for item in items:
            if not 1 <= item <= ITEM_COUNT:
                raise ValueError(
                    _("Item {item} is not a number from 1 to {count}.").format(
                        item=item, count=ITEM_COUNT
                    )
                )
            if item in owner:
                raise ValueError(
                    _("Item {item} is listed more than once in the scales.").format(item=item)
                )
            owner[item] = key
        if not set(reversed_items) <= set(items):
            raise ValueError(
                _("A reverse-scored item of the scale {scale} is not one of its items.").format(
                    scale=key
                )
            )
        by_key[key] = Scale(key, items, frozenset(reversed_items))
    if set(by_key) != set(SCALES):
        raise ValueError(
            _("The scales must be exactly these, each once: {names}.").format(
                names=", ".join(SCALES)
            )
        )
    # A missing item is named before the per-scale count, because "item 3 is
    # in no scale" tells the editor of the file what to fix.
    missing = sorted(set(range(1, ITEM_COUNT + 1)) - set(owner))
    if missing:
        raise ValueError(_("Item {item} is in none of the scales.").format(item=missing[0]))
    for scale in by_key.values():
        if len(scale.items) != ITEMS_PER_SCALE:
            raise ValueError(
                _("The scale {scale} must have {count} items.").format(
                    scale=scale.key, count=ITEMS_PER_SCALE
                )
            )
    return tuple(by_key[key] for key in SCALES)


def _parse_impact(value: object) -> tuple[tuple[int, ...], dict[str, tuple[str, ...]]]:
    """The impact points per response index and the answer order per informant."""
    obj = _object(value, "impact")
    points = tuple(
        _int(p, f"impact.answer_points[{i}]")
        for i, p in enumerate(_array(obj.get("answer_points"), "impact.answer_points"))
    )
    if not points or any(p < 0 for p in points):
        raise ValueError(_bad_field("impact.answer_points"))
    orders: dict[str, tuple[str, ...]] = {}
    for informant, order in _object(obj.get("order"), "impact.order").items():
        where = f"impact.order.{informant}"
        keys = tuple(_text(k, f"{where}[{i}]") for i, k in enumerate(_array(order, where)))
        # Distress comes first so that ``Version.impact_areas`` is the rest.
        if not keys or keys[0] != DISTRESS or len(set(keys)) != len(keys):
            raise ValueError(_bad_field(where))
        orders[informant] = keys
    return points, orders


def _parse_band_tables(value: object) -> dict[str, BandTable]:
    """Every band table, each score's ranges checked for gaps and overlaps."""
    tables: dict[str, BandTable] = {}
    for table_key, table in _object(value, "band_tables").items():
        where = f"band_tables.{table_key}"
        raw_ranges = _object(_object(table, where).get("ranges"), f"{where}.ranges")
        ranges: dict[str, tuple[BandRange, ...]] = {}
        for score in _REQUIRED_RANGES:
            if score not in raw_ranges:
                raise ValueError(
                    _("The band table {table} has no bands for {score}.").format(
                        table=table_key, score=score
                    )
                )
        for score, raw in raw_ranges.items():
            if score not in _REQUIRED_RANGES and score not in _OPTIONAL_RANGES:
                raise ValueError(_bad_field(f"{where}.ranges.{score}"))
            bands = _parse_ranges(raw, f"{where}.ranges.{score}")
            if score in _RANGE_MAX:
                _check_cover(bands, _RANGE_MAX[score], table_key, score)
            ranges[score] = bands
        tables[table_key] = BandTable(table_key, MappingProxyType(ranges))
    return tables


def _parse_ranges(value: object, where: str) -> tuple[BandRange, ...]:
    """The bands of one score, in the file's order, with distinct band keys."""
    bands: list[BandRange] = []
    for i, entry in enumerate(_array(value, where)):
        obj = _object(entry, f"{where}[{i}]")
        band_key = _text(obj.get("band"), f"{where}[{i}].band")
        low = _int(obj.get("low"), f"{where}[{i}].low")
        high = _int(obj.get("high"), f"{where}[{i}].high")
        if low > high or any(b.key == band_key for b in bands):
            raise ValueError(_bad_field(f"{where}[{i}]"))
        bands.append(BandRange(band_key, low, high))
    if not bands:
        raise ValueError(_bad_field(where))
    return tuple(bands)


def _check_cover(bands: Sequence[BandRange], maximum: int, table: str, score: str) -> None:
    """Raise unless ``bands`` together cover 0..maximum, each value exactly once."""
    expected = 0
    for b in sorted(bands, key=lambda b: (b.low, b.high)):
        if b.low > expected:
            raise ValueError(
                _("The bands for {score} in the table {table} leave out {value}.").format(
                    score=score, table=table, value=expected
                )
            )
        if b.low < expected:
            raise ValueError(
                _("The bands for {score} in the table {table} overlap at {value}.").format(
                    score=score, table=table, value=b.low
                )
            )
        expected = b.high + 1
    if expected != maximum + 1:
        raise ValueError(
            _("The bands for {score} in the table {table} must end at {value}.").format(
                score=score, table=table, value=maximum
            )
        )


def _parse_versions(
    value: object,
    tables: Mapping[str, BandTable],
    points: tuple[int, ...],
    orders: Mapping[str, tuple[str, ...]],
) -> Mapping[str, Version]:
    """Every version, pointing at an existing band table and impact order."""
    versions: dict[str, Version] = {}
    starts: set[tuple[str, int]] = set()
    entries = _array(value, "versions")
    if not entries:
        raise ValueError(_bad_field("versions"))
    for i, entry in enumerate(entries):
        where = f"versions[{i}]"
        obj = _object(entry, where)
        key = _text(obj.get("key"), f"{where}.key")
        informant = _text(obj.get("informant"), f"{where}.informant")
        min_age = _int(obj.get("min_age"), f"{where}.min_age")
        max_age = _int(obj.get("max_age"), f"{where}.max_age")
        table_key = _text(obj.get("band_table"), f"{where}.band_table")
        note = obj.get("bands_note", "")
        if key in versions:
            raise ValueError(_("The version {version} is listed twice.").format(version=key))
        if informant not in INFORMANTS:
            raise ValueError(_bad_field(f"{where}.informant"))
        if not 0 <= min_age <= max_age:
            raise ValueError(_bad_field(f"{where}.max_age"))
        if not isinstance(note, str):
            raise ValueError(_bad_field(f"{where}.bands_note"))
        if table_key not in tables:
            raise ValueError(
                _(
                    "The version {version} uses the band table {table}, which is not in the file."
                ).format(version=key, table=table_key)
            )
        if informant not in orders:
            raise ValueError(_bad_field(f"impact.order.{informant}"))
        if (informant, min_age) in starts:
            raise ValueError(
                _("Two versions for the same informant start at age {age}.").format(age=min_age)
            )
        starts.add((informant, min_age))
        version = Version(
            key=key,
            informant=informant,
            min_age=min_age,
            max_age=max_age,
            bands=tables[table_key],
            impact_keys=orders[informant],
            impact_points=points,
            bands_note=note,
        )
        impact_bands = version.bands.ranges.get(IMPACT)
        if impact_bands is not None:
            # A table shared by parent and teacher versions cannot band impact
            # for both (0-10 against 0-6); this says which one does not fit.
            _check_cover(impact_bands, version.impact_max, table_key, IMPACT)
        versions[key] = version
    return MappingProxyType(versions)


def _bad_field(where: str) -> str:
    return _("The instrument file has no valid {field}.").format(field=where)


def _object(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ValueError(_bad_field(where))
    return value


def _array(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(_bad_field(where))
    return value


def _int(value: object, where: str) -> int:
    # bool is an int in Python; ``true`` in the file is a mistake, not a 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(_bad_field(where))
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_bad_field(where))
    return value


# --- choosing a version and reading answers -----------------------------------------


def choose_version(instrument: Instrument, informant: str, age: int) -> Version:
    """The version for ``informant`` (parent, teacher or self) and the child's ``age`` in years.

    Of the versions of that informant whose ages include ``age``, the one
    starting latest wins, so with the shipped file a 4-year-old gets the
    4-17 version, not the 2-4 one. Raises ``ValueError`` with one translated
    sentence when the informant is unknown or no version fits the age.
    """
    own = [v for v in instrument.versions.values() if v.informant == informant]
    if not own:
        known = sorted({v.informant for v in instrument.versions.values()})
        raise ValueError(_("The informant must be one of: {names}.").format(names=", ".join(known)))
    fitting = [v for v in own if v.min_age <= age <= v.max_age]
    if not fitting:
        raise ValueError(
            _("For this informant the questionnaire covers ages {low} to {high}.").format(
                low=min(v.min_age for v in own), high=max(v.max_age for v in own)
            )
        )
    return max(fitting, key=lambda v: v.min_age)


def parse_answers(text: str) -> tuple[int | None, ...]:
    """Read the 25 answers typed as one string, item 1 first: ``0``, ``1``, ``2`` or ``.``.

    ``.`` is a missing answer (None). Surrounding white space is ignored.
    Raises ``ValueError`` with one translated sentence for any other length
    or character; the sentence names the item number, never the item.
    """
    answers = text.strip()
    if len(answers) != ITEM_COUNT:
        raise ValueError(
            _(
                "Give {count} answers, one character per item: 0, 1, 2 or . for a missing answer."
            ).format(count=ITEM_COUNT)
        )
    parsed: list[int | None] = []
    for number, char in enumerate(answers, start=1):
        if char == MISSING_ANSWER:
            parsed.append(None)
        elif char in "012":
            parsed.append(int(char))
        else:
            raise ValueError(
                _("The answer to item {number} must be 0, 1, 2 or . for a missing answer.").format(
                    number=number
                )
            )
    return tuple(parsed)


# --- scoring ---------------------------------------------------------------------------


def score_answers(
    instrument: Instrument, answers: Sequence[int | None], impact: int | None = None
) -> Scores:
    """Score the 25 answers (item 1 first; 0, 1, 2 or None) by the published rules.

    See the module docstring for the rules. ``impact`` is the impact score
    already computed by :func:`score_impact` (it needs the version), or None.
    Raises ``ValueError`` with one translated sentence for a wrong number of
    answers, an answer other than 0, 1, 2 or None, or an impact out of range.
    """
    if len(answers) != ITEM_COUNT:
        raise ValueError(_("There must be {count} answers, one per item.").format(count=ITEM_COUNT))
    for number, answer in enumerate(answers, start=1):
        if answer is not None and not _is_int_in(answer, 0, ANSWER_MAX):
            raise ValueError(
                _("The answer to item {number} must be 0, 1, 2 or missing.").format(number=number)
            )
    _check_impact(impact)
    by_scale = {scale.key: _score_scale(scale, answers) for scale in instrument.scales}
    return _derive(
        by_scale["emotional"],
        by_scale["conduct"],
        by_scale["hyperactivity"],
        by_scale["peer"],
        by_scale["prosocial"],
        impact,
    )


def _score_scale(scale: Scale, answers: Sequence[int | None]) -> int | None:
    """One scale's score, prorated and rounded half up, or None with < 3 answers."""
    counted = [
        ANSWER_MAX - answer if item in scale.reversed_items else answer
        for item in scale.items
        if (answer := answers[item - 1]) is not None
    ]
    n = len(counted)
    if n < MIN_ANSWERED:
        return None
    # floor(sum / n * 5 + 1/2) in integers: round() would take 2.5 to 2, and a
    # float mean could land a hair under a true half.
    return (2 * sum(counted) * ITEMS_PER_SCALE + n) // (2 * n)


def score_impact(
    version: Version, answers: Sequence[int | None] | None, no_difficulties: bool = False
) -> int | None:
    """The impact score of ``version`` from its supplement, or None.

    ``answers`` are the response indexes 0-3 (not at all / only a little /
    quite a lot / a great deal), in the order of ``version.impact_keys``:
    distress first, then the areas (parent and self: home, friendships,
    classroom, leisure; teacher: peers, classroom). Each counts
    ``version.impact_points`` (0/0/1/2), and they are summed.

    ``no_difficulties`` (the respondent saw no difficulties, so skipped the
    supplement) gives 0. Otherwise None when ``answers`` is None or any
    answer is missing: the rules define no prorating for impact, so a partial
    sum would understate it. Answers that are given are always checked, even
    with ``no_difficulties``, because a malformed entry is a typing mistake.
    Raises ``ValueError`` with one translated sentence for a wrong number of
    answers or an answer out of range.
    """
    if answers is not None:
        if len(answers) != len(version.impact_keys):
            raise ValueError(
                _(
                    "This version's impact supplement has {count} answers: distress, "
                    "then each area."
                ).format(count=len(version.impact_keys))
            )
        top = len(version.impact_points) - 1
        for number, answer in enumerate(answers, start=1):
            if answer is not None and not _is_int_in(answer, 0, top):
                raise ValueError(
                    _("Impact answer {number} must be a number from 0 to {top} or missing.").format(
                        number=number, top=top
                    )
                )
    if no_difficulties:
        return 0
    if answers is None or any(a is None for a in answers):
        return None
    return sum(version.impact_points[a] for a in answers if a is not None)


def scores_from_scales(
    emotional: int | None,
    conduct: int | None,
    hyperactivity: int | None,
    peer: int | None,
    prosocial: int | None,
    *,
    impact: int | None = None,
) -> Scores:
    """The scores when the advisor records the five scale scores directly.

    Each scale is a whole number 0-10 or None (missing); total,
    externalising and internalising are derived as in :func:`score_answers`.
    ``impact`` is 0-10 or None. Raises ``ValueError`` with one translated
    sentence for a value out of range.
    """
    for value in (emotional, conduct, hyperactivity, peer, prosocial):
        if value is not None and not _is_int_in(value, 0, SCALE_MAX):
            raise ValueError(
                _("Each scale score must be a whole number from 0 to {top}.").format(top=SCALE_MAX)
            )
    _check_impact(impact)
    return _derive(emotional, conduct, hyperactivity, peer, prosocial, impact)


def _check_impact(impact: int | None) -> None:
    if impact is not None and not _is_int_in(impact, 0, IMPACT_MAX):
        raise ValueError(
            _("The impact score must be a whole number from 0 to {top}.").format(top=IMPACT_MAX)
        )


def _derive(
    emotional: int | None,
    conduct: int | None,
    hyperactivity: int | None,
    peer: int | None,
    prosocial: int | None,
    impact: int | None,
) -> Scores:
    """Add total, externalising and internalising to the scale scores."""
    return Scores(
        emotional=emotional,
        conduct=conduct,
        hyperactivity=hyperactivity,
        peer=peer,
        prosocial=prosocial,
        total=_sum_or_none(emotional, conduct, hyperactivity, peer),
        externalising=_sum_or_none(conduct, hyperactivity),
        internalising=_sum_or_none(emotional, peer),
        impact=impact,
    )


def _sum_or_none(*parts: int | None) -> int | None:
    total = 0
    for part in parts:
        if part is None:
            return None
        total += part
    return total


def _is_int_in(value: object, low: int, high: int) -> bool:
    # bool is an int in Python; True is never a meant 1 here.
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


# --- bands -------------------------------------------------------------------------------


def band(version: Version, scale_key: str, value: int | None) -> str | None:
    """The band key (e.g. ``"borderline"``) of ``value`` on ``scale_key`` in ``version``'s table.

    ``scale_key`` is a scale, ``"total"``, or one of ``"externalising"``,
    ``"internalising"``, ``"impact"``; for those three the answer is None
    when the table has no bands for them. None when ``value`` is None. A
    value outside the table's ranges or an unknown key is a programming
    error (``ValueError``): the scores and the parser keep both in range.
    """
    if value is None:
        return None
    ranges = version.bands.ranges.get(scale_key)
    if ranges is None:
        if scale_key in _OPTIONAL_RANGES:
            return None
        raise ValueError(f"unknown score {scale_key!r}")
    for b in ranges:
        if b.low <= value <= b.high:
            return b.key
    raise ValueError(f"{scale_key} value {value} is outside the band table {version.bands.key!r}")


def bands(version: Version, scores: Scores) -> dict[str, str | None]:
    """The band of each score: the five scales and ``"total"``, in that order.

    Externalising, internalising and impact are added only when
    ``version``'s table has bands for them (the shipped tables do not).
    """
    values = scores.as_dict()
    keys = [*_REQUIRED_RANGES, *(k for k in _OPTIONAL_RANGES if k in version.bands.ranges)]
    return {key: band(version, key, values[key]) for key in keys}
