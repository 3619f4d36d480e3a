"""Atomic, private file writes: temp name in the same directory, 0600, fsync, rename.

Every file Samråd writes (key file, backups, bundles, PDFs) goes through
:func:`atomic_write` so that no half-written file ever sits under its final
name (Electrum's storage writer and KeePassXC's QSaveFile are the models).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from app.errors import StorageFull
from app.i18n import _

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed and restrict it to the owner."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR)


def fsync_dir(path: Path) -> None:
    """Flush a directory entry so a rename inside it survives power loss."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """The temporary sibling that :func:`atomic_write` uses for ``path``."""
    return path.with_name(f".{path.name}.tmp.{os.getpid()}")


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    Raises :class:`StorageFull` when the disk is full or the write fails;
    the previous content of ``path`` (if any) is then untouched.
    """

    def _write(out: BinaryIO) -> None:
        if isinstance(data, bytes | bytearray):
            out.write(data)
        else:
            for chunk in data:
                out.write(chunk)

    atomic_write_with(path, _write)


def atomic_write_with(path: Path, writer: Callable[[BinaryIO], None]) -> None:
    """Like :func:`atomic_write`, but ``writer`` streams into the open file."""
    tmp = temp_name(path)
    try:
        # O_EXCL with 0600 from the first byte: never a moment of wider mode.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as out:
            writer(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        _discard(tmp)
        raise storage_full(exc) from None
    except BaseException:
        _discard(tmp)
        raise


def storage_full(exc: OSError) -> StorageFull:
    """The one sentence for a file write that failed (full disk, quota, size limit, I/O)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageFull(_("The disk is full; nothing was changed."))
    return StorageFull(_("The file could not be written; nothing was changed."))


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
