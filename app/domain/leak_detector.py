"""Finding identifying details in the free text of an anonymised case item.

Before an anonymised item is printed or exported, its free text (concern,
notes ...) is searched for what would give the child away. A finding blocks
the print; ``describe`` says which item and what kind of detail was found,
never the detail itself, and each finding carries its position so the UI
can highlight it.

What is looked for:

* Names: each part of the child's surname (``"Nguyễn Østergård"`` gives
  ``Nguyễn`` and ``Østergård``), of each of ``other_names`` and of each
  guardian's name. Parts are split at spaces and hyphens, and stripped of
  surrounding punctuation. Left out: parts shorter than 2 characters
  (initials) or without a letter; name particles such as "af", "von",
  "de", "der" in any capitalisation (everyday words that say nothing alone)
  unless the particle is the last part of the name (then it is the name, as
  the Vietnamese surname "Le"); and any part equal to a part of the child's
  first name, which the anonymised item shows anyway.
* The birth date, when recorded, written the common Danish and Norwegian
  ways: ``23.11.2019``, ``23.11.19``, ``1.5.2019``, ``23/11-19``,
  ``23/11-2019``, ``23-11-2019``, ``2019-11-23``, ``23112019``, ``231119``,
  ``20191123`` and ``23. november 2019`` with Danish, Norwegian or English
  month names or their abbreviations (``maj``/``mai``, ``okt.``, ``des.``),
  with or without leading zeros, the day's dot and spaces. Other dates are
  ordinary content and are not flagged, and neither is a day and month
  without a year (a meeting may fall on the child's birthday).
* Numbers shaped like a national ID, whoever they belong to: a Danish CPR
  number (``ddmmyy-xxxx``, with a hyphen, a space or nothing between the
  parts) and a Norwegian fødselsnummer (11 digits, optionally ``ddmmyy
  xxxxx``), both only when the first six digits are a possible date; the
  fødselsnummer also as a D-number (day + 40) or H-number (month + 40). No
  check digit is tested: a mistyped number is still a leak. Phone numbers,
  years, amounts and other digit runs of other lengths are not flagged (an
  8-digit Danish phone number is not a CPR number).

The matching rule for names, chosen so that a surname which is also a word
(Skov = forest, Holm = islet, Berg, Dal) does not block ordinary text:

1. Whole words only. A word boundary is any character that is not a Unicode
   letter, digit or underscore, so ``Holm`` does not hit ``Holmen``,
   ``Bornholm`` or ``Holm2``, and ``Østergård`` is one word.
2. The same capitalisation as recorded, so the surname ``Skov`` hits
   ``Skov`` but not ``skov`` in running text. The same name in capitals
   (``SKOV``) also hits: headings and shouting are not ordinary prose. A
   part recorded all in lower case (a typing slip) is looked for both as
   recorded and with a capital first letter.
3. The possessive forms hit as well: Danish/Norwegian genitive ``Skovs``
   and ``Skov's`` / ``Skov’s``; the finding covers the whole form.

So the capitalised word at the start of a sentence ("Skov og natur ...")
is found when it equals the surname: a false hit the advisor resolves by
rephrasing, which errs on the side of the child.

Text and names are compared in Unicode NFC, so a name typed with combining
accents (as macOS may deliver it) still matches; positions always refer to
the text as given.

Pure: no I/O and no clock.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.case_model import CaseFacts, CaseKind
from app.i18n import N_, _

# Text about no particular child (a general item, an addendum): only the
# ID-number check applies.
NO_CHILD = CaseFacts(id="", kind=CaseKind.ANONYMOUS, first_name="")


class LeakKind(StrEnum):
    """What kind of identifying detail was found."""

    SURNAME = "surname"
    OTHER_NAME = "other-name"
    GUARDIAN_NAME = "guardian-name"
    BIRTH_DATE = "birth-date"
    NATIONAL_ID = "national-id"


@dataclass(frozen=True)
class LeakFinding:
    """One hit: ``text[start:end]`` of ``field`` is a detail of ``kind``.

    The position lets the UI highlight the hit without any message repeating it.
    """

    kind: LeakKind
    field: str
    start: int
    end: int


MIN_NAME_PART = 2

# Particles of names ("af Rosenborg", "van der Berg", "De Jong"). They are
# common words on their own ("af" = of, "der" = there, "De" = they), so they
# are skipped, unless one ends the name: then it is the name (surname "Le").
NAME_PARTICLES = frozenset(
    {
        "af",
        "al",
        "bin",
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "di",
        "dos",
        "du",
        "el",
        "ibn",
        "la",
        "le",
        "ten",
        "ter",
        "van",
        "von",
        "zu",
    }
)

# Month names and abbreviations, lower case: Danish, Norwegian bokmål, English.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("januar", "january", "jan"),
    2: ("februar", "february", "feb"),
    3: ("marts", "mars", "march", "mar"),
    4: ("april", "apr"),
    5: ("maj", "mai", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("august", "aug"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nov"),
    12: ("december", "desember", "dec", "des"),
}
_MONTH_OF = {name: month for month, names in MONTH_NAMES.items() for name in names}

# Which kind wins when two name parts match the same words (a guardian who
# shares the child's surname is reported as the surname).
_NAME_PRIORITY = (LeakKind.SURNAME, LeakKind.OTHER_NAME, LeakKind.GUARDIAN_NAME)

# Field keys the services use, with their words for ``describe``.
FIELD_LABELS: dict[str, str] = {
    "concern": N_("concern"),
    "notes": N_("notes"),
}

_KIND_PHRASES: dict[LeakKind, str] = {
    LeakKind.SURNAME: N_("the child's surname"),
    LeakKind.OTHER_NAME: N_("another of the child's names"),
    LeakKind.GUARDIAN_NAME: N_("a guardian's name"),
    LeakKind.BIRTH_DATE: N_("the birth date"),
    LeakKind.NATIONAL_ID: N_("a national ID number"),
}

# Digit runs are bounded by non-digits so that "2019" is not read inside
# "120190" and an 11-digit number is not read as a 10-digit one. Only ASCII
# digits count: that is how Danish and Norwegian text writes numbers.
_SEP = r"\s?[./-]\s?"
_MONTH_ALTERNATIVES = "|".join(sorted(_MONTH_OF, key=lambda name: (-len(name), name)))

# Date candidates are searched inside a lookahead so that they may overlap: a
# candidate that is not the birth date ("12.11.23") must not hide one after it.
_DAY_FIRST = re.compile(
    rf"""(?<![0-9])(?=
        (?P<d>[0-9]{{1,2}}) {_SEP} (?P<m>[0-9]{{1,2}}) {_SEP} (?P<y>[0-9]{{4}}|[0-9]{{2}})
    (?![0-9]))""",
    re.VERBOSE,
)
_YEAR_FIRST = re.compile(
    r"""(?<![0-9])(?=
        (?P<y>[0-9]{4}) [./-] (?P<m>[0-9]{1,2}) [./-] (?P<d>[0-9]{1,2})
    (?![0-9]))""",
    re.VERBOSE,
)
_MONTH_NAMED = re.compile(
    rf"""(?<![0-9])(?=
        (?P<d>[0-9]{{1,2}}) \.? \s*
        (?P<m>(?i:{_MONTH_ALTERNATIVES})) (?!\w) \.? \s*
        (?P<y>[0-9]{{4}})
    (?![0-9]))""",
    re.VERBOSE,
)
_COMPACT = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})(?![0-9])")
_CPR = re.compile(r"(?<![0-9])(?P<date>[0-9]{6})[-\s]?[0-9]{4}(?![0-9])")
_FNR = re.compile(r"(?<![0-9])(?P<date>[0-9]{6})[-\s]?[0-9]{5}(?![0-9])")


def find_leaks(text: str, field: str, case: CaseFacts) -> list[LeakFinding]:
    """Every identifying detail of ``case`` (or ID-shaped number) in ``text``.

    ``field`` is copied into each finding. Sorted by position; see the module
    docstring for what is looked for and the matching rule for names.
    """
    normalised, starts, ends = _nfc_with_offsets(text)

    def finding(kind: LeakKind, start: int, end: int) -> LeakFinding:
        return LeakFinding(kind, field, starts[start], ends[end - 1])

    found: list[LeakFinding] = []

    taken: set[tuple[int, int]] = set()
    for kind, pattern in _name_patterns(case):
        for match in pattern.finditer(normalised):
            if match.span() not in taken:
                taken.add(match.span())
                found.append(finding(kind, match.start(), match.end()))

    id_spans = list(_national_id_spans(normalised))
    found.extend(finding(LeakKind.NATIONAL_ID, start, end) for start, end in id_spans)

    if case.birth_date is not None:
        date_spans: list[tuple[int, int]] = []
        for start, end in _birth_date_spans(normalised, case.birth_date):
            # The first six digits of an ID are a date: that hit is the ID's.
            inside_id = any(s <= start and end <= e for s, e in id_spans)
            overlaps = any(start < e and s < end for s, e in date_spans)
            if not inside_id and not overlaps:
                date_spans.append((start, end))
                found.append(finding(LeakKind.BIRTH_DATE, start, end))

    return sorted(found, key=lambda f: (f.start, f.end, f.kind))


def scan(fields: Mapping[str, str], case: CaseFacts) -> list[LeakFinding]:
    """``find_leaks`` over every field, e.g. ``{"concern": ..., "notes": ...}``."""
    findings: list[LeakFinding] = []
    for field, text in fields.items():
        findings.extend(find_leaks(text, field, case))
    return findings


def describe(findings: Sequence[LeakFinding], item_label: str) -> str:
    """One translated sentence naming the item, the fields and the kinds found.

    The found values are never repeated: the sentence may reach a log. Raises
    ValueError when there is nothing to describe.
    """
    if not findings:
        raise ValueError("no findings to describe")
    fields = list(dict.fromkeys(f.field for f in findings))
    kinds = [kind for kind in LeakKind if any(f.kind is kind for f in findings)]
    field_words = [_(FIELD_LABELS[f]) if f in FIELD_LABELS else f for f in fields]
    kind_words = [_(_KIND_PHRASES[k]) for k in kinds]
    # No verb agrees with the field names ("notes"), so any field reads right.
    return _(
        "Item {item} cannot be printed anonymised: {what} found in the text ({fields})."
    ).format(item=item_label, what=_join(kind_words), fields=_join(field_words))


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the current language."""
    if len(words) == 1:
        return words[0]
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def _nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` in NFC, with each normalised character's span in ``text``.

    ``starts[i]`` and ``ends[i]`` bound the original characters that became
    normalised character ``i``. Composition is done per base character with
    its combining marks, which is all Latin, Vietnamese and Nordic text needs.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        parts.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return "".join(parts), starts, ends


def _name_parts(name: str) -> Iterator[str]:
    """The parts of ``name`` split at spaces and hyphens, stripped of punctuation."""
    for raw in re.split(r"[\s\-‐‑–—]+", unicodedata.normalize("NFC", name)):
        part = raw.strip(".,;:!?()[]{}\"'’`")
        if part:
            yield part


