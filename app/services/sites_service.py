"""Districts, sites and contacts, and the all-or-nothing CSV import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain import sites_csv
from app.domain.calendar_model import SiteKind
from app.errors import BadInput
from app.i18n import _, ngettext
from app.services.changes import Changes
from app.store import contacts_repo, districts_repo, roles_repo, sites_repo
from app.store.vault import Vault


class ImportRejected(BadInput):
    """A CSV file with bad lines: nothing was imported."""

    def __init__(self, errors: tuple[sites_csv.LineError, ...]) -> None:
        super().__init__(
            ngettext(
                "Nothing was imported: {n} line has a problem.",
                "Nothing was imported: {n} lines have problems.",
                len(errors),
            ).format(n=len(errors))
        )
        self.errors = errors

    def details(self) -> list[str]:
        """One line per bad line of the file: its number and the reason."""
        return [
            _("line {line}: {reason}").format(line=e.line, reason=e.reason) for e in self.errors
        ]


@dataclass(frozen=True)
class ImportReport:
    """What a successful import added."""

    districts: int
    sites: int
    contacts: int
    changes: Changes


def role_lookup(vault: Vault) -> dict[str, str]:
    """Role key or name (case-folded, English or translated) → role id."""
    lookup: dict[str, str] = {}
    for role in roles_repo.list_all(vault.conn):
        for word in (role.key, role.name, _(role.name)):
            if word:
                lookup.setdefault(word.casefold(), role.id)
    return lookup


def add_district(vault: Vault, name: str) -> tuple[str, Changes]:
    """Add a district."""
    if not name.strip():
        raise BadInput(_("A district needs a name."))
    with vault.transaction() as conn:
        did = districts_repo.add(conn, vault.ctx, name.strip())
    return did, Changes.of("districts", did)


def add_site(
    vault: Vault,
    name: str,
    kind: SiteKind,
    district_id: str | None,
    address: str = "",
    leader: str = "",
) -> tuple[str, Changes]:
    """Add a site."""
    if not name.strip():
        raise BadInput(_("A site needs a name."))
    with vault.transaction() as conn:
        sid = sites_repo.add(conn, vault.ctx, name.strip(), str(kind), district_id, address, leader)
    return sid, Changes.of("sites", sid)


def add_contact(
    vault: Vault,
    name: str,
    role_id: str | None,
    site_id: str | None,
    organisation: str = "",
    phone: str = "",
    email: str = "",
) -> tuple[str, Changes]:
    """Add a contact."""
    if not name.strip():
        raise BadInput(_("A contact needs a name."))
    with vault.transaction() as conn:
        cid = contacts_repo.add(
            conn, vault.ctx, name.strip(), role_id, site_id, organisation, phone, email
        )
    return cid, Changes.of("contacts", cid)


def import_csv(vault: Vault, data: bytes) -> ImportReport:
    """Import sites and contacts from CSV bytes: every line, or nothing.

    Raises :class:`ImportRejected` listing every bad line (number and reason)
    when any line is bad; the vault is then unchanged.
    """
    parsed = sites_csv.parse(data)
    errors = list(parsed.errors)
    conn = vault.conn
    existing_sites = sites_repo.names(conn)
    file_sites = {row.name.casefold() for row in parsed.sites}
    for row in parsed.sites:
        if row.name.casefold() in existing_sites:
            errors.append(
                sites_csv.LineError(row.line, _("A site with this name is already in Samråd."))
            )
    roles = role_lookup(vault)
    for contact in parsed.contacts:
        if contact.role and contact.role.casefold() not in roles:
            errors.append(sites_csv.LineError(contact.line, _("The role is not in the role list.")))
        site_key = contact.site.casefold()
        if contact.site and site_key not in file_sites and site_key not in existing_sites:
            errors.append(
                sites_csv.LineError(
                    contact.line, _("The site is neither in the file nor in Samråd.")
                )
            )
    if errors:
        raise ImportRejected(tuple(sorted(errors, key=lambda e: e.line)))
    districts = {d.name.casefold(): d.id for d in districts_repo.list_all(conn)}
    new_districts = 0
    touched: set[str] = set()
    with vault.transaction() as conn:
        site_ids = dict(existing_sites)
        for row in parsed.sites:
            key = row.district.casefold()
            if key not in districts:
                districts[key] = districts_repo.add(conn, vault.ctx, row.district)
                new_districts += 1
                touched.add(districts[key])
            site_ids[row.name.casefold()] = sites_repo.add(
                conn, vault.ctx, row.name, str(row.kind), districts[key], row.address, row.leader
            )
            touched.add(site_ids[row.name.casefold()])
        for contact in parsed.contacts:
            touched.add(
                contacts_repo.add(
                    conn,
                    vault.ctx,
                    contact.name,
                    roles.get(contact.role.casefold()) if contact.role else None,
                    site_ids.get(contact.site.casefold()) if contact.site else None,
                    contact.organisation,
                    contact.phone,
                    contact.email,
                )
            )
    return ImportReport(
        districts=new_districts,
        sites=len(parsed.sites),
        contacts=len(parsed.contacts),
        changes=Changes(frozenset({"districts", "sites", "contacts"}), frozenset(touched)),
    )


@dataclass(frozen=True)
class Directory:
    """Everything the Sites & people page lists."""

    districts: list[districts_repo.District]
    sites: list[sites_repo.Site]
    contacts: list[contacts_repo.Contact]
    roles: list[tuple[str, str]]  # (role id, role name in English; translate to show)


def directory(vault: Vault) -> Directory:
    """Districts, sites, contacts and the roles a contact can have."""
    conn = vault.conn
    return Directory(
        districts_repo.list_all(conn),
        sites_repo.list_all(conn),
        contacts_repo.list_all(conn),
        [(role.id, role.name) for role in roles_repo.list_all(conn)],
    )


def import_csv_file(vault: Vault, path: Path) -> ImportReport:
    """Read ``path`` and import it (see :func:`import_csv`).

    A file that cannot be read is one sentence, like any other bad input.
    """
    try:
        data = path.read_bytes()
    except OSError:
        raise BadInput(_("The file {name} cannot be read.").format(name=path.name)) from None
    return import_csv(vault, data)
