"""Consents, who gave them, their scope, and scanned forms (encrypted in the vault)."""

from __future__ import annotations

import hashlib
from datetime import date

from app.domain.case_model import Consent, ConsentForm
from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext

_COLUMNS = (
    "id, given_on, form, documented_by, purpose, valid_until, withdrawn_on, withdrawn_by,"
    " withdrawal_note, attachment_id"
)


def add(
    conn: Connection,
    ctx: WriteContext,
    case_id: str,
    consent: Consent,
    attachment_id: str | None = None,
) -> str:
    """Store a consent with its givers and scope; returns its id."""
    cid = records.insert(
        conn,
        ctx,
        "consents",
        {
            "case_id": case_id,
            "given_on": consent.given_on.isoformat(),
            "form": str(consent.form),
            "documented_by": consent.documented_by,
            "purpose": consent.purpose,
            "valid_until": consent.valid_until.isoformat() if consent.valid_until else None,
            "withdrawn_on": consent.withdrawn_on.isoformat() if consent.withdrawn_on else None,
            "withdrawn_by": consent.withdrawn_by,
            "withdrawal_note": consent.withdrawal_note,
            "attachment_id": attachment_id,
        },
    )
    for guardian_id in sorted(consent.given_by):
        records.insert(
            conn, ctx, "consent_guardians", {"consent_id": cid, "guardian_id": guardian_id}
        )
    for role_id in sorted(consent.scope_roles):
        records.insert(conn, ctx, "consent_roles", {"consent_id": cid, "role_id": role_id})
    return cid


def withdraw(
    conn: Connection, ctx: WriteContext, consent_id: str, on: date, by: str, note: str
) -> bool:
    """Record a withdrawal."""
    return records.update(
        conn,
        ctx,
        "consents",
        consent_id,
        {"withdrawn_on": on.isoformat(), "withdrawn_by": by, "withdrawal_note": note},
    )


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def of_case(conn: Connection, case_id: str) -> list[Consent]:
    """Every consent of a case, oldest first."""
    return of_cases(conn, [case_id])[case_id]


# Bound parameters per statement, well under SQLite's limit (32,766): a list
# of every case of a large vault is read in parts.
_CHUNK = 500


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def of_cases(conn: Connection, case_ids: list[str]) -> dict[str, list[Consent]]:
    """Consents of many cases at once (case id → consents, each list oldest first).

    A fixed number of queries per 500 cases — not two more per consent — so
    the case list of a five-year vault reads its consents in a few dozen
    statements.
    """
    result: dict[str, list[Consent]] = {cid: [] for cid in case_ids}
    rows: list[tuple[object, ...]] = []
    for chunk in _chunks(list(result)):
        marks = ",".join("?" for _ in chunk)
        rows += conn.execute(
            f"SELECT case_id, {_COLUMNS} FROM consents WHERE case_id IN ({marks})", chunk
        ).fetchall()
    rows.sort(key=lambda r: (str(r[2]), str(r[1])))  # given_on, id
    consent_ids = [str(r[1]) for r in rows]
    givers = _links(conn, "consent_guardians", "guardian_id", consent_ids)
    roles = _links(conn, "consent_roles", "role_id", consent_ids)
    for row in rows:
        cid = str(row[1])
        result[str(row[0])].append(
            _consent(row[1:], givers.get(cid, frozenset()), roles.get(cid, frozenset()))
        )
    return result


def _links(
    conn: Connection, table: str, column: str, consent_ids: list[str]
) -> dict[str, frozenset[str]]:
    """Consent id → the guardian ids (or role ids) linked to it."""
    assert (table, column) in (("consent_guardians", "guardian_id"), ("consent_roles", "role_id"))
    found: dict[str, set[str]] = {}
    for chunk in _chunks(consent_ids):
        marks = ",".join("?" for _ in chunk)
        for consent_id, other in conn.execute(
            f"SELECT consent_id, {column} FROM {table} WHERE consent_id IN ({marks})", chunk
        ):
            found.setdefault(consent_id, set()).add(other)
    return {cid: frozenset(ids) for cid, ids in found.items()}


def _consent(row: tuple[object, ...], givers: frozenset[str], roles: frozenset[str]) -> Consent:
    return Consent(
        id=str(row[0]),
        given_on=date.fromisoformat(str(row[1])),
        form=ConsentForm(str(row[2])),
        documented_by=str(row[3]),
        purpose=str(row[4]),
        valid_until=_d(row[5]),  # type: ignore[arg-type]
        withdrawn_on=_d(row[6]),  # type: ignore[arg-type]
        withdrawn_by=str(row[7]),
        withdrawal_note=str(row[8]),
        given_by=givers,
        scope_roles=roles,
    )


def case_of(conn: Connection, consent_id: str) -> str | None:
    """The case a consent belongs to."""
    row = conn.execute("SELECT case_id FROM consents WHERE id = ?", (consent_id,)).fetchone()
    return row[0] if row else None


def add_attachment(conn: Connection, ctx: WriteContext, data: bytes, media_type: str) -> str:
    """Store a scanned form inside the encrypted database; returns its id."""
    return records.insert(
        conn,
        ctx,
        "attachments",
        {
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": media_type,
            "size": len(data),
            "data": data,
        },
    )


def attachment(conn: Connection, attachment_id: str) -> tuple[str, bytes] | None:
    """(media type, bytes) of a stored form."""
    row = conn.execute(
        "SELECT media_type, data FROM attachments WHERE id = ?", (attachment_id,)
    ).fetchone()
    return (row[0], bytes(row[1])) if row else None
