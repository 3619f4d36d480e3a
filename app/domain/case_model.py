"""Plain values about cases, guardians and consents, shared by the pure rules.

A case is about one child at one site. No national ID number exists anywhere
in this model (nor in the vault): only names, a birth date and the concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CaseKind(StrEnum):
    """Anonymous (first name or pseudonym) or named (full name and birth date)."""

    ANONYMOUS = "anonymous"
    NAMED = "named"


class CaseStatus(StrEnum):
    """Open or closed."""

    OPEN = "open"
    CLOSED = "closed"


class ConsentForm(StrEnum):
    """How the consent was given."""

    WRITTEN = "written"
    ORAL = "oral"  # documented by someone (``Consent.documented_by``)


@dataclass(frozen=True)
class Guardian:
    """A parent or other guardian of the child."""

    id: str
    name: str
    relation: str
    has_custody: bool
    contact: str = ""


@dataclass(frozen=True)
class Consent:
    """A parental consent to share information about the child.

    ``scope_roles`` are role ids: the professions/bodies that may share and
    receive information under this consent, for ``purpose``.
    """

    id: str
    given_on: date
    form: ConsentForm
    given_by: frozenset[str]  # guardian ids
    scope_roles: frozenset[str]
    purpose: str = ""
    documented_by: str = ""
    valid_until: date | None = None
    withdrawn_on: date | None = None
    withdrawn_by: str = ""
    withdrawal_note: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about one case."""

    id: str
    kind: CaseKind
    first_name: str
    surname: str | None = None
    birth_date: date | None = None
    age_or_year: str = ""
    concern: str = ""
    guardians: tuple[Guardian, ...] = ()
    # Why one custody holder's consent is not required (e.g. contact banned by
    # court order); None means every custody holder must consent.
    custody_exception: str | None = None
    other_names: tuple[str, ...] = field(default=())
