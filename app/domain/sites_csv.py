"""Reading the sites-and-contacts CSV file (``samraad sites import F.csv``).

One file holds both sites and contacts, one per row, told apart by the
``type`` column (``site`` or ``contact``), so an advisor keeps a single
spreadsheet. The first non-blank row names the columns; names are matched
without regard to case, spaces, hyphens or dots, in English, Danish or
Norwegian (see ``COLUMN_ALIASES``). Unknown columns are ignored.

Columns:

* ``type`` (required): ``site``/``contact``, or institution, enhed, enhet /
  kontakt.
* ``name`` / navn (required).
* ``kind`` / art / slags: for sites: day-care, family-day-care, school,
  other, or the Danish and Norwegian words (børnehave, dagpleje, skole ...).
* ``district`` / distrikt / skoledistrikt / skolekrets / oppvekstområde:
  required for sites.
* ``address`` / adresse, ``leader`` / leder: for sites, optional.
* ``role`` / rolle, ``site`` / institution / enhed / enhet (the site's name),
  ``organisation`` / organisasjon, ``phone`` / telefon, ``email`` / e-mail /
  e-post: for contacts, optional. The service matches role and site later.

The file is UTF-8 with or without BOM, separated by semicolons (what Danish
and Norwegian Excel writes) or commas, chosen by counting them in the header
line; an Excel ``sep=;`` first line is honoured. Import is all or nothing:
the service writes nothing when ``errors`` is not empty, and every bad line
is reported with its physical line number and one translated sentence that
names the column but never repeats a value (values may be personal data).

Pure: this module parses bytes; the service reads the file and writes the vault.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from app.domain.calendar_model import SiteKind
from app.i18n import _

TYPE = "type"
NAME = "name"
KIND = "kind"
DISTRICT = "district"
ADDRESS = "address"
LEADER = "leader"
ROLE = "role"
SITE = "site"
ORGANISATION = "organisation"
PHONE = "phone"
EMAIL = "email"

REQUIRED_COLUMNS = (TYPE, NAME)
# Not needed by a contacts-only file, so only required once a site row appears.
REQUIRED_FOR_SITES = (KIND, DISTRICT)

# Header names per column, compared after _squash (case, spaces, hyphens and
# dots ignored), so "E-mail", "email" and "E mail" are one name.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    TYPE: ("type", "row type", "rækketype", "radtype"),
    NAME: ("name", "navn"),
    KIND: (
        "kind",
        "art",
        "slags",
        "site kind",
        "institutionstype",
        "institutionsart",
        "enhedstype",
        "enhetstype",
    ),
    DISTRICT: ("district", "distrikt", "skoledistrikt", "skolekrets", "oppvekstområde"),
    ADDRESS: ("address", "adresse"),
    LEADER: ("leader", "leder"),
    ROLE: ("role", "rolle", "funktion", "funksjon"),
    SITE: ("site", "institution", "enhed", "enhet"),
    ORGANISATION: ("organisation", "organization", "organisasjon"),
    PHONE: ("phone", "telephone", "telefon", "tlf", "telefonnummer"),
    EMAIL: ("email", "e-mail", "mail", "epost", "e-post"),
}

# Values of the type column.
ROW_SITE = "site"
ROW_CONTACT = "contact"

ROW_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    ROW_SITE: ("site", "institution", "enhed", "enhet"),
    ROW_CONTACT: ("contact", "kontakt", "kontaktperson"),
}

KIND_WORDS: dict[SiteKind, tuple[str, ...]] = {
    SiteKind.DAYCARE: (
        "day-care",
        "dagtilbud",
        "børnehave",
        "vuggestue",
        "daginstitution",
        "barnehage",
    ),
    SiteKind.FAMILY_DAYCARE: ("family-day-care", "dagpleje", "familiebarnehage"),
    SiteKind.SCHOOL: ("school", "skole"),
    SiteKind.OTHER: ("other", "andet", "annet"),
}

_K = TypeVar("_K")

_SEPARATORS = (";", ",", "\t", "|")
# Keeps an odd header cell from turning an error message into a paragraph.
_MAX_LABEL = 40


@dataclass(frozen=True)
class SiteRow:
    """One valid site row; ``line`` is its physical line number in the file."""

    line: int
    name: str
    kind: SiteKind
    district: str
    address: str
    leader: str


@dataclass(frozen=True)
class ContactRow:
    """One valid contact row; ``site`` is a site name, resolved by the service."""

    line: int
    name: str
    role: str
    site: str
    organisation: str
    phone: str
    email: str


@dataclass(frozen=True)
class LineError:
    """One problem: the physical line (0 for the whole file) and one sentence."""

    line: int
    reason: str


@dataclass(frozen=True)
class ParsedFile:
    """The valid rows and every problem found; import only when ``errors`` is empty."""

    sites: tuple[SiteRow, ...]
    contacts: tuple[ContactRow, ...]
    errors: tuple[LineError, ...]


def _squash(text: str) -> str:
    """Case- and punctuation-blind form for matching header names and words."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def _lookup(table: Mapping[_K, tuple[str, ...]]) -> dict[str, _K]:
    """Squashed word -> its key; refuses a word that would belong to two keys."""
    result: dict[str, _K] = {}
    for key, words in table.items():
        for word in words:
            if result.setdefault(_squash(word), key) != key:
                raise ValueError(f"{word!r} is listed for two columns or values")
    return result


