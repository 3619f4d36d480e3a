"""SQL for synchronisation: raw rows of the record tables, peers, merge bases,
conflicts, and the vault's signing key."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.store.connection import Connection

# Record tables that travel, parents before children (so inserts can follow
# this order and deletes the reverse). Settings stay on each computer.
SYNC_TABLES: tuple[str, ...] = (
    "districts",
    "roles",
    "sites",
    "contacts",
    "forums",
    "series",
    "series_sites",
    "meetings",
    "school_holidays",
    "cases",
    "guardians",
    "case_levels",
    "attachments",
    "consents",
    "consent_guardians",
    "consent_roles",
    "agenda_items",
    "meeting_minutes",
    "item_minutes",
    "addenda",
    "attendance",
    "agreements",
    "procedure_templates",
    "procedure_steps",
    "intervention_types",
    "interventions",
    "sdq_assessments",
)
BOOKKEEPING = ("updated_at", "writer_vault_id")


@dataclass(frozen=True)
class Column:
    """One column of a record table as SQLite declares it."""

    name: str
    type: str  # TEXT, INTEGER or BLOB (tables are STRICT)
    not_null: bool


@dataclass(frozen=True)
class ForeignKey:
    """A reference from a column to another table's id."""

    column: str
    table: str


def columns(conn: Connection, table: str) -> list[Column]:
    """The declared columns of a sync table."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    return [
        Column(str(row[1]), str(row[2]).upper(), bool(row[3]))
        for row in conn.execute(f"PRAGMA table_info({table})")
    ]


def foreign_keys(conn: Connection, table: str) -> list[ForeignKey]:
    """The references of a sync table."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    return [
        ForeignKey(str(row[3]), str(row[2]))
        for row in conn.execute(f"PRAGMA foreign_key_list({table})")
    ]


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def all_rows(conn: Connection, table: str) -> list[dict[str, Any]]:
    """Every row of a sync table."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    return _dicts(conn.execute(f"SELECT * FROM {table} ORDER BY id"))


def rows_by_id(conn: Connection, table: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of a sync table with these ids (missing ones are absent)."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    wanted = sorted(set(ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        found += _dicts(conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", chunk))
    return found


def minutes_of_meetings(conn: Connection, meeting_ids: Iterable[str]) -> set[str]:
    """Ids of the meeting_minutes rows (approval state) of these meetings."""
    found: set[str] = set()
    ids = sorted(set(meeting_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        found |= {
            r[0]
            for r in conn.execute(
                f"SELECT id FROM meeting_minutes WHERE meeting_id IN ({marks})", chunk
            )
        }
    return found


def row(conn: Connection, table: str, record_id: str) -> dict[str, Any] | None:
    """One row of a sync table."""
    found = rows_by_id(conn, table, [record_id])
    return found[0] if found else None


def upsert(conn: Connection, table: str, values: dict[str, Any]) -> None:
    """Write a row exactly as given (every column, bookkeeping included)."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    names = list(values)
    marks = ", ".join("?" for _ in names)
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
    conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        f" ON CONFLICT(id) DO UPDATE SET {updates}",
        [values[n] for n in names],
    )


def delete(conn: Connection, table: str, record_id: str) -> None:
    """Delete one row (its children cascade, as a local delete would)."""
    if table not in SYNC_TABLES:
        raise ValueError(f"not a sync table: {table}")
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))


def changes_since(conn: Connection, seq: int) -> tuple[dict[str, set[str]], int]:
    """(table → record ids changed after ``seq``, newest seq) from the change log."""
    changed: dict[str, set[str]] = {}
    newest = seq
    for table, record_id, row_seq in conn.execute(
        "SELECT table_name, record_id, seq FROM change_log WHERE seq > ? ORDER BY seq", (seq,)
    ):
        if table in SYNC_TABLES:
            changed.setdefault(table, set()).add(record_id)
        newest = max(newest, int(row_seq))
    return changed, newest


