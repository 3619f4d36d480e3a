"""The Sync page's service: export, import, peers, conflicts, sync-folder status.

A thin layer over :func:`app.sync.exporter.export_bundle` and
:func:`app.sync.importer.import_bundle`. Files (the bundle, an identity file)
are read here, on the database thread. A passphrase bundle costs seconds of
scrypt to open, so an import decrypts it once and hands the importer an
in-memory copy re-encrypted to a one-time X25519 key (nothing touches the
disk); asking "trust this sender?" shows the sender's key fingerprint from
that same decryption.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyrage

from app.errors import BadInput
from app.i18n import _
from app.services import cases_service
from app.services.changes import Changes
from app.services.vault_settings import OFFICE_RECIPIENT_SETTING, SYNC_FOLDER_SETTING
from app.store import records, settings_repo, sync_repo
from app.store.connection import DatabaseError
from app.store.vault import Vault
from app.sync import bundle, identity
from app.sync.exporter import ExportResult, export_bundle
from app.sync.importer import ImportReport, UnknownSender, import_bundle

#: Columns every record table carries that a resolution writes afresh.
_BOOKKEEPING = ("id", "created_at", "updated_at", "writer_vault_id")
#: Fields that name a record in the conflict list, in order of preference.
_LABEL_FIELDS = ("name", "title", "first_name", "purpose", "text", "topic", "description")
MAX_IDENTITY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Conflict:
    """An open conflict as the page lists it."""

    id: str
    table: str
    record_id: str
    record_label: str
    kind: str  # update, delete, withdrawal, deleted-here
    detected_at: str  # stored UTC timestamp
    peer_name: str

    @property
    def can_keep_mine(self) -> bool:
        """A consent withdrawal that arrived always wins."""
        return self.kind != "withdrawal"


@dataclass(frozen=True)
class RecentImport:
    """One imported bundle."""

    id: str
    peer_name: str
    imported_at: str


@dataclass(frozen=True)
class CaseChoice:
    """A case offered for a "chosen cases" export."""

    id: str
    label: str


@dataclass(frozen=True)
class SyncOverview:
    """Everything the Sync page shows."""

    own_name: str
    own_fingerprint: str
    office_recipient: str
    sync_folder: str
    #: None when no sync folder is set; else whether outbox and inbox exist.
    folder_reachable: bool | None
    peers: tuple[str, ...]
    cases: tuple[CaseChoice, ...]
    recent_imports: tuple[RecentImport, ...]
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class ExportDone:
    """A written bundle."""

    result: ExportResult
    changes: Changes


@dataclass(frozen=True)
class ImportDone:
    """An import that went through."""

    report: ImportReport
    changes: Changes


@dataclass(frozen=True)
class SenderQuestion:
    """The bundle comes from a vault not trusted yet: nothing was imported."""

    name: str
    fingerprint: str


def fingerprint(public_key: str) -> str:
    """A short, comparable fingerprint of a signing key: ``ab12 cd34 …`` (8 groups)."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        raw = public_key.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def folder_status(folder: str) -> bool | None:
    """None when unset; True when the folder's outbox and inbox both exist."""
    if not folder:
        return None
    root = Path(folder)
    try:
        return (root / "outbox").is_dir() and (root / "inbox").is_dir()
    except OSError:
        return False


def _record_label(version: dict[str, Any] | None, record_id: str) -> str:
    for field in _LABEL_FIELDS:
        value = (version or {}).get(field)
        if isinstance(value, str) and value.strip():
            if field == "first_name" and version and version.get("surname"):
                value = f"{value} {version['surname']}"
            text = " ".join(value.split())
            return text if len(text) <= 60 else text[:59] + "…"
    return record_id[:8]