_HEADER_LOOKUP = _lookup(COLUMN_ALIASES)
_ROW_TYPE_LOOKUP = _lookup(ROW_TYPE_WORDS)
_KIND_LOOKUP = _lookup(KIND_WORDS)


def parse(data: bytes) -> ParsedFile:
    """Parse the whole file; never raises, every problem is a LineError.

    Rows with a problem are left out of ``sites`` and ``contacts``; the rest
    are kept so the caller can show what would have been imported. Errors are
    sorted by line; one line can have several.
    """
    try:
        text = data.decode("utf-8-sig")  # strips a BOM if there is one
    except UnicodeDecodeError:
        return _fail(0, _("The file is not UTF-8 text; save it as CSV UTF-8."))

    # newline="" splits on \n, \r\n and \r only: the line ends a text editor counts.
    lines = io.StringIO(text, newline="").readlines()
    offset = 0
    separator: str | None = None
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        separator = _excel_separator(lines[first])
        if separator is not None:
            offset = first + 1
        else:
            header_text = lines[first]
            separator = ";" if header_text.count(";") > header_text.count(",") else ","

    records, read_error = (
        ([], None) if separator is None else _read_records(lines, offset, separator)
    )
    errors: list[LineError] = [] if read_error is None else [read_error]
    if not records:
        if not errors:
            reason = _("The file is empty; the first line must name the columns.")
            errors.append(LineError(0, reason))
        return ParsedFile((), (), tuple(errors))

    header_line, header = records[0]
    columns, labels, header_errors = _read_header(header_line, header)
    if header_errors:
        # Without a usable header no row can be read right.
        return ParsedFile((), (), tuple(sorted(errors + header_errors, key=_by_line)))

    width = _last_named(header) + 1
    sites: list[SiteRow] = []
    contacts: list[ContactRow] = []
    site_lines: dict[str, int] = {}
    any_site = False
    for line, record in records[1:]:
        count_problem = _field_count_problem(record, width)
        if count_problem is not None:
            # Every later column would be read from the wrong field: no further checks.
            errors.append(LineError(line, count_problem))
            continue
        values = {key: _clean(record[index]) for key, index in columns.items()}
        reasons, row_type = _check_common(values, labels)
        row: SiteRow | ContactRow | None = None
        if row_type == ROW_SITE:
            any_site = True
            more, row = _check_site(line, values, labels)
            reasons += more
            duplicate = _duplicate_site(line, values.get(NAME, ""), site_lines)
            if duplicate is not None:
                reasons.append(duplicate)
        elif row_type == ROW_CONTACT:
            more, row = _check_contact(line, values, labels)
            reasons += more
        errors.extend(LineError(line, reason) for reason in reasons)
        if reasons or row is None:
            continue
        if isinstance(row, SiteRow):
            sites.append(row)
        else:
            contacts.append(row)

    if any_site:
        # Reported once here instead of on every site row.
        for key in REQUIRED_FOR_SITES:
            if key not in columns:
                reason = _(
                    'The column "{column}" is missing from the header row; site rows need it.'
                ).format(column=key)
                errors.append(LineError(header_line, reason))
    return ParsedFile(tuple(sites), tuple(contacts), tuple(sorted(errors, key=_by_line)))


