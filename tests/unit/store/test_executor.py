from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.store import districts_repo
from app.store.executor import DatabaseExecutor
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory


def test_connection_is_made_and_used_on_the_one_worker_thread(tmp_path: Path) -> None:
    executor = DatabaseExecutor()
    directory = open_directory(tmp_path / "v")

    def create() -> Vault:
        return directory.create(PASSPHRASE, "DK").vault

    vault = executor.call(create)

    def add(name: str) -> int:
        with vault.transaction() as conn:
            districts_repo.add(conn, vault.ctx, name)
        return threading.get_ident()

    futures = [executor.submit(add, f"d{i}") for i in range(20)]
    idents = {f.result() for f in futures}
    assert idents == {executor.thread_id}
    assert executor.thread_id != threading.get_ident()
    names = executor.call(lambda: [d.name for d in districts_repo.list_all(vault.conn)])
    assert sorted(names) == sorted(f"d{i}" for i in range(20))
    # SQLCipher refuses use from another thread: the executor is the only door.
    with pytest.raises(Exception, match="thread"):
        vault.conn.execute("SELECT 1")
    executor.call(vault.close)
    executor.shutdown()
    directory.release()


def test_errors_travel_back_through_the_future() -> None:
    executor = DatabaseExecutor()

    def boom() -> None:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        executor.call(boom)
    executor.shutdown()
