from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.case_display import age_on, anonymous_label, display_name, named_label
from app.domain.case_model import CaseFacts, CaseKind

MEETING = date(2025, 3, 12)

NAMED = CaseFacts(
    id="case-1",
    kind=CaseKind.NAMED,
    first_name="Emma",
    surname="Nguyễn Østergård",
    birth_date=date(2019, 11, 23),
)
ANONYMOUS = CaseFacts(
    id="case-2", kind=CaseKind.ANONYMOUS, first_name="Lille Bjørn", age_or_year="2.b"
)


# --- age_on -------------------------------------------------------------------------------


def test_age_counts_full_years() -> None:
    born = date(2019, 11, 23)
    assert age_on(born, date(2025, 11, 22)) == 5
    assert age_on(born, date(2025, 11, 23)) == 6
    assert age_on(born, born) == 0


def test_a_leap_day_child_is_a_year_older_on_the_first_of_march() -> None:
    born = date(2020, 2, 29)
    assert age_on(born, date(2021, 2, 28)) == 0
    assert age_on(born, date(2021, 3, 1)) == 1
    assert age_on(born, date(2024, 2, 29)) == 4


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


@given(st.dates(max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=40000))
def test_age_never_decreases(born: date, days: int) -> None:
    day = date.fromordinal(min(born.toordinal() + days, date.max.toordinal() - 1))
    later = date.fromordinal(day.toordinal() + 1)
    assert 0 <= age_on(born, day) <= age_on(born, later) <= age_on(born, day) + 1


# --- labels ---------------------------------------------------------------------------------


def test_anonymous_label_prefers_the_recorded_age_or_year() -> None:
    assert anonymous_label(ANONYMOUS, MEETING) == "Lille Bjørn (2.b)"
    assert anonymous_label(replace(NAMED, age_or_year="5 år"), MEETING) == "Emma (5 år)"


def test_anonymous_label_computes_the_age_from_the_birth_date() -> None:
    assert anonymous_label(NAMED, MEETING) == "Emma (5 years)"
    assert anonymous_label(NAMED, date(2020, 12, 1)) == "Emma (1 year)"
    assert anonymous_label(NAMED, date(2019, 12, 1)) == "Emma (0 years)"


def test_anonymous_label_with_nothing_but_a_first_name() -> None:
    bare = CaseFacts(id="c", kind=CaseKind.ANONYMOUS, first_name="  Mira ")
    assert anonymous_label(bare, MEETING) == "Mira"


def test_anonymous_label_leaves_out_a_birth_date_after_the_day() -> None:
    assert anonymous_label(NAMED, date(2019, 1, 1)) == "Emma"


def test_anonymous_label_never_shows_surname_or_birth_date() -> None:
    label = anonymous_label(NAMED, MEETING)
    assert "Nguyễn" not in label
    assert "Østergård" not in label
    assert "2019" not in label


def test_named_label_has_full_name_and_iso_birth_date() -> None:
    assert named_label(NAMED) == "Emma Nguyễn Østergård (born 2019-11-23)"


@pytest.mark.parametrize(
    "incomplete",
    [replace(NAMED, surname=None), replace(NAMED, surname=" "), replace(NAMED, birth_date=None)],
)
def test_named_label_needs_surname_and_birth_date(incomplete: CaseFacts) -> None:
    with pytest.raises(ValueError):
        named_label(incomplete)


# --- display_name ---------------------------------------------------------------------------


def test_named_case_with_consent_is_shown_by_name() -> None:
    assert display_name(NAMED, MEETING, consent_ok=True) == named_label(NAMED)


def test_named_case_without_consent_is_anonymised() -> None:
    assert display_name(NAMED, MEETING, consent_ok=False) == "Emma (5 years)"


def test_named_case_without_consent_but_with_sl49a_is_named() -> None:
    assert display_name(NAMED, MEETING, consent_ok=False, sl49a=True) == named_label(NAMED)


def test_anonymous_case_stays_anonymous_even_with_consent() -> None:
    # Becoming named is the advisor's explicit step (may_become_named), not a side effect.
    assert display_name(ANONYMOUS, MEETING, consent_ok=True) == "Lille Bjørn (2.b)"


def test_anonymous_case_with_sl49a_is_named_when_its_identity_is_known() -> None:
    known = replace(ANONYMOUS, surname="Holm", birth_date=date(2017, 4, 2))
    assert display_name(known, MEETING, consent_ok=False, sl49a=True) == (
        "Lille Bjørn Holm (born 2017-04-02)"
    )


def test_anonymous_case_with_sl49a_but_unknown_identity_stays_anonymous() -> None:
    assert display_name(ANONYMOUS, MEETING, consent_ok=False, sl49a=True) == "Lille Bjørn (2.b)"
    only_surname = replace(ANONYMOUS, surname="Holm")
    assert display_name(only_surname, MEETING, consent_ok=True, sl49a=True) == "Lille Bjørn (2.b)"


def test_the_sl49a_flag_does_not_carry_over_to_the_next_meeting() -> None:
    known = replace(ANONYMOUS, surname="Holm", birth_date=date(2017, 4, 2))
    assert display_name(known, MEETING, consent_ok=False, sl49a=True).startswith("Lille Bjørn Holm")
    assert display_name(known, date(2025, 4, 9), consent_ok=False) == "Lille Bjørn (2.b)"


def test_a_named_case_missing_its_birth_date_falls_back_to_anonymous() -> None:
    broken = replace(NAMED, birth_date=None)
    assert display_name(broken, MEETING, consent_ok=True) == "Emma"


def test_the_age_is_taken_on_the_meeting_date() -> None:
    assert display_name(NAMED, date(2025, 11, 22), consent_ok=False) == "Emma (5 years)"
    assert display_name(NAMED, date(2025, 11, 23), consent_ok=False) == "Emma (6 years)"