def _fail(line: int, reason: str) -> ParsedFile:
    return ParsedFile((), (), (LineError(line, reason),))


def _by_line(error: LineError) -> int:
    return error.line


def _excel_separator(line: str) -> str | None:
    """The separator from an Excel ``sep=;`` line, or None if the line is not one."""
    stripped = line.strip()
    if len(stripped) == 5 and stripped[:4].casefold() == "sep=" and stripped[4] in _SEPARATORS:
        return stripped[4]
    return None


def _read_records(
    lines: list[str], offset: int, separator: str
) -> tuple[list[tuple[int, list[str]]], LineError | None]:
    """Non-blank records from ``lines[offset:]`` with the physical line each starts on.

    The reader's ``line_num`` counts the lines it consumed, so a quoted field
    spanning lines does not shift the numbers of the rows after it. Rows of
    only separators (Excel writes them for formatted empty rows) are blank.
    """
    reader = csv.reader(iter(lines[offset:]), delimiter=separator, skipinitialspace=True)
    records: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for record in reader:
            start = offset + consumed + 1
            consumed = reader.line_num
            if any(field.strip() for field in record):
                records.append((start, record))
    except csv.Error:
        # The csv module cannot go on after this (e.g. a field over its size
        # limit), so the rest of the file is not read.
        reason = _("This line cannot be read as CSV; check the quotation marks.")
        return records, LineError(offset + consumed + 1, reason)
    return records, None


def _last_named(header: list[str]) -> int:
    """Index of the last non-empty header cell (Excel may pad with empty ones)."""
    for index in range(len(header) - 1, -1, -1):
        if header[index].strip():
            return index
    return -1


def _label(cell: str) -> str:
    label = " ".join(cell.split())
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _read_header(
    line: int, header: list[str]
) -> tuple[dict[str, int], dict[str, str], list[LineError]]:
    """Map each known column to its index and to the name the file gives it."""
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[LineError] = []
    for index, cell in enumerate(header):
        key = _HEADER_LOOKUP.get(_squash(cell))
        if key is None:
            continue  # extra columns (notes, ...) are allowed and ignored
        if key in columns:
            reason = _('The column "{column}" appears more than once in the header row.')
            errors.append(LineError(line, reason.format(column=_label(cell))))
            continue
        columns[key] = index
        labels[key] = _label(cell)
    for key in REQUIRED_COLUMNS:
        if key not in columns:
            reason = _('The required column "{column}" is missing from the header row.')
            errors.append(LineError(line, reason.format(column=key)))
    return columns, labels, errors


def _field_count_problem(record: list[str], width: int) -> str | None:
    """Too few fields, or more fields than the header with text in the extra ones.

    Empty trailing fields are tolerated: spreadsheets pad rows with separators.
    """
    if len(record) >= width and not any(field.strip() for field in record[width:]):
        return None
    return _("This line has {found} fields but the header row has {expected}.").format(
        found=len(record), expected=width
    )


def _clean(value: str) -> str:
    # NFC so a name typed on macOS (decomposed å) equals the same name typed on Windows.
    return unicodedata.normalize("NFC", value).strip()


