"""Contacts: the professionals and parents the advisor meets."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext


@dataclass(frozen=True)
class Contact:
    """A stored contact with the names of its role and site."""

    id: str
    name: str
    role_id: str | None
    role: str
    site_id: str | None
    site: str
    organisation: str
    phone: str
    email: str


_SELECT = (
    "SELECT c.id, c.name, c.role_id, COALESCE(r.name, ''), c.site_id, COALESCE(s.name, ''),"
    " c.organisation, c.phone, c.email"
    " FROM contacts c LEFT JOIN roles r ON r.id = c.role_id LEFT JOIN sites s ON s.id = c.site_id"
)


def add(
    conn: Connection,
    ctx: WriteContext,
    name: str,
    role_id: str | None,
    site_id: str | None,
    organisation: str = "",
    phone: str = "",
    email: str = "",
) -> str:
    """Add a contact; returns its id."""
    return records.insert(
        conn,
        ctx,
        "contacts",
        {
            "name": name,
            "role_id": role_id,
            "site_id": site_id,
            "organisation": organisation,
            "phone": phone,
            "email": email,
        },
    )


def list_all(conn: Connection) -> list[Contact]:
    """All contacts by name."""
    return [Contact(*row) for row in conn.execute(_SELECT + " ORDER BY c.name, c.id").fetchall()]


def names(conn: Connection) -> list[str]:
    """Every contact's name (for the personal-data checks of exports)."""
    return [row[0] for row in conn.execute("SELECT name FROM contacts")]
