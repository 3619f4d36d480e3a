"""SQL for retention and erasure: the rules' settings, the dates the rules read,
removing every row about a case, the erased-ids list, the export log, and
compacting the database file so that erased data is physically gone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.case_model import CaseKind, CaseStatus
from app.domain.retention import CaseDates, FormDates, RetentionRules
from app.store import records, settings_repo, sync_repo
from app.store.case_data_repo import CASE_TABLES
from app.store.connection import Connection
from app.store.records import WriteContext

ANONYMOUS_MONTHS = "retention_anonymous_months"
NAMED_MONTHS = "retention_named_months"
WITHDRAWN_FORM_DAYS = "retention_withdrawn_form_days"
_CHUNK = 500
_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


# --- the rules ------------------------------------------------------------------------


def _int_setting(conn: Connection, key: str, default: int) -> int:
    value = settings_repo.get(conn, key)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def rules(conn: Connection) -> RetentionRules:
    """The vault's retention rules (defaults for any not set)."""
    base = RetentionRules()
    return RetentionRules(
        anonymous_months=_int_setting(conn, ANONYMOUS_MONTHS, base.anonymous_months),
        named_months=_int_setting(conn, NAMED_MONTHS, base.named_months),
        withdrawn_form_days=_int_setting(conn, WITHDRAWN_FORM_DAYS, base.withdrawn_form_days),
    )


def put_rules(conn: Connection, ctx: WriteContext, new: RetentionRules) -> None:
    """Store the retention rules (inside the caller's transaction)."""
    settings_repo.put(conn, ctx, ANONYMOUS_MONTHS, str(new.anonymous_months))
    settings_repo.put(conn, ctx, NAMED_MONTHS, str(new.named_months))
    settings_repo.put(conn, ctx, WITHDRAWN_FORM_DAYS, str(new.withdrawn_form_days))


# --- the dates the rules read ---------------------------------------------------------------


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def case_dates(
    conn: Connection, tz: ZoneInfo, case_ids: Iterable[str] | None = None
) -> list[CaseDates]:
    """The rule-facing dates of the given cases (all cases when None).

    The last meeting is the latest meeting, not cancelled, with an agenda item
    about the case; its day is taken in the vault's time zone.
    """
    last_meeting: dict[str, date] = {}
    for case_id, start_utc in conn.execute(
        "SELECT i.case_id, MAX(m.start_utc) FROM agenda_items i"
        " JOIN meetings m ON m.id = i.meeting_id"
        " WHERE i.case_id IS NOT NULL AND m.status != 'cancelled' GROUP BY i.case_id"
    ):
        moment = datetime.fromisoformat(str(start_utc).replace("Z", "+00:00"))
        last_meeting[case_id] = moment.astimezone(tz).date()
    sql = "SELECT id, kind, status, opened_on, closed_on, reopened_on FROM cases"
    if case_ids is None:
        rows = conn.execute(sql + " ORDER BY id").fetchall()
    else:
        rows = []
        wanted = sorted(set(case_ids))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            rows += conn.execute(sql + f" WHERE id IN ({marks})", chunk).fetchall()
    return [
        CaseDates(
            case_id=cid,
            kind=CaseKind(kind),
            status=CaseStatus(status),
            opened_on=date.fromisoformat(opened),
            closed_on=_day(closed),
            reopened_on=_day(reopened),
            last_meeting_on=last_meeting.get(cid),
        )
        for cid, kind, status, opened, closed, reopened in rows
    ]


def forms(conn: Connection) -> list[FormDates]:
    """Every consent with a scanned form, with its withdrawal date."""
    return [
        FormDates(cid, case_id, attachment_id, _day(withdrawn))
        for cid, case_id, attachment_id, withdrawn in conn.execute(
            "SELECT id, case_id, attachment_id, withdrawn_on FROM consents"
            " WHERE attachment_id IS NOT NULL ORDER BY id"
        )
    ]


@dataclass(frozen=True)
class CaseLabel:
    """What a due list shows of a case: no surname, no birth date."""

    id: str
    kind: str
    first_name: str
    site_id: str
    site_name: str
    status: str