def _column(labels: dict[str, str], key: str) -> str:
    """The column as the file names it, for messages."""
    return labels.get(key, key)


def _check_common(values: dict[str, str], labels: dict[str, str]) -> tuple[list[str], str | None]:
    """Check type and name; return the reasons and the row type (None if unknown)."""
    reasons: list[str] = []
    raw_type = values.get(TYPE, "")
    row_type = _ROW_TYPE_LOOKUP.get(_squash(raw_type))
    if not raw_type:
        reason = _('The column "{column}" is empty; write site or contact.')
        reasons.append(reason.format(column=_column(labels, TYPE)))
    elif row_type is None:
        reason = _('The column "{column}" must say site or contact.')
        reasons.append(reason.format(column=_column(labels, TYPE)))
    if not values.get(NAME):
        reason = _('The column "{column}" is empty; every row needs a name.')
        reasons.append(reason.format(column=_column(labels, NAME)))
    return reasons, row_type


def _check_site(
    line: int, values: dict[str, str], labels: dict[str, str]
) -> tuple[list[str], SiteRow | None]:
    reasons: list[str] = []
    raw_kind = values.get(KIND)
    kind = _KIND_LOOKUP.get(_squash(raw_kind or ""))
    # A missing kind or district column (None here) is reported once, on the header line.
    if raw_kind == "":
        reason = _('The column "{column}" is empty; a site needs a kind.')
        reasons.append(reason.format(column=_column(labels, KIND)))
    elif raw_kind is not None and kind is None:
        reason = _(
            'The column "{column}" has an unknown kind; '
            "use day-care, family-day-care, school or other."
        )
        reasons.append(reason.format(column=_column(labels, KIND)))
    district = values.get(DISTRICT)
    if district == "":
        reason = _('The column "{column}" is empty; a site needs a district.')
        reasons.append(reason.format(column=_column(labels, DISTRICT)))
    if kind is None or not district or not values.get(NAME):
        return reasons, None
    return reasons, SiteRow(
        line=line,
        name=values[NAME],
        kind=kind,
        district=district,
        address=values.get(ADDRESS, ""),
        leader=values.get(LEADER, ""),
    )


def _duplicate_site(line: int, name: str, site_lines: dict[str, int]) -> str | None:
    """A reason if a site of this name came earlier in the file; remembers the name."""
    if not name:
        return None
    key = " ".join(name.split()).casefold()
    first = site_lines.setdefault(key, line)
    if first == line:
        return None
    return _("A site with the same name is already on line {line}.").format(line=first)


def _check_contact(
    line: int, values: dict[str, str], labels: dict[str, str]
) -> tuple[list[str], ContactRow | None]:
    reasons: list[str] = []
    email = values.get(EMAIL, "")
    if email and not _plausible_email(email):
        reason = _('The e-mail address in column "{column}" is not valid.')
        reasons.append(reason.format(column=_column(labels, EMAIL)))
    phone = values.get(PHONE, "")
    if any(char.isalpha() for char in phone):
        reason = _('The phone number in column "{column}" contains letters.')
        reasons.append(reason.format(column=_column(labels, PHONE)))
    if not values.get(NAME):
        return reasons, None
    return reasons, ContactRow(
        line=line,
        name=values[NAME],
        role=values.get(ROLE, ""),
        site=values.get(SITE, ""),
        organisation=values.get(ORGANISATION, ""),
        phone=phone,
        email=email,
    )


def _plausible_email(email: str) -> bool:
    """One @ with text on both sides and a dotted domain; no spaces.

    Deliberately simple: it catches a phone number or a name in the wrong
    column, not every address RFC 5322 would refuse.
    """
    if any(char.isspace() for char in email) or email.count("@") != 1:
        return False
    local, _at, domain = email.partition("@")
    labels = domain.split(".")
    return bool(local) and len(labels) >= 2 and all(labels)
