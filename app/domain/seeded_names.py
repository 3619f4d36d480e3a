"""The English names of the seeded roles and forums (schema 3), for the catalogue.

The database stores the English name; the UI shows ``display_name(...)``,
which translates a seeded name the advisor has not renamed.
"""

from __future__ import annotations

from app.i18n import N_, _

SEEDED_NAMES = frozenset(
    {
        N_("Leader"),
        N_("Teacher"),
        N_("Pedagogue"),
        N_("Health visitor"),
        N_("Psychologist"),
        N_("PPR"),
        N_("Occupational therapist"),
        N_("Authority caseworker"),
        N_("Family therapist"),
        N_("SSP worker"),
        N_("Police"),
        N_("Parent"),
        N_("Other"),
        N_("Day-care consultation"),
        N_("School resource team"),
        N_("Dialogue meeting"),
        N_("Network meeting"),
        N_("Half-yearly district meeting"),
        N_("Other meeting"),
        N_("Short counselling course"),
        N_("Learning environment of a child in foster care"),
        N_("Support for refugee children with signs of trauma"),
        N_("Divorce group"),
        N_("Parent guidance"),
        N_("PMTO"),
        N_("Activity group"),
        N_("Other intervention"),
        N_("Concerning absence"),
        N_("The class teacher contacts the parents about the absence"),
        N_("The school leader holds a meeting with the parents and the child"),
        N_("The case is discussed in the resource team with the district advisor"),
        N_(
            "If the absence continues: the school leader considers a notification to child services"
        ),
    }
)

# Words of the stored enums (site kinds, meeting status), shown translated.
ENUM_WORDS = (
    N_("day-care"),
    N_("family-day-care"),
    N_("school"),
    N_("other"),
    N_("planned"),
    N_("held"),
    N_("cancelled"),
    N_("anonymous"),
    N_("named"),
    N_("open"),
    N_("closed"),
)


def display_name(stored: str) -> str:
    """The name to show: translated when it is an untouched seeded name."""
    return _(stored) if stored in SEEDED_NAMES else stored
