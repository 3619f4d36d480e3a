"""Import: decrypt, verify, check the sender, validate, then merge in one transaction.

All or nothing: any problem — a bad signature, a record that does not fit,
a reference to a record that exists nowhere — rolls the whole import back
and says so in one sentence. Importing the same bundle twice changes nothing
the second time (the merge sees equal content).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from app.domain.merge import Base, Outcome, content_hash, decide_record, decide_tombstone
from app.errors import BadInput
from app.i18n import _
from app.services import retention_service
from app.store import audit, retention_repo, sync_repo
from app.store.connection import DatabaseError
from app.store.vault import Vault
from app.sync import bundle
from app.sync.exporter import DELETED, ERASED
from app.sync.records import check_tombstone, comparable, from_record

Progress = Callable[[str, int, int], None]


class UnknownSender(BadInput):
    """A bundle from a vault not on the trust list yet (the UI asks, the CLI needs a flag)."""


@dataclass
class ImportReport:
    """What an import changed, per table."""

    source_vault_id: str
    source_name: str
    bundle_id: str
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    conflicts: dict[str, int] = field(default_factory=dict)
    # Records erased in this vault that the bundle still held: not brought back.
    refused: dict[str, int] = field(default_factory=dict)
    # Records removed because the sender erased them (also counted in deleted).
    erased: dict[str, int] = field(default_factory=dict)

    def count(self, kind: dict[str, int], table: str) -> None:
        """Add one to a table's count."""
        kind[table] = kind.get(table, 0) + 1

    @property
    def total_conflicts(self) -> int:
        """Conflicts listed by this import."""
        return sum(self.conflicts.values())


def _sender(
    vault: Vault, manifest: dict[str, Any], trust_new_sender: bool
) -> tuple[sync_repo.Peer | None, str, str, str]:
    """(known peer or None, vault id, name, key) of the sender, after the trust checks."""
    source = manifest.get("source") or {}
    vault_id, name, key = source.get("vault_id"), source.get("name"), source.get("public_key")
    if not isinstance(vault_id, str) or not isinstance(name, str) or not isinstance(key, str):
        raise bundle.BadBundle(_("The bundle does not say who sent it; nothing was imported."))
    if vault_id == vault.vault_id:
        raise BadInput(_("This bundle was written by this vault itself; nothing was imported."))
    peer = sync_repo.peer_by_vault(vault.conn, vault_id)
    if peer is not None:
        if peer.public_key and peer.public_key != key:
            raise bundle.BadBundle(
                _("The sender's key has changed since the last bundle; nothing was imported.")
            )
        return peer, vault_id, name, key
    if not trust_new_sender:
        raise UnknownSender(
            _(
                "This bundle comes from a vault not trusted yet ({name}); trust it to import."
            ).format(name=name[:40])
        )
    return None, vault_id, name, key


def _register(vault: Vault, vault_id: str, name: str, key: str) -> sync_repo.Peer:
    """Trust a new sender (inside the import's transaction: a refused import trusts no one)."""
    conn = vault.conn
    unbound = sync_repo.peer_by_name(conn, name)
    if unbound is not None and unbound.vault_id is None:
        sync_repo.update_peer(conn, unbound.id, vault_id=vault_id, public_key=key)
        found = sync_repo.peer_by_vault(conn, vault_id)
        assert found is not None
        return found
    label = name if unbound is None else f"{name} ({vault_id[:8]})"
    return sync_repo.add_peer(conn, label, vault.now(), vault_id=vault_id, public_key=key)


