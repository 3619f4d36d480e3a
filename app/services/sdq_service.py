"""SDQ assessments: record the answers (or scale scores) and read the series.

The instrument (scales, reversed items, bands) comes from the data file in
resources/instruments/ — never any item wording (see shared/domain/sdq.md).
Scores are computed when read, so loading a municipality's local norms
re-bands every earlier assessment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain import sdq
from app.domain.seeded_names import display_name
from app.errors import BadInput
from app.i18n import _, translator
from app.instruments import default_sdq
from app.reports.sdq_words import SdqPoint, SdqSeries
from app.services import cases_service
from app.services.changes import Changes
from app.store import interventions_repo, sdq_repo
from app.store.sdq_repo import AssessmentRow
from app.store.vault import Vault


@dataclass(frozen=True)
class Assessment:
    """A stored assessment with its computed scores and bands."""

    row: AssessmentRow
    version: sdq.Version
    scores: sdq.Scores
    bands: dict[str, str | None]


def _version(informant: str, age: int) -> sdq.Version:
    try:
        return sdq.choose_version(default_sdq(), informant, age)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def record_answers(
    vault: Vault,
    case_id: str,
    on: date,
    informant: str,
    age: int,
    answers: str,
    impact_answers: Sequence[int | None] | None = None,
    no_difficulties: bool = False,
) -> tuple[str, Changes]:
    """Record the 25 answers by item number (``0``/``1``/``2``/``.``) and the impact answers."""
    cases_service.get_case(vault, case_id)
    version = _version(informant, age)
    try:
        sdq.parse_answers(answers)
        sdq.score_impact(version, impact_answers, no_difficulties)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    with vault.transaction() as conn:
        aid = sdq_repo.add(
            conn,
            vault.ctx,
            case_id=case_id,
            on_date=on.isoformat(),
            informant=informant,
            version=version.key,
            answers=answers,
            impact_answers=None if impact_answers is None else json.dumps(list(impact_answers)),
            no_difficulties=int(no_difficulties),
        )
    return aid, Changes.of("sdq_assessments", aid)


def record_scales(
    vault: Vault,
    case_id: str,
    on: date,
    informant: str,
    age: int,
    scales: dict[str, int | None],
    impact: int | None = None,
) -> tuple[str, Changes]:
    """Record the five scale scores (+ impact) read off the publisher's scoring."""
    cases_service.get_case(vault, case_id)
    version = _version(informant, age)
    unknown = set(scales) - set(sdq.SCALES)
    if unknown or all(scales.get(key) is None for key in sdq.SCALES):
        raise BadInput(_("Give at least one of the five scale scores, by the scale's name."))
    try:
        sdq.scores_from_scales(*(scales.get(key) for key in sdq.SCALES), impact=impact)
    except (ValueError, TypeError) as exc:
        raise BadInput(str(exc)) from None
    with vault.transaction() as conn:
        aid = sdq_repo.add(
            conn,
            vault.ctx,
            case_id=case_id,
            on_date=on.isoformat(),
            informant=informant,
            version=version.key,
            scale_scores=json.dumps({**{k: scales.get(k) for k in sdq.SCALES}, "impact": impact}),
        )
    return aid, Changes.of("sdq_assessments", aid)


def _score(row: AssessmentRow, instrument: sdq.Instrument) -> Assessment:
    version = instrument.versions[row.version]
    if row.answers is not None:
        impact_answers = json.loads(row.impact_answers) if row.impact_answers else None
        impact = sdq.score_impact(version, impact_answers, row.no_difficulties)
        scores = sdq.score_answers(instrument, sdq.parse_answers(row.answers), impact)
    else:
        stored = json.loads(row.scale_scores or "{}")
        scores = sdq.scores_from_scales(
            *(stored.get(key) for key in sdq.SCALES), impact=stored.get("impact")
        )
    return Assessment(row, version, scores, sdq.bands(version, scores))


def assessments(vault: Vault, case_id: str) -> list[Assessment]:
    """A child's assessments with scores and bands, oldest first."""
    instrument = default_sdq()
    return [_score(row, instrument) for row in sdq_repo.of_case(vault.conn, case_id)]


def series(vault: Vault, case_id: str, lang: str | None = None) -> SdqSeries:
    """The before/after picture: every assessment, and the interventions' start dates."""
    tr = translator(lang) if lang else _
    points = tuple(
        SdqPoint(
            on=date.fromisoformat(a.row.on_date),
            informant=a.row.informant,
            version=a.version.key,
            scores=a.scores.as_dict(),
            bands=a.bands,
        )
        for a in assessments(vault, case_id)
    )
    starts = tuple(
        (date.fromisoformat(i.start_on), tr(display_name(i.type_name)))
        for i in interventions_repo.of_case(vault.conn, case_id)
    )
    return SdqSeries(points=points, intervention_starts=starts)
