"""The unlocked vault as the UI sees it: one database thread, operations, lock.

Every call that touches the vault goes through :meth:`Session.run`, which
hands it to the core's single database worker (architecture.md rules 2 and 3)
and delivers the result or the error back on the GUI thread. The GUI thread
never holds the :class:`Vault`; it only knows whether one is open.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.errors import KnownError
from app.services.changes import Changes
from app.store.executor import DatabaseExecutor
from app.store.vault import Vault, VaultDirectory

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Carries a finished operation's callback from the worker to the GUI thread."""

    deliver = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # Emitted on the worker thread; the queued connection runs it on ours.
        self.deliver.connect(self._run)

    def _run(self, callback: Callable[[], None]) -> None:
        callback()


class Session(QObject):
    """Owns the vault directory, the database worker and the open vault."""

    #: A vault was unlocked (or created) and is ready.
    unlocked = Signal()
    #: The vault was locked; views must drop what they show.
    locked = Signal()
    #: A mutation finished; carries the :class:`Changes` it reported.
    changed = Signal(object)
    #: A known user mistake or condition; carries the one-sentence message.
    failed = Signal(str)
    #: The number of operations still running changed (for "saving…" indicators).
    busy = Signal(int)

    def __init__(self, directory: VaultDirectory) -> None:
        super().__init__()
        self.directory = directory
        self.executor = DatabaseExecutor()
        self._relay = _Relay()
        self._vault: Vault | None = None
        self._pending = 0
        self._lock = threading.Lock()

    # --- state ----------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        """Whether a vault is open (as far as the GUI thread knows)."""
        return self._vault is not None

    @property
    def pending(self) -> int:
        """Operations submitted and not yet delivered."""
        return self._pending

    @property
    def data_dir(self) -> Path:
        """The folder of the vault this session holds."""
        return self.directory.layout.root

    @property
    def country(self) -> str:
        """The vault's country (DK or NO); DK when locked."""
        return self._vault.country if self._vault is not None else "DK"

    # --- operations -----------------------------------------------------------

    def run(
        self,
        fn: Callable[..., T],
        *args: object,
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> Future[T]:
        """Run ``fn(vault, *args)`` on the database thread.

        ``done`` gets the result on the GUI thread; the :class:`Changes` a result
        carries (see :func:`changes_of`) is also broadcast on :attr:`changed`.
        A :class:`KnownError` goes to ``failed`` if given, else to the
        :attr:`failed` signal; anything else is a bug: logged without values
        and reported as one sentence.
        """
        vault = self._vault
        if vault is None:
            raise RuntimeError("no vault is open")
        return self._submit(lambda: fn(vault, *args), done, failed)

    def run_directory(
        self,
        fn: Callable[..., T],
        *args: object,
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> Future[T]:
        """Run ``fn(directory, *args)`` on the database thread (unlock, create)."""
        directory = self.directory
        return self._submit(lambda: fn(directory, *args), done, failed)

    def _submit(
        self, call: Callable[[], T], done: Callable[[T], None] | None, failed: Failed | None
    ) -> Future[T]:
        self._set_pending(+1)
        future = self.executor.submit(call)
        future.add_done_callback(
            lambda f: self._relay.deliver.emit(lambda: self._finish(f, done, failed))
        )
        return future

    def _finish(
        self, future: Future[T], done: Callable[[T], None] | None, failed: Failed | None
    ) -> None:
        self._set_pending(-1)
        error = future.exception()
        if error is None:
            result = future.result()
            if done is not None:
                done(result)
            changes = changes_of(result)
            if changes is not None:
                self.changed.emit(changes)
            return
        if not isinstance(error, KnownError):
            log.error(
                "operation failed with %s",
                type(error).__name__,
                exc_info=(type(error), error, error.__traceback__),
            )
        if failed is not None:
            failed(error)
        else:
            self.failed.emit(message_of(error))

    def _set_pending(self, step: int) -> None:
        with self._lock:
            self._pending += step
            count = self._pending
        if threading.current_thread() is threading.main_thread():
            self.busy.emit(count)

    # --- opening and locking --------------------------------------------------

    def adopt(self, vault: Vault) -> None:
        """Take over a vault an operation opened on the database thread."""
        self._vault = vault
        self.unlocked.emit()

    def lock(self) -> None:
        """Close the vault: queued work (a running save) finishes first.

        The close is queued behind every pending operation on the one database
        thread, so a save in flight is never cut off; the GUI forgets the vault
        at once, so nothing can be queued against it afterwards.
        """
        vault = self._vault
        if vault is None:
            return
        self._vault = None
        self.executor.submit(_close_quietly, vault).result()
        self.locked.emit()

    def switch_directory(self, directory: VaultDirectory) -> None:
        """Hold another data folder (the demo vault) instead of this one."""
        self.lock()
        self.directory.release()
        self.directory = directory

    def shutdown(self) -> None:
        """Lock and stop the database thread (window closing)."""
        self.lock()
        self.executor.shutdown()


def _close_quietly(vault: Vault) -> None:
    try:
        vault.close()
    except KnownError as exc:
        # A failed automatic backup must not keep the vault open; it is logged.
        log.warning("closing the vault: %s", type(exc).__name__)
        if vault.is_open:
            vault.close(auto_backup=False)


def changes_of(result: object) -> Changes | None:
    """The :class:`Changes` a service result carries: itself, a tuple's member, or ``.changes``."""
    if isinstance(result, Changes):
        return result
    if isinstance(result, tuple):
        found = [item for item in result if isinstance(item, Changes)]
        return found[0] if found else None
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


def message_of(error: BaseException) -> str:
    """The one sentence the user sees for ``error``."""
    from app.i18n import _

    if isinstance(error, KnownError):
        return error.message
    return _("Something went wrong inside Samråd; nothing was changed. The log has the details.")
