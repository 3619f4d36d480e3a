"""How a case item is named on a meeting's agenda, minutes and exports.

Named (full name and birth date) only when the consent rule holds for that
meeting, or, in Denmark, when the agenda item records a single-meeting
exchange without consent under serviceloven §49a. Otherwise the child is
shown by first name (or pseudonym) and age or year group.

The §49a flag belongs to one agenda item: it names the child on that item
only and never turns the case into a named case. Whether §49a applies (only
in Denmark) is the service's decision; this module only honours the flag.

The full name is the first name and the surname as recorded; ``other_names``
are not shown (they are what the leak detector looks for in anonymised text).

Pure: no I/O and no clock. The caller passes the meeting date.
"""

from __future__ import annotations

from datetime import date

from app.domain.case_model import CaseFacts, CaseKind
from app.i18n import catalogue, current_language


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day``.

    A child born on 29 February turns a year older on 1 March in years
    without that day. Raises ValueError when ``day`` is before the birth.
    """
    if day < birth_date:
        raise ValueError("day is before the birth date")
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def anonymous_label(case: CaseFacts, day: date, lang: str | None = None) -> str:
    """First name (or pseudonym) and age or year group, e.g. "Emma (5 years)".

    The recorded ``age_or_year`` ("5 år", "2.b") wins, since the advisor chose
    it; else the age on ``day`` when a birth date is known (a birth date after
    ``day`` is a typing error and is left out); else just the first name.
    ``lang`` writes the label in a document's language (None: the UI's).
    """
    words = catalogue(lang)
    first_name = case.first_name.strip() or words.gettext("Unnamed child")
    age_or_year = case.age_or_year.strip()
    if age_or_year:
        return words.gettext("{first_name} ({age_or_year})").format(
            first_name=first_name, age_or_year=age_or_year
        )
    if case.birth_date is not None and case.birth_date <= day:
        age = age_on(case.birth_date, day)
        return words.ngettext(
            "{first_name} ({age} year)", "{first_name} ({age} years)", age
        ).format(first_name=first_name, age=age)
    return first_name


def named_label(case: CaseFacts, lang: str | None = None) -> str:
    """Full name and birth date (ISO), e.g. "Emma Skov (born 2019-11-23)".

    ``lang`` writes it in a document's language (None: the UI's). Raises
    ValueError when the surname or the birth date is not recorded.
    """
    surname = (case.surname or "").strip()
    if not surname or case.birth_date is None:
        raise ValueError("a named label needs the surname and the birth date")
    name = " ".join(part for part in (case.first_name.strip(), surname) if part)
    # Danish and Norwegian readers write dates day first (23.11.2019).
    shown = case.birth_date.isoformat()
    if (lang or current_language()) in ("da", "nb"):
        shown = case.birth_date.strftime("%d.%m.%Y")
    return catalogue(lang).gettext("{name} (born {date})").format(name=name, date=shown)


def display_name(case: CaseFacts, meeting_date: date, consent_ok: bool, sl49a: bool = False) -> str:
    """The label of a case item on the meeting of ``meeting_date``.

    Named when the case is named and either the consent rule holds
    (``consent_ok``) or the item carries the §49a flag; an anonymous case is
    named only by the §49a flag and only when its surname and birth date are
    known for that item. A named case missing either falls back to the
    anonymous label rather than failing a print.
    """
    has_identity = bool((case.surname or "").strip()) and case.birth_date is not None
    if case.kind is CaseKind.NAMED:
        named = consent_ok or sl49a
    else:
        # Consent alone does not rename an anonymous case: the advisor must
        # convert it first (may_become_named), which records who and when.
        named = sl49a
    if named and has_identity:
        return named_label(case)
    return anonymous_label(case, meeting_date)
