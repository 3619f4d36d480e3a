"""Export: choose the records, pack, sign, encrypt and write one bundle file.

Three selections: everything; chosen cases with everything that belongs to
them (and what they refer to); or, for a peer, everything that changed since
the last export to it and that the peer does not already have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.merge import content_hash
from app.errors import BadInput
from app.fileio import atomic_write
from app.i18n import _
from app.store import audit, case_data_repo, retention_repo, sync_repo
from app.store.vault import Vault, outside_data_folder
from app.sync import bundle, identity
from app.sync.records import blob_of, comparable, to_record, tombstone

Progress = Callable[[str, int, int], None]
DELETED = "deleted"
# The "base" of a tombstone for a record erased under the retention rules (not a
# content hash): the receiver erases its copy even if it changed it, and
# refuses the record from then on. Older Samråd versions treat it as an
# unknown base (delete if unchanged, else a conflict).
ERASED = "erased"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    records: int
    tombstones: int
    counts: dict[str, int]


def _rows_for_peer(
    vault: Vault, peer: sync_repo.Peer
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, str, int, str, str | None]], int]:
    conn = vault.conn
    changed, newest = sync_repo.changes_since(conn, peer.last_exported_seq)
    rows: dict[str, list[dict[str, Any]]] = {}
    deleted = {(t, r): (s, a) for t, r, s, a in sync_repo.deleted_records(conn)}
    tombstones: list[tuple[str, str, int, str, str | None]] = []
    for table in sync_repo.SYNC_TABLES:
        ids = changed.get(table, set())
        if not ids:
            continue
        known = sync_repo.bases(conn, peer.id, table)
        present = sync_repo.rows_by_id(conn, table, ids)
        # Only what the peer does not already have (received from it or sent to it).
        rows[table] = [
            r
            for r in present
            if content_hash(comparable(table, r)) not in known.get(r["id"], (None, None))
        ]
        for record_id in ids - {r["id"] for r in present}:
            received, sent = known.get(record_id, (None, None))
            if (table, record_id) in deleted and sent != DELETED and (received or sent):
                seq, at = deleted[(table, record_id)]
                tombstones.append((table, record_id, seq, at, sent or received))
    return rows, _mark_erasures(vault, tombstones), newest


def _mark_erasures(
    vault: Vault, tombstones: list[tuple[str, str, int, str, str | None]]
) -> list[tuple[str, str, int, str, str | None]]:
    """Tombstones of erased records carry :data:`ERASED` as their base."""
    erased = retention_repo.erased_ids(vault.conn)
    return [(t, r, s, a, ERASED if r in erased.get(t, ()) else b) for t, r, s, a, b in tombstones]


def _rows_for_cases(vault: Vault, case_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    conn = vault.conn
    wanted: dict[str, set[str]] = {}
    for case_id in case_ids:
        if sync_repo.row(conn, "cases", case_id) is None:
            raise BadInput(_("There is no case with the id {id}.").format(id=case_id))
        for table, rows in case_data_repo.rows_about_case(conn, case_id).items():
            if table in sync_repo.SYNC_TABLES:
                wanted.setdefault(table, set()).update(r["id"] for r in rows)
    # Add what the chosen records refer to (site, contacts, meetings …) until
    # nothing new appears, so the bundle opens in an empty vault.
    changed = True
    while changed:
        changed = False
        for table in sync_repo.SYNC_TABLES:
            ids = wanted.get(table)
            if not ids:
                continue
            for fk in sync_repo.foreign_keys(conn, table):
                if fk.table not in sync_repo.SYNC_TABLES:
                    continue
                for row in sync_repo.rows_by_id(conn, table, ids):
                    target = row.get(fk.column)
                    if target and target not in wanted.setdefault(fk.table, set()):
                        wanted[fk.table].add(target)
                        changed = True
    # The approval of minutes lives on the meeting, not the child: without it
    # approved minutes would arrive editable.
    meetings = {
        r["meeting_id"]
        for r in sync_repo.rows_by_id(conn, "item_minutes", wanted.get("item_minutes", set()))
    }
    wanted.setdefault("meeting_minutes", set()).update(
        sync_repo.minutes_of_meetings(conn, meetings)
    )
    return {t: sync_repo.rows_by_id(conn, t, ids) for t, ids in wanted.items() if ids}


def export_bundle(
    vault: Vault,
    out: Path,
    *,
    recipients: Sequence[str] = (),
    passphrase: str | None = None,
    peer_name: str | None = None,
    case_ids: Iterable[str] = (),
    everything: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write one encrypted bundle to ``out`` (atomic, 0600) and return what it holds."""
    if vault.directory.layout.contains(out):
        raise outside_data_folder()
    if bool(recipients) == (passphrase is not None):
        raise BadInput(_("Give the office's public key or a bundle passphrase (one of them)."))
    if passphrase is not None and not passphrase:
        raise BadInput(_("The bundle passphrase is empty."))
    cases = list(case_ids)
    if sum((bool(peer_name), bool(cases), everything)) != 1:
        raise BadInput(_("Choose one: --peer NAME, --case ID … or --all."))
    conn = vault.conn
    peer = None
    tombstones: list[tuple[str, str, int, str, str | None]] = []
    newest = 0
    bases: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    new_peer = False
    if peer_name:
        peer = sync_repo.peer_by_name(conn, peer_name)
        if peer is None:
            # Stored only once the bundle is written: a refused export
            # (bad key, full disk) must not leave a peer behind.
            new_peer = True
            peer = sync_repo.Peer("", peer_name, None, None, 0, 0)
        rows, tombstones, newest = _rows_for_peer(vault, peer)
    elif cases:
        rows = _rows_for_cases(vault, cases)
    else:
        rows = {t: sync_repo.all_rows(conn, t) for t in sync_repo.SYNC_TABLES}
        tombstones = _mark_erasures(
            vault, [(t, r, s, a, None) for t, r, s, a in sync_repo.deleted_records(conn)]
        )
    records: dict[str, list[dict[str, Any]]] = {}
    attachments: dict[str, bytes] = {}
    total = sum(len(r) for r in rows.values())
    done = 0
    for table in sync_repo.SYNC_TABLES:
        table_rows = rows.get(table) or []
        if not table_rows:
            continue
        seqs = sync_repo.last_change_seq(conn, table, [r["id"] for r in table_rows])
        records[table] = []
        for row in table_rows:
            blob = blob_of(table, row)
            if blob is not None:
                attachments[blob[0]] = blob[1]
            if peer is not None and table not in bases:
                bases[table] = sync_repo.bases(conn, peer.id, table) if peer.id else {}
            # The version the peer is thought to have: last sent, else last received.
            received, sent = bases.get(table, {}).get(row["id"], (None, None))
            common = sent or received
            records[table].append(
                to_record(table, row, seqs.get(row["id"], 0), None if common == DELETED else common)
            )
            done += 1
        if progress:
            progress(table, done, total)
    last_seq = max([newest, *(x["_seq"] for r in records.values() for x in r)])
    # An export with nothing new still names a valid range (first <= last).
    first_seq = min(peer.last_exported_seq + 1 if peer else 1, last_seq)
    plain = bundle.pack(
        records,
        [tombstone(t, r, s, a, b) for t, r, s, a, b in tombstones],
        attachments,
        source_vault_id=vault.vault_id,
        source_name=identity.name(vault),
        created_at=vault.now(),
        seq_range=(first_seq, last_seq),
        signing_key=identity.signing_key(vault),
    )
    atomic_write(out, bundle.encrypt(plain, recipients=recipients, passphrase=passphrase))
    counts = {t: len(r) for t, r in records.items()}
    with vault.transaction() as tx:
        if peer is not None and new_peer:
            peer = sync_repo.add_peer(tx, peer.name, vault.now())
        if peer is not None:
            # Sent, not yet confirmed: the peer has it once it sends it back.
            for table, table_rows in rows.items():
                for row in table_rows:
                    sync_repo.set_sent(
                        tx, peer.id, table, row["id"], content_hash(comparable(table, row))
                    )
            for table, record_id, _seq, _at, _base in tombstones:
                sync_repo.set_sent(tx, peer.id, table, record_id, DELETED)
            sync_repo.update_peer(
                tx, peer.id, last_exported_seq=max(newest, peer.last_exported_seq)
            )
        # Which cases this file holds: erasing one of them later names the file.
        retention_repo.record_export(
            tx,
            str(Path(out).resolve()),
            vault.now(),
            "peer" if peer else ("cases" if cases else "all"),
            peer.id if peer else None,
            retention_repo.cases_in_rows(tx, rows),
        )
        audit.append(
            tx,
            vault.now(),
            audit.Action.EXPORT,
            "peer" if peer else "bundle",
            peer.id if peer else None,
            {
                "mode": "peer" if peer else ("cases" if cases else "all"),
                "records": sum(counts.values()),
                "tombstones": len(tombstones),
                "attachments": len(attachments),
            },
        )
    return ExportResult(out, sum(counts.values()), len(tombstones), counts)
