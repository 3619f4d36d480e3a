"""The audit log: deleting, editing or reordering any entry is detected.

The attacker here has the database key (say, the advisor's passphrase and a
SQLite shell): they open the vault's database directly, drop the append-only
triggers and change the ``audit_log`` table. ``Vault.self_test`` — what
``samraad self-test`` runs — must then fail and name the entry; every entry
and every column is tried in-process, and each kind of change once more
through the real command line.

What the chain cannot show (SECURITY.md says so): someone with the key who
rewrites every later entry *and* recomputes every hash, or who also lowers
SQLite's record of the highest entry number after deleting the newest ones.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.store import audit, districts_repo
from app.store import keyfile as keyfile_mod
from app.store.connection import open_database
from tests.helpers.cli import Cli, assert_ok, assert_one_sentence
from tests.helpers.vaults import PASSPHRASE, open_directory

Tamper = Callable[[Any, int], None]
COLUMNS = ("at", "action", "entity", "entity_id", "details", "prev_hash", "hash")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A locked vault whose audit log has a dozen entries."""
    root = tmp_path_factory.mktemp("audit") / "vault"
    with open_directory(root) as directory:
        vault = directory.create(PASSPHRASE, "DK").vault
        for name in ("Nord", "Syd", "Øst"):
            with vault.transaction() as conn:
                districts_repo.add(conn, vault.ctx, name)
            vault.close()  # lock: audit entry and backup entry
            vault = directory.unlock(PASSPHRASE)
        vault.close()
    return root


def _open(root: Path) -> Any:
    kf = keyfile_mod.read(root / "vault.key")
    return open_database(root / "vault.db", keyfile_mod.unwrap_with_passphrase(kf, PASSPHRASE))


def _entries(root: Path) -> int:
    conn = _open(root)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


class Attacker:
    """The attacker's connection: the database opened with the key, triggers dropped."""

    def __init__(self, root: Path) -> None:
        self.conn = _open(root)

    def __enter__(self) -> Any:
        self.conn.execute("DROP TRIGGER IF EXISTS audit_log_append_only_update")
        self.conn.execute("DROP TRIGGER IF EXISTS audit_log_append_only_delete")
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def delete(conn: Any, seq: int) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))


def edit(column: str) -> Tamper:
    def tamper(conn: Any, seq: int) -> None:
        value = conn.execute(f"SELECT {column} FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0]
        changed = "vault.tampered" if value is None else str(value)[:-1] + "0"
        if changed == value:
            changed = str(value)[:-1] + "1"
        conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (changed, seq))

    return tamper


def swap_with_next(conn: Any, seq: int) -> None:
    """Reorder: entry ``seq`` and the one after it trade places (every column moves)."""
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            f"SELECT seq, {', '.join(COLUMNS)} FROM audit_log WHERE seq IN (?, ?)", (seq, seq + 1)
        )
    }
    sets = ", ".join(f"{c} = ?" for c in COLUMNS)
    conn.execute(f"UPDATE audit_log SET {sets} WHERE seq = ?", (*rows[seq + 1], seq))
    conn.execute(f"UPDATE audit_log SET {sets} WHERE seq = ?", (*rows[seq], seq + 1))


def renumber(conn: Any, seq: int) -> None:
    """Reorder by renumbering: entry ``seq`` moves to the end of the log."""
    top = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (top + 1, seq))


TAMPERS: dict[str, Tamper] = {
    "delete": delete,
    **{f"edit-{c}": edit(c) for c in COLUMNS},
    "swap": swap_with_next,
    "renumber": renumber,
}


def _self_test(root: Path) -> int | None:
    with open_directory(root) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            report = vault.self_test()
        finally:
            vault.close(auto_backup=False)
        assert report.cipher_problems == () and report.integrity == ("ok",), report
        return report.audit_broken_at


def test_the_untouched_log_verifies(template: Path, tmp_path: Path) -> None:
    root = tmp_path / "vault"
    shutil.copytree(template, root)
    assert _self_test(root) is None


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_changing_any_entry_is_detected(template: Path, tmp_path: Path, kind: str) -> None:
    root = tmp_path / "vault"
    shutil.copytree(template, root)
    count = _entries(root)
    assert count >= 10
    # Every entry; the last one cannot swap with a successor.
    last = count - 1 if kind == "swap" else count
    with open_directory(root) as directory:
        vault = directory.unlock(PASSPHRASE)
        conn = vault.conn
        try:
            for seq in range(1, last + 1):
                # The attack and the check in one transaction, rolled back after:
                # the next entry is attacked on a clean log.
                conn.execute("BEGIN")
                try:
                    conn.execute("DROP TRIGGER audit_log_append_only_update")
                    conn.execute("DROP TRIGGER audit_log_append_only_delete")
                    TAMPERS[kind](conn, seq)
                    report = vault.self_test()
                finally:
                    conn.execute("ROLLBACK")
                broken = report.audit_broken_at
                assert broken is not None, f"{kind} of entry {seq} of {count} went unnoticed"
                assert broken <= seq + 1, f"{kind} of entry {seq}: reported at {broken}"
            assert vault.self_test().ok
        finally:
            vault.close(auto_backup=False)


def test_deleting_the_newest_entries_is_detected(template: Path, tmp_path: Path) -> None:
    count = _entries(template)
    for how_many in (1, 3):
        root = tmp_path / f"vault-{how_many}"
        shutil.copytree(template, root)
        with Attacker(root) as conn:
            conn.execute("DELETE FROM audit_log WHERE seq > ?", (count - how_many,))
        # The unlock itself appends an entry after the gap: still caught.
        assert _self_test(root) == count - how_many + 1


@pytest.mark.parametrize("kind", ["delete", "edit-details", "swap", "delete-newest"])
def test_samraad_self_test_names_the_altered_entry(
    template: Path, tmp_path: Path, kind: str
) -> None:
    root = tmp_path / "vault"
    shutil.copytree(template, root)
    count = _entries(root)
    middle = count // 2
    with Attacker(root) as conn:
        if kind == "delete-newest":
            delete(conn, count)
        else:
            TAMPERS[kind](conn, middle)
    cli = Cli(tmp_path)

    result = cli.run("self-test", "--data-dir", root, passphrase=PASSPHRASE)

    assert result.returncode == 1, str(result)
    line = assert_one_sentence(result, contains=["audit log"])
    expected = count if kind == "delete-newest" else middle + (kind == "delete")
    assert f"entry {expected}" in line, line
    assert "OK" not in result.stdout


def test_the_append_only_triggers_refuse_changes_in_the_app(template: Path, tmp_path: Path) -> None:
    root = tmp_path / "vault"
    shutil.copytree(template, root)
    with open_directory(root) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            for sql in ("DELETE FROM audit_log WHERE seq = 1", "UPDATE audit_log SET action = 'x'"):
                with pytest.raises(Exception, match="append-only"):
                    vault.conn.execute(sql)
            assert audit.first_broken_entry(vault.conn) is None
        finally:
            vault.close(auto_backup=False)
    assert_ok(Cli(tmp_path).run("self-test", "--data-dir", root, passphrase=PASSPHRASE))
