"""Districts, sites and contacts, and the all-or-nothing CSV import, on a real vault."""

from __future__ import annotations

import pytest

from app.domain.calendar_model import SiteKind
from app.errors import BadInput
from app.services import sites_service
from app.services.sites_service import ImportRejected
from app.store import contacts_repo, districts_repo, roles_repo, sites_repo
from app.store.vault import Vault

BOM = "\ufeff"
HEADER = "Type;Navn;Art;Skoledistrikt;Adresse;Leder;Rolle;Institution;Telefon;E-mail"
# Danish Excel: "CSV UTF-8 (semikolonsepareret)" writes a BOM, semicolons and CRLF.
GOOD_LINES = [
    HEADER,  # line 1
    "Institution;Børnehuset Æblehaven;Børnehave;Vestby skoledistrikt;Æblevej 1;;;;;",  # 2
    "Institution;Østby Skole;Skole;Østby skoledistrikt;Skolevej 9;;;;;",  # 3
    "Kontakt;Pia Pedersen;;;;;pedagogue;Børnehuset Æblehaven;+45 11 22 33 44;pia@example.dk",
    "Kontakt;Lars Lund;;;;;Teacher;Østby Skole;;",  # 5
    "Kontakt;Sara Sørensen;;;;;Health visitor;;;",  # 6
]


def excel_csv(lines: list[str]) -> bytes:
    return (BOM + "\r\n".join(lines) + "\r\n").encode("utf-8")


def counts(vault: Vault) -> tuple[int, int, int, int]:
    conn = vault.conn
    return (
        len(sites_repo.list_all(conn)),
        len(contacts_repo.list_all(conn)),
        len(districts_repo.list_all(conn)),
        vault.change_seq(),
    )


def role_id(vault: Vault, key: str) -> str:
    return next(r.id for r in roles_repo.list_all(vault.conn) if r.key == key)


def test_danish_excel_csv_imports_sites_contacts_and_missing_districts(vault: Vault) -> None:
    east, _changes = sites_service.add_district(vault, "Østby skoledistrikt")
    report = sites_service.import_csv(vault, excel_csv(GOOD_LINES))

    assert (report.districts, report.sites, report.contacts) == (1, 2, 3)
    districts = {d.name: d.id for d in districts_repo.list_all(vault.conn)}
    assert set(districts) == {"Østby skoledistrikt", "Vestby skoledistrikt"}
    assert districts["Østby skoledistrikt"] == east  # matched, not duplicated

    sites = {s.name: s for s in sites_repo.list_all(vault.conn)}
    assert set(sites) == {"Børnehuset Æblehaven", "Østby Skole"}
    daycare, school = sites["Børnehuset Æblehaven"], sites["Østby Skole"]
    assert (daycare.kind, daycare.district_id, daycare.address) == (
        SiteKind.DAYCARE,
        districts["Vestby skoledistrikt"],
        "Æblevej 1",
    )
    assert (school.kind, school.district_id) == (SiteKind.SCHOOL, east)

    contacts = {c.name: c for c in contacts_repo.list_all(vault.conn)}
    assert set(contacts) == {"Pia Pedersen", "Lars Lund", "Sara Sørensen"}
    pia = contacts["Pia Pedersen"]
    assert (pia.role_id, pia.site_id) == (role_id(vault, "pedagogue"), daycare.id)
    assert (pia.phone, pia.email) == ("+45 11 22 33 44", "pia@example.dk")
    assert (contacts["Lars Lund"].role_id, contacts["Lars Lund"].site_id) == (
        role_id(vault, "teacher"),
        school.id,
    )
    sara = contacts["Sara Sørensen"]
    assert (sara.role_id, sara.site_id) == (role_id(vault, "health-visitor"), None)

    touched = {daycare.id, school.id, districts["Vestby skoledistrikt"]}
    assert report.changes.ids == touched | {c.id for c in contacts.values()}