def import_bundle(
    vault: Vault,
    data: bytes,
    *,
    identities: Sequence[str] = (),
    passphrase: str | None = None,
    trust_new_sender: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one bundle (the file's bytes); returns the per-table report."""
    plain = bundle.decrypt(data, identities=identities, passphrase=passphrase)
    parsed = bundle.unpack(plain)
    manifest = parsed.manifest
    conn = vault.conn
    # Validate every record before the transaction; nothing is written yet.
    checked: dict[str, list[tuple[dict[str, Any], int, str | None]]] = {}
    for table, records in parsed.records.items():
        checked[table] = [from_record(conn, table, r, parsed.attachments) for r in records]
    deletions = [check_tombstone(t) for t in parsed.tombstones]
    known, source_id, source_name, source_key = _sender(vault, manifest, trust_new_sender)
    report = ImportReport(source_id, known.name if known else source_name, parsed.bundle_id)
    total = sum(len(r) for r in checked.values()) + len(deletions)
    done = 0
    try:
        with vault.transaction() as tx:
            # References are checked at COMMIT: a bundle may list a child before
            # its parent, but must not point at a record that exists nowhere.
            tx.execute("PRAGMA defer_foreign_keys = ON")
            peer = known or _register(vault, source_id, source_name, source_key)
            gate = _ErasedGate(vault)
            for table in sync_repo.SYNC_TABLES:
                for row, seq, their_base in checked.get(table, []):
                    kept = gate.admit(table, row)
                    if kept is None:
                        report.count(report.refused, table)
                    else:
                        _merge_row(vault, peer, table, kept, seq, their_base, report)
                    done += 1
                if progress and checked.get(table):
                    progress(table, done, total)
            erasing = any(d[3] == ERASED for d in deletions)
            with retention_repo.purged_full_text(tx) if erasing else nullcontext():
                for table, record_id, seq, their_base in sorted(
                    deletions, key=lambda d: -sync_repo.SYNC_TABLES.index(d[0])
                ):
                    if their_base == ERASED:
                        _apply_erasure(vault, peer, table, record_id, seq, report)
                    else:
                        _merge_tombstone(vault, peer, table, record_id, seq, their_base, report)
                    done += 1
            if report.erased:
                sync_repo.set_meta(tx, retention_service.PENDING, vault.now())
            seq_range = (manifest.get("sequence_range") or {}).get(peer.vault_id or "", [0, 0])
            last = seq_range[-1] if isinstance(seq_range, list) and seq_range else 0
            if isinstance(last, int) and last > peer.last_imported_seq:
                sync_repo.update_peer(tx, peer.id, last_imported_seq=last)
            sync_repo.remember_bundle(tx, parsed.bundle_id, peer.id, vault.now())
            audit.append(
                tx,
                vault.now(),
                audit.Action.IMPORT,
                "peer",
                peer.id,
                {
                    "added": sum(report.added.values()),
                    "updated": sum(report.updated.values()),
                    "deleted": sum(report.deleted.values()),
                    "conflicts": report.total_conflicts,
                    # Only when it happened: erasures arriving, erased records refused.
                    **{
                        key: n
                        for key, n in (
                            ("erased", sum(report.erased.values())),
                            ("refused", sum(report.refused.values())),
                        )
                        if n
                    },
                },
            )
    except DatabaseError:
        raise bundle.BadBundle(
            _(
                "The bundle refers to records that exist nowhere or breaks a rule of the vault; "
                "nothing was imported."
            )
        ) from None
    if report.erased:
        # The sender erased data this vault held: gone here too, physically.
        retention_service.make_gone(vault)
    return report


class _ErasedGate:
    """Keeps records erased in this vault (and records hanging on them) out.

    A record is refused when its id was erased, when it is about an erased
    case, or when a required reference points at a refused record; an
    optional reference to an erased record (a consent's scanned form) is
    cleared instead. Parents come before children in the import order, so
    refusals carry down (a refused consent takes its guardians' links along).
    """

    def __init__(self, vault: Vault) -> None:
        self._conn = vault.conn
        self._out = retention_repo.erased_ids(vault.conn)
        self._fks: dict[str, list[tuple[str, str, bool]]] = {}

    def _references(self, table: str) -> list[tuple[str, str, bool]]:
        if table not in self._fks:
            nullable = {c.name: not c.not_null for c in sync_repo.columns(self._conn, table)}
            self._fks[table] = [
                (fk.column, fk.table, nullable.get(fk.column, False))
                for fk in sync_repo.foreign_keys(self._conn, table)
            ]
        return self._fks[table]

    def admit(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row to merge (perhaps with a reference cleared), or None to refuse it."""
        if not self._out:
            return row
        if row["id"] in self._out.get(table, ()):
            return None
        kept = row
        for column, target, nullable in self._references(table):
            value = row.get(column)
            if value is None or value not in self._out.get(target, ()):
                continue
            if target == "cases" or not nullable:
                self._out.setdefault(table, set()).add(row["id"])
                return None
            kept = {**kept, column: None}
        return kept


def _apply_erasure(
    vault: Vault,
    peer: sync_repo.Peer,
    table: str,
    record_id: str,
    seq: int,
    report: ImportReport,
) -> None:
    """The sender erased this record under its retention rules: erase it here too,
    whatever was changed here since (like a consent withdrawal, an erasure wins)."""
    conn = vault.conn
    removed = retention_repo.erase_incoming(conn, vault.ctx, table, record_id, vault.now())
    if removed:
        report.count(report.deleted, table)
        report.count(report.erased, table)
    sync_repo.set_base(conn, peer.id, table, record_id, DELETED, seq)


def _merge_row(
    vault: Vault,
    peer: sync_repo.Peer,
    table: str,
    row: dict[str, Any],
    seq: int,
    their_base: str | None,
    report: ImportReport,
) -> None:
    conn = vault.conn
    local = sync_repo.row(conn, table, row["id"])
    stored = sync_repo.base(conn, peer.id, table, row["id"])
    base = Base(*stored) if stored else None
    theirs = content_hash(comparable(table, row))
    ours = content_hash(comparable(table, local)) if local is not None else None
    outcome = decide_record(
        ours,
        base,
        theirs,
        seq,
        their_base=their_base,
        ours_withdraws=bool(local and table == "consents" and local.get("withdrawn_on")),
        theirs_withdraws=bool(table == "consents" and row.get("withdrawn_on")),
    )
    if (
        outcome is Outcome.NOTHING
        and base is not None
        and base.received_seq >= seq
        and ours != theirs
    ):
        return  # an older version: not even the base moves
    if outcome in (Outcome.INSERT, Outcome.UPDATE, Outcome.CONFLICT_TAKE_THEIRS):
        if not _write(vault, table, row):
            outcome = Outcome.CONFLICT_KEEP_OURS  # e.g. approved minutes refuse the change
        elif outcome is Outcome.INSERT:
            report.count(report.added, table)
        elif outcome is Outcome.UPDATE:
            report.count(report.updated, table)
    if outcome in (Outcome.CONFLICT_KEEP_OURS, Outcome.CONFLICT_TAKE_THEIRS):
        taken = outcome is Outcome.CONFLICT_TAKE_THEIRS
        kind = "withdrawal" if taken else ("deleted-here" if local is None else "update")
        kept, other = (row, local) if taken else (local, row)
        if sync_repo.add_conflict(
            conn,
            peer.id,
            table,
            row["id"],
            kind,
            _json(table, kept),
            _json(table, other),
            content_hash(comparable(table, other)) if other else "none",
            vault.now(),
        ):
            report.count(report.conflicts, table)
        if taken:
            report.count(report.updated, table)
    sync_repo.set_base(conn, peer.id, table, row["id"], theirs, seq)


def _merge_tombstone(
    vault: Vault,
    peer: sync_repo.Peer,
    table: str,
    record_id: str,
    seq: int,
    their_base: str | None,
    report: ImportReport,
) -> None:
    conn = vault.conn
    local = sync_repo.row(conn, table, record_id)
    stored = sync_repo.base(conn, peer.id, table, record_id)
    base = Base(*stored) if stored else None
    ours = content_hash(comparable(table, local)) if local is not None else None
    outcome = decide_tombstone(ours, base, their_base)
    if outcome is Outcome.DELETE:
        sync_repo.delete(conn, table, record_id)
        report.count(report.deleted, table)
    elif outcome is Outcome.CONFLICT_KEEP_OURS and local is not None:
        if sync_repo.add_conflict(
            conn,
            peer.id,
            table,
            record_id,
            "delete",
            _json(table, local),
            None,
            f"deleted:{seq}",
            vault.now(),
        ):
            report.count(report.conflicts, table)
    sync_repo.set_base(conn, peer.id, table, record_id, DELETED, seq)


def _write(vault: Vault, table: str, row: dict[str, Any]) -> bool:
    """Write one row; False when a lock in the vault refuses it (kept as a conflict)."""
    conn = vault.conn
    conn.execute("SAVEPOINT merge_row")
    try:
        sync_repo.upsert(conn, table, row)
    except DatabaseError as exc:
        conn.execute("ROLLBACK TO merge_row")
        conn.execute("RELEASE merge_row")
        if "approved and locked" in str(exc):
            return False
        raise
    conn.execute("RELEASE merge_row")
    return True


def _json(table: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else comparable(table, row)
