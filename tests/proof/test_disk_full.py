"""A full disk during autosave, export, backup and lock (security.md proof 7).

The user gets one sentence (:class:`StorageFull`), the failed operation leaves
nothing under a final name, and everything committed before is still there
once space is back. Three ways to fill the disk, from the most real:

* a small tmpfs mounted for the test (ENOSPC from the kernel; needs mount
  rights, skipped without them);
* ``RLIMIT_FSIZE`` in a child process (EFBIG from the kernel on every POSIX
  system, no rights needed);
* SQLite's own ``max_page_count`` (SQLITE_FULL, the code ENOSPC turns into),
  in-process and everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest

from app.errors import StorageFull
from app.services import minutes_service
from app.store import audit, backup, minutes_repo, sync_repo
from app.sync.exporter import export_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.proof.diskfull import prepare, scenario, typed
from tests.proof.support import REPO_ROOT

HEADROOM = 300_000  # bytes left free on the tmpfs / the file-size limit


def _one_sentence(outcome: dict[str, Any], what: str) -> None:
    assert outcome["error"] == "StorageFull", f"{what}: {outcome}"
    message = outcome["message"]
    assert message.endswith(".") and "\n" not in message, f"{what}: {message!r}"
    assert "full" in message, f"{what}: {message!r}"


def _stray(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if ".tmp." in p.name or p.name.endswith(".tmp")]


def _check(result: dict[str, Any], vault_dir: Path, out_dir: Path, item_id: str) -> None:
    """What the user saw, and what is on disk once space is back."""
    assert result["last_saved"] >= 1, result
    for what in ("autosave", "export", "backup"):
        _one_sentence(result[what], what)
    assert result["lock"]["error"] in (None, "StorageFull"), result["lock"]
    assert result["locked"], "the lock must complete even on a full disk"
    # Nothing half-written under a final name, no temp file left behind.
    assert sorted(p.name for p in out_dir.iterdir()) == [], list(out_dir.iterdir())
    assert _stray(vault_dir) == []
    for path in backup.auto_backups(vault_dir / "backups"):
        assert backup.is_whole(backup.read_header(path)), path
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            assert vault.self_test().ok
            record = minutes_repo.of_item(vault.conn, item_id)
            assert record is not None
            # Every save that returned is there; the one that failed is not.
            assert record.discussion == typed(result["last_saved"])
            actions = [e.action for e in audit.entries(vault.conn)]
            assert audit.Action.EXPORT not in actions, "a failed export was audited"
            assert sync_repo.peers(vault.conn) == []
            # Space is back: the same operations now work.
            minutes_service.save_field(vault, item_id, "discussion", "after")
            vault.backup_to(out_dir / "manual.samraad-backup")
            recipient = str(pyrage.x25519.Identity.generate().to_public())
            export_bundle(vault, out_dir / "all.samraad", recipients=[recipient], everything=True)
        finally:
            vault.close()


def _mount_tmpfs(mount_point: Path, size: str) -> bool:
    if os.name != "posix" or shutil.which("mount") is None:
        return False
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _fill(folder: Path, leave: int) -> Path:
    """Fill the filesystem of ``folder``, then free ``leave`` bytes; returns the filler."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(1 << 16))
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_a_full_disk_on_a_real_small_filesystem(tmp_path: Path) -> None:
    mount_point = tmp_path / "small"
    if not _mount_tmpfs(mount_point, "6m"):
        pytest.skip("cannot mount a tmpfs here (needs mount rights); see the RLIMIT test")
    try:
        vault_dir, out_dir = mount_point / "vault", mount_point / "out"
        _meeting_id, item_id = prepare(vault_dir)
        out_dir.mkdir(mode=0o700)
        filler = _fill(mount_point, HEADROOM)
        with open_directory(vault_dir) as directory:
            vault = directory.unlock(PASSPHRASE)
            result = scenario(vault, item_id, out_dir)
        filler.unlink()
        _check(result, vault_dir, out_dir, item_id)
        for path in out_dir.iterdir():
            path.unlink()  # the successful files of the check: free the mount
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX-only")
def test_a_file_size_limit_fails_writes_cleanly(tmp_path: Path) -> None:
    vault_dir, out_dir = tmp_path / "vault", tmp_path / "out"
    _meeting_id, item_id = prepare(vault_dir)
    out_dir.mkdir(mode=0o700)
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "tests.proof.diskfull",
            str(vault_dir),
            str(out_dir),
            str(HEADROOM),
            item_id,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    _check(json.loads(done.stdout), vault_dir, out_dir, item_id)


def test_sqlite_full_during_autosave_is_one_sentence(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    _meeting_id, item_id = prepare(vault_dir)
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        minutes_service.save_field(vault, item_id, "discussion", typed(1))
        pages = vault.conn.execute("PRAGMA page_count").fetchone()[0]
        vault.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageFull) as caught:
            for i in range(2, 500):
                minutes_service.save_field(vault, item_id, "discussion", typed(i) * 4)
        assert caught.value.message.endswith(".") and "\n" not in caught.value.message
        assert not vault.conn.in_transaction
        vault.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        stored = minutes_repo.of_item(vault.conn, item_id)
        assert stored is not None and stored.discussion.startswith("typed ")
        minutes_service.save_field(vault, item_id, "discussion", "after")
        vault.close()
