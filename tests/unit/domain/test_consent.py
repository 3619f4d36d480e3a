from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.case_model import CaseFacts, CaseKind, Consent, ConsentForm, Guardian
from app.domain.consent import (
    ConsentVerdict,
    consent_problem,
    expiring,
    is_valid_on,
    may_become_named,
    verdict,
)

MEETING = date(2025, 3, 12)
DAY = timedelta(days=1)
ROLES = frozenset({"teacher", "health-visitor"})

GIVEN_AFTER = "The consent was given after the meeting date."
WITHDRAWN = "The consent was withdrawn on or before the meeting date."
EXPIRED = "The consent had expired before the meeting."
SCOPE = "The consent does not cover every invited role."
NO_CONSENT = "There is no consent for this child."
CUSTODY = "Not every guardian with custody has consented."

MOTHER = Guardian("g-mother", "Mette Skov", "mother", has_custody=True)
FATHER = Guardian("g-father", "Jens Holm", "father", has_custody=True)
STEPFATHER = Guardian("g-step", "Ole Berg", "stepfather", has_custody=False)


def consent(
    cid: str = "c1",
    *,
    given_on: date = MEETING - 365 * DAY,
    given_by: frozenset[str] = frozenset({"g-mother"}),
    scope: frozenset[str] = ROLES,
    valid_until: date | None = None,
    withdrawn_on: date | None = None,
) -> Consent:
    return Consent(
        id=cid,
        given_on=given_on,
        form=ConsentForm.WRITTEN,
        given_by=given_by,
        scope_roles=scope,
        valid_until=valid_until,
        withdrawn_on=withdrawn_on,
    )


def case(*guardians: Guardian, exception: str | None = None) -> CaseFacts:
    return CaseFacts(
        id="case-1",
        kind=CaseKind.NAMED,
        first_name="Emma",
        surname="Skov",
        birth_date=date(2019, 11, 23),
        guardians=guardians,
        custody_exception=exception,
    )


SOLE_CUSTODY = case(MOTHER)
JOINT_CUSTODY = case(MOTHER, FATHER)


# --- is_valid_on / consent_problem: the edges from the issue -------------------------------


def test_consent_given_on_the_meeting_date_covers_it() -> None:
    c = consent(given_on=MEETING)
    assert is_valid_on(c, MEETING)
    assert consent_problem(c, MEETING, ROLES) is None
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES) == ConsentVerdict(True, (), ("c1",))


def test_consent_given_the_day_after_the_meeting_does_not_cover_it() -> None:
    c = consent(given_on=MEETING + DAY)
    assert not is_valid_on(c, MEETING)
    assert consent_problem(c, MEETING, ROLES) == GIVEN_AFTER


def test_consent_expiring_the_day_before_does_not_cover_the_meeting() -> None:
    c = consent(valid_until=MEETING - DAY)
    assert not is_valid_on(c, MEETING)
    assert consent_problem(c, MEETING, ROLES) == EXPIRED
    result = verdict(SOLE_CUSTODY, [c], MEETING, ROLES)
    assert result == ConsentVerdict(False, (EXPIRED,), ())


def test_valid_until_is_the_last_valid_day_inclusive() -> None:
    c = consent(valid_until=MEETING)
    assert is_valid_on(c, MEETING)
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES).covered


def test_consent_withdrawn_the_day_before_does_not_cover_the_meeting() -> None:
    c = consent(withdrawn_on=MEETING - DAY)
    assert not is_valid_on(c, MEETING)
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES) == ConsentVerdict(False, (WITHDRAWN,), ())


def test_consent_withdrawn_on_the_meeting_day_does_not_cover_it() -> None:
    c = consent(withdrawn_on=MEETING)
    assert not is_valid_on(c, MEETING)
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES) == ConsentVerdict(False, (WITHDRAWN,), ())


def test_consent_withdrawn_the_day_after_still_covers_the_meeting() -> None:
    c = consent(withdrawn_on=MEETING + DAY)
    assert is_valid_on(c, MEETING)
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES).covered


def test_withdrawal_is_named_before_expiry() -> None:
    c = consent(valid_until=MEETING - 5 * DAY, withdrawn_on=MEETING - 10 * DAY)
    assert consent_problem(c, MEETING, ROLES) == WITHDRAWN


def test_scope_missing_one_invited_role_does_not_cover_the_meeting() -> None:
    c = consent(scope=frozenset({"teacher"}))
    assert is_valid_on(c, MEETING)  # valid, but not for this meeting's roles
    assert consent_problem(c, MEETING, ROLES) == SCOPE
    result = verdict(SOLE_CUSTODY, [c], MEETING, ROLES)
    assert result == ConsentVerdict(False, (SCOPE,), ())


