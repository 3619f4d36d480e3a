"""End-to-end: ``samraad backup`` / ``restore``, tamper detection, and no plaintext on disk."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.store import backup, districts_repo
from tests.helpers.cli import (
    Cli,
    Template,
    add_districts,
    assert_ok,
    assert_one_sentence,
    files_containing,
    mode,
    snapshot,
)
from tests.helpers.vaults import PASSPHRASE, open_directory

BAD_BACKUP = "The file is not a Samråd backup, or it is damaged or incomplete."


def test_backup_and_restore(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "manual.samraad-backup"

    assert_ok(cli.run("backup", "--data-dir", cli_vault, "--out", out, passphrase=PASSPHRASE))
    assert mode(out) == 0o600

    # Into an empty data folder.
    other = tmp_path / "other"
    assert_ok(cli.run("restore", out, "--data-dir", other, passphrase=PASSPHRASE))
    assert_ok(cli.run("self-test", "--data-dir", other, passphrase=PASSPHRASE))

    # Over an existing vault: refused without --yes ...
    before = snapshot(cli_vault)
    refused = cli.run("restore", out, "--data-dir", cli_vault, passphrase=PASSPHRASE)
    assert_one_sentence(refused, contains=["--yes"])
    assert snapshot(cli_vault) == before

    # ... done with --yes, and the replaced vault is kept aside, byte for byte.
    assert_ok(cli.run("restore", out, "--yes", "--data-dir", cli_vault, passphrase=PASSPHRASE))
    replaced = sorted((cli_vault / "backups").glob("replaced-*"))
    assert len(replaced) == 1
    assert (replaced[0] / "vault.db").read_bytes() == before["vault.db"]
    assert (replaced[0] / "vault.key").read_bytes() == before["vault.key"]
    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE))


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory, template: Template) -> Path:
    """One ``samraad backup`` of a copy of the template vault."""
    base = tmp_path_factory.mktemp("good-backup")
    source = base / "vault"
    shutil.copytree(template.root, source)
    out = base / "good.samraad-backup"
    assert_ok(Cli(base).run("backup", "--data-dir", source, "--out", out, passphrase=PASSPHRASE))
    return out


def _truncated(good: bytes, path: Path) -> None:
    path.write_bytes(good[: len(good) // 2])


def _flipped(good: bytes, path: Path) -> None:
    damaged = bytearray(good)
    damaged[-50] ^= 0x01  # inside the database copy (its last page)
    path.write_bytes(bytes(damaged))


def _junk(good: bytes, path: Path) -> None:
    path.write_bytes(os.urandom(len(good)))


def _missing(good: bytes, path: Path) -> None:
    pass


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_truncated, BAD_BACKUP, id="truncated"),
        pytest.param(_flipped, BAD_BACKUP, id="flipped-byte"),
        pytest.param(_junk, BAD_BACKUP, id="random-junk"),
        pytest.param(_missing, "The backup file does not exist.", id="nonexistent"),
    ],
)
def test_a_bad_backup_is_refused_and_changes_nothing(
    cli: Cli,
    cli_vault: Path,
    good_backup: Path,
    tmp_path: Path,
    make: Callable[[bytes, Path], None],
    message: str,
) -> None:
    bad = tmp_path / "bad.samraad-backup"
    make(good_backup.read_bytes(), bad)
    before = snapshot(cli_vault)

    # --yes: the most dangerous case, an existing vault that may be replaced.
    result = cli.run("restore", bad, "--yes", "--data-dir", cli_vault, passphrase=PASSPHRASE)

    assert_one_sentence(result, exact=message)
    assert snapshot(cli_vault) == before


UNUSUAL = [
    "Ærøskøbing Skole",
    "Tromsø – Nordre Distrikt",
    "Sámi skuvla Guovdageaidnu",
    'O\'Brien "Quoted" Skole',
    "Robert'); DROP TABLE districts;--",
    "  leading and trailing spaces  ",
    "tab\tand\nnewline",
    "Å decomposed: A\u030a",
    "zero\u200bwidth\u200djoiner",
    "مدرسة الحي",
    "学校 区域 🏫👩‍👧",
    "%s %d {0} {name} \\x00 \\n",
    "nul\x00inside",
    "",
    "x" * 2000,
]


def _rows(root: Path) -> tuple[list[tuple[object, ...]], ...]:
    directory = open_directory(root)
    try:
        vault = directory.unlock(PASSPHRASE)
        conn = vault.conn
        result = (
            conn.execute("SELECT * FROM districts ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM change_log ORDER BY seq").fetchall(),
            conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall(),
        )
        vault.close(auto_backup=False)
    finally:
        directory.release()
    return result


def test_backup_restore_round_trip_keeps_every_row(
    cli: Cli, fast_vault: Path, tmp_path: Path
) -> None:
    names = [f"{UNUSUAL[i % len(UNUSUAL)]} #{i}" for i in range(50)]
    add_districts(fast_vault, names)
    out = tmp_path / "round-trip.samraad-backup"
    restored = tmp_path / "restored"

    assert_ok(cli.run("backup", "--data-dir", fast_vault, "--out", out, passphrase=PASSPHRASE))
    assert_ok(cli.run("restore", out, "--data-dir", restored, passphrase=PASSPHRASE))

    src_districts, src_changes, src_audit = _rows(fast_vault)
    new_districts, new_changes, new_audit = _rows(restored)
    assert sorted(row[1] for row in src_districts) == sorted(names)
    assert new_districts == src_districts
    assert new_changes == src_changes
    # Every one of the 50 writes is in the change log (seeded roles and forums too).
    assert len([c for c in new_changes if c[1] == "districts"]) == 50
    # The restored audit log is the source's as it was when the backup was
    # taken, followed by the restore's own entries.
    cut = [row[2] for row in new_audit].index("vault.restore")
    assert cut > 0 and new_audit[0][2] == "vault.created"
    assert new_audit[:cut] == src_audit[:cut]
    assert (restored / "vault.key").read_bytes() == (fast_vault / "vault.key").read_bytes()


def test_self_test_names_a_tampered_audit_log(cli: Cli, fast_vault: Path) -> None:
    directory = open_directory(fast_vault)
    try:
        vault = directory.unlock(PASSPHRASE)
        vault.conn.execute("DROP TRIGGER audit_log_append_only_update")
        vault.conn.execute("UPDATE audit_log SET action = 'vault.tampered' WHERE seq = 1")
        vault.close()
    finally:
        directory.release()

    result = cli.run("self-test", "--data-dir", fast_vault, passphrase=PASSPHRASE)

    assert result.returncode == 1, str(result)
    assert_one_sentence(result, contains=["audit log"])
    assert "OK" not in result.stdout


PLANTED = "Qxzvbnmplanted Jørgensdóttir 7731"
NEEDLES = [PLANTED.split()[0].encode("utf-8"), PLANTED.split()[0].encode("utf-16-le")]


def _hits(paths: list[Path]) -> list[tuple[Path, bytes]]:
    return [(path, needle) for needle in NEEDLES for path in files_containing(paths, needle)]


def test_no_plaintext_in_vault_backups_temp_or_log(
    cli: Cli, fast_vault: Path, tmp_path: Path
) -> None:
    add_districts(fast_vault, [PLANTED])
    # Locking after the write made an automatic backup that holds the row.
    newest = backup.latest_auto_backup(fast_vault / "backups")
    last_change = _rows(fast_vault)[1][-1]
    assert last_change[1] == "districts"
    assert newest is not None and newest.header.change_seq == last_change[0]
    out = tmp_path / "manual.samraad-backup"

    result = cli.run("backup", "--data-dir", fast_vault, "--out", out, passphrase=PASSPHRASE)

    assert_ok(result)
    assert out.is_file()
    assert (cli.log_dir / "samraad.log").is_file()
    assert _hits([fast_vault, out, cli.tmp_dir, cli.log_dir]) == []
    assert PLANTED.split()[0] not in result.stdout + result.stderr


def test_no_plaintext_in_the_wal_of_an_open_vault(fast_vault: Path) -> None:
    directory = open_directory(fast_vault)
    try:
        vault = directory.unlock(PASSPHRASE)
        with vault.transaction() as conn:
            districts_repo.add(conn, vault.ctx, PLANTED)
        # Still open: the row is only in the write-ahead log so far.
        assert [d.name for d in districts_repo.list_all(vault.conn)] == [PLANTED]
        wal = fast_vault / "vault.db-wal"
        assert wal.is_file() and wal.stat().st_size > 0
        assert _hits([fast_vault]) == []
    finally:
        directory.release()
