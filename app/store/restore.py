"""Installing a restored vault so that a crash at any moment leaves a whole vault.

Restoring replaces two files (database and key file) that must match. Both
are first written complete under ``*.restoring`` names; then a marker file is
written atomically. From that moment the restore is decided: moving the files
into place is idempotent and is finished by whoever opens the directory next
(:func:`finish_pending`). Without the marker, leftover ``*.restoring`` files are
an abandoned attempt and are deleted; the old vault is untouched.

The vault being replaced is not deleted: its database, WAL and key file move
to ``backups/replaced-<time>/`` (still encrypted), so a mistaken restore loses
nothing. Its ``-shm`` file is deleted: it must never meet the new database.
"""

from __future__ import annotations

from pathlib import Path

from app.fileio import atomic_write, ensure_private_dir, fsync_dir
from app.store.layout import VaultLayout


def stage(layout: VaultLayout, replaced_tag: str) -> None:
    """Mark a fully written ``restore_db`` + ``restore_keyfile`` as decided."""
    atomic_write(layout.restore_marker, replaced_tag.encode("ascii"))


def finish_pending(layout: VaultLayout) -> bool:
    """Complete a decided restore, or discard an undecided one. True if one finished."""
    if not layout.restore_marker.exists():
        layout.restore_db.unlink(missing_ok=True)
        layout.restore_keyfile.unlink(missing_ok=True)
        return False
    tag = layout.restore_marker.read_text("ascii").strip() or "unknown"
    aside = layout.backups / f"replaced-{tag}"
    # Each step checks its own source, so re-running after a crash at any
    # point never moves the *new* database or key file aside.
    if layout.restore_db.exists():
        _set_aside(aside, (layout.db, layout.wal))
        layout.shm.unlink(missing_ok=True)
        layout.restore_db.replace(layout.db)
        fsync_dir(layout.root)
    if layout.restore_keyfile.exists():
        _set_aside(aside, (layout.keyfile,))
        layout.restore_keyfile.replace(layout.keyfile)
        fsync_dir(layout.root)
    layout.restore_marker.unlink()
    fsync_dir(layout.root)
    return True


def _set_aside(aside: Path, files: tuple[Path, ...]) -> None:
    present = [f for f in files if f.exists()]
    if not present:
        return
    ensure_private_dir(aside)
    for old in present:
        old.replace(aside / old.name)
    fsync_dir(aside)
