"""The vault: a directory with one encrypted database, its key file and backups.

Two objects, two states:

* :class:`VaultDirectory` — this process holds the directory (a file lock,
  taken before unlock, so a second Samråd on the same vault is refused at
  once). It creates, unlocks and restores.
* :class:`Vault` — the unlocked session: an open SQLCipher connection and the
  key. :meth:`Vault.close` is the lock: it writes the audit entry, makes the
  automatic backup, closes the connection and drops the key.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from app.clock import Clock, iso_utc, utc_now
from app.domain.secrets_policy import (
    RECOVERY_CODE_BYTES,
    format_recovery_code,
    normalise_passphrase,
    passphrase_problem,
    unlock_delay,
)
from app.errors import (
    BadInput,
    KnownError,
    VaultDamaged,
    VaultExists,
    VaultInUse,
    VaultLocked,
    VaultMissing,
    WeakPassphrase,
    WrongSecret,
)
from app.fileio import ensure_private_dir, fsync_dir
from app.i18n import _
from app.store import audit, backup, migrate, restore
from app.store import keyfile as keyfile_mod
from app.store.audit import Action, DetailValue
from app.store.connection import Connection, DatabaseError, open_database, storage_error
from app.store.layout import VaultLayout
from app.store.records import WriteContext
from app.store.tx import transaction

COUNTRIES = ("DK", "NO")
_log = logging.getLogger(__name__)
# SQLITE_CORRUPT and SQLITE_NOTADB: what a page that fails its HMAC turns into.
_DAMAGE_CODES = (11, 26)
Random = Callable[[int], bytes]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class SelfTestReport:
    """The outcome of :meth:`Vault.self_test`."""

    cipher_problems: tuple[str, ...]
    integrity: tuple[str, ...]
    audit_broken_at: int | None
    schema_version: int
    # When a check failed: the newest automatic backup that is whole, to offer
    # restoring (None when every check passed or no good backup exists).
    restore_from: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return (
            not self.cipher_problems and self.integrity == ("ok",) and self.audit_broken_at is None
        )


@dataclass(frozen=True)
class Created:
    """What :meth:`VaultDirectory.create` hands back: the session and the recovery code."""

    vault: Vault
    recovery_code: str


class VaultDirectory(AbstractContextManager["VaultDirectory"]):
    """A vault directory held by this process (locked against other processes)."""

    def __init__(
        self,
        root: Path,
        *,
        clock: Clock = utc_now,
        random: Random = secrets.token_bytes,
        sleep: Sleep = time.sleep,
        passphrase_kdf: keyfile_mod.ScryptParams = keyfile_mod.PASSPHRASE_KDF,
        recovery_kdf: keyfile_mod.ScryptParams = keyfile_mod.RECOVERY_KDF,
    ) -> None:
        self.layout = VaultLayout(Path(root))
        self.clock = clock
        self._random = random
        self._sleep = sleep
        self._passphrase_kdf = passphrase_kdf
        self._recovery_kdf = recovery_kdf
        self._failed_attempts = 0
        self._lock: FileLock | None = None
        self._session: Vault | None = None

    # --- holding the directory ----------------------------------------------------

    @classmethod
    def open(cls, root: Path, *, create: bool = True, **kwargs: object) -> VaultDirectory:
        """Take the directory and finish any interrupted work.

        With ``create`` (init, demo, restore, the GUI's first run) a missing
        folder is made (0700); without it a missing folder is an error, so a
        mistyped ``--data-dir`` never leaves an empty folder behind.
        """
        directory = cls(root, **kwargs)  # type: ignore[arg-type]
        if not create and not directory.layout.root.is_dir():
            raise VaultMissing(
                _("There is no vault in this data folder yet; create one with “samraad init”.")
            )
        directory.acquire()
        return directory

    def acquire(self) -> None:
        """Take the process lock; :class:`VaultInUse` if another process holds it."""
        try:
            ensure_private_dir(self.layout.root)
        except OSError:
            raise VaultMissing(
                _("The data folder cannot be created or opened: check the path and permissions.")
            ) from None
        # flock-based: the OS releases it when a process dies, even by SIGKILL,
        # so a crashed Samråd never blocks the next start.
        lock = FileLock(str(self.layout.lockfile), timeout=0, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise VaultInUse(
                _("This vault is already open in another Samråd window or command.")
            ) from None
        self._lock = lock
        self._tidy()

    def release(self) -> None:
        """Lock any open session and let go of the directory."""
        if self._session is not None:
            self._session.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def _tidy(self) -> None:
        # We hold the lock, so any temp file here belongs to a process that died.
        for folder in (self.layout.root, self.layout.backups):
            if folder.is_dir():
                for stale in folder.glob(".*.tmp.*"):
                    stale.unlink(missing_ok=True)
        restore.finish_pending(self.layout)
        self._finish_creation()

    def _finish_creation(self) -> None:
        new = self.layout.db_new
        if not new.exists():
            return
        if self.layout.keyfile.exists() and not self.layout.db.exists():
            new.replace(self.layout.db)
            fsync_dir(self.layout.root)
        else:
            # Killed before the key file was written: the half-made vault is empty.
            for path in (new, new.with_name(new.name + "-wal"), new.with_name(new.name + "-shm")):
                path.unlink(missing_ok=True)

    # --- state --------------------------------------------------------------------

    def exists(self) -> bool:
        """True when a vault has been created in this directory."""
        return self.layout.exists()

    def vault_id(self) -> str:
        """The vault's id, read from the key file (no unlock needed)."""
        return self._read_keyfile().vault_id

    def _read_keyfile(self) -> keyfile_mod.KeyFile:
        if not self.layout.exists() and not self.layout.db.exists():
            raise VaultMissing(
                _("There is no vault in this data folder yet; create one with “samraad init”.")
            )
        try:
            return keyfile_mod.read(self.layout.keyfile)
        except VaultDamaged as exc:
            # The backups carry the key file as it was: offer the newest whole one.
            latest = backup.latest_good_auto_backup(self.layout.backups)
            if latest is None:
                raise
            raise VaultDamaged(
                _(
                    "The vault's key file is damaged or missing; restore the newest backup, "
                    "{path}, with “Restore from a backup…” on the unlock screen (or "
                    "“samraad restore {path}”) and the passphrase you had then."
                ).format(path=latest.path)
            ) from exc

    def _require_held(self) -> None:
        if self._lock is None:
            raise RuntimeError("VaultDirectory used without acquire()")

    # --- create -------------------------------------------------------------------

    def create(self, passphrase: str, country: str = "DK", *, demo: bool = False) -> Created:
        """Create a new vault; returns the unlocked session and the recovery code.

        The recovery code is returned once and stored nowhere in clear. A
        ``demo`` vault (fictional data only) may use a short passphrase such
        as "demo"; every other vault must follow the passphrase rules.
        """
        self._require_held()
        problem = None if demo and passphrase else passphrase_problem(passphrase)
        if problem:
            raise WeakPassphrase(problem)
        if country not in COUNTRIES:
            raise KnownError(_("The country must be DK or NO."))
        if self.layout.exists() or self.layout.db.exists():
            raise VaultExists(_("A vault already exists in this data folder."))
        vault_id = str(uuid.UUID(bytes=self._random(16), version=4))
        db_key = self._random(keyfile_mod.KEY_BYTES)
        recovery_code = format_recovery_code(self._random(RECOVERY_CODE_BYTES))
        kf = keyfile_mod.KeyFile(vault_id=vault_id, slots={})
        kf = kf.with_slot(
            keyfile_mod.SLOT_PASSPHRASE,
            keyfile_mod.seal(
                vault_id,
                keyfile_mod.SLOT_PASSPHRASE,
                normalise_passphrase(passphrase),
                db_key,
                self._passphrase_kdf,
                self._random(28),
            ),
        )
        kf = kf.with_slot(
            keyfile_mod.SLOT_RECOVERY,
            keyfile_mod.seal(
                vault_id,
                keyfile_mod.SLOT_RECOVERY,
                recovery_code,
                db_key,
                self._recovery_kdf,
                self._random(28),
            ),
        )
        now = iso_utc(self.clock())
        # Build the database under a temporary name; it becomes the vault only
        # after the key file exists (see _finish_creation for the crash case).
        for leftover in (self.layout.db_new, self.layout.root / "vault.db.new-wal"):
            leftover.unlink(missing_ok=True)
        try:
            self._build_database(db_key, vault_id, country, now)
        except DatabaseError as exc:
            # A full disk half-way: the half-made database goes (no key file yet).
            self._finish_creation()
            full = storage_error(exc)
            if full is None:
                raise
            raise full from None
        os.chmod(self.layout.db_new, 0o600)
        keyfile_mod.write(self.layout.keyfile, kf)
        self._finish_creation()
        session = self._open_session(db_key, kf, method=None)
        return Created(vault=session, recovery_code=recovery_code)

    def _build_database(self, db_key: bytes, vault_id: str, country: str, now: str) -> None:
        conn = open_database(self.layout.db_new, db_key, create=True)
        try:
            # Identity first (schema 1), then the rest: later migrations seed
            # records, and every record names the vault that wrote it.
            migrate.upgrade(conn, target=1)
            with transaction(conn):
                conn.executemany(
                    "INSERT INTO vault_meta (key, value) VALUES (?, ?)",
                    [("vault_id", vault_id), ("country", country), ("created_at", now)],
                )
                audit.append(
                    conn, now, Action.VAULT_CREATED, "vault", vault_id, {"country": country}
                )
            migrate.upgrade(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    # --- unlock -------------------------------------------------------------------

    def unlock(self, passphrase: str) -> Vault:
        """Unlock with the passphrase; :class:`WrongSecret` if it is wrong."""
        self._require_held()
        kf = self._read_keyfile()
        try:
            key = keyfile_mod.unwrap_with_passphrase(kf, passphrase)
        except WrongSecret:
            self._wrong_attempt()
            raise
        self._failed_attempts = 0
        return self._open_session(key, kf, method="passphrase")

    def unlock_with_recovery_code(self, code: str, new_passphrase: str) -> Vault:
        """Unlock with the recovery code and set ``new_passphrase`` at once."""
        self._require_held()
        problem = passphrase_problem(new_passphrase)
        if problem:
            raise WeakPassphrase(problem)
        kf = self._read_keyfile()
        try:
            key = keyfile_mod.unwrap_with_recovery_code(kf, code)
        except WrongSecret:
            self._wrong_attempt()
            raise
        self._failed_attempts = 0
        session = self._open_session(key, kf, method="recovery")
        session.change_passphrase(new_passphrase)
        return session

    def unlock_with_key(self, key: bytes, method: str = "keyring") -> Vault:
        """Unlock with a database key already at hand (from the OS keyring)."""
        self._require_held()
        return self._open_session(key, self._read_keyfile(), method=method)

    def rewrap_passphrase(self, key: bytes, new_passphrase: str) -> None:
        """Seal ``key`` under ``new_passphrase`` and replace the key file atomically.

        A crash leaves the old or the new key file whole: exactly one of the
        two passphrases opens the vault, and the recovery slot is untouched.
        """
        kf = self._read_keyfile()
        slot = keyfile_mod.seal(
            kf.vault_id,
            keyfile_mod.SLOT_PASSPHRASE,
            normalise_passphrase(new_passphrase),
            key,
            self._passphrase_kdf,
            self._random(28),
        )
        keyfile_mod.write(self.layout.keyfile, kf.with_slot(keyfile_mod.SLOT_PASSPHRASE, slot))

    def remembered_backend(self) -> str | None:
        """The keyring backend that holds this vault's key, if the user asked for it."""
        return self._read_keyfile().remembered_with

    def _wrong_attempt(self) -> None:
        self._failed_attempts += 1
        delay = unlock_delay(self._failed_attempts)
        if delay:
            self._sleep(delay)

    def _open_session(self, key: bytes, kf: keyfile_mod.KeyFile, method: str | None) -> Vault:
        if self._session is not None:
            raise RuntimeError("vault already unlocked")
        try:
            conn = open_database(self.layout.db, key)
        except VaultDamaged as exc:
            raise self._damaged(exc, kf.vault_id) from None
        except DatabaseError as exc:
            # Switching to WAL creates files: a full disk fails here first.
            full = storage_error(exc)
            raise (full or self._damaged(None, kf.vault_id)) from None
        try:
            before = migrate.schema_version(conn)
            applied = migrate.upgrade(conn)
            row = conn.execute("SELECT value FROM vault_meta WHERE key = 'vault_id'").fetchone()
            if row is None or row[0] != kf.vault_id:
                raise VaultDamaged(_("The vault's database does not belong to its key file."))
            country = conn.execute("SELECT value FROM vault_meta WHERE key = 'country'").fetchone()
            session = Vault(self, conn, key, kf.vault_id, country[0] if country else "DK")
            if applied:
                session.audit(Action.MIGRATED, details={"from": before, "to": applied[-1]})
            if method is not None:
                session.audit(Action.VAULT_UNLOCKED, details={"method": method})
        except DatabaseError as exc:
            conn.close()
            # A migration or the unlock's audit entry on a full disk is not damage.
            full = storage_error(exc)
            raise (full or self._damaged(None, kf.vault_id)) from None
        except BaseException:
            conn.close()
            raise
        self._session = session
        return session

    def known_error(self, exc: BaseException, vault_id: str | None = None) -> KnownError | None:
        """The user's sentence for a database error met in this folder's vault, or None.

        See :meth:`Vault.known_error`; ``vault_id`` defaults to the key file's,
        so a caller that has already closed the vault can still name the damage.
        """
        full = storage_error(exc)
        if full is not None:
            return full
        if (
            isinstance(exc, DatabaseError)
            and getattr(exc, "sqlite_errorcode", None) in _DAMAGE_CODES
        ):
            return self._damaged(None, vault_id if vault_id is not None else self.vault_id())
        return None

    def _damaged(self, original: VaultDamaged | None, vault_id: str) -> VaultDamaged:
        """A damage report that points at the newest good backup when there is one.

        The key came out of an authenticated key file, so a database that
        does not open with it is damaged, not a wrong passphrase (security.md).
        Nothing is created in its place. A backup whose own copy is damaged is
        passed over for the next older whole one.
        """
        latest = backup.latest_good_auto_backup(self.layout.backups, vault_id)
        if latest is None:
            return original or VaultDamaged(
                _("The vault's database is damaged and there is no automatic backup.")
            )
        return VaultDamaged(
            _(
                "The vault's database is damaged; restore the newest backup, {path}, with "
                "“Restore from a backup…” on the unlock screen (or “samraad restore {path}”)."
            ).format(path=latest.path)
        )

    def _session_closed(self, session: Vault) -> None:
        if self._session is session:
            self._session = None

    # --- restore ------------------------------------------------------------------

    def restore(
        self, source: Path, passphrase: str | None = None, recovery_code: str | None = None
    ) -> None:
        """Replace this directory's vault (if any) with the backup at ``source``.

        The backup is checked whole — header, SHA-256, key, SQLCipher integrity —
        before anything in the vault changes. The replaced vault is set aside
        in ``backups/replaced-<time>/``, never deleted.
        """
        self._require_held()
        if self._session is not None:
            raise RuntimeError("lock the vault before restoring over it")
        parsed = backup.read_header(Path(source))
        kf = parsed.header.keyfile
        if recovery_code is not None:
            key = keyfile_mod.unwrap_with_recovery_code(kf, recovery_code)
        else:
            key = keyfile_mod.unwrap_with_passphrase(kf, passphrase or "")
        staged_db = self.layout.restore_db
        staged_db.unlink(missing_ok=True)
        try:
            backup.extract_database(parsed, staged_db)
            check = open_database(staged_db, key)
            try:
                problems = _integrity_problems(check)
                owner = check.execute(
                    "SELECT value FROM vault_meta WHERE key = 'vault_id'"
                ).fetchone()
                if migrate.schema_version(check) > migrate.latest_version():
                    migrate.upgrade(check)  # raises VaultTooNew
                check.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                check.execute("PRAGMA journal_mode = DELETE")
            finally:
                check.close()
            if problems or owner is None or owner[0] != kf.vault_id:
                raise backup.bad_backup()
            keyfile_mod.write(self.layout.restore_keyfile, kf)
        except BaseException:
            for leftover in (staged_db, self.layout.restore_keyfile):
                leftover.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                staged_db.with_name(staged_db.name + suffix).unlink(missing_ok=True)
            raise
        tag = iso_utc(self.clock()).replace(":", "").replace("-", "").replace(".", "")
        restore.stage(self.layout, tag)
        restore.finish_pending(self.layout)
        session = self._open_session(key, kf, method=None)
        session.audit(Action.RESTORE, details={"backup_created_at": parsed.header.created_at})
        session.close(auto_backup=False)


def outside_data_folder() -> BadInput:
    """The error for a file (backup, PDF, export) aimed inside the vault's own folder."""
    return BadInput(_("Choose a folder outside the vault's data folder for this file."))


def _first_missing_audit_entry(conn: Connection) -> int | None:
    """The seq of the first deleted audit entry, or None when none is missing.

    The hash chain catches an edited, reordered or deleted entry with a
    successor; this catches the rest: entries are numbered 1, 2, 3 … without
    gaps (AUTOINCREMENT, and a rolled-back insert rolls its number back too),
    and ``sqlite_sequence`` remembers the highest number ever handed out, so
    deleting the newest entries (and appending new ones after them) shows.
    """
    expected = 1
    for (seq,) in conn.execute("SELECT seq FROM audit_log ORDER BY seq"):
        if seq != expected:
            return expected
        expected += 1
    high = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if high is not None and isinstance(high[0], int) and high[0] >= expected:
        return expected
    return None


def _integrity_problems(conn: Connection) -> list[str]:
    rows = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    return rows + ([] if quick == ["ok"] else quick)


class Vault:
    """An unlocked vault: one connection, used from one thread."""

    def __init__(
        self, directory: VaultDirectory, conn: Connection, key: bytes, vault_id: str, country: str
    ) -> None:
        self.directory = directory
        self._conn: Connection | None = conn
        self._key: bytes | None = key
        self.vault_id = vault_id
        self.country = country
        self.ctx = WriteContext(vault_id=vault_id, clock=directory.clock)

    @property
    def conn(self) -> Connection:
        """The open connection; :class:`VaultLocked` once the vault is closed."""
        if self._conn is None:
            raise VaultLocked(_("The vault is locked."))
        return self._conn

    @property
    def is_open(self) -> bool:
        """False once :meth:`close` has run."""
        return self._conn is not None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction on this vault's connection.

        A write that fails because the disk is full (or cannot be written)
        raises :class:`~app.errors.StorageFull` after the rollback: one
        sentence for the user, and everything committed before is intact. One
        that meets a damaged page raises :class:`VaultDamaged`, naming the
        newest good backup.
        """
        try:
            with transaction(self.conn) as conn:
                yield conn
        except DatabaseError as exc:
            known = self.known_error(exc)
            if known is None:
                raise
            raise known from None

    def known_error(self, exc: BaseException) -> KnownError | None:
        """The user's sentence for a database error, or None when it is a bug.

        :meth:`transaction` applies this to writes. Reads run outside it: a
        caller that meets a ``DatabaseError`` there (a SELECT that hits a
        damaged page) can turn it into one sentence with this — a full disk
        into :class:`~app.errors.StorageFull`, a page that fails SQLCipher's
        check into :class:`VaultDamaged` naming the newest good backup. Works
        after :meth:`close` too.
        """
        return self.directory.known_error(exc, self.vault_id)

    def now(self) -> str:
        """The current time as stored."""
        return self.ctx.now()

    def audit(
        self,
        action: str,
        entity: str | None = None,
        entity_id: str | None = None,
        details: dict[str, DetailValue] | None = None,
    ) -> None:
        """Append one audit entry in its own transaction."""
        with self.transaction() as conn:
            audit.append(conn, self.now(), action, entity, entity_id, details)

    def schema_version(self) -> int:
        """The database's schema version."""
        return migrate.schema_version(self.conn)

    def change_seq(self) -> int:
        """The newest change-log sequence number (0 for none)."""
        row = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM change_log").fetchone()
        return int(row[0])

    # --- keys ---------------------------------------------------------------------

    def _require_key(self) -> bytes:
        if self._key is None:
            raise VaultLocked(_("The vault is locked."))
        return self._key

    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-wrap the key under ``new_passphrase``; the database file is not rewritten."""
        problem = passphrase_problem(new_passphrase)
        if problem:
            raise WeakPassphrase(problem)
        self.directory.rewrap_passphrase(self._require_key(), new_passphrase)
        self.audit(Action.PASSPHRASE_CHANGED)

    def database_key(self) -> bytes:
        """The raw database key, for the OS keyring only (never log or store it)."""
        return self._require_key()

    def set_remembered_backend(self, backend: str | None) -> None:
        """Record in the key file which keyring holds the key (None: forgotten)."""
        layout = self.directory.layout
        kf = keyfile_mod.read(layout.keyfile)
        keyfile_mod.write(layout.keyfile, kf.with_remembered(backend))
        self.audit(Action.KEY_REMEMBERED if backend else Action.KEY_FORGOTTEN)

    # --- backups ------------------------------------------------------------------

    def backup_to(self, out: Path, *, kind: str = "manual") -> backup.BackupHeader:
        """Write a backup file to ``out`` (atomic, 0600)."""
        key = self._require_key()
        layout = self.directory.layout
        if kind == "manual" and layout.contains(Path(out)):
            # Never let a backup land on (or among) the live vault's own files.
            raise outside_data_folder()
        schema = self.schema_version()
        seq = self.change_seq()
        with backup.scratch_path(layout.backups, "snapshot.db") as scratch:
            backup.snapshot_database(self.conn, key, scratch, schema)
            header = backup.write_backup(
                Path(out),
                scratch,
                keyfile_mod.read(layout.keyfile),
                self.now(),
                schema,
                seq,
            )
        # Audited once the file exists: the log never claims a backup that
        # a full disk or a kill prevented.
        self.audit(Action.BACKUP, details={"kind": kind})
        return header

    def auto_backup(self) -> Path | None:
        """Make a rotating automatic backup if anything changed since the last one.

        Returns the new file, or None when the newest backup already holds
        this state (so seven quick CLI calls do not push out a week of history).
        """
        folder = self.directory.layout.backups
        latest = backup.latest_auto_backup(folder)
        state = (self.schema_version(), self.change_seq())
        if latest and (latest.header.schema_version, latest.header.change_seq) == state:
            return None
        ensure_private_dir(folder)
        out = folder / backup.auto_backup_name(self.now())
        self.backup_to(out, kind="auto")
        backup.prune_auto_backups(folder)
        return out

    # --- checks -------------------------------------------------------------------

    def self_test(self) -> SelfTestReport:
        """Run SQLCipher's and SQLite's integrity checks and verify the audit chain."""
        conn = self.conn
        cipher = tuple(str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check"))
        try:
            integrity = tuple(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
            broken_at = audit.first_broken_entry(conn)
            if broken_at is None:
                broken_at = _first_missing_audit_entry(conn)
        except DatabaseError as exc:
            # A page so damaged that the check itself cannot read it.
            integrity, broken_at = (type(exc).__name__,), None
        report = SelfTestReport(
            cipher_problems=cipher,
            integrity=integrity,
            audit_broken_at=broken_at,
            schema_version=self.schema_version(),
        )
        if report.ok:
            return report
        good = backup.latest_good_auto_backup(self.directory.layout.backups, self.vault_id)
        return dataclasses.replace(report, restore_from=good.path if good else None)

    # --- lock ---------------------------------------------------------------------

    def close(self, *, auto_backup: bool = True) -> None:
        """Lock: audit, automatic backup, close the connection, drop the key.

        The lock itself never fails. On a full disk the lock completes and
        then :class:`~app.errors.StorageFull` says the audit entry or backup
        was not written. On a damaged database (SQLCipher refuses writes
        once a page failed its check) the lock completes without them: no
        backup of a damaged database ever pushes a good one out of rotation.
        """
        if self._conn is None:
            return
        try:
            self.audit(Action.VAULT_LOCKED)
            if auto_backup:
                self.auto_backup()
        except (DatabaseError, VaultDamaged) as exc:
            _log.warning("lock: no audit entry or backup; database refused: %s", type(exc).__name__)
        finally:
            conn, self._conn, self._key = self._conn, None, None
            conn.close()
            self.directory._session_closed(self)
