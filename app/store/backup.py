"""Backup files: one encrypted file holding a consistent copy of the vault.

Layout (all integers big-endian)::

    16 bytes   magic  b"SAMRAAD-BACKUP\\x00\\x01"
     4 bytes   length of the header
     N bytes   header: UTF-8 JSON (format version, vault id, created at,
               schema version, change-log position, size and SHA-256 of the
               database copy, and the vault's key file as it was then)
     rest      the database copy, a SQLCipher file under the vault's key

Nothing in the file is plaintext personal data: the database copy is
encrypted with the vault key, and the key file holds that key only wrapped
under the passphrase and the recovery code. Restoring therefore needs the
passphrase (or recovery code) that was valid when the backup was made.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import BadBackup, KnownError, StorageFull
from app.fileio import atomic_write_with, ensure_private_dir, storage_full, temp_name
from app.i18n import _
from app.store import keyfile as keyfile_mod
from app.store.connection import Connection, DatabaseError, key_pragma_value, storage_error

MAGIC = b"SAMRAAD-BACKUP\x00\x01"
FORMAT_VERSION = 1
MAX_HEADER = 1 << 20
CHUNK = 1 << 20
SUFFIX = ".samraad-backup"
AUTO_PREFIX = "auto-"
AUTO_KEEP = 7


@dataclass(frozen=True)
class BackupHeader:
    """What a backup says about itself (no personal data)."""

    vault_id: str
    created_at: str
    schema_version: int
    change_seq: int
    db_size: int
    db_sha256: str
    keyfile: keyfile_mod.KeyFile


@dataclass(frozen=True)
class BackupFile:
    """A parsed backup: its header and where the database copy starts."""

    path: Path
    header: BackupHeader
    db_offset: int


def bad_backup() -> BadBackup:
    """The one sentence for any backup that cannot be used."""
    return BadBackup(_("The file is not a Samråd backup, or it is damaged or incomplete."))


def snapshot_database(conn: Connection, key: bytes, dest: Path, schema_version: int) -> None:
    """Write a consistent encrypted copy of the open database to ``dest``.

    ``sqlcipher_export`` runs as one statement, so it reads one WAL snapshot;
    the copy is keyed with the same raw key and never exists in plaintext.
    """
    try:
        if dest.exists():
            dest.unlink()
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        raise storage_full(exc) from None
    conn.execute(f"ATTACH DATABASE ? AS snapshot KEY {key_pragma_value(key)}", (str(dest),))
    try:
        conn.execute("SELECT sqlcipher_export('snapshot')")
        # sqlcipher_export copies schema and rows, not the header's user_version.
        conn.execute(f"PRAGMA snapshot.user_version = {int(schema_version)}")
    except DatabaseError as exc:
        # A full disk while copying is the user's environment, not a bug.
        full = storage_error(exc) is not None
        _detach(conn)
        if full:
            raise StorageFull(_("The disk is full; nothing was changed.")) from None
        raise
    except BaseException:
        _detach(conn)
        raise
    conn.execute("DETACH DATABASE snapshot")


def _detach(conn: Connection) -> None:
    """DETACH after a failure, without hiding the failure behind a second error."""
    try:
        conn.execute("DETACH DATABASE snapshot")
    except DatabaseError:
        pass


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_backup(
    out: Path,
    db_copy: Path,
    keyfile: keyfile_mod.KeyFile,
    created_at: str,
    schema_version: int,
    change_seq: int,
) -> BackupHeader:
    """Assemble the backup file at ``out`` atomically (temp, 0600, fsync, rename)."""
    size, sha = _file_digest(db_copy)
    header = BackupHeader(
        vault_id=keyfile.vault_id,
        created_at=created_at,
        schema_version=schema_version,
        change_seq=change_seq,
        db_size=size,
        db_sha256=sha,
        keyfile=keyfile,
    )
    header_bytes = json.dumps(_header_json(header), sort_keys=True).encode("utf-8")

    def _stream(target: BinaryIO) -> None:
        target.write(MAGIC)
        target.write(struct.pack(">I", len(header_bytes)))
        target.write(header_bytes)
        with db_copy.open("rb") as source:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                target.write(chunk)

    atomic_write_with(out, _stream)
    return header


def _header_json(header: BackupHeader) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "vault_id": header.vault_id,
        "created_at": header.created_at,
        "schema_version": header.schema_version,
        "change_seq": header.change_seq,
        "db_size": header.db_size,
        "db_sha256": header.db_sha256,
        "keyfile": keyfile_mod.to_json(header.keyfile),
    }


def read_header(path: Path) -> BackupFile:
    """Parse the header of the backup at ``path`` (does not check the body's hash)."""
    try:
        with path.open("rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                raise bad_backup()
            raw_len = f.read(4)
            if len(raw_len) != 4:
                raise bad_backup()
            (length,) = struct.unpack(">I", raw_len)
            if length > MAX_HEADER:
                raise bad_backup()
            raw = f.read(length)
            total = os.fstat(f.fileno()).st_size
    except FileNotFoundError:
        raise BadBackup(_("The backup file does not exist.")) from None
    except IsADirectoryError:
        raise bad_backup() from None
    try:
        data = json.loads(raw.decode("utf-8"))
        if data["format_version"] != FORMAT_VERSION:
            raise bad_backup()
        header = BackupHeader(
            vault_id=str(data["vault_id"]),
            created_at=str(data["created_at"]),
            schema_version=int(data["schema_version"]),
            change_seq=int(data["change_seq"]),
            db_size=int(data["db_size"]),
            db_sha256=str(data["db_sha256"]),
            keyfile=keyfile_mod.from_json(data["keyfile"]),
        )
    except KnownError:
        raise bad_backup() from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise bad_backup() from None
    offset = len(MAGIC) + 4 + length
    if total - offset != header.db_size:
        raise bad_backup()
    return BackupFile(path=path, header=header, db_offset=offset)


def extract_database(backup: BackupFile, dest: Path) -> None:
    """Copy the database out of ``backup`` into ``dest`` (0600), checking its SHA-256."""
    digest = hashlib.sha256()
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, backup.path.open("rb") as source:
            source.seek(backup.db_offset)
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise storage_full(exc) from None
    if digest.hexdigest() != backup.header.db_sha256:
        dest.unlink()
        raise bad_backup()


def is_whole(backup: BackupFile) -> bool:
    """True when the database copy in ``backup`` matches the SHA-256 in its header."""
    digest = hashlib.sha256()
    size = 0
    try:
        with backup.path.open("rb") as source:
            source.seek(backup.db_offset)
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return False
    return size == backup.header.db_size and digest.hexdigest() == backup.header.db_sha256


def auto_backups(directory: Path) -> list[Path]:
    """The automatic backups in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"{AUTO_PREFIX}*{SUFFIX}") if p.is_file())


def auto_backup_name(created_at: str) -> str:
    """File name for an automatic backup made at ``created_at`` (sortable)."""
    stamp = created_at.replace("-", "").replace(":", "").replace(".", "")
    return f"{AUTO_PREFIX}{stamp}{SUFFIX}"


def prune_auto_backups(directory: Path, keep: int = AUTO_KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups; returns those deleted."""
    existing = auto_backups(directory)
    doomed = existing[: max(0, len(existing) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def latest_auto_backup(directory: Path) -> BackupFile | None:
    """The newest readable automatic backup, if any."""
    for path in reversed(auto_backups(directory)):
        try:
            return read_header(path)
        except BadBackup:
            continue
    return None


def latest_good_auto_backup(directory: Path, vault_id: str | None = None) -> BackupFile | None:
    """The newest automatic backup that is whole (header and SHA-256), if any.

    What a damage report offers to restore: a backup whose body was damaged
    too would only fail again at restore, so it is skipped (and left in place).
    With ``vault_id``, only that vault's backups count.
    """
    for path in reversed(auto_backups(directory)):
        try:
            parsed = read_header(path)
        except BadBackup:
            continue
        if vault_id is not None and parsed.header.vault_id != vault_id:
            continue
        if is_whole(parsed):
            return parsed
    return None


@contextmanager
def scratch_path(directory: Path, stem: str) -> Iterator[Path]:
    """Yield a private scratch file path in ``directory``; removed afterwards."""
    ensure_private_dir(directory)
    path = temp_name(directory / stem)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
