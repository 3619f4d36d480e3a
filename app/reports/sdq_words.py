"""SDQ scores in words: the measurements and the names of scales, bands and forms.

Without reportlab, so the window can name them without loading the PDF
machinery at start-up; app/reports/sdq_chart.py prints them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

Translate = Callable[[str], str]


@dataclass(frozen=True)
class SdqPoint:
    """One completed questionnaire: who answered, which form, the scores and bands.

    ``scores`` and ``bands`` are keyed by emotional, conduct, hyperactivity,
    peer, prosocial and total; ``scores`` may also hold externalising and
    internalising. None is a score or band that could not be computed.
    """

    on: date
    informant: str  # "parent" | "teacher" | "self", or a word printed as given
    version: str  # the form's key, e.g. "parent-4-17" (printed "ages 4–17")
    scores: Mapping[str, int | None]
    bands: Mapping[str, str | None]


@dataclass(frozen=True)
class SdqSeries:
    """A child's measurements and the interventions started meanwhile (date, label)."""

    points: tuple[SdqPoint, ...]
    intervention_starts: tuple[tuple[date, str], ...]


SCALES = ("emotional", "conduct", "hyperactivity", "peer", "prosocial")
TOTAL = "total"


def scale_names(_: Translate) -> dict[str, str]:
    """The scales' printed names, in table order."""
    return {
        "emotional": _("Emotional symptoms"),
        "conduct": _("Conduct problems"),
        "hyperactivity": _("Hyperactivity / inattention"),
        "peer": _("Peer relationship problems"),
        "prosocial": _("Prosocial behaviour"),
        TOTAL: _("Total difficulties"),
        "externalising": _("Externalising"),
        "internalising": _("Internalising"),
        "impact": _("Impact"),
    }


def band_words(_: Translate) -> dict[str, str]:
    """The band keys of the three- and four-band norms as printed words."""
    return {
        "normal": _("normal"),
        "borderline": _("borderline"),
        "abnormal": _("abnormal"),
        "close_to_average": _("close to average"),
        "slightly_raised": _("slightly raised"),
        "slightly_lowered": _("slightly lowered"),
        "high": _("high"),
        "low": _("low"),
        "very_high": _("very high"),
        "very_low": _("very low"),
    }


def version_name(version: str, informant: str, _: Translate) -> str:
    """A form's key as printed: "parent-4-17" -> "ages 4–17", anything else as given."""
    match = re.fullmatch(rf"(?:{re.escape(informant)}-)?(\d+)-(\d+)", version)
    if match is None:
        return version
    return _("ages {low}–{high}").format(low=match[1], high=match[2])


def informant_name(informant: str, _: Translate) -> str:
    """``informant`` as printed: the known keys translated, anything else as given."""
    known = {"parent": _("Parent"), "teacher": _("Teacher"), "self": _("Self-report")}
    return known.get(informant, informant)
