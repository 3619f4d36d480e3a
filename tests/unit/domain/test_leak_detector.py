from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.case_model import CaseFacts, CaseKind, Guardian
from app.domain.leak_detector import (
    LeakFinding,
    LeakKind,
    describe,
    find_leaks,
    scan,
)

BORN = date(2019, 11, 23)

CASE = CaseFacts(
    id="case-1",
    kind=CaseKind.ANONYMOUS,
    first_name="Emma",
    surname="Skov",
    birth_date=BORN,
    guardians=(
        Guardian("g1", "Mette Skov", "mother", has_custody=True),
        Guardian("g2", "Jens Holm", "father", has_custody=True),
        Guardian("g3", "Emma Larsen", "grandmother", has_custody=False),
    ),
    other_names=("Sofie",),
)

NO_BIRTH_DATE = replace(CASE, birth_date=None)

# A realistic concern without names, birth date or ID numbers. It uses the
# surnames "Skov" and "Holm" as ordinary words, other dates, times, phone
# numbers, a year, durations and amounts.
ORDINARY_PARAGRAPH = (
    "Pigen virker trist og træt om morgenen. Hun har været fraværende 6 dage siden "
    "1. september 2024, og personalet har talt med mor den 12.10.2024 kl. 8.15. "
    "På tur i skov og ved holmen ved stranden leger hun alene; hun nævner ofte sin hund. "
    "Pædagogen har brugt ca. 2 timer om ugen på ekstra støtte, og familien har fået "
    "2.500 kr. fra fonden. Tlf. til institutionen: +45 12 34 56 78 eller 87654321. "
    "Sagsnr. 2024-117. Næste møde: 2025-03-12, uge 11. I 2019 flyttede familien til Bornholm. "
    "Barnehagen i Norge ringte 05.01.2025 (tlf. 22 33 44 55); hun går i 2.b."
)


def kinds(text: str, case: CaseFacts = CASE) -> list[LeakKind]:
    return [f.kind for f in find_leaks(text, "concern", case)]


