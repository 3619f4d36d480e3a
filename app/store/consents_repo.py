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
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM consents WHERE case_id = ? ORDER BY given_on, id", (case_id,)
    ).fetchall()
    return [_consent(conn, row) for row in rows]


def of_cases(conn: Connection, case_ids: list[str]) -> dict[str, list[Consent]]:
    """Consents of many cases at once (case id → consents)."""
    result: dict[str, list[Consent]] = {cid: [] for cid in case_ids}
    if not case_ids:
        return result
    marks = ",".join("?" for _ in case_ids)
    rows = conn.execute(
        f"SELECT case_id, {_COLUMNS} FROM consents WHERE case_id IN ({marks})"
        " ORDER BY given_on, id",
        case_ids,
    ).fetchall()
    for row in rows:
        result[row[0]].append(_consent(conn, row[1:]))
    return result


def _consent(conn: Connection, row: tuple[object, ...]) -> Consent:
    cid = str(row[0])
    givers = frozenset(
        r[0]
        for r in conn.execute(
            "SELECT guardian_id FROM consent_guardians WHERE consent_id = ?", (cid,)
        )
    )
    roles = frozenset(
        r[0] for r in conn.execute("SELECT role_id FROM consent_roles WHERE consent_id = ?", (cid,))
    )
    return Consent(
        id=cid,
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
