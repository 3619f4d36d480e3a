"""End-to-end: ``samraad`` as a subprocess — init, unlock, recovery, passphrase, locking.

Every refusal must be one sentence on stderr with a non-zero exit and must
leave every file of the vault byte-identical.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app import __version__
from app.domain.secrets_policy import format_recovery_code, normalise_recovery_code
from tests.helpers.cli import (
    RECOVERY_CODE_RE,
    Cli,
    assert_ok,
    assert_one_sentence,
    files_containing,
    mode,
    snapshot,
    write_secret,
)
from tests.helpers.vaults import PASSPHRASE, open_directory

WRONG_PASSPHRASE = "The passphrase is wrong."


def test_init_creates_a_private_vault_and_refuses_a_second_init(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "data" / "vault"

    result = cli.run("init", "--data-dir", root, passphrase=PASSPHRASE)

    assert_ok(result)
    codes = RECOVERY_CODE_RE.findall(result.stdout)
    assert len(codes) == 1, result.stdout
    assert (root / "vault.db").is_file()
    assert (root / "vault.key").is_file()
    assert mode(root) == 0o700
    assert mode(root / "vault.key") == 0o600
    assert mode(root / "vault.db") == 0o600
    # The code is shown once and stored nowhere in clear (with or without dashes).
    code = codes[0]
    assert files_containing([root], code.encode()) == []
    assert files_containing([root], code.replace("-", "").encode()) == []
    before = snapshot(root)

    again = cli.run("init", "--data-dir", root, passphrase="another long passphrase")

    assert_one_sentence(again, contains=["already exists"])
    assert again.stdout == ""
    assert snapshot(root) == before


def test_database_is_not_readable_by_plain_sqlite(cli_vault: Path) -> None:
    db = cli_vault / "vault.db"
    assert not db.read_bytes().startswith(b"SQLite format 3\x00")

    with closing(sqlite3.connect(db)) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("select * from sqlite_master")


def test_wrong_passphrase_changes_nothing(cli: Cli, cli_vault: Path) -> None:
    before = snapshot(cli_vault)
    assert any(name.startswith("backups/") for name in before)

    result = cli.run("self-test", "--data-dir", cli_vault, passphrase="not the passphrase at all")

    assert_one_sentence(result, exact=WRONG_PASSPHRASE)
    assert result.stdout == ""
    assert snapshot(cli_vault) == before


def test_init_refuses_a_short_passphrase(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "vault"

    result = cli.run("init", "--data-dir", root, passphrase="elevenchars")

    assert_one_sentence(result, contains=["12"])
    assert not RECOVERY_CODE_RE.search(result.stdout)
    # Only the (empty) lock file may exist: no database, no key file, no backup.
    assert set(snapshot(root)) <= {"vault.lock"}


def test_recover_with_the_printed_code_sets_a_new_passphrase(
    cli: Cli, cli_vault: Path, recovery_code: str, tmp_path: Path
) -> None:
    first = "first new passphrase after recovery"
    result = cli.run(
        "recover",
        "--data-dir",
        cli_vault,
        "--recovery-code-file",
        write_secret(tmp_path / "code.txt", recovery_code),
        "--new-passphrase-file",
        write_secret(tmp_path / "new1.txt", first),
    )
    assert_ok(result)

    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=first))
    assert_one_sentence(
        cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE), exact=WRONG_PASSPHRASE
    )

    # As typed from paper: lowercase, no dashes.
    sloppy = recovery_code.replace("-", "").lower()
    second = "second new passphrase after recovery"
    assert_ok(
        cli.run(
            "recover",
            "--data-dir",
            cli_vault,
            "--recovery-code-file",
            write_secret(tmp_path / "sloppy.txt", sloppy),
            "--new-passphrase-file",
            write_secret(tmp_path / "new2.txt", second),
        )
    )
    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=second))


def test_wrong_recovery_code_changes_nothing(
    cli: Cli, cli_vault: Path, recovery_code: str, tmp_path: Path
) -> None:
    wrong = format_recovery_code(bytes(20))
    assert normalise_recovery_code(wrong) != normalise_recovery_code(recovery_code)
    before = snapshot(cli_vault)

    result = cli.run(
        "recover",
        "--data-dir",
        cli_vault,
        "--recovery-code-file",
        write_secret(tmp_path / "code.txt", wrong),
        "--new-passphrase-file",
        write_secret(tmp_path / "new.txt", "a perfectly fine new passphrase"),
    )

    assert_one_sentence(result, exact="The recovery code is wrong.")
    assert snapshot(cli_vault) == before


def test_passphrase_change_rewraps_the_key_without_rekeying_the_database(
    cli: Cli, cli_vault: Path, tmp_path: Path
) -> None:
    db, key = cli_vault / "vault.db", cli_vault / "vault.key"
    # The template was closed by a CLI command: everything is in vault.db.
    assert not (cli_vault / "vault.db-wal").exists()
    db_before, key_before = db.read_bytes(), key.read_bytes()
    new = "a brand new passphrase 2026"

    result = cli.run(
        "passphrase",
        "--data-dir",
        cli_vault,
        "--new-passphrase-file",
        write_secret(tmp_path / "new.txt", new),
        passphrase=PASSPHRASE,
    )

    assert_ok(result)
    assert not (cli_vault / "vault.db-wal").exists()
    assert key.read_bytes() != key_before
    assert mode(key) == 0o600
    # The audit entries (unlocked, passphrase changed, locked) are written to the
    # database, so its bytes do change; what must not change is its key. The
    # SQLCipher salt (first 16 bytes) is the same, and the database as it was
    # *before* the change opens with the *new* key file and passphrase.
    assert db.read_bytes()[:16] == db_before[:16]
    old_db_new_key = tmp_path / "old-db-new-key"
    old_db_new_key.mkdir(mode=0o700)
    (old_db_new_key / "vault.db").write_bytes(db_before)
    (old_db_new_key / "vault.key").write_bytes(key.read_bytes())
    assert_ok(cli.run("self-test", "--data-dir", old_db_new_key, passphrase=new))

    assert_one_sentence(
        cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE), exact=WRONG_PASSPHRASE
    )
    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=new))


def test_a_vault_held_in_another_process_is_refused(cli: Cli, cli_vault: Path) -> None:
    directory = open_directory(cli_vault)
    try:
        before = snapshot(cli_vault)
        result = cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE)
        assert_one_sentence(result, contains=["already open"])
        assert snapshot(cli_vault) == before
    finally:
        directory.release()

    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE))


HOLD_SCRIPT = """
import sys, time
from pathlib import Path
from app.store.vault import VaultDirectory
directory = VaultDirectory.open(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(120)
"""


def test_a_killed_process_does_not_block_the_vault(cli: Cli, cli_vault: Path) -> None:
    with cli.python(HOLD_SCRIPT, str(cli_vault)) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == "held\n"
            refused = cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE)
            assert_one_sentence(refused, contains=["already open"])
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL

    result = cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE)

    assert_ok(result)
    assert "Vault OK" in result.stdout


def test_global_options_go_before_or_after_the_command(
    cli: Cli, cli_vault: Path, tmp_path: Path
) -> None:
    secret = write_secret(tmp_path / "pass.txt", PASSPHRASE)
    # Neither run has the passphrase in the environment, and the default data
    # folder (SAMRAAD_DATA_DIR) is elsewhere: the options must be honoured.
    assert os.environ.get("SAMRAAD_DATA_DIR") != str(cli_vault)

    before = cli.run("--data-dir", cli_vault, "--passphrase-file", secret, "self-test")
    after = cli.run("self-test", "--data-dir", cli_vault, "--passphrase-file", secret)

    for result in (before, after):
        assert_ok(result)
        assert "Vault OK" in result.stdout


def test_version(cli: Cli) -> None:
    result = cli.run("--version")

    assert_ok(result)
    assert result.stdout == f"samraad {__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["self-test", "--frobnicate"], id="unknown-option"),
    ],
)
def test_a_bad_command_line_is_one_sentence(cli: Cli, cli_vault: Path, argv: list[str]) -> None:
    before = snapshot(cli_vault)

    result = cli.run(*argv, "--data-dir", cli_vault, passphrase=PASSPHRASE)

    assert_one_sentence(result, code=2, contains=["samraad --help"])
    assert "usage:" not in result.stderr.lower()
    assert result.stdout == ""
    assert snapshot(cli_vault) == before


def test_no_passphrase_available_is_one_sentence(cli: Cli, cli_vault: Path) -> None:
    before = snapshot(cli_vault)

    result = cli.run("self-test", "--data-dir", cli_vault)

    assert_one_sentence(result, contains=["SAMRAAD_PASSPHRASE"])
    assert result.stdout == ""
    assert snapshot(cli_vault) == before


@pytest.mark.parametrize("new", [None, "short"])
def test_refused_passphrase_change_leaves_every_file_as_it_was(
    cli: Cli, cli_vault: Path, tmp_path: Path, new: str | None
) -> None:
    before = snapshot(cli_vault)
    args: list[str | Path] = ["passphrase", "--data-dir", cli_vault]
    if new is not None:
        args += ["--new-passphrase-file", write_secret(tmp_path / "new.txt", new)]
    result = cli.run(*args, passphrase=PASSPHRASE)
    assert_one_sentence(result)
    assert snapshot(cli_vault) == before


@pytest.mark.parametrize("name", ["vault.db", "vault.key", "backups/mine.samraad-backup"])
def test_backup_into_the_vault_folder_is_refused(cli: Cli, cli_vault: Path, name: str) -> None:
    before = snapshot(cli_vault)
    result = cli.run(
        "backup", "--data-dir", cli_vault, "--out", cli_vault / name, passphrase=PASSPHRASE
    )
    assert_one_sentence(result)
    assert "outside" in result.stderr
    assert (cli_vault / "vault.db").read_bytes() == before["vault.db"]
    assert (cli_vault / "vault.key").read_bytes() == before["vault.key"]
    assert_ok(cli.run("self-test", "--data-dir", cli_vault, passphrase=PASSPHRASE))


def test_passphrase_file_keeps_every_character_but_the_line_ending(
    cli: Cli, tmp_path: Path
) -> None:
    odd = "form\x0cfeed and\u2028separator  "
    root = tmp_path / "odd"
    secret = tmp_path / "p.txt"
    secret.write_bytes(("\ufeff" + odd + "\r\nsecond line\n").encode("utf-8"))
    assert_ok(cli.run("init", "--data-dir", root, "--passphrase-file", secret))
    assert_ok(cli.run("self-test", "--data-dir", root, passphrase=odd))