# case -> (index in GOOD_LINES, the bad line, its reason); the bad line replaces
# the good one at that index, except where it is a new site (inserted there).
BAD_LINES = {
    "unknown kind": (
        3,
        "Institution;Nordby Skole;Slot;Nordby skoledistrikt;;;;;;",
        "unknown kind",
    ),
    "role not in the list": (
        3,
        "Kontakt;Pia Pedersen;;;;;Astronaut;Børnehuset Æblehaven;;",
        "The role is not in the role list.",
    ),
    "site nowhere": (
        3,
        "Kontakt;Pia Pedersen;;;;;pedagogue;Børnehuset Pæretræet;;",
        "The site is neither in the file nor in Samråd.",
    ),
    # The file is unchanged; the vault already has a site of this name.
    "site already in the vault": (
        2,
        GOOD_LINES[2],
        "A site with this name is already in Samråd.",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_one_bad_line_imports_nothing_and_names_the_line(vault: Vault, case: str) -> None:
    index, bad, reason = BAD_LINES[case]
    if case == "site already in the vault":
        sites_service.add_site(vault, "Østby Skole", SiteKind.SCHOOL, None)
    lines = list(GOOD_LINES)
    if case == "unknown kind":
        lines.insert(index, bad)
    else:
        lines[index] = bad
    line_number = index + 1  # physical line in the file (the header is line 1)
    before = counts(vault)

    with pytest.raises(ImportRejected) as caught:
        sites_service.import_csv(vault, excel_csv(lines))

    assert counts(vault) == before
    assert isinstance(caught.value, BadInput)
    details = caught.value.details()
    assert len(details) == 1, details
    assert details[0].startswith(f"line {line_number}: ")
    assert reason in details[0]
    assert "1 line" in str(caught.value)


def test_every_bad_line_is_reported_and_none_repeats_a_value(vault: Vault) -> None:
    lines = list(GOOD_LINES)
    lines[1] = "Institution;Børnehuset Æblehaven;Slot;Vestby skoledistrikt;;;;;;"
    lines[4] = "Kontakt;Lars Lund;;;;;Astronaut;Østby Skole;;"
    lines[5] = "Kontakt;Sara Sørensen;;;;;;;ring til Sara;"
    before = counts(vault)
    with pytest.raises(ImportRejected) as caught:
        sites_service.import_csv(vault, excel_csv(lines))
    assert counts(vault) == before
    details = caught.value.details()
    # Line 4 names the day-care whose row was refused, so it fails as well.
    assert [d.split(":")[0] for d in details] == ["line 2", "line 4", "line 5", "line 6"]
    text = "\n".join(details)
    for value in ("Slot", "Astronaut", "ring til Sara", "Sara Sørensen", "Lars Lund"):
        assert value not in text


def test_contact_may_name_a_site_that_is_only_in_the_vault(vault: Vault) -> None:
    existing, _changes = sites_service.add_site(
        vault, "Dagplejen Vest", SiteKind.FAMILY_DAYCARE, None
    )
    data = excel_csv(["Type;Navn;Rolle;Institution", "Kontakt;Ole Olsen;leader;dagplejen vest"])
    report = sites_service.import_csv(vault, data)
    assert (report.districts, report.sites, report.contacts) == (0, 0, 1)
    [ole] = contacts_repo.list_all(vault.conn)
    assert (ole.name, ole.site_id, ole.role_id) == ("Ole Olsen", existing, role_id(vault, "leader"))
    assert len(sites_repo.list_all(vault.conn)) == 1


def test_blank_names_are_refused(vault: Vault) -> None:
    seq = vault.change_seq()
    with pytest.raises(BadInput):
        sites_service.add_district(vault, "  ")
    with pytest.raises(BadInput):
        sites_service.add_site(vault, "", SiteKind.SCHOOL, None)
    with pytest.raises(BadInput):
        sites_service.add_contact(vault, " ", None, None)
    assert vault.change_seq() == seq