def _loads(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def conflicts(vault: Vault) -> list[Conflict]:
    """Open conflicts, oldest first."""
    found = []
    for c in sync_repo.open_conflicts_with_peer(vault.conn):
        version = _loads(c["kept"]) or _loads(c["other"])
        found.append(
            Conflict(
                id=c["id"],
                table=c["table_name"],
                record_id=c["record_id"],
                record_label=_record_label(version, c["record_id"]),
                kind=c["kind"],
                detected_at=c["detected_at"],
                peer_name=c["peer_name"] or "",
            )
        )
    return found


def overview(vault: Vault, today: date) -> SyncOverview:
    """Identity, settings, peers, cases, recent imports and open conflicts."""
    conn = vault.conn
    folder = settings_repo.get(conn, SYNC_FOLDER_SETTING) or ""
    cases = [
        CaseChoice(s.row.id, cases_service.list_label(s.row, today))
        for s in cases_service.list_cases(vault, today)
    ]
    return SyncOverview(
        own_name=identity.name(vault),
        own_fingerprint=fingerprint(identity.public_key(vault)),
        office_recipient=settings_repo.get(conn, OFFICE_RECIPIENT_SETTING) or "",
        sync_folder=folder,
        folder_reachable=folder_status(folder),
        peers=tuple(p.name for p in sync_repo.peers(conn)),
        cases=tuple(sorted(cases, key=lambda c: c.label.casefold())),
        recent_imports=tuple(RecentImport(*r) for r in sync_repo.recent_imports(conn)),
        conflicts=tuple(conflicts(vault)),
    )


def export(
    vault: Vault,
    out: Path,
    *,
    recipient: str = "",
    passphrase: str | None = None,
    peer_name: str | None = None,
    case_ids: tuple[str, ...] = (),
    everything: bool = False,
) -> ExportDone:
    """Write one bundle for the office's key or a passphrase (one of them)."""
    result = export_bundle(
        vault,
        out,
        recipients=[recipient] if recipient else [],
        passphrase=passphrase,
        peer_name=peer_name or None,
        case_ids=case_ids,
        everything=everything,
    )
    return ExportDone(result, Changes(frozenset({"sync_peers"})))


def _read(path: Path, limit: int, too_large: str) -> bytes:
    try:
        if path.stat().st_size > limit:
            raise BadInput(too_large)
        return path.read_bytes()
    except OSError:
        raise BadInput(_("The file {name} cannot be read.").format(name=path.name)) from None


def import_file(
    vault: Vault,
    path: Path,
    *,
    identity_file: Path | None = None,
    passphrase: str | None = None,
    trust_new_sender: bool = False,
) -> ImportDone | SenderQuestion:
    """Import the bundle at ``path`` (all or nothing), or ask about an unknown sender."""
    if (identity_file is None) == (passphrase is None):
        raise BadInput(_("Give an identity file or the bundle passphrase (one of them)."))
    data = _read(path, bundle.MAX_BUNDLE_BYTES, _("The bundle is larger than Samråd accepts."))
    identities: list[str] = []
    if identity_file is not None:
        key = _read(identity_file, MAX_IDENTITY_BYTES, _("That is not an age identity file."))
        identities = [key.decode("utf-8", errors="replace")]
    plain = bundle.decrypt(data, identities=identities, passphrase=passphrase)
    once = pyrage.x25519.Identity.generate()
    again = pyrage.encrypt(plain, [once.to_public()])
    try:
        report = import_bundle(
            vault, again, identities=[str(once)], trust_new_sender=trust_new_sender
        )
    except UnknownSender:
        source = bundle.manifest_of(plain).get("source") or {}
        return SenderQuestion(
            name=str(source.get("name", "")), fingerprint=fingerprint(str(source.get("public_key")))
        )
    touched = set().union(report.added, report.updated, report.deleted, report.conflicts)
    tables = frozenset(touched | {"sync_conflicts", "sync_peers"})
    return ImportDone(report, Changes(tables))


def import_sentences(report: ImportReport) -> list[str]:
    """An import's outcome in sentences: the counts, then erased records it kept out."""
    sentences = [
        _(
            "Imported from {source}: {added} added, {updated} updated, {deleted} deleted, "
            "{conflicts} conflicts."
        ).format(
            source=report.source_name,
            added=sum(report.added.values()),
            updated=sum(report.updated.values()),
            deleted=sum(report.deleted.values()),
            conflicts=report.total_conflicts,
        )
    ]
    if report.refused:
        sentences.append(
            _("{n} records erased in this vault were in the bundle and stay erased.").format(
                n=sum(report.refused.values())
            )
        )
    return sentences


def resolve(vault: Vault, conflict_id: str, take_theirs: bool) -> Changes:
    """Settle a conflict: keep this vault's version, or take the other one."""
    found = sync_repo.conflict(vault.conn, conflict_id)
    if found is None or found["resolved_at"] is not None:
        raise BadInput(_("This conflict was already resolved."))
    table, record_id, kind = found["table_name"], found["record_id"], found["kind"]
    kept, other = _loads(found["kept"]), _loads(found["other"])
    if kind == "withdrawal" and not take_theirs:
        raise BadInput(_("A consent withdrawal always wins; it cannot be undone here."))
    try:
        with vault.transaction() as tx:
            if take_theirs and kind == "delete":
                records.delete(tx, table, record_id)
            elif take_theirs and kind != "withdrawal" and other is not None:
                if table == "consents" and (kept or {}).get("withdrawn_on"):
                    if not other.get("withdrawn_on"):
                        raise BadInput(
                            _("A consent withdrawal always wins; it cannot be undone here.")
                        )
                values = {k: v for k, v in other.items() if k not in _BOOKKEEPING}
                if not records.update(tx, vault.ctx, table, record_id, values):
                    records.insert(tx, vault.ctx, table, values, record_id=record_id)
            sync_repo.resolve_conflict(tx, conflict_id, vault.now())
    except DatabaseError:
        raise BadInput(
            _(
                "The other version cannot be written here (a record it needs is gone, or "
                "approved minutes are locked); nothing was changed."
            )
        ) from None
    return Changes(frozenset({table, "sync_conflicts"}), frozenset({record_id}))
