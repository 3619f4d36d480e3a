"""Turning rows into bundle records and back, and checking incoming ones.

Every incoming row is checked against the local schema before anything is
written: known table, exactly the table's columns, the declared type of each
value, ids of sane length. The database then enforces CHECK constraints and
(deferred) references inside the one import transaction.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from app.errors import BadInput
from app.i18n import _
from app.store import sync_repo
from app.store.connection import Connection

MAX_ID_CHARS = 64
BLOB_COLUMN = ("attachments", "data")


class BadRecord(BadInput):
    """An incoming record that does not fit the vault's schema."""


def to_record(
    table: str, row: Mapping[str, Any], seq: int, base: str | None = None
) -> dict[str, Any]:
    """A row as it travels: every column, BLOBs left out (they travel as files),
    its change seq, and the version it was built on as far as the receiver
    knows (``_base``, a content hash; None when there is none)."""
    record = {k: v for k, v in row.items() if (table, k) != BLOB_COLUMN}
    record["_seq"] = seq
    record["_base"] = base
    return record


def blob_of(table: str, row: Mapping[str, Any]) -> tuple[str, bytes] | None:
    """(sha256, bytes) of a row's BLOB, for the bundle's attachments/ folder."""
    if table != BLOB_COLUMN[0]:
        return None
    data = bytes(row[BLOB_COLUMN[1]])
    return hashlib.sha256(data).hexdigest(), data


def comparable(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as compared across vaults: a BLOB by its hash column, not its bytes."""
    return {k: v for k, v in row.items() if (table, k) != BLOB_COLUMN}


def from_record(
    conn: Connection, table: str, record: Mapping[str, Any], attachments: Mapping[str, bytes]
) -> tuple[dict[str, Any], int, str | None]:
    """The row to write for an incoming record, its seq and the version it was
    built on; :class:`BadRecord` if invalid."""
    bad = BadRecord(
        _("The bundle holds a record that does not fit ({table}); nothing was imported.").format(
            table=table
        )
    )
    if table not in sync_repo.SYNC_TABLES:
        raise BadRecord(_("The bundle holds an unknown kind of record; nothing was imported."))
    seq = record.get("_seq")
    if type(seq) is not int or seq < 0:
        raise bad
    declared = sync_repo.columns(conn, table)
    expected = {c.name for c in declared} - ({BLOB_COLUMN[1]} if table == BLOB_COLUMN[0] else set())
    if set(record) - {"_seq", "_base"} != expected:
        raise bad
    their_base = record.get("_base")
    if their_base is not None and not (isinstance(their_base, str) and len(their_base) <= 64):
        raise bad
    row: dict[str, Any] = {}
    for column in declared:
        if (table, column.name) == BLOB_COLUMN:
            digest = record.get("sha256")
            if not isinstance(digest, str) or digest not in attachments:
                raise bad
            row[column.name] = attachments[digest]
            continue
        value = record[column.name]
        if value is None:
            if column.not_null:
                raise bad
        elif column.type == "INTEGER":
            if type(value) is not int:
                raise bad
        elif column.type == "TEXT":
            if not isinstance(value, str):
                raise bad
        else:
            raise bad
        row[column.name] = value
    if not isinstance(row.get("id"), str) or not 0 < len(row["id"]) <= MAX_ID_CHARS:
        raise bad
    return row, seq, their_base


def tombstone(
    table: str, record_id: str, seq: int, at: str, base: str | None = None
) -> dict[str, Any]:
    """A deletion as it travels (``base``: the version deleted, as the receiver had it)."""
    return {"table": table, "id": record_id, "seq": seq, "at": at, "base": base}


def check_tombstone(item: Mapping[str, Any]) -> tuple[str, str, int, str | None]:
    """(table, id, seq, base) of an incoming deletion; :class:`BadRecord` if invalid."""
    table, record_id, seq = item.get("table"), item.get("id"), item.get("seq")
    base = item.get("base")
    if (
        table not in sync_repo.SYNC_TABLES
        or not isinstance(record_id, str)
        or not 0 < len(record_id) <= MAX_ID_CHARS
        or type(seq) is not int
        or (base is not None and not isinstance(base, str))
    ):
        raise BadRecord(_("The bundle holds a deletion that does not fit; nothing was imported."))
    assert isinstance(table, str)
    return table, record_id, seq, base


def encode_key(raw: bytes) -> str:
    """Base64 text of a raw key."""
    return base64.b64encode(raw).decode("ascii")