def last_change_seq(conn: Connection, table: str, record_ids: Iterable[str]) -> dict[str, int]:
    """Record id → the seq of its newest change-log entry."""
    result: dict[str, int] = {}
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        for rid, seq in conn.execute(
            f"SELECT record_id, MAX(seq) FROM change_log WHERE table_name = ?"
            f" AND record_id IN ({marks}) GROUP BY record_id",
            [table, *chunk],
        ):
            result[rid] = int(seq)
    return result


def deleted_records(conn: Connection) -> list[tuple[str, str, int, str]]:
    """(table, id, seq, at) of records whose last change-log entry is a delete."""
    rows = conn.execute(
        "SELECT c.table_name, c.record_id, c.seq, c.at FROM change_log c"
        " JOIN (SELECT table_name, record_id, MAX(seq) AS seq FROM change_log"
        "       GROUP BY table_name, record_id) last"
        " ON last.seq = c.seq WHERE c.op = 'delete'"
    )
    return [(t, r, int(s), a) for t, r, s, a in rows if t in SYNC_TABLES]


# --- identity -----------------------------------------------------------------------


def meta(conn: Connection, key: str) -> str | None:
    """A vault_meta value."""
    found = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()
    return found[0] if found else None


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Set a vault_meta value (e.g. the signing key, created on first sync)."""
    conn.execute(
        "INSERT INTO vault_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --- peers, bases, conflicts ----------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """A vault we exchange bundles with."""

    id: str
    name: str
    vault_id: str | None
    public_key: str | None
    last_exported_seq: int
    last_imported_seq: int


_PEER = (
    "SELECT id, name, vault_id, public_key, last_exported_seq, last_imported_seq FROM sync_peers"
)


def peers(conn: Connection) -> list[Peer]:
    """Every known peer."""
    return [Peer(*r) for r in conn.execute(_PEER + " ORDER BY name")]


def peer_by_name(conn: Connection, name: str) -> Peer | None:
    """The peer with this name."""
    found = conn.execute(_PEER + " WHERE name = ?", (name,)).fetchone()
    return Peer(*found) if found else None


def peer_by_vault(conn: Connection, vault_id: str) -> Peer | None:
    """The peer with this vault id."""
    found = conn.execute(_PEER + " WHERE vault_id = ?", (vault_id,)).fetchone()
    return Peer(*found) if found else None


def add_peer(
    conn: Connection, name: str, at: str, vault_id: str | None = None, public_key: str | None = None
) -> Peer:
    """Register a peer."""
    pid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO sync_peers (id, name, vault_id, public_key, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (pid, name, vault_id, public_key, at),
    )
    found = peer_by_name(conn, name)
    assert found is not None
    return found


def update_peer(conn: Connection, peer_id: str, **fields: object) -> None:
    """Change a peer's state."""
    allowed = {"vault_id", "public_key", "last_exported_seq", "last_imported_seq", "name"}
    if not set(fields) <= allowed:
        raise ValueError("unknown peer field")
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE sync_peers SET {sets} WHERE id = ?", (*fields.values(), peer_id))


def base(
    conn: Connection, peer_id: str, table: str, record_id: str
) -> tuple[str | None, int, str | None] | None:
    """(hash last received, its seq, hash last sent) for one peer and record, or None."""
    found = conn.execute(
        "SELECT content_hash, received_seq, sent_hash FROM sync_base"
        " WHERE peer_id = ? AND table_name = ? AND record_id = ?",
        (peer_id, table, record_id),
    ).fetchone()
    return (found[0], int(found[1]), found[2]) if found else None


def bases(conn: Connection, peer_id: str, table: str) -> dict[str, tuple[str | None, str | None]]:
    """Record id → (hash last received, hash last sent), for one peer and table."""
    return {
        rid: (received, sent)
        for rid, received, sent in conn.execute(
            "SELECT record_id, content_hash, sent_hash FROM sync_base"
            " WHERE peer_id = ? AND table_name = ?",
            (peer_id, table),
        )
    }


def set_base(
    conn: Connection,
    peer_id: str,
    table: str,
    record_id: str,
    content_hash: str,
    received_seq: int | None = None,
) -> None:
    """Remember the content received from a peer (both sides now have it)."""
    conn.execute(
        "INSERT INTO sync_base (peer_id, table_name, record_id, content_hash, received_seq)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(peer_id, table_name, record_id) DO UPDATE SET"
        " content_hash = excluded.content_hash, sent_hash = NULL,"
        " received_seq = MAX(sync_base.received_seq, excluded.received_seq)",
        (peer_id, table, record_id, content_hash, received_seq or 0),
    )


