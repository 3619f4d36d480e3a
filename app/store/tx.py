"""Transactions: every write in Samråd runs inside exactly one of these."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.store.connection import Connection


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls the whole block back.

    IMMEDIATE takes the write lock up front, so a write never fails half-way
    through for want of a lock it could have waited for.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        # Inside the try: a COMMIT can fail too (deferred foreign keys, a full
        # disk), and must then not leave the transaction open.
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