def hits(text: str, case: CaseFacts = CASE) -> list[tuple[LeakKind, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_leaks(text, "concern", case)]


# --- names ----------------------------------------------------------------------------------


def test_surname_as_a_whole_word_with_the_same_capitalisation() -> None:
    assert hits("Emma Skov er ked af det.") == [(LeakKind.SURNAME, "Skov")]


def test_surname_that_is_a_common_word_does_not_hit_in_lower_case() -> None:
    assert hits("Vi gik en tur i skov og mark.") == []


def test_surname_in_capitals_hits() -> None:
    assert hits("NOTAT OM EMMA SKOV") == [(LeakKind.SURNAME, "SKOV")]


def test_surname_does_not_hit_inside_a_longer_word() -> None:
    holm = replace(CASE, surname="Holm", guardians=())
    assert hits("Holmen, Bornholm, Holmegaard, Holm2 og HOLMEN.", holm) == []
    assert hits("Hun bor i Holm.", holm) == [(LeakKind.SURNAME, "Holm")]


@pytest.mark.parametrize("form", ["Skovs", "Skov's", "Skov’s"])
def test_possessive_forms_hit_and_cover_the_whole_form(form: str) -> None:
    assert hits(f"Det er {form} hund.") == [(LeakKind.SURNAME, form)]


def test_a_surname_at_the_start_of_a_sentence_hits_by_design() -> None:
    # Documented false hit: the advisor rephrases; we err on the side of the child.
    assert kinds("Skov og natur er vigtigt for hende.") == [LeakKind.SURNAME]


def test_multi_part_surname_with_diacritics() -> None:
    case = replace(CASE, surname="Nguyễn Østergård", guardians=())
    assert hits("Mor (Nguyễn) og far Østergård kom.", case) == [
        (LeakKind.SURNAME, "Nguyễn"),
        (LeakKind.SURNAME, "Østergård"),
    ]
    assert hits("Familien Nguyễn-Østergård", case) == [
        (LeakKind.SURNAME, "Nguyễn"),
        (LeakKind.SURNAME, "Østergård"),
    ]
    assert hits("Østergårdsvej og nguyễn", case) == []


def test_names_typed_with_combining_accents_still_match_and_keep_positions() -> None:
    case = replace(CASE, surname="Nguyễn", guardians=())
    decomposed = unicodedata.normalize("NFD", "Her er Nguyễn. Og Nguyễn igen.")
    found = find_leaks(decomposed, "notes", case)
    assert [f.kind for f in found] == [LeakKind.SURNAME, LeakKind.SURNAME]
    for f in found:
        assert unicodedata.normalize("NFC", decomposed[f.start : f.end]) == "Nguyễn"


def test_hyphenated_surname_parts_are_each_found() -> None:
    case = replace(CASE, surname="Hansen-Berg", guardians=())
    assert hits("Hansen kom, Berg kom ikke; berg er sten.", case) == [
        (LeakKind.SURNAME, "Hansen"),
        (LeakKind.SURNAME, "Berg"),
    ]


def test_name_particles_are_skipped_unless_they_end_the_name() -> None:
    case = replace(
        CASE, surname="af Rosenborg", guardians=(Guardian("g", "Piet van der Berg", "", True),)
    )
    assert hits("Brev af mor, der og De kom; Rosenborg og Berg.", case) == [
        (LeakKind.SURNAME, "Rosenborg"),
        (LeakKind.GUARDIAN_NAME, "Berg"),
    ]
    assert hits("Le kom.", replace(CASE, surname="Le", guardians=())) == [(LeakKind.SURNAME, "Le")]


def test_a_surname_recorded_in_lower_case_is_also_found_capitalised() -> None:
    case = replace(CASE, surname="skov", guardians=())
    assert kinds("Emma Skov", case) == [LeakKind.SURNAME]
    assert kinds("i skov", case) == [LeakKind.SURNAME]


def test_other_names_are_found() -> None:
    assert hits("Hun kaldes også Sofie hjemme.") == [(LeakKind.OTHER_NAME, "Sofie")]
    assert hits("Vi talte om sofie-stolen.") == []


def test_guardian_names_are_found_but_not_the_childs_first_name() -> None:
    text = "Mette og Jens kom; Larsen var syg. Emma var glad."
    assert hits(text) == [
        (LeakKind.GUARDIAN_NAME, "Mette"),
        (LeakKind.GUARDIAN_NAME, "Jens"),
        (LeakKind.GUARDIAN_NAME, "Larsen"),
    ]


def test_a_guardian_sharing_the_surname_is_reported_as_the_surname_once() -> None:
    assert hits("Mette Skov ringede.") == [
        (LeakKind.GUARDIAN_NAME, "Mette"),
        (LeakKind.SURNAME, "Skov"),
    ]


def test_the_childs_multi_part_first_name_is_never_flagged() -> None:
    case = replace(CASE, first_name="Anna Sofie")
    assert hits("Anna Sofie er glad.", case) == []


def test_initials_and_short_parts_are_ignored() -> None:
    case = replace(CASE, surname="Ø", guardians=(Guardian("g", "K. B. Olsen", "", True),))
    assert hits("K. og B. og Ø og Olsen", case) == [(LeakKind.GUARDIAN_NAME, "Olsen")]


# --- birth date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "23.11.2019",
        "23.11.19",
        "23/11-19",
        "23/11-2019",
        "23/11/2019",
        "23-11-2019",
        "23-11-19",
        "2019-11-23",
        "23. 11. 2019",
        "23112019",
        "231119",
        "20191123",
    ],
)
def test_numeric_birth_date_formats(written: str) -> None:
    assert hits(f"Hun er født {written}, siger mor.") == [(LeakKind.BIRTH_DATE, written)]


