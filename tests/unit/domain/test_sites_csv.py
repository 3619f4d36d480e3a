from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar_model import SiteKind
from app.domain.sites_csv import (
    COLUMN_ALIASES,
    ContactRow,
    LineError,
    ParsedFile,
    SiteRow,
    parse,
)

BOM = b"\xef\xbb\xbf"

DANISH_EXCEL = (
    "Type;Navn;Art;Skoledistrikt;Adresse;Leder;Rolle;Institution;Organisation;Telefon;E-mail\r\n"
    "institution;Børnehuset Æblehaven;børnehave;Nord;Møllevej 3;Åse Øster;;;;;\r\n"
    "institution;Skovgårdsskolen;skole;Nord;;;;;;;\r\n"
    ";;;;;;;;;;\r\n"
    "kontakt;Søren Ærø;;;;;Sundhedsplejerske;Skovgårdsskolen;Sundhedsplejen;+45 12 34 56 78;"
    "soren@kommune.dk\r\n"
).encode()

ENGLISH_COMMAS = (
    b"type,name,kind,district,address,leader,role,site,organisation,phone,email\n"
    b'site,"Oak Hill, day-care",day-care,South,"1 Oak Road, Town",Kim,,,,,\n'
    b"site,Family day-care South,family-day-care,South,,,,,,,\n"
    b"contact,Pat Lee,,,,,PPR psychologist,,PPR,(555) 123-4567,pat@example.org\n"
)


def reasons(parsed: ParsedFile) -> list[tuple[int, str]]:
    return [(e.line, e.reason) for e in parsed.errors]


def test_danish_excel_file_with_bom_and_semicolons() -> None:
    parsed = parse(BOM + DANISH_EXCEL)
    assert parsed.errors == ()
    assert parsed.sites == (
        SiteRow(2, "Børnehuset Æblehaven", SiteKind.DAYCARE, "Nord", "Møllevej 3", "Åse Øster"),
        SiteRow(3, "Skovgårdsskolen", SiteKind.SCHOOL, "Nord", "", ""),
    )
    assert parsed.contacts == (
        ContactRow(
            5,
            "Søren Ærø",
            "Sundhedsplejerske",
            "Skovgårdsskolen",
            "Sundhedsplejen",
            "+45 12 34 56 78",
            "soren@kommune.dk",
        ),
    )


def test_the_same_file_without_bom_parses_the_same() -> None:
    assert parse(DANISH_EXCEL) == parse(BOM + DANISH_EXCEL)


def test_comma_file_with_quoted_fields() -> None:
    parsed = parse(ENGLISH_COMMAS)
    assert parsed.errors == ()
    assert [s.name for s in parsed.sites] == ["Oak Hill, day-care", "Family day-care South"]
    assert parsed.sites[0].address == "1 Oak Road, Town"
    assert parsed.sites[1].kind is SiteKind.FAMILY_DAYCARE
    assert parsed.contacts[0].phone == "(555) 123-4567"
    assert parsed.contacts[0].site == ""


def test_norwegian_words_and_sloppy_header_names() -> None:
    data = (
        b" TYPE ; Navn ; Slags ; Skolekrets ; E-post ; Telefon\n"
        b"enhet;Solsikken;barnehage;Vest;;\n"
        b"enhet;Dagmamma;familiebarnehage;Vest;;\n"
        b"enhet;Huset;annet;Vest;;\n"
        b"kontakt;Kari;;;kari@kommune.no;22 33 44 55\n"
    )
    parsed = parse(data)
    assert parsed.errors == ()
    assert [s.kind for s in parsed.sites] == [
        SiteKind.DAYCARE,
        SiteKind.FAMILY_DAYCARE,
        SiteKind.OTHER,
    ]
    assert parsed.contacts[0].email == "kari@kommune.no"


