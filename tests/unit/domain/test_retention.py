"""The retention rules (app/domain/retention.py) at their edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.case_model import CaseKind, CaseStatus
from app.domain.retention import (
    CLOSURE_REASON_LABELS,
    DUE_REASON_LABELS,
    CaseDates,
    ClosureReason,
    DueReason,
    FormDates,
    ItemKind,
    RetentionRules,
    case_due,
    case_due_on,
    due_items,
    form_due,
    reopen_allowed,
)

RULES = RetentionRules()
TODAY = date(2026, 11, 23)


def anonymous(
    last_meeting: date | None,
    *,
    opened: date = date(2024, 1, 8),
    status: CaseStatus = CaseStatus.OPEN,
    reopened: date | None = None,
    case_id: str = "a",
) -> CaseDates:
    return CaseDates(
        case_id,
        CaseKind.ANONYMOUS,
        status,
        opened,
        closed_on=None,
        reopened_on=reopened,
        last_meeting_on=last_meeting,
    )


def named(closed: date | None, *, case_id: str = "n") -> CaseDates:
    return CaseDates(
        case_id,
        CaseKind.NAMED,
        CaseStatus.CLOSED if closed else CaseStatus.OPEN,
        date(2015, 3, 2),
        closed_on=closed,
    )


def test_defaults_are_twelve_months_five_years_and_at_once() -> None:
    assert (RULES.anonymous_months, RULES.named_months, RULES.withdrawn_form_days) == (12, 60, 0)
    assert RULES.problem() is None


# --- anonymous: 12 months after the last meeting that discussed it -------------------


def test_anonymous_case_is_due_exactly_twelve_months_after_its_last_meeting() -> None:
    case = anonymous(date(2025, 11, 23))

    assert case_due(case, RULES, date(2026, 11, 22)) is None
    item = case_due(case, RULES, date(2026, 11, 23))
    assert item is not None
    assert (item.kind, item.reason) == (ItemKind.CASE, DueReason.ANONYMOUS_INACTIVE)
    assert (item.due_on, item.since) == (date(2026, 11, 23), date(2025, 11, 23))
    assert item.overdue_days(date(2026, 11, 23)) == 0
    assert item.overdue_days(date(2026, 12, 3)) == 10


def test_an_anonymous_case_discussed_again_is_no_longer_due() -> None:
    assert case_due(anonymous(date(2025, 11, 1)), RULES, TODAY) is not None

    assert case_due(anonymous(date(2026, 2, 1)), RULES, TODAY) is None
    # On a coming agenda: not due, and due only a year after that meeting.
    upcoming = anonymous(TODAY + timedelta(days=14))
    assert case_due(upcoming, RULES, TODAY) is None
    assert case_due_on(upcoming, RULES) == (
        date(2027, 12, 7),
        date(2026, 12, 7),
        DueReason.ANONYMOUS_INACTIVE,
    )


def test_an_anonymous_case_never_discussed_counts_from_its_opening() -> None:
    case = anonymous(None, opened=date(2025, 11, 24))
    assert case_due(case, RULES, TODAY) is None
    assert case_due(case, RULES, date(2026, 11, 24)) is not None


def test_open_or_closed_an_anonymous_case_is_due_after_twelve_quiet_months() -> None:
    closed = anonymous(date(2025, 6, 1), status=CaseStatus.CLOSED)
    still_open = anonymous(date(2025, 6, 1), status=CaseStatus.OPEN)
    assert case_due(closed, RULES, TODAY) is not None
    assert case_due(still_open, RULES, TODAY) is not None


def test_reopening_restarts_an_anonymous_case_clock() -> None:
    case = anonymous(date(2025, 6, 1), reopened=date(2026, 1, 5))
    assert case_due(case, RULES, TODAY) is None
    assert case_due(case, RULES, date(2027, 1, 5)) is not None


def due_on(case: CaseDates, rules: RetentionRules = RULES) -> date:
    found = case_due_on(case, rules)
    assert found is not None
    return found[0]


def test_month_end_and_leap_day_land_on_the_last_day_of_the_month() -> None:
    assert due_on(anonymous(date(2024, 2, 29))) == date(2025, 2, 28)
    assert due_on(named(date(2021, 8, 31)), RetentionRules(named_months=6)) == date(2022, 2, 28)


# --- named: 5 years after closure ------------------------------------------------------


def test_a_named_case_closed_five_years_ago_today_is_due_today() -> None:
    case = named(date(2021, 11, 23))

    item = case_due(case, RULES, TODAY)
    assert item is not None
    assert (item.reason, item.due_on, item.since) == (
        DueReason.NAMED_CLOSED,
        TODAY,
        date(2021, 11, 23),
    )
    assert case_due(case, RULES, TODAY - timedelta(days=1)) is None


def test_a_named_case_closed_yesterday_five_years_ago_is_not_due_yet() -> None:
    assert case_due(named(date(2021, 11, 24)), RULES, TODAY) is None


def test_an_open_named_case_is_never_due() -> None:
    case = named(None)
    assert case_due_on(case, RULES) is None
    assert case_due(case, RULES, date(2099, 1, 1)) is None


def test_the_periods_follow_the_vaults_rules() -> None:
    short = RetentionRules(anonymous_months=6, named_months=24)
    assert case_due(anonymous(date(2026, 5, 23)), short, TODAY) is not None
    assert case_due(named(date(2024, 11, 23)), short, TODAY) is not None
    assert case_due(named(date(2024, 11, 24)), short, TODAY) is None


@pytest.mark.parametrize(
    "rules",
    [
        RetentionRules(anonymous_months=0),
        RetentionRules(named_months=0),
        RetentionRules(named_months=241),
        RetentionRules(withdrawn_form_days=-1),
        RetentionRules(withdrawn_form_days=366),
    ],
)
def test_rules_out_of_bounds_are_refused(rules: RetentionRules) -> None:
    assert rules.problem()


# --- withdrawn consent: the scanned form is due at once ---------------------------------


def test_a_withdrawn_consents_form_is_due_on_the_day_of_withdrawal() -> None:
    form = FormDates("k", "n", "att", withdrawn_on=TODAY)
    item = form_due(form, RULES, TODAY)
    assert item is not None
    assert (item.kind, item.reason, item.due_on) == (
        ItemKind.CONSENT_FORM,
        DueReason.CONSENT_WITHDRAWN,
        TODAY,
    )
    assert (item.consent_id, item.attachment_id, item.case_id) == ("k", "att", "n")
    assert form_due(form, RULES, TODAY - timedelta(days=1)) is None
    assert form_due(FormDates("k", "n", "att", withdrawn_on=None), RULES, TODAY) is None
    assert form_due(form, RetentionRules(withdrawn_form_days=30), TODAY) is None


def test_due_list_orders_by_due_date_and_leaves_out_forms_of_due_cases() -> None:
    cases = [
        named(date(2020, 1, 1), case_id="old-named"),
        anonymous(date(2025, 8, 1), case_id="quiet"),
        anonymous(date(2026, 10, 1), case_id="active"),
    ]
    forms = [
        FormDates("k1", "old-named", "a1", date(2019, 5, 1)),
        FormDates("k2", "active", "a2", date(2026, 11, 1)),
        FormDates("k3", "active", "a3", None),
    ]

    items = due_items(cases, forms, RULES, TODAY)

    assert [(i.kind, i.case_id, i.consent_id) for i in items] == [
        (ItemKind.CASE, "old-named", None),
        (ItemKind.CASE, "quiet", None),
        (ItemKind.CONSENT_FORM, "active", "k2"),
    ]


def test_reopening_is_allowed_only_within_the_retention_period() -> None:
    assert reopen_allowed(named(date(2022, 1, 1)), RULES, TODAY)
    assert not reopen_allowed(named(date(2021, 1, 1)), RULES, TODAY)


def test_every_reason_has_a_label() -> None:
    assert set(CLOSURE_REASON_LABELS) == set(ClosureReason)
    assert set(DUE_REASON_LABELS) == set(DueReason)