@pytest.mark.parametrize("written", ["1.5.2019", "01.05.2019", "1/5-19", "2019-05-01", "1.5.19"])
def test_birth_date_with_and_without_leading_zeros(written: str) -> None:
    case = replace(CASE, birth_date=date(2019, 5, 1))
    assert hits(f"født {written}", case) == [(LeakKind.BIRTH_DATE, written)]


@pytest.mark.parametrize(
    ("born", "written"),
    [
        # Danish
        (date(2019, 3, 4), "4. marts 2019"),
        (date(2019, 5, 4), "4. maj 2019"),
        (date(2019, 10, 4), "04. oktober 2019"),
        (date(2019, 12, 24), "24. december 2019"),
        # Norwegian
        (date(2019, 3, 4), "4. mars 2019"),
        (date(2019, 5, 17), "17. mai 2019"),
        (date(2019, 12, 24), "24. desember 2019"),
        # Shared, abbreviated, capitalised, without the dot, extra spaces
        (date(2019, 11, 23), "23. november 2019"),
        (date(2019, 11, 23), "23. nov. 2019"),
        (date(2019, 11, 23), "23 November 2019"),
        (date(2019, 10, 4), "4.okt.2019"),
        (date(2019, 12, 24), "24.  des.  2019"),
        (date(2019, 1, 9), "9. JANUAR 2019"),
    ],
)
def test_birth_date_with_month_names(born: date, written: str) -> None:
    case = replace(CASE, birth_date=born)
    assert hits(f"Født den {written} på sygehuset.", case) == [(LeakKind.BIRTH_DATE, written)]


@pytest.mark.parametrize(
    "other",
    [
        "24.11.2019",
        "23.12.2019",
        "23.11.2018",
        "23.11.2119",
        "2019-11-24",
        "22. november 2019",
        "23. oktober 2019",
        "23. november",  # day and month only: also an ordinary date this year
        "23.11",
        "231118",
        "2019",
    ],
)
def test_other_dates_are_not_the_birth_date(other: str) -> None:
    assert hits(f"Mødet var {other}.") == []


def test_a_real_date_after_a_near_miss_is_still_found() -> None:
    assert hits("12.11.23.11.2019") == [(LeakKind.BIRTH_DATE, "23.11.2019")]


def test_no_birth_date_check_without_a_recorded_birth_date() -> None:
    assert hits("født 23.11.2019", NO_BIRTH_DATE) == []


# --- national ID numbers ------------------------------------------------------------------


@pytest.mark.parametrize("number", ["231119-1234", "2311191234", "231119 1234", "010100-4321"])
def test_danish_cpr_numbers(number: str) -> None:
    # Found whoever they belong to, and reported as an ID rather than a birth date.
    assert hits(f"CPR: {number}.") == [(LeakKind.NATIONAL_ID, number)]


@pytest.mark.parametrize("number", ["23111912345", "231119 12345", "01010012345", "29020012345"])
def test_norwegian_fodselsnummer(number: str) -> None:
    assert hits(f"Fødselsnummer {number}") == [(LeakKind.NATIONAL_ID, number)]


@pytest.mark.parametrize("number", ["63111912345", "41010012345", "71129912345"])
def test_norwegian_d_numbers(number: str) -> None:
    assert hits(f"D-nummer {number}") == [(LeakKind.NATIONAL_ID, number)]


def test_norwegian_h_number() -> None:
    assert hits("H-nummer 23511912345") == [(LeakKind.NATIONAL_ID, "23511912345")]


@pytest.mark.parametrize(
    "number",
    [
        "12345678",  # Danish phone number, 8 digits
        "+45 12 34 56 78",
        "+47 22 33 44 55",
        "004512345678",
        "1234567890",  # 10 digits but not a date
        "3213191234",  # day 32
        "0113191234",  # month 13
        "3102191234",  # 31 February
        "12345678901",  # 11 digits but not a date
        "81010012345",  # D-number cannot go beyond day 31 + 40
        "231119-123",
        "231119-123456",
        "2311191234567",
    ],
)
def test_numbers_that_are_not_national_ids(number: str) -> None:
    assert hits(f"Nummer {number} i teksten.", NO_BIRTH_DATE) == []


