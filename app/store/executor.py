"""One thread owns the database connection (architecture.md rule 2).

SQLCipher connections may only be used from the thread that made them. The
UI never queries on the GUI thread: it hands a function to this executor and
gets a :class:`concurrent.futures.Future` back (Anki's single-worker
collection executor is the model). The CLI, being single-threaded, simply
calls the store directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class DatabaseExecutor:
    """A single worker thread; every call submitted runs there, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="samraad-db")
        self._thread_id: int | None = None

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Run ``fn(*args)`` on the database thread; returns its future."""
        return self._pool.submit(self._tracked, fn, *args)

    def call(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` on the database thread and wait for its result."""
        return self.submit(fn, *args).result()

    def _tracked(self, fn: Callable[..., T], *args: object) -> T:
        self._thread_id = threading.get_ident()
        return fn(*args)

    @property
    def thread_id(self) -> int | None:
        """The worker thread's id once it has run something (for assertions)."""
        return self._thread_id

    def shutdown(self) -> None:
        """Finish queued work and stop the thread."""
        self._pool.shutdown(wait=True)