def test_scope_wider_than_the_invited_roles_is_fine() -> None:
    c = consent(scope=ROLES | {"psychologist", "police"})
    assert verdict(SOLE_CUSTODY, [c], MEETING, ROLES).covered


def test_a_meeting_with_no_invited_roles_needs_only_validity() -> None:
    c = consent(scope=frozenset())
    assert verdict(SOLE_CUSTODY, [c], MEETING, frozenset()).covered


# --- the custody rule -----------------------------------------------------------------------


def test_joint_custody_with_one_consent_is_not_covered() -> None:
    result = verdict(JOINT_CUSTODY, [consent(given_by=frozenset({"g-mother"}))], MEETING, ROLES)
    assert result == ConsentVerdict(False, (CUSTODY,), ())


def test_joint_custody_with_one_consent_given_by_both_is_covered() -> None:
    both = consent(given_by=frozenset({"g-mother", "g-father"}))
    assert verdict(JOINT_CUSTODY, [both], MEETING, ROLES) == ConsentVerdict(True, (), ("c1",))


def test_joint_custody_with_two_consents_is_covered() -> None:
    consents = [
        consent("c-mother", given_by=frozenset({"g-mother"})),
        consent("c-father", given_by=frozenset({"g-father"})),
    ]
    result = verdict(JOINT_CUSTODY, consents, MEETING, ROLES)
    assert result == ConsentVerdict(True, (), ("c-mother", "c-father"))


def test_joint_custody_fails_when_the_second_consent_fails_on_its_own() -> None:
    consents = [
        consent("c-mother", given_by=frozenset({"g-mother"})),
        consent("c-father", given_by=frozenset({"g-father"}), withdrawn_on=MEETING - DAY),
    ]
    result = verdict(JOINT_CUSTODY, consents, MEETING, ROLES)
    # The father has consented, so his failing consent's problem is the reason.
    assert result == ConsentVerdict(False, (WITHDRAWN,), ())


def test_joint_custody_with_one_failing_consent_and_one_missing_gives_both_reasons() -> None:
    consents = [consent("c-mother", given_by=frozenset({"g-mother"}), valid_until=MEETING - DAY)]
    result = verdict(JOINT_CUSTODY, consents, MEETING, ROLES)
    assert result == ConsentVerdict(False, (EXPIRED, CUSTODY), ())


def test_joint_custody_with_a_recorded_exception_needs_one_consent() -> None:
    excepted = case(MOTHER, FATHER, exception="Contact banned by court order.")
    result = verdict(excepted, [consent(given_by=frozenset({"g-mother"}))], MEETING, ROLES)
    assert result == ConsentVerdict(True, (), ("c1",))


def test_a_blank_exception_is_no_recorded_reason() -> None:
    blank = case(MOTHER, FATHER, exception="  ")
    result = verdict(blank, [consent(given_by=frozenset({"g-mother"}))], MEETING, ROLES)
    assert not result.covered
    assert result.reasons == (CUSTODY,)


def test_a_guardian_without_custody_cannot_stand_in_for_one_with_it() -> None:
    family = case(MOTHER, STEPFATHER, FATHER)
    consents = [consent(given_by=frozenset({"g-mother", "g-step"}))]
    assert not verdict(family, consents, MEETING, ROLES).covered
    consents.append(consent("c2", given_by=frozenset({"g-father"})))
    result = verdict(family, consents, MEETING, ROLES)
    assert result == ConsentVerdict(True, (), ("c1", "c2"))


def test_a_consent_given_by_nobody_counts_only_without_custody_holders() -> None:
    anonymous_giver = consent(given_by=frozenset())
    assert not verdict(SOLE_CUSTODY, [anonymous_giver], MEETING, ROLES).covered
    assert verdict(case(), [anonymous_giver], MEETING, ROLES).covered
    assert verdict(case(STEPFATHER), [anonymous_giver], MEETING, ROLES).covered


def test_no_custody_holders_recorded_needs_one_passing_consent() -> None:
    consents = [consent("old", withdrawn_on=MEETING - DAY), consent("new")]
    assert verdict(case(), consents, MEETING, ROLES) == ConsentVerdict(True, (), ("new",))


def test_no_consents_is_not_covered() -> None:
    assert verdict(SOLE_CUSTODY, [], MEETING, ROLES) == ConsentVerdict(False, (NO_CONSENT,), ())
    assert verdict(case(), [], MEETING, ROLES) == ConsentVerdict(False, (NO_CONSENT,), ())


def test_reasons_are_deduplicated_and_in_order() -> None:
    consents = [
        consent("a", withdrawn_on=MEETING - DAY),
        consent("b", scope=frozenset()),
        consent("c", withdrawn_on=MEETING - 3 * DAY),
    ]
    result = verdict(case(), consents, MEETING, ROLES)
    assert result == ConsentVerdict(False, (WITHDRAWN, SCOPE), ())