# --- no false hits --------------------------------------------------------------------------


def test_no_false_hits_on_a_realistic_danish_concern() -> None:
    assert find_leaks(ORDINARY_PARAGRAPH, "concern", CASE) == []


def test_the_same_paragraph_with_a_leak_is_found() -> None:
    text = ORDINARY_PARAGRAPH + " Far (Jens) mener at Emma Skov, født 23/11-19, er glad."
    assert [kind for kind, _ in hits(text)] == [
        LeakKind.GUARDIAN_NAME,
        LeakKind.SURNAME,
        LeakKind.BIRTH_DATE,
    ]


# --- scan and describe ----------------------------------------------------------------------


def test_scan_reports_each_field() -> None:
    found = scan({"concern": "Mette er bekymret.", "notes": "CPR 231119-1234", "empty": ""}, CASE)
    assert [(f.field, f.kind) for f in found] == [
        ("concern", LeakKind.GUARDIAN_NAME),
        ("notes", LeakKind.NATIONAL_ID),
    ]


def test_describe_names_the_item_fields_and_kinds_but_never_the_values() -> None:
    fields = {
        "concern": "Emma Skov blev født 23.11.2019; Mette ringede.",
        "notes": "CPR 231119-1234, Sofie",
    }
    found = scan(fields, CASE)
    sentence = describe(found, "3")
    assert sentence == (
        "Item 3 cannot be printed anonymised: the child's surname, another of the child's "
        "names, a guardian's name, the birth date and a national ID number found in the "
        "text (concern and notes)."
    )
    for value in ("Skov", "Mette", "Sofie", "23.11.2019", "231119", "1234", "2019"):
        assert value not in sentence


def test_describe_one_kind_in_one_field() -> None:
    found = find_leaks("Jens", "notes", CASE)
    assert describe(found, "Emma (5 years)") == (
        "Item Emma (5 years) cannot be printed anonymised: a guardian's name found in the "
        "text (notes)."
    )


def test_describe_needs_findings() -> None:
    with pytest.raises(ValueError):
        describe([], "1")


def test_findings_point_into_the_text() -> None:
    text = "x Skov y"
    assert find_leaks(text, "notes", CASE) == [LeakFinding(LeakKind.SURNAME, "notes", 2, 6)]


# --- properties -----------------------------------------------------------------------------

name_letters = "abcdefghijklmnopqrstuvwxyzæøåéüễ"
names = st.text(alphabet=name_letters, min_size=2, max_size=12).map(str.capitalize)
name_parts_of_case = ("Emma", "Skov", "Sofie", "Mette", "Jens", "Holm", "Larsen")


@given(st.text())
def test_find_leaks_never_raises_and_positions_are_valid(text: str) -> None:
    for f in find_leaks(text, "notes", CASE):
        assert 0 <= f.start < f.end <= len(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",))))
def test_text_without_name_parts_or_digits_has_no_findings(text: str) -> None:
    folded = unicodedata.normalize("NFC", text).casefold()
    assume(not any(part.casefold() in folded for part in name_parts_of_case))
    assert find_leaks(text, "notes", CASE) == []


@given(st.text(), names, st.text())
def test_the_surname_inserted_as_a_word_is_always_found(
    before: str, surname: str, after: str
) -> None:
    # A particle that is the whole surname is still looked for; only the
    # child's own first name is never flagged.
    assume(surname != "Emma")
    case = replace(CASE, surname=surname, guardians=(), other_names=())
    text = f"{before} {surname} {after}"
    start = len(before) + 1
    found = find_leaks(text, "notes", case)
    assert LeakFinding(LeakKind.SURNAME, "notes", start, start + len(surname)) in found
