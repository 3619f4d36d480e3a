"""Bulk writes for the large demo vault: many rows per statement, few transactions.

Only the demo generator (``app/services/demo_large.py``) uses this module.
The rows it writes are complete record rows (id, timestamps and writer
included), so the change-log triggers fire for each of them exactly as for
a row written through a repository; sync sees no difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from app.store.connection import Connection

_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


def _ident(name: str) -> str:
    # Table and column names cannot be bound parameters; allow only plain identifiers.
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


@contextmanager
def fast_writes(conn: Connection) -> Iterator[None]:
    """Build without an fsync per commit; the normal durability returns afterwards.

    Safe for a vault being generated: if the process dies half-way, the half
    vault is thrown away and made again. Never used on an advisor's vault.
    """
    conn.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA synchronous = FULL")


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """INSERT every row (values in ``columns`` order) with one prepared statement."""
    cols = ", ".join(_ident(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    cur = conn.executemany(f"INSERT INTO {_ident(table)} ({cols}) VALUES ({marks})", rows)
    return int(cur.rowcount)


def set_meeting_statuses(conn: Connection, changes: Iterable[tuple[str, str, str, str]]) -> None:
    """(status, updated_at, writer vault id, meeting id): as ``mark_held`` and
    ``cancel_meeting`` do one by one (the meeting is then kept as it is)."""
    conn.executemany(
        "UPDATE meetings SET status = ?, detached = 1, sequence = sequence + 1,"
        " updated_at = ?, writer_vault_id = ? WHERE id = ?",
        changes,
    )