def test_one_bad_line_is_reported_and_the_good_rows_are_still_listed() -> None:
    data = (
        b"type;name;kind;district\n"
        b"site;Good school;school;North\n"
        b"site;Bad place;castle;North\n"
        b"contact;Anna;;\n"
    )
    parsed = parse(data)
    ((line, reason),) = reasons(parsed)
    assert line == 3 and reason.startswith('The column "kind" has an unknown kind;')
    assert [s.name for s in parsed.sites] == ["Good school"]
    assert [c.name for c in parsed.contacts] == ["Anna"]


def test_every_kind_of_bad_line() -> None:
    data = (
        b"Type;Navn;Art;Distrikt;Telefon;E-mail\n"  # 1
        b"planet;Mars;;;;\n"  # 2 unknown type
        b";Nobody;;;;\n"  # 3 empty type
        b"site;;school;North;;\n"  # 4 missing name
        b"site;A;;North;;\n"  # 5 missing kind
        b"site;B;castle;North;;\n"  # 6 unknown kind
        b"site;C;school;;;\n"  # 7 no district
        b"contact;D;;;;d@nodot\n"  # 8 invalid e-mail
        b"contact;E;;;12 34 AB;\n"  # 9 phone with letters
        b"site;  c ;school;North;;\n"  # 10 duplicate of line 7 (case and spaces ignored)
        b"site;F;school\n"  # 11 too few fields
        b"site;G;school;North;;;surplus\n"  # 12 too many fields
        b"contact;H;;;;two@@example.com\n"  # 13 invalid e-mail
    )
    parsed = parse(data)
    assert reasons(parsed) == [
        (2, 'The column "Type" must say site or contact.'),
        (3, 'The column "Type" is empty; write site or contact.'),
        (4, 'The column "Navn" is empty; every row needs a name.'),
        (5, 'The column "Art" is empty; a site needs a kind.'),
        (
            6,
            'The column "Art" has an unknown kind; use day-care, family-day-care, school or other.',
        ),
        (7, 'The column "Distrikt" is empty; a site needs a district.'),
        (8, 'The e-mail address in column "E-mail" is not valid.'),
        (9, 'The phone number in column "Telefon" contains letters.'),
        (10, "A site with the same name is already on line 7."),
        (11, "This line has 3 fields but the header row has 6."),
        (12, "This line has 7 fields but the header row has 6."),
        (13, 'The e-mail address in column "E-mail" is not valid.'),
    ]
    assert parsed.sites == () and parsed.contacts == ()


def test_a_line_can_have_several_problems() -> None:
    parsed = parse(b"type,name,phone,email\ncontact,,abc,nope\n")
    assert [line for line, _ in reasons(parsed)] == [2, 2, 2]


def test_missing_required_header_columns_are_reported_on_line_1() -> None:
    parsed = parse(b"navn;adresse\nSkolen;Vej 1\n")
    assert reasons(parsed) == [
        (1, 'The required column "type" is missing from the header row.'),
    ]
    parsed = parse(b"kind;district\nschool;North\n")
    assert [line for line, _ in reasons(parsed)] == [1, 1]


def test_site_rows_need_kind_and_district_columns_reported_once() -> None:
    parsed = parse(b"type,name\nsite,A\nsite,B\ncontact,C\n")
    assert reasons(parsed) == [
        (1, 'The column "kind" is missing from the header row; site rows need it.'),
        (1, 'The column "district" is missing from the header row; site rows need it.'),
    ]
    assert parsed.contacts == (ContactRow(4, "C", "", "", "", "", ""),)


def test_a_contacts_only_file_needs_no_site_columns() -> None:
    parsed = parse(b"type,name,email\ncontact,Anna,anna@example.dk\n")
    assert parsed.errors == () and len(parsed.contacts) == 1


def test_duplicate_header_column_is_an_error() -> None:
    parsed = parse(b"type;name;navn\nsite;A;B\n")
    assert reasons(parsed) == [
        (1, 'The column "navn" appears more than once in the header row.'),
    ]