def test_reasons_never_name_anyone() -> None:
    consents = [consent(given_by=frozenset({"g-mother"}), scope=frozenset())]
    result = verdict(JOINT_CUSTODY, consents, MEETING, ROLES)
    text = " ".join(result.reasons)
    for value in ("Emma", "Skov", "Holm", "Mette", "Jens", "2019", "g-mother", "g-father"):
        assert value not in text


# --- may_become_named -----------------------------------------------------------------------

TODAY = date(2025, 2, 1)


def test_may_become_named_ignores_scope() -> None:
    c = consent(given_on=TODAY, scope=frozenset())
    assert may_become_named(SOLE_CUSTODY, [c], TODAY) == ConsentVerdict(True, (), ("c1",))


def test_may_become_named_applies_the_custody_rule() -> None:
    c = consent(given_on=TODAY)
    result = may_become_named(JOINT_CUSTODY, [c], TODAY)
    assert result == ConsentVerdict(False, (CUSTODY,), ())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"given_on": TODAY + DAY}, "The consent is dated in the future."),
        ({"withdrawn_on": TODAY}, "The consent has been withdrawn."),
        ({"valid_until": TODAY - DAY}, "The consent has expired."),
    ],
)
def test_may_become_named_needs_a_consent_in_force_today(
    changes: dict[str, date], reason: str
) -> None:
    c = replace(consent(given_on=TODAY - 10 * DAY), **changes)
    assert may_become_named(SOLE_CUSTODY, [c], TODAY) == ConsentVerdict(False, (reason,), ())


def test_may_become_named_without_consent() -> None:
    assert may_become_named(SOLE_CUSTODY, [], TODAY).reasons == (NO_CONSENT,)


# --- expiring -------------------------------------------------------------------------------


def test_expiring_lists_consents_ending_within_the_window_sorted() -> None:
    consents = [
        consent("later", valid_until=TODAY + 30 * DAY),
        consent("today", valid_until=TODAY),
        consent("soon", valid_until=TODAY + 5 * DAY),
        consent("beyond", valid_until=TODAY + 31 * DAY),
        consent("open-ended"),
        consent("expired", valid_until=TODAY - DAY),
    ]
    assert [c.id for c in expiring(consents, TODAY)] == ["today", "soon", "later"]


def test_expiring_skips_withdrawn_and_future_consents() -> None:
    consents = [
        consent("withdrawn", valid_until=TODAY + 3 * DAY, withdrawn_on=TODAY - DAY),
        consent("future", given_on=TODAY + DAY, valid_until=TODAY + 3 * DAY),
        consent("ok", valid_until=TODAY + 3 * DAY),
    ]
    assert [c.id for c in expiring(consents, TODAY)] == ["ok"]


def test_expiring_with_a_custom_window() -> None:
    consents = [
        consent("a", valid_until=TODAY + 7 * DAY),
        consent("b", valid_until=TODAY + 8 * DAY),
    ]
    assert [c.id for c in expiring(consents, TODAY, within_days=7)] == ["a"]
    assert [c.id for c in expiring(consents, TODAY, within_days=0)] == []
    with pytest.raises(ValueError):
        expiring(consents, TODAY, within_days=-1)


def test_expiring_breaks_ties_by_id() -> None:
    end = TODAY + 10 * DAY
    consents = [consent("b", valid_until=end), consent("a", valid_until=end)]
    assert [c.id for c in expiring(consents, TODAY)] == ["a", "b"]


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
optional_days = st.none() | days


@given(days, days, optional_days, optional_days)
def test_is_valid_on_matches_its_definition(
    day: date, given_on: date, valid_until: date | None, withdrawn_on: date | None
) -> None:
    c = consent(given_on=given_on, valid_until=valid_until, withdrawn_on=withdrawn_on)
    expected = (
        given_on <= day
        and (valid_until is None or day <= valid_until)
        and (withdrawn_on is None or withdrawn_on > day)
    )
    assert is_valid_on(c, day) is expected
    assert (consent_problem(c, day, frozenset()) is None) is expected


@given(days, days, optional_days, optional_days, st.frozensets(st.sampled_from(sorted(ROLES))))
def test_a_verdict_is_covered_exactly_when_it_has_no_reasons(
    day: date,
    given_on: date,
    valid_until: date | None,
    withdrawn_on: date | None,
    scope: frozenset[str],
) -> None:
    c = consent(given_on=given_on, valid_until=valid_until, withdrawn_on=withdrawn_on, scope=scope)
    result = verdict(SOLE_CUSTODY, [c], day, ROLES)
    assert result.covered is (not result.reasons)
    assert result.covered is bool(result.consent_ids)
    assert result.covered is (consent_problem(c, day, ROLES) is None)
