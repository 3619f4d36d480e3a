"""Agreements, staged procedures and interventions after the meeting, against a real vault."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.domain.calendar_model import DateRange, ForumKind, SiteKind
from app.domain.dates import add_months
from app.errors import BadInput
from app.i18n import translator
from app.services import (
    agenda_service,
    agreements_service,
    cases_service,
    minutes_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.store import agreements_repo, forums_repo, interventions_repo, roles_repo
from app.store.vault import Vault

TODAY = date(2026, 11, 23)  # a Monday
MEETING_START = datetime(2026, 11, 17, 12, 30)
FRIDAY = date(2026, 11, 20)
DA = translator("da")


# --- helpers --------------------------------------------------------------------------


def roles(vault: Vault) -> dict[str, str]:
    return {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}


def school(vault: Vault, name: str = "Nordskov Skole") -> str:
    site_id, _changes = sites_service.add_site(vault, name, SiteKind.SCHOOL, None)
    return site_id


def meeting(vault: Vault, site_id: str, start: datetime = MEETING_START) -> str:
    found = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert found is not None
    meeting_id, _changes = CalendarService(vault).add_meeting(found.id, site_id, start)
    return meeting_id


def anonymous(vault: Vault, site_id: str, first: str = "Ida") -> str:
    case_id, _changes = cases_service.create_anonymous(
        vault, first, site_id, "Meget fravær.", TODAY - timedelta(days=60), age_or_year="3. kl."
    )
    return case_id


def contact(vault: Vault, name: str, role_key: str, site_id: str | None) -> str:
    contact_id, _changes = sites_service.add_contact(vault, name, roles(vault)[role_key], site_id)
    return contact_id


def ids(rows: list[agreements_repo.AgreementRow]) -> list[str]:
    return [r.id for r in rows]


def concerning_absence(vault: Vault) -> str:
    [found] = [
        tid for tid, key, _n in agreements_repo.templates(vault.conn) if key == "concerning-absence"
    ]
    return found


def deadlines_by_step(vault: Vault, case_id: str) -> list[tuple[str, str | None, str | None]]:
    """(what, deadline, owner) of a case's template agreements, in step order."""
    rows = vault.conn.execute(
        "SELECT a.what, a.deadline, a.owner_contact_id FROM agreements a"
        " JOIN procedure_steps s ON s.id = a.template_step_id"
        " WHERE a.case_id = ? ORDER BY s.position",
        (case_id,),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


# --- lists by date ----------------------------------------------------------------------


def test_overdue_and_due_within_at_the_date_boundaries(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    item, _c = agenda_service.add_case_item(vault, meeting_id, anonymous(vault, site_id))

    def agreement(what: str, deadline: date | None) -> str:
        aid, _changes = minutes_service.add_agreement(vault, item, what, deadline=deadline)
        return aid

    yesterday = agreement("i går", TODAY - timedelta(days=1))
    long_ago = agreement("for længe siden", TODAY - timedelta(days=40))
    today = agreement("i dag", TODAY)
    in_seven = agreement("om 7 dage", TODAY + timedelta(days=7))
    in_eight = agreement("om 8 dage", TODAY + timedelta(days=8))
    agreement("uden frist", None)
    done = agreement("færdig", TODAY - timedelta(days=2))
    cancelled = agreement("aflyst", TODAY + timedelta(days=1))
    agreements_service.set_status(vault, done, "done")
    agreements_service.set_status(vault, cancelled, "cancelled")

    # The deadline day itself is due, not overdue.
    assert ids(agreements_service.overdue(vault, TODAY)) == [long_ago, yesterday]
    assert ids(agreements_service.due_within(vault, TODAY, 7)) == [today, in_seven]
    assert ids(agreements_service.due_within(vault, TODAY, 8)) == [today, in_seven, in_eight]
    assert ids(agreements_service.due_within(vault, TODAY, 0)) == [today]
    # A day later, today's agreement is overdue.
    tomorrow = TODAY + timedelta(days=1)
    assert ids(agreements_service.overdue(vault, tomorrow)) == [long_ago, yesterday, today]
    assert ids(agreements_service.due_within(vault, tomorrow, 6)) == [in_seven]
    with pytest.raises(BadInput):
        agreements_service.due_within(vault, TODAY, -1)

    # Done and cancelled agreements are never listed, whatever their dates.
    agreements_service.set_status(vault, yesterday, "done")
    agreements_service.set_status(vault, today, "cancelled")
    listed = ids(agreements_service.overdue(vault, tomorrow)) + ids(
        agreements_service.due_within(vault, TODAY - timedelta(days=60), 120)
    )
    assert done not in listed and cancelled not in listed
    assert yesterday not in listed and today not in listed
    # Reopened, it is listed again.
    agreements_service.set_status(vault, yesterday, "open")
    assert ids(agreements_service.overdue(vault, TODAY)) == [long_ago, yesterday]


def test_set_status_accepts_only_the_three_statuses(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    item, _c = agenda_service.add_general_item(vault, meeting_id, "Orientering")
    aid, _c = minutes_service.add_agreement(vault, item, "  Ring til PPR  ", deadline=TODAY)
    assert agreements_repo.get(vault.conn, aid).what == "Ring til PPR"  # type: ignore[union-attr]
    seq = vault.change_seq()
    for bad in ("closed", "", "DONE", "Open"):
        with pytest.raises(BadInput):
            agreements_service.set_status(vault, aid, bad)
    with pytest.raises(BadInput):
        agreements_service.set_status(vault, "no-such-agreement", "done")
    assert vault.change_seq() == seq
    for status in ("done", "cancelled", "open"):
        changes = agreements_service.set_status(vault, aid, status)
        assert changes.tables == {"agreements"} and changes.ids == {aid}
        assert agreements_repo.get(vault.conn, aid).status == status  # type: ignore[union-attr]
    with pytest.raises(BadInput):
        minutes_service.add_agreement(vault, item, "   ")


def test_agreements_by_site_owner_and_case(vault: Vault) -> None:
    north = school(vault)
    south = school(vault, "Søndervig Skole")
    north_meeting = meeting(vault, north)
    south_meeting = meeting(vault, south)
    ida = anonymous(vault, north, "Ida")
    malik = anonymous(vault, north, "Malik")
    finn = anonymous(vault, south, "Finn")
    teacher = contact(vault, "Rikke Toft", "teacher", north)
    ppr = contact(vault, "Per Lund", "ppr", None)
    ida_item, _c = agenda_service.add_case_item(vault, north_meeting, ida)
    malik_item, _c = agenda_service.add_case_item(vault, north_meeting, malik)
    general, _c = agenda_service.add_general_item(vault, north_meeting, "Orientering")
    finn_item, _c = agenda_service.add_case_item(vault, south_meeting, finn)

    def agreement(item: str, owner: str | None, days: int) -> str:
        aid, _changes = minutes_service.add_agreement(
            vault, item, f"Aftale {days}", owner_contact_id=owner, deadline=TODAY + timedelta(days)
        )
        return aid

    a1 = agreement(ida_item, teacher, 3)
    a2 = agreement(ida_item, ppr, 1)
    a3 = agreement(malik_item, teacher, 2)
    a4 = agreement(general, None, 4)  # no child: the meeting's site counts
    a5 = agreement(finn_item, ppr, 5)
    agreements_service.set_status(vault, a3, "done")

    assert ids(agreements_service.by_site(vault, north)) == [a2, a1, a4]
    assert ids(agreements_service.by_site(vault, north, None)) == [a2, a3, a1, a4]
    assert ids(agreements_service.by_site(vault, north, "done")) == [a3]
    assert ids(agreements_service.by_site(vault, south)) == [a5]
    assert ids(agreements_service.by_owner(vault, teacher)) == [a1]
    assert ids(agreements_service.by_owner(vault, teacher, None)) == [a3, a1]
    assert ids(agreements_service.by_owner(vault, ppr)) == [a2, a5]
    assert ids(agreements_service.by_case(vault, ida)) == [a2, a1]
    assert ids(agreements_service.by_case(vault, malik)) == [a3]
    assert ids(agreements_service.by_case(vault, malik, "open")) == []
    row = agreements_repo.get(vault.conn, a1)
    assert row is not None
    assert (row.owner_name, row.site_id, row.case_id, row.meeting_id) == (
        "Rikke Toft",
        north,
        ida,
        north_meeting,
    )
    assert agreements_service.by_site(vault, "no-such-site") == []


# --- staged procedures ------------------------------------------------------------------


def test_the_concerning_absence_procedure_counts_school_days(vault: Vault) -> None:
    site_id = school(vault)
    other_site = school(vault, "Åbrink Skole")
    teacher = contact(vault, "Rikke Toft", "teacher", site_id)
    contact(vault, "Anne Holm", "leader", site_id)
    contact(vault, "Bo Krog", "leader", site_id)  # two leaders: the advisor chooses
    other_teacher = contact(vault, "Karen Vang", "teacher", other_site)
    contact(vault, "Lars Dal", "leader", None)  # no site
    other_leader = contact(vault, "Mette Rask", "leader", other_site)
    template = concerning_absence(vault)
    assert (template, "Concerning absence") in agreements_service.templates(vault)
    steps = agreements_repo.steps(vault.conn, template)
    assert [(s.offset_days, s.school_days) for s in steps] == [
        (2, True),
        (10, True),
        (15, True),
        (20, True),
    ]

    ida = anonymous(vault, site_id, "Ida")
    created, changes = agreements_service.apply_template(vault, template, ida, FRIDAY)
    assert len(created) == 4 and changes.tables == {"agreements"}
    assert changes.ids == frozenset(created)
    got = deadlines_by_step(vault, ida)
    assert [what for what, _d, _o in got] == [DA(s.what) for s in steps]
    assert [deadline for _w, deadline, _o in got] == [
        "2026-11-24",  # 2 school days from Friday: Monday, Tuesday
        "2026-12-04",
        "2026-12-11",
        "2026-12-18",
    ]
    assert [owner for _w, _d, owner in got] == [teacher, None, None, None]
    assert all(r.status == "open" for r in agreements_service.by_case(vault, ida))

    # A school holiday and the Christmas closure days are not school days.
    CalendarService(vault).add_school_holiday(
        DateRange(date(2026, 12, 7), date(2026, 12, 11)), "Projektuge"
    )
    finn = anonymous(vault, other_site, "Finn")
    agreements_service.apply_template(vault, template, finn, FRIDAY)
    got = deadlines_by_step(vault, finn)
    assert [deadline for _w, deadline, _o in got] == [
        "2026-11-24",
        "2026-12-04",
        "2026-12-18",  # the holiday week does not count
        "2026-12-29",  # nor 24 (closure) and 25 December (public holiday)
    ]
    assert [owner for _w, _d, owner in got] == [other_teacher, *[other_leader] * 3]

    seq = vault.change_seq()
    with pytest.raises(BadInput):
        agreements_service.apply_template(vault, "no-such-template", ida, FRIDAY)
    with pytest.raises(BadInput):
        agreements_service.apply_template(vault, template, "no-such-case", FRIDAY)
    assert vault.change_seq() == seq


def test_a_custom_template_is_validated_and_applied(vault: Vault) -> None:
    site_id = school(vault)
    by_key = roles(vault)
    teacher = contact(vault, "Rikke Toft", "teacher", site_id)
    seq = vault.change_seq()
    for name, steps in (
        ("   ", [("Ring", None, 1, False)]),
        ("Skoleskift", []),
        ("Skoleskift", [("   ", None, 1, False)]),
        ("Skoleskift", [("Ring", None, -1, False)]),
    ):
        with pytest.raises(BadInput):
            agreements_service.add_template(vault, name, steps)
    assert vault.change_seq() == seq

    template, changes = agreements_service.add_template(
        vault,
        "  Skoleskift  ",
        [
            ("Lærer ringer hjem samme dag", by_key["teacher"], 0, False),
            ("Overlevering til ny skole", None, 7, False),
            ("Opfølgning efter tre skoledage", by_key["teacher"], 3, True),
        ],
    )
    assert changes.tables == {"procedure_templates"} and changes.ids == {template}
    assert (template, "Skoleskift") in agreements_service.templates(vault)
    steps = agreements_repo.steps(vault.conn, template)
    assert [(s.position, s.offset_days, s.school_days) for s in steps] == [
        (1, 0, False),
        (2, 7, False),
        (3, 3, True),
    ]
    case_id = anonymous(vault, site_id)
    created, _c = agreements_service.apply_template(vault, template, case_id, FRIDAY)
    assert deadlines_by_step(vault, case_id) == [
        ("Lærer ringer hjem samme dag", "2026-11-20", teacher),
        ("Overlevering til ny skole", "2026-11-27", None),  # calendar days
        ("Opfølgning efter tre skoledage", "2026-11-25", teacher),
    ]
    assert len(created) == 3


# --- interventions ------------------------------------------------------------------------


def test_an_interventions_evaluation_defaults_to_three_months_after_the_start(
    vault: Vault,
) -> None:
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    item, _c = agenda_service.add_case_item(vault, meeting_id, anonymous(vault, site_id))
    type_id = interventions_repo.types(vault.conn)[0][0]
    for start, evaluation in (
        (date(2026, 1, 31), "2026-04-30"),
        (date(2026, 11, 30), "2027-02-28"),
        (date(2026, 11, 17), "2027-02-17"),
    ):
        iid, _c = minutes_service.add_intervention(vault, item, type_id, "Mål.", start)
        row = interventions_repo.get(vault.conn, iid)
        assert row is not None
        assert (row.start_on, row.evaluation_on, row.status) == (
            start.isoformat(),
            evaluation,
            "active",
        )
    chosen, _c = minutes_service.add_intervention(
        vault, item, type_id, "Mål.", TODAY, evaluation_on=TODAY
    )
    assert interventions_repo.get(vault.conn, chosen).evaluation_on == TODAY.isoformat()  # type: ignore[union-attr]
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        minutes_service.add_intervention(
            vault, item, type_id, "Mål.", TODAY, evaluation_on=TODAY - timedelta(days=1)
        )
    with pytest.raises(BadInput):
        minutes_service.add_intervention(vault, item, "no-such-type", "Mål.", TODAY)
    general, _c = agenda_service.add_general_item(vault, meeting_id, "Orientering")
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        minutes_service.add_intervention(vault, general, type_id, "Mål.", TODAY)
    assert vault.change_seq() == seq


def test_evaluate_and_due_for_evaluation(vault: Vault) -> None:
    site_id = school(vault)
    meeting_id = meeting(vault, site_id)
    item, _c = agenda_service.add_case_item(vault, meeting_id, anonymous(vault, site_id))
    type_id = interventions_repo.types(vault.conn)[0][0]
    due = date(2026, 12, 10)

    def intervention(evaluation_on: date) -> str:
        iid, _changes = minutes_service.add_intervention(
            vault, item, type_id, "Færre konflikter.", TODAY, evaluation_on=evaluation_on
        )
        return iid

    first = intervention(due)
    later = intervention(due + timedelta(days=1))

    def listed(today: date, within: int = 0) -> list[str]:
        return [i.id for i in agreements_service.due_for_evaluation(vault, today, within)]

    assert listed(due - timedelta(days=1)) == []
    assert listed(due) == [first]
    assert listed(due + timedelta(days=1)) == [first, later]
    assert listed(due + timedelta(days=30)) == [first, later]  # overdue stays listed
    assert listed(due - timedelta(days=7), 7) == [first]
    assert listed(due - timedelta(days=8), 7) == []
    assert listed(due - timedelta(days=7), 8) == [first, later]

    seq = vault.change_seq()
    for bad in ("great", "", "MET", "partly met"):
        with pytest.raises(BadInput):
            agreements_service.evaluate(vault, first, "Gik godt.", bad)
    with pytest.raises(BadInput):
        agreements_service.evaluate(vault, "no-such-intervention", "Gik godt.", "met")
    assert vault.change_seq() == seq

    evaluated_on = due + timedelta(days=2)
    changes = agreements_service.evaluate(vault, first, "Målet er nået.", "met", evaluated_on)
    assert changes.tables == {"interventions"} and changes.ids == {first}
    row = interventions_repo.get(vault.conn, first)
    assert row is not None
    assert (row.status, row.result, row.evaluation, row.evaluation_on) == (
        "evaluated",
        "met",
        "Målet er nået.",
        evaluated_on.isoformat(),
    )
    agreements_service.evaluate(vault, later, "Delvist.", "partly")
    row = interventions_repo.get(vault.conn, later)
    assert row is not None
    assert (row.result, row.evaluation_on) == ("partly", (due + timedelta(days=1)).isoformat())
    # Evaluated interventions are no longer due.
    assert listed(due + timedelta(days=30)) == []

    new_type, _c = agreements_service.add_intervention_type(vault, "  Lektiecafé  ")
    assert (new_type, None, "Lektiecafé") == interventions_repo.types(vault.conn)[-1]
    with pytest.raises(BadInput):
        agreements_service.add_intervention_type(vault, "  ")