def test_not_utf8_is_one_error_at_line_0() -> None:
    parsed = parse("type;name\nsite;Børnehaven\n".encode("cp1252"))
    assert parsed == ParsedFile(
        (), (), (LineError(0, "The file is not UTF-8 text; save it as CSV UTF-8."),)
    )


def test_empty_file() -> None:
    for data in (b"", BOM, b"\n\n  \r\n"):
        (error,) = parse(data).errors
        assert error.line == 0


def test_line_numbers_are_physical_lines_across_multi_line_fields_and_blank_lines() -> None:
    data = (
        b"type,name,kind,district,address\n"  # 1
        b'"site","A","school","N","Line one\n'  # 2
        b'line two"\n'  # 3
        b"\n"  # 4
        b"site,B,castle,N,\n"  # 5
    )
    parsed = parse(data)
    assert parsed.sites[0].line == 2
    assert parsed.sites[0].address == "Line one\nline two"
    assert [line for line, _ in reasons(parsed)] == [5]


def test_leading_blank_lines_and_excel_sep_line() -> None:
    parsed = parse(b"sep=;\ntype;name;kind;district\nsite;A, B;school;N\n")
    assert parsed.errors == ()
    assert parsed.sites[0].name == "A, B" and parsed.sites[0].line == 3
    parsed = parse(b"\r\n\r\ntype,name,kind,district\r\nsite,A,school,N,\r\n")
    assert parsed.errors == () and parsed.sites[0].line == 4


def test_old_mac_line_endings_count_as_lines() -> None:
    parsed = parse(b"type,name,kind,district\rsite,A,school,N\rsite,B,nope,N\r")
    assert [line for line, _ in reasons(parsed)] == [3]


def test_decomposed_letters_are_normalised() -> None:
    # macOS writes å as a + combining ring; Windows writes one character.
    parsed = parse("type;name;kind;oppvekstomra\u030ade\nsite;A\u030abo;skole;N\n".encode())
    assert parsed.errors == ()
    assert parsed.sites[0].name == "\u00c5bo"
    assert parsed.sites[0].district == "N"


def test_a_field_over_the_csv_size_limit_is_reported_not_raised() -> None:
    data = b"type,name\nsite," + b"x" * 200_000 + b"\n"
    (error,) = parse(data).errors
    assert error.line == 2


SITE_VALUES = {
    "type": "site",
    "name": "A",
    "kind": "skole",
    "district": "Nord",
    "address": "Vej 1",
    "leader": "Bo",
}
CONTACT_VALUES = {
    "type": "contact",
    "name": "A",
    "role": "PPR",
    "site": "Skolen",
    "organisation": "Kommunen",
    "phone": "12 34",
    "email": "a@b.dk",
}


def test_every_alias_reads_into_its_field() -> None:
    for column, aliases in COLUMN_ALIASES.items():
        values = SITE_VALUES if column in SITE_VALUES else CONTACT_VALUES
        for alias in aliases:
            header = ";".join(alias.upper() if key == column else key for key in values)
            parsed = parse(f"{header}\n{';'.join(values.values())}\n".encode())
            assert parsed.errors == (), alias
            (row,) = parsed.sites + parsed.contacts
            if column != "type":
                expected = "school" if column == "kind" else values[column]
                assert getattr(row, column) == expected, alias


def test_error_messages_never_repeat_cell_values() -> None:
    parsed = parse(b"type,name,kind,district,email\nsite,Secret Child,Secretkind,N,x\n")
    assert parsed.errors
    assert all("Secret" not in e.reason for e in parsed.errors)


@given(st.binary(max_size=400))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    assert isinstance(parse(data), ParsedFile)


csv_like = st.text(
    alphabet=st.sampled_from(list('type,name;kind district site contact "\r\n\t\ufeffæ@.x')),
    max_size=300,
)


@given(csv_like)
def test_any_csv_like_text_parses_without_raising(text: str) -> None:
    parsed = parse(text.encode("utf-8"))
    assert isinstance(parsed, ParsedFile)
    assert all(error.line >= 0 for error in parsed.errors)