def _name_patterns(case: CaseFacts) -> Iterator[tuple[LeakKind, re.Pattern[str]]]:
    """One compiled pattern per name part to look for, by kind, in priority order."""
    shown = {part.casefold() for part in _name_parts(case.first_name)}
    sources: dict[LeakKind, list[str]] = {
        LeakKind.SURNAME: [case.surname or ""],
        LeakKind.OTHER_NAME: list(case.other_names),
        LeakKind.GUARDIAN_NAME: [g.name for g in case.guardians],
    }
    seen: set[str] = set()
    for kind in _NAME_PRIORITY:
        for name in sources[kind]:
            parts = list(_name_parts(name))
            for index, part in enumerate(parts):
                particle = part.casefold() in NAME_PARTICLES and index < len(parts) - 1
                if (
                    len(part) < MIN_NAME_PART
                    or not any(ch.isalpha() for ch in part)
                    or particle
                    or part.casefold() in shown
                    or part in seen
                ):
                    continue
                seen.add(part)
                yield kind, _word_pattern(part)


def _word_pattern(part: str) -> re.Pattern[str]:
    """Whole word, same capitalisation (or all capitals), possessive allowed."""
    forms = {part, part.upper()}
    if part == part.lower():
        forms.add(part[:1].upper() + part[1:])
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:s|S|['’][sS])?(?!\w)")


def _birth_date_spans(text: str, birth: date) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` that write ``birth`` in one of the accepted formats."""
    for pattern in (_DAY_FIRST, _YEAR_FIRST, _MONTH_NAMED):
        for match in pattern.finditer(text):
            month_text = match.group("m")
            month = int(month_text) if month_text.isdigit() else _MONTH_OF[month_text.lower()]
            if _same_day(birth, int(match.group("d")), month, match.group("y")):
                yield (
                    min(match.start("d"), match.start("y")),
                    max(match.end("d"), match.end("y")),
                )
    for match in _COMPACT.finditer(text):
        digits = match.group()
        if len(digits) == 6:
            hit = _same_day(birth, int(digits[:2]), int(digits[2:4]), digits[4:])
        else:
            hit = _same_day(birth, int(digits[:2]), int(digits[2:4]), digits[4:]) or _same_day(
                birth, int(digits[6:]), int(digits[4:6]), digits[:4]
            )
        if hit:
            yield match.span()


def _same_day(birth: date, day: int, month: int, year: str) -> bool:
    """Whether day, month and a 2- or 4-digit year write ``birth``."""
    if (day, month) != (birth.day, birth.month):
        return False
    if len(year) == 2:
        return int(year) == birth.year % 100
    return int(year) == birth.year


def _national_id_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of CPR-shaped and fødselsnummer-shaped numbers with a possible date."""
    for match in _CPR.finditer(text):
        if _possible_date(match.group("date"), id_offsets=False):
            yield match.span()
    for match in _FNR.finditer(text):
        if _possible_date(match.group("date"), id_offsets=True):
            yield match.span()


def _possible_date(ddmmyy: str, *, id_offsets: bool) -> bool:
    """Whether six digits are a day, month and year that could exist.

    With ``id_offsets`` (fødselsnummer) a D-number's day + 40 and an
    H-number's month + 40 are undone first. The year is unknown to the
    century, so 29 February is always possible.
    """
    day, month = int(ddmmyy[:2]), int(ddmmyy[2:4])
    if id_offsets and day > 40:
        day -= 40
    if id_offsets and month > 40:
        month -= 40
    if not 1 <= month <= 12:
        return False
    # 2000 is a leap year, so February allows the 29th.
    return 1 <= day <= calendar.monthrange(2000, month)[1]
