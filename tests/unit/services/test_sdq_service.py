"""SDQ assessments against a real vault: answers, scale scores, versions and the series."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from app.domain import sdq
from app.domain.calendar_model import ForumKind, SiteKind
from app.errors import BadInput
from app.i18n import translator
from app.instruments import default_sdq
from app.services import agenda_service, cases_service, minutes_service, sdq_service, sites_service
from app.services.calendar_service import CalendarService
from app.services.cases_service import CaseNotFound
from app.store import forums_repo, interventions_repo, sdq_repo
from app.store.vault import Vault

TODAY = date(2026, 11, 23)
ANSWERS = "2122012201210120121022101"
IMPACT = [2, 2, 1, 1, 0]


def case(vault: Vault) -> str:
    site_id, _c = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
    case_id, _c = cases_service.create_anonymous(
        vault, "Ida", site_id, "Uro.", TODAY - timedelta(days=200), age_or_year="9 år"
    )
    return case_id


def scored(vault: Vault, case_id: str, assessment_id: str) -> sdq_service.Assessment:
    [found] = [a for a in sdq_service.assessments(vault, case_id) if a.row.id == assessment_id]
    return found


def stored(vault: Vault, case_id: str) -> list[sdq_repo.AssessmentRow]:
    return sdq_repo.of_case(vault.conn, case_id)


def test_answers_are_stored_and_scored_as_the_domain_scores_them(vault: Vault) -> None:
    case_id = case(vault)
    aid, changes = sdq_service.record_answers(
        vault, case_id, TODAY, "parent", 9, ANSWERS, impact_answers=IMPACT
    )
    assert changes.tables == {"sdq_assessments"} and changes.ids == {aid}
    [row] = stored(vault, case_id)
    assert (row.id, row.on_date, row.informant, row.version) == (
        aid,
        TODAY.isoformat(),
        "parent",
        "parent-4-17",
    )
    assert (row.answers, row.scale_scores, json.loads(row.impact_answers or "")) == (
        ANSWERS,
        None,
        IMPACT,
    )
    instrument = default_sdq()
    version = instrument.versions["parent-4-17"]
    expected = sdq.score_answers(
        instrument, sdq.parse_answers(ANSWERS), sdq.score_impact(version, IMPACT)
    )
    [assessment] = sdq_service.assessments(vault, case_id)
    assert assessment.row == row and assessment.version == version
    assert assessment.scores == expected
    assert assessment.bands == sdq.bands(version, expected)
    assert assessment.scores.impact == 2  # distress 2 -> 1 point, home 2 -> 1, the rest 0

    # All answers "1": every scale 5 whichever items are reversed.
    ones, _c = sdq_service.record_answers(
        vault, case_id, TODAY, "teacher", 9, "1" * 25, no_difficulties=True
    )
    latest = scored(vault, case_id, ones)
    assert latest.version.key == "teacher-4-17"
    assert latest.scores.as_dict() == {
        "emotional": 5,
        "conduct": 5,
        "hyperactivity": 5,
        "peer": 5,
        "prosocial": 5,
        "total": 20,
        "externalising": 10,
        "internalising": 10,
        "impact": 0,
    }
    # Missing answers: a scale with fewer than three answers has no score.
    missing, _c = sdq_service.record_answers(vault, case_id, TODAY, "parent", 9, "." * 25)
    empty = scored(vault, case_id, missing)
    assert empty.scores.total is None and empty.scores.impact is None
    assert set(empty.bands.values()) == {None}


@pytest.mark.parametrize(
    ("informant", "age", "version"),
    [
        ("parent", 2, "parent-2-4"),
        ("parent", 3, "parent-2-4"),
        ("parent", 4, "parent-4-17"),
        ("parent", 17, "parent-4-17"),
        ("teacher", 3, "teacher-2-4"),
        ("teacher", 11, "teacher-4-17"),
        ("self", 11, "self-11-17"),
        ("self", 17, "self-11-17"),
    ],
)
def test_the_version_follows_informant_and_age(
    vault: Vault, informant: str, age: int, version: str
) -> None:
    case_id = case(vault)
    sdq_service.record_answers(vault, case_id, TODAY, informant, age, ANSWERS)
    assert [r.version for r in stored(vault, case_id)] == [version]


def test_bad_input_writes_nothing(vault: Vault) -> None:
    case_id = case(vault)
    seq = vault.change_seq()
    for informant, age in (("self", 10), ("parent", 1), ("parent", 18), ("teacher", 18)):
        with pytest.raises(BadInput):
            sdq_service.record_answers(vault, case_id, TODAY, informant, age, ANSWERS)
        with pytest.raises(BadInput):
            sdq_service.record_scales(vault, case_id, TODAY, informant, age, {"emotional": 2})
    with pytest.raises(BadInput):
        sdq_service.record_answers(vault, case_id, TODAY, "grandparent", 9, ANSWERS)
    for answers in ("", "012", ANSWERS[:-1], ANSWERS + "1", ANSWERS[:-1] + "3", "x" * 25):
        with pytest.raises(BadInput) as caught:
            sdq_service.record_answers(vault, case_id, TODAY, "parent", 9, answers)
        assert str(caught.value).endswith(".")
    for impact in ([2, 2, 1, 1], [2, 2, 1, 1, 0, 0], [4, 0, 0, 0, 0], [-1, 0, 0, 0, 0]):
        with pytest.raises(BadInput):
            sdq_service.record_answers(
                vault, case_id, TODAY, "parent", 9, ANSWERS, impact_answers=impact
            )
    with pytest.raises(BadInput):  # teacher's supplement: distress and two areas
        sdq_service.record_answers(
            vault, case_id, TODAY, "teacher", 9, ANSWERS, impact_answers=IMPACT
        )
    for scales in ({"emotional": 11}, {"conduct": -1}, {"peer": True}, {"prosocial": 2.5}):
        with pytest.raises(BadInput):
            sdq_service.record_scales(vault, case_id, TODAY, "parent", 9, scales)  # type: ignore[arg-type]
    with pytest.raises(BadInput):
        sdq_service.record_scales(vault, case_id, TODAY, "parent", 9, {"emotional": 2}, impact=11)
    with pytest.raises(CaseNotFound):
        sdq_service.record_answers(vault, "no-such-case", TODAY, "parent", 9, ANSWERS)
    with pytest.raises(CaseNotFound):
        sdq_service.record_scales(vault, "no-such-case", TODAY, "parent", 9, {"emotional": 2})
    assert vault.change_seq() == seq
    assert stored(vault, case_id) == []


def test_scale_scores_are_stored_with_derived_scores(vault: Vault) -> None:
    case_id = case(vault)
    scales = {"emotional": 3, "conduct": 4, "hyperactivity": 7, "peer": 2, "prosocial": 8}
    aid, _c = sdq_service.record_scales(vault, case_id, TODAY, "teacher", 12, scales, impact=3)
    [row] = stored(vault, case_id)
    assert row.answers is None and row.version == "teacher-4-17"
    assert json.loads(row.scale_scores or "") == {**scales, "impact": 3}
    [assessment] = sdq_service.assessments(vault, case_id)
    assert assessment.row.id == aid
    assert assessment.scores == sdq.scores_from_scales(3, 4, 7, 2, 8, impact=3)
    assert (assessment.scores.total, assessment.scores.externalising) == (16, 11)
    assert assessment.scores.internalising == 5
    assert assessment.bands == sdq.bands(assessment.version, assessment.scores)

    # A scale left out is missing; so are the totals that need it.
    pid, _c = sdq_service.record_scales(
        vault, case_id, TODAY, "parent", 12, {**scales, "peer": None}
    )
    partial = scored(vault, case_id, pid)
    assert partial.scores.peer is None and partial.scores.total is None
    assert partial.scores.externalising == 11 and partial.bands["peer"] is None


def test_scale_scores_with_no_known_scale_are_refused(vault: Vault) -> None:
    # BUG: record_scales reads only the five known keys, so a misspelt key is
    # silently dropped and an assessment without a single score is stored
    # (the table's "never neither" check sees a JSON object, not NULL).
    case_id = case(vault)
    seq = vault.change_seq()
    for scales in ({}, {"emotion": 4}, dict.fromkeys(sdq.SCALES)):
        with pytest.raises(BadInput):
            sdq_service.record_scales(vault, case_id, TODAY, "parent", 9, scales)
    assert vault.change_seq() == seq
    assert stored(vault, case_id) == []


def test_the_series_is_in_date_order_with_the_interventions_starts(vault: Vault) -> None:
    case_id = case(vault)
    site_id = cases_service.get_case(vault, case_id).site_id
    forum = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert forum is not None
    meeting_id, _c = CalendarService(vault).add_meeting(
        forum.id, site_id, datetime(2026, 6, 2, 12, 30)
    )
    item, _c = agenda_service.add_case_item(vault, meeting_id, case_id)
    types = {key: tid for tid, key, _name in interventions_repo.types(vault.conn)}
    minutes_service.add_intervention(
        vault, item, types["parent-guidance"], "Faste rutiner.", date(2026, 9, 1)
    )
    minutes_service.add_intervention(
        vault, item, types["divorce-group"], "Tale om det.", date(2026, 6, 15)
    )

    november, march, june = date(2026, 11, 20), date(2026, 3, 2), date(2026, 6, 1)
    sdq_service.record_answers(vault, case_id, november, "parent", 9, "1011011100100110110011010")
    sdq_service.record_scales(
        vault, case_id, march, "teacher", 9, dict.fromkeys(sdq.SCALES, 6), impact=None
    )
    sdq_service.record_answers(vault, case_id, june, "parent", 9, ANSWERS, impact_answers=IMPACT)

    series = sdq_service.series(vault, case_id)
    assert [(p.on, p.informant, p.version) for p in series.points] == [
        (march, "teacher", "teacher-4-17"),
        (june, "parent", "parent-4-17"),
        (november, "parent", "parent-4-17"),
    ]
    by_date = {a.row.on_date: a for a in sdq_service.assessments(vault, case_id)}
    for point in series.points:
        assert dict(point.scores) == by_date[point.on.isoformat()].scores.as_dict()
        assert dict(point.bands) == by_date[point.on.isoformat()].bands
    assert series.points[0].scores["total"] == 24
    assert series.intervention_starts == (
        (date(2026, 6, 15), "Divorce group"),
        (date(2026, 9, 1), "Parent guidance"),
    )
    da = translator("da")
    danish = sdq_service.series(vault, case_id, "da")
    assert danish.points == series.points
    assert danish.intervention_starts == (
        (date(2026, 6, 15), da("Divorce group")),
        (date(2026, 9, 1), da("Parent guidance")),
    )
    assert da("Divorce group") != "Divorce group"

    # Another child's assessments stay out of the series.
    other = case(vault)
    sdq_service.record_answers(vault, other, TODAY, "parent", 9, ANSWERS)
    assert len(sdq_service.series(vault, case_id).points) == 3
    assert sdq_service.series(vault, other).intervention_starts == ()
