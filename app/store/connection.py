"""Opening the SQLCipher database safely.

Rules from security.md: the key is a raw 256-bit key given as hex (validated);
after keying we prove that SQLCipher really is in charge (cipher_version set,
file header not plain SQLite); cipher logging off; extensions never enabled;
a missing or unreadable file is never replaced by a new, empty database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlcipher3

from app.errors import StorageFull, VaultDamaged
from app.i18n import _

Connection = Any  # sqlcipher3.Connection has no type stubs
DatabaseError = sqlcipher3.DatabaseError
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
_HEX_KEY = re.compile(r"[0-9a-f]{64}")
# SQLite's primary result codes for "the write did not reach the disk":
# SQLITE_FULL (ENOSPC, or max_page_count) and SQLITE_IOERR (EFBIG from a file
# size limit, EIO from a failing disk). sqlcipher3 reports primary codes.
_SQLITE_IOERR = 10
_SQLITE_FULL = 13
#: The page cache, in SQLite's negative-KiB form: 32 MB (see :func:`_configure`).
CACHE_SIZE = -32768


def storage_error(exc: BaseException) -> StorageFull | None:
    """The user's sentence when ``exc`` is SQLite failing to write to the disk, else None.

    Without this a full disk reached the user as a bug report (a raw
    ``OperationalError``); it is an environment problem with one clear
    sentence, and SQLite has already rolled the failed transaction back.
    """
    if not isinstance(exc, DatabaseError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    # sqlcipher_export() reports its inner error as a plain SQLITE_ERROR with
    # SQLite's own sentence for the code: recognise those two sentences too.
    if not (isinstance(code, int) and (code & 0xFF) in (_SQLITE_FULL, _SQLITE_IOERR)) and str(
        exc
    ) not in ("database or disk is full", "disk I/O error"):
        return None
    return StorageFull(
        _(
            "The disk is full or cannot be written; the last change was not saved, "
            "but everything saved before it is safe."
        )
    )


def key_pragma_value(key: bytes) -> str:
    """The ``x'…'`` literal for a raw key; refuses anything but 32 bytes of hex."""
    hex_key = key.hex()
    if len(key) != 32 or not _HEX_KEY.fullmatch(hex_key):
        raise ValueError("database key must be exactly 32 bytes")
    return f"\"x'{hex_key}'\""


def looks_like_plain_sqlite(path: Path) -> bool:
    """True when ``path`` starts with the unencrypted SQLite header."""
    try:
        with path.open("rb") as f:
            return f.read(len(PLAIN_SQLITE_HEADER)) == PLAIN_SQLITE_HEADER
    except FileNotFoundError:
        return False


def open_database(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """Open (or, with ``create``, make) the encrypted database at ``path``.

    Returns a connection in autocommit mode: callers group writes with
    :func:`app.store.tx.transaction`. Raises :class:`VaultDamaged` when the file
    is missing, plain SQLite, or does not decrypt with ``key``.
    """
    damaged = VaultDamaged(
        _("The vault's database is damaged or does not match its key file; restore a backup.")
    )
    if create:
        if path.exists():
            raise ValueError(f"refusing to create over an existing file: {path.name}")
        uri = path.resolve().as_uri() + "?mode=rwc"
    else:
        if not path.is_file():
            raise VaultDamaged(_("The vault's database file is missing; restore a backup."))
        if looks_like_plain_sqlite(path):
            raise VaultDamaged(
                _("The vault's database is not encrypted; Samråd refuses to open it.")
            )
        # mode=rw: SQLite must never create a fresh file in place of a lost one.
        uri = path.resolve().as_uri() + "?mode=rw"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=True)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key_pragma_value(key)}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            raise damaged from None
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise VaultDamaged(_("The encryption library is missing; Samråd refuses to continue."))
        _configure(conn)
        if looks_like_plain_sqlite(path):
            raise VaultDamaged(
                _("The vault's database is not encrypted; Samråd refuses to open it.")
            )
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise VaultDamaged(_("The vault's database could not be switched to safe journaling."))
    # FULL: a commit the advisor saw reported survives power loss (WAL + NORMAL
    # may lose the last transactions). Autosave writes are tiny, so the cost is low.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    # SQLCipher decrypts each page it reads into this cache; the default (2 MB)
    # is small beside a five-year vault (~110 MB), so every query mix decrypted
    # its pages again (docs/performance.md). 32 MB, filled only as pages are read.
    conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