def set_sent(conn: Connection, peer_id: str, table: str, record_id: str, content_hash: str) -> None:
    """Remember the content just sent to a peer (not confirmed until it sends it back)."""
    conn.execute(
        "INSERT INTO sync_base (peer_id, table_name, record_id, sent_hash) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(peer_id, table_name, record_id) DO UPDATE SET"
        " sent_hash = excluded.sent_hash",
        (peer_id, table, record_id, content_hash),
    )


def drop_base(conn: Connection, peer_id: str, table: str, record_id: str) -> None:
    """Forget the base of a record (after a deletion both sides agree on)."""
    conn.execute(
        "DELETE FROM sync_base WHERE peer_id = ? AND table_name = ? AND record_id = ?",
        (peer_id, table, record_id),
    )


def add_conflict(
    conn: Connection,
    peer_id: str | None,
    table: str,
    record_id: str,
    kind: str,
    kept: dict[str, Any] | None,
    other: dict[str, Any] | None,
    other_hash: str,
    at: str,
) -> bool:
    """List a conflict (once per incoming version); True if new."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO sync_conflicts (id, peer_id, table_name, record_id, kind, kept,"
        " other, other_hash, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(uuid.uuid4()),
            peer_id,
            table,
            record_id,
            kind,
            None if kept is None else json.dumps(kept, sort_keys=True, default=str),
            None if other is None else json.dumps(other, sort_keys=True, default=str),
            other_hash,
            at,
        ),
    )
    return bool(cur.rowcount)


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Unresolved conflicts, oldest first."""
    return _dicts(
        conn.execute(
            "SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id"
        )
    )


def resolve_conflict(conn: Connection, conflict_id: str, at: str) -> bool:
    """Mark a conflict resolved."""
    cur = conn.execute(
        "UPDATE sync_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL",
        (at, conflict_id),
    )
    return bool(cur.rowcount)


def bundle_seen(conn: Connection, bundle_id: str) -> bool:
    """True when a bundle with this id was imported before."""
    return (
        conn.execute(
            "SELECT 1 FROM sync_imported_bundles WHERE bundle_id = ?", (bundle_id,)
        ).fetchone()
        is not None
    )


def remember_bundle(conn: Connection, bundle_id: str, source: str, at: str) -> None:
    """Note an imported bundle."""
    conn.execute(
        "INSERT OR IGNORE INTO sync_imported_bundles (bundle_id, source, imported_at)"
        " VALUES (?, ?, ?)",
        (bundle_id, source, at),
    )


# --- for the Sync page ----------------------------------------------------------------


def conflict(conn: Connection, conflict_id: str) -> dict[str, Any] | None:
    """One conflict (resolved or not), or None."""
    found = _dicts(conn.execute("SELECT * FROM sync_conflicts WHERE id = ?", (conflict_id,)))
    return found[0] if found else None


def open_conflicts_with_peer(conn: Connection) -> list[dict[str, Any]]:
    """Unresolved conflicts with the sending peer's name (``peer_name``), oldest first."""
    return _dicts(
        conn.execute(
            "SELECT c.*, p.name AS peer_name FROM sync_conflicts c"
            " LEFT JOIN sync_peers p ON p.id = c.peer_id"
            " WHERE c.resolved_at IS NULL ORDER BY c.detected_at, c.id"
        )
    )


def recent_imports(conn: Connection, limit: int = 10) -> list[tuple[str, str, str]]:
    """(bundle id, peer name or source, imported at) of the latest imports, newest first."""
    return [
        (str(b), str(n), str(at))
        for b, n, at in conn.execute(
            "SELECT b.bundle_id, COALESCE(p.name, b.source), b.imported_at"
            " FROM sync_imported_bundles b LEFT JOIN sync_peers p ON p.id = b.source"
            " ORDER BY b.imported_at DESC, b.bundle_id LIMIT ?",
            (limit,),
        )
    ]
