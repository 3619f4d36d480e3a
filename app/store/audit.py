"""The hash-chained, append-only audit log.

Each entry stores the SHA-256 of the previous entry's hash and its own
canonical content, so editing, deleting or reordering any row breaks the
chain from that row on; ``samraad self-test`` verifies it. Entries name
actions and record ids — never personal data: :func:`append` refuses detail
values that could carry free text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.store.connection import Connection

GENESIS = "0" * 64
# Ids, enum words, counts and timestamps only: no spaces, so no names or notes.
_SAFE_TEXT = re.compile(r"[A-Za-z0-9_.:+\-]{0,80}")

DetailValue = int | bool | str | None


class Action:
    """The audit actions. Later issues add theirs here."""

    VAULT_CREATED = "vault.created"
    VAULT_UNLOCKED = "vault.unlocked"
    VAULT_LOCKED = "vault.locked"
    PASSPHRASE_CHANGED = "vault.passphrase_changed"
    KEY_REMEMBERED = "vault.key_remembered"
    KEY_FORGOTTEN = "vault.key_forgotten"
    BACKUP = "vault.backup"
    RESTORE = "vault.restore"
    MIGRATED = "vault.migrated"
    CASE_READ = "case.read"
    EXPORT = "sync.export"
    IMPORT = "sync.import"
    PRINT = "report.print"


@dataclass(frozen=True)
class AuditEntry:
    """One stored audit row."""

    seq: int
    at: str
    action: str
    entity: str | None
    entity_id: str | None
    details: str
    prev_hash: str
    hash: str


def _check_safe(value: DetailValue | str | None, what: str) -> None:
    if isinstance(value, str) and not _SAFE_TEXT.fullmatch(value):
        raise ValueError(f"audit {what} must be an id or a word, not free text")


def entry_hash(
    prev_hash: str, at: str, action: str, entity: str | None, entity_id: str | None, details: str
) -> str:
    """The chained hash of one entry."""
    canonical = json.dumps(
        [prev_hash, at, action, entity, entity_id, details],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def append(
    conn: Connection,
    at: str,
    action: str,
    entity: str | None = None,
    entity_id: str | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Append one entry; call inside the transaction of the change it records."""
    _check_safe(action, "action")
    _check_safe(entity, "entity")
    _check_safe(entity_id, "entity id")
    for key, value in (details or {}).items():
        _check_safe(key, "detail key")
        if not isinstance(value, int | bool | str | type(None)):
            raise ValueError("audit details must be ids, words or numbers")
        _check_safe(value, "detail")
    details_text = json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"))
    row = conn.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    digest = entry_hash(prev, at, action, entity, entity_id, details_text)
    conn.execute(
        "INSERT INTO audit_log (at, action, entity, entity_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, action, entity, entity_id, details_text, prev, digest),
    )


def entries(conn: Connection, limit: int | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first (the newest ``limit`` if given)."""
    sql = "SELECT seq, at, action, entity, entity_id, details, prev_hash, hash FROM audit_log"
    if limit is None:
        rows = conn.execute(sql + " ORDER BY seq").fetchall()
    else:
        rows = conn.execute(sql + " ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()[::-1]
    return [AuditEntry(*row) for row in rows]


def first_broken_entry(conn: Connection) -> int | None:
    """The seq of the first entry whose chain does not verify, or None if intact."""
    prev = GENESIS
    for row in conn.execute(
        "SELECT seq, at, action, entity, entity_id, details, prev_hash, hash FROM audit_log"
        " ORDER BY seq"
    ):
        entry = AuditEntry(*row)
        expected = entry_hash(
            prev, entry.at, entry.action, entry.entity, entry.entity_id, entry.details
        )
        if entry.prev_hash != prev or entry.hash != expected:
            return entry.seq
        prev = entry.hash
    return None