def labels(conn: Connection, case_ids: Iterable[str]) -> dict[str, CaseLabel]:
    """Case id → its first name (or pseudonym), site and status."""
    found: dict[str, CaseLabel] = {}
    wanted = sorted(set(case_ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for row in conn.execute(
            "SELECT c.id, c.kind, c.first_name, c.site_id, s.name, c.status FROM cases c"
            f" JOIN sites s ON s.id = c.site_id WHERE c.id IN ({marks})",
            chunk,
        ):
            found[row[0]] = CaseLabel(*row)
    return found


# --- erasing --------------------------------------------------------------------------


def rows_of_case(conn: Connection, case_id: str) -> dict[str, list[str]]:
    """Table → ids of every record about the case (case_data_repo.CASE_TABLES).

    The audit log is left out: it is append-only and names ids, never
    personal data.
    """
    found: dict[str, list[str]] = {}
    for table, sql in CASE_TABLES.items():
        if table == "audit_log":
            continue
        cur = conn.execute(sql, (case_id,))
        names = [d[0] for d in cur.description]
        index = names.index("id")
        ids = sorted({str(row[index]) for row in cur.fetchall()})
        if ids:
            found[table] = ids
    return found


def _delete_order(tables: Iterable[str]) -> list[str]:
    """Children before parents: reverse sync order; tables outside it first."""
    known = [t for t in reversed(sync_repo.SYNC_TABLES) if t in set(tables)]
    return sorted(set(tables) - set(known)) + known


def erase_rows(conn: Connection, rows: Mapping[str, Sequence[str]], at: str) -> dict[str, int]:
    """Delete these records, children first; returns rows removed per table.

    Each id goes onto the erased list, and the sync conflicts that hold a
    copy of one of them are dropped. The change-log triggers write a delete
    for each record, which the next export turns into a tombstone.
    """
    counts: dict[str, int] = {}
    for table in _delete_order(rows):
        if table not in sync_repo.SYNC_TABLES and table not in CASE_TABLES:
            raise ValueError(f"not a table about a child: {table}")
        ids = sorted(set(rows[table]))
        removed = 0
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            conn.execute(
                f"DELETE FROM sync_conflicts WHERE table_name = ? AND record_id IN ({marks})",
                [table, *chunk],
            )
            cur = conn.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
            removed += max(cur.rowcount, 0)
            conn.executemany(
                "INSERT OR IGNORE INTO erased_records (table_name, record_id, erased_at)"
                " VALUES (?, ?, ?)",
                [(table, rid, at) for rid in chunk],
            )
        if removed:
            counts[table] = removed
    return counts


def erase_case(
    conn: Connection, case_id: str, at: str, rows: Mapping[str, Sequence[str]] | None = None
) -> dict[str, int]:
    """Remove the case and every record about it; returns rows removed per table.

    ``rows`` is :func:`rows_of_case` when the caller has it already.
    """
    if rows is None:
        rows = rows_of_case(conn, case_id)
    # Records that merely point at a removed record (an agreement of another
    # case made under this child's agenda item) lose the pointer (ON DELETE SET
    # NULL), so nothing about the child survives in them.
    counts = erase_rows(conn, rows, at)
    forget_case_in_exports(conn, case_id)
    return counts


def erase_form(
    conn: Connection, ctx: WriteContext, consent_id: str, attachment_id: str, at: str
) -> dict[str, int]:
    """Remove a consent's scanned form; the consent record stays (without it)."""
    records.update(conn, ctx, "consents", consent_id, {"attachment_id": None})
    return erase_rows(conn, {"attachments": [attachment_id]}, at)


def erase_incoming(conn: Connection, ctx: WriteContext, table: str, record_id: str, at: str) -> int:
    """Apply a peer's erasure of one record here; returns the rows removed.

    A case goes with everything about it. A scanned form is first unhooked
    from any consent still pointing at it (the consent keeps its record).
    """
    if table == "cases":
        removed = sum(erase_case(conn, record_id, at).values())
    else:
        if table == "attachments":
            for (consent_id,) in conn.execute(
                "SELECT id FROM consents WHERE attachment_id = ?", (record_id,)
            ).fetchall():
                records.update(conn, ctx, "consents", consent_id, {"attachment_id": None})
        removed = sum(erase_rows(conn, {table: [record_id]}, at).values())
    # Erased even if it never reached this vault: an older bundle must not bring it.
    conn.execute(
        "INSERT OR IGNORE INTO erased_records (table_name, record_id, erased_at) VALUES (?, ?, ?)",
        (table, record_id, at),
    )
    return removed


def erased_ids(conn: Connection) -> dict[str, set[str]]:
    """Table → ids of every record erased in this vault."""
    found: dict[str, set[str]] = {}
    for table, record_id in conn.execute("SELECT table_name, record_id FROM erased_records"):
        found.setdefault(table, set()).add(record_id)
    return found


def is_erased(conn: Connection, table: str, record_id: str) -> bool:
    """True when this record was erased here."""
    return (
        conn.execute(
            "SELECT 1 FROM erased_records WHERE table_name = ? AND record_id = ?",
            (table, record_id),
        ).fetchone()
        is not None
    )


def _fts_tables(conn: Connection) -> list[str]:
    return [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND lower(sql) LIKE 'create virtual table%using fts5%' ORDER BY name"
        )
        if _IDENT.fullmatch(str(name))
    ]


@contextmanager
def purged_full_text(conn: Connection) -> Iterator[None]:
    """Delete many rows, then rebuild the full-text indexes without them.

    Inside the caller's transaction. FTS5's per-row ``secure-delete`` rewrites
    a word's whole posting list for each deleted document, which makes a
    bulk erasure slow on a large vault; instead it is paused while the rows
    go, and one ``optimize`` merges every segment into one without the
    deleted documents (the freed pages are zeroed by ``secure_delete``).
    The index's own setting is restored afterwards.
    """
    tables = _fts_tables(conn)
    saved: dict[str, str | None] = {}
    for table in tables:
        row = conn.execute(f"SELECT v FROM {table}_config WHERE k = 'secure-delete'").fetchone()
        saved[table] = None if row is None else str(row[0])
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('secure-delete', 0)")
    yield
    for table in tables:
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        conn.execute(
            f"INSERT INTO {table} ({table}, rank) VALUES ('secure-delete', ?)",
            (int(saved[table] or 0),),
        )


def compact(conn: Connection) -> None:
    """Make removed rows physically gone from the database and its WAL.

    With ``secure_delete`` on, freed pages are overwritten with zeros; VACUUM
    then rewrites the file without free pages, and a TRUNCATE checkpoint
    copies the WAL into the database and empties the -wal file. Must run
    outside a transaction.
    """
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the export log -------------------------------------------------------------------


@dataclass(frozen=True)
class BundleExport:
    """A bundle file this vault wrote."""

    id: str
    path: str
    written_at: str
    mode: str
    peer_name: str | None


def record_export(
    conn: Connection,
    path: str,
    at: str,
    mode: str,
    peer_id: str | None,
    case_ids: Iterable[str],
) -> str:
    """Note a written bundle and the cases it holds (inside the export's transaction)."""
    export_id = records.new_id()
    conn.execute(
        "INSERT INTO bundle_exports (id, path, written_at, mode, peer_id, case_ids)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (export_id, path, at, mode, peer_id, json.dumps(sorted(set(case_ids)))),
    )
    return export_id


def exports_with_case(conn: Connection, case_id: str) -> list[BundleExport]:
    """Bundles written by this vault that held the case, oldest first."""
    return [
        BundleExport(*row)
        for row in conn.execute(
            "SELECT b.id, b.path, b.written_at, b.mode, p.name FROM bundle_exports b"
            " LEFT JOIN sync_peers p ON p.id = b.peer_id"
            " WHERE EXISTS (SELECT 1 FROM json_each(b.case_ids) WHERE value = ?)"
            " ORDER BY b.written_at, b.id",
            (case_id,),
        )
    ]


def forget_case_in_exports(conn: Connection, case_id: str) -> None:
    """Drop an erased case's id from the export log (the warning has been given).

    A logged bundle left holding no case goes too: its file name, chosen by
    the advisor, may name the child.
    """
    for export_id, case_ids in conn.execute(
        "SELECT id, case_ids FROM bundle_exports"
        " WHERE EXISTS (SELECT 1 FROM json_each(case_ids) WHERE value = ?)",
        (case_id,),
    ).fetchall():
        kept = [c for c in json.loads(case_ids) if c != case_id]
        if kept:
            conn.execute(
                "UPDATE bundle_exports SET case_ids = ? WHERE id = ?",
                (json.dumps(kept), export_id),
            )
        else:
            conn.execute("DELETE FROM bundle_exports WHERE id = ?", (export_id,))


def _lookup(conn: Connection, sql: str, ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted({i for i in ids if i})
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        found |= {
            str(r[0]) for r in conn.execute(sql.format(marks=marks), chunk) if r[0] is not None
        }
    return found


def cases_in_rows(conn: Connection, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> set[str]:
    """Ids of the cases that records about a child in ``rows`` belong to."""
    found = {str(r["id"]) for r in rows.get("cases", ())}
    for table_rows in rows.values():
        found |= {str(r["case_id"]) for r in table_rows if r.get("case_id")}
    consents = {
        str(r["consent_id"])
        for t in ("consent_guardians", "consent_roles")
        for r in rows.get(t, ())
    }
    found |= _lookup(conn, "SELECT case_id FROM consents WHERE id IN ({marks})", consents)
    found |= _lookup(
        conn,
        "SELECT case_id FROM consents WHERE attachment_id IN ({marks})",
        (str(r["id"]) for r in rows.get("attachments", ())),
    )
    found |= _lookup(
        conn,
        "SELECT case_id FROM agenda_items WHERE id IN ({marks})",
        (str(r["agenda_item_id"]) for r in rows.get("item_minutes", ())),
    )
    return found
