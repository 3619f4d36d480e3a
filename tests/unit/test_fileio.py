from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO

import pytest

from app.errors import StorageFull
from app.fileio import atomic_write, atomic_write_with, ensure_private_dir


def test_atomic_write_creates_private_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    atomic_write(target, [b"a", b"b"])
    assert target.read_bytes() == b"ab"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EIO])
def test_failed_write_keeps_the_old_file_and_says_one_sentence(tmp_path: Path, code: int) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"committed")

    def failing(out: BinaryIO) -> None:
        out.write(b"half")
        raise OSError(code, "simulated")

    with pytest.raises(StorageFull) as caught:
        atomic_write_with(target, failing)
    assert "nothing was changed" in caught.value.message
    assert target.read_bytes() == b"committed"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_other_exceptions_also_leave_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"

    def failing(out: BinaryIO) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write_with(target, failing)
    assert list(tmp_path.iterdir()) == []


def test_private_dir_is_0700(tmp_path: Path) -> None:
    d = tmp_path / "a" / "b"
    ensure_private_dir(d)
    assert oct(d.stat().st_mode & 0o777) == "0o700"
