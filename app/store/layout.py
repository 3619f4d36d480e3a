"""The files inside a vault directory, by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VaultLayout:
    """Paths of one vault directory's files."""

    root: Path

    @property
    def db(self) -> Path:
        """The SQLCipher database."""
        return self.root / "vault.db"

    @property
    def db_new(self) -> Path:
        """A database being created; becomes :attr:`db` once the key file exists."""
        return self.root / "vault.db.new"

    @property
    def wal(self) -> Path:
        """SQLite's write-ahead log of :attr:`db` (encrypted too)."""
        return self.root / "vault.db-wal"

    @property
    def shm(self) -> Path:
        """SQLite's shared-memory index of the WAL."""
        return self.root / "vault.db-shm"

    @property
    def keyfile(self) -> Path:
        """The wrapped database key."""
        return self.root / "vault.key"

    @property
    def lockfile(self) -> Path:
        """Held by the one process that has this vault open."""
        return self.root / "vault.lock"

    @property
    def backups(self) -> Path:
        """Automatic rotating backups."""
        return self.root / "backups"

    @property
    def restore_db(self) -> Path:
        """A restored database waiting to be moved into place."""
        return self.root / "vault.db.restoring"

    @property
    def restore_keyfile(self) -> Path:
        """A restored key file waiting to be moved into place."""
        return self.root / "vault.key.restoring"

    @property
    def restore_marker(self) -> Path:
        """Present once both restored files are complete: roll forward on next open."""
        return self.root / "restore.pending"

    def contains(self, path: Path) -> bool:
        """True when ``path`` lies inside this vault directory."""
        return Path(path).resolve().is_relative_to(self.root.resolve())

    def exists(self) -> bool:
        """True when a vault has been created here."""
        return self.keyfile.is_file()
