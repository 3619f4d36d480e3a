"""Damaged files: the database, the key file, a backup (security.md proofs 1 and 2).

Each kind of damage is detected with one sentence, the newest *good*
automatic backup is offered for restoring, and nothing is overwritten: the
backups and the key file stay byte-identical, the damaged database stays
where it was (never replaced by a new, empty one) and, once a restore
replaces it, is kept aside in ``backups/replaced-*``.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from app.errors import BadBackup, VaultDamaged, WrongSecret
from app.store import backup, districts_repo
from app.store import keyfile as keyfile_mod
from app.store.connection import PLAIN_SQLITE_HEADER, DatabaseError, open_database
from tests.helpers.cli import Cli, assert_ok, assert_one_sentence, snapshot
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.helpers.writer import SCHEMA1_FIXTURE

PAGE = 4096
SEED = 20_261_123


def _add_and_lock(root: Path, name: str) -> None:
    """Add one district and lock (which makes an automatic backup)."""
    with open_directory(root) as directory:
        vault = directory.unlock(PASSPHRASE)
        with vault.transaction() as conn:
            districts_repo.add(conn, vault.ctx, name)
        vault.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A vault with three districts and two automatic backups (after the 2nd and 3rd)."""
    root = tmp_path_factory.mktemp("corruption") / "vault"
    with open_directory(root) as directory:
        vault = directory.create(PASSPHRASE, "DK").vault
        with vault.transaction() as conn:
            districts_repo.add(conn, vault.ctx, "Nord")
        vault.close(auto_backup=False)
    _add_and_lock(root, "Syd")
    _add_and_lock(root, "Øst")
    assert len(backup.auto_backups(root / "backups")) == 2
    return root


@pytest.fixture
def vault_dir(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(template, root)
    return root


def _districts(root: Path) -> list[str]:
    with open_directory(root) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            assert vault.self_test().ok
            return sorted(d.name for d in districts_repo.list_all(vault.conn))
        finally:
            vault.close(auto_backup=False)


def _damage(db: Path, how: str, rng: random.Random) -> tuple[int, int] | None:
    """Damage the database file; returns the damaged byte range when there is one."""
    data = bytearray(db.read_bytes())
    if how == "page_1":
        start = 100
    elif how == "random_page":
        start = rng.randrange(PAGE, len(data))
    elif how == "zero_page":
        page = rng.randrange(1, len(data) // PAGE)
        data[page * PAGE : (page + 1) * PAGE] = bytes(PAGE)
        db.write_bytes(bytes(data))
        return page * PAGE, (page + 1) * PAGE
    elif how == "truncate_half":
        db.write_bytes(bytes(data[: len(data) // 2 // PAGE * PAGE]))
        return None
    else:  # "append_garbage": a whole page of noise after the last one
        db.write_bytes(bytes(data) + rng.randbytes(PAGE))
        return None
    data[start] ^= 1 << rng.randrange(8)
    db.write_bytes(bytes(data))
    return start, start + 1


def _detect(root: Path) -> tuple[str, Path | None]:
    """What the user is told when opening and checking ``root``: (sentence, backup offered)."""
    with open_directory(root) as directory:
        try:
            vault = directory.unlock(PASSPHRASE)
        except VaultDamaged as exc:
            offered = [
                b.path for b in map(backup.read_header, _auto(root)) if str(b.path) in str(exc)
            ]
            return str(exc), offered[0] if offered else None
        # A read that meets the damaged page: the caller can say so in one sentence.
        tables = [
            t for (t,) in vault.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            try:
                vault.conn.execute(f'SELECT * FROM "{table}"').fetchall()
            except DatabaseError as exc:
                known = vault.known_error(exc)
                assert isinstance(known, VaultDamaged), f"{table}: {exc!r} is not named"
                assert "samraad restore" in known.message
        report = vault.self_test()
        vault.close()  # the lock never fails, and never backs up a damaged database
        assert not report.ok, "damage went unnoticed by the self-test"
        assert report.cipher_problems or report.integrity != ("ok",), report
        return "self-test failed", report.restore_from


def _auto(root: Path) -> list[Path]:
    return backup.auto_backups(root / "backups")


CASES = ["page_1", "zero_page", "truncate_half", "append_garbage"] + [
    f"random_page-{i}" for i in range(12)
]


@pytest.mark.parametrize("case", CASES)
def test_damaged_database_is_detected_and_the_newest_backup_offered(
    vault_dir: Path, case: str
) -> None:
    rng = random.Random(f"{SEED}-{case}")
    db = vault_dir / "vault.db"
    damaged_range = _damage(db, case.split("-")[0], rng)
    damaged = db.read_bytes()
    backups_before = snapshot(vault_dir / "backups")
    key_before = (vault_dir / "vault.key").read_bytes()
    newest = _auto(vault_dir)[-1]

    sentence, offered = _detect(vault_dir)

    assert offered == newest, f"{case}: offered {offered} for {sentence!r}"
    if sentence != "self-test failed":
        assert sentence.endswith(".") and "\n" not in sentence
        assert f"samraad restore {newest}" in sentence
    # Nothing overwritten: backups and key file byte-identical, the damaged
    # database still there (encrypted, not replaced), its damaged bytes kept.
    assert snapshot(vault_dir / "backups") == backups_before
    assert (vault_dir / "vault.key").read_bytes() == key_before
    now = db.read_bytes()
    assert not now.startswith(PLAIN_SQLITE_HEADER)
    assert now[:16] == damaged[:16], "the database was replaced"
    if damaged_range is not None:
        start, end = damaged_range
        assert now[start:end] == damaged[start:end], "the damaged bytes were overwritten"

    # The offered backup restores; the damaged database is set aside, not deleted.
    with open_directory(vault_dir) as directory:
        directory.restore(newest, PASSPHRASE)
    assert _districts(vault_dir) == ["Nord", "Syd", "Øst"]
    aside = list((vault_dir / "backups").glob("replaced-*/vault.db"))
    assert len(aside) == 1 and aside[0].read_bytes()[:16] == damaged[:16]
    assert (vault_dir / "backups" / newest.name).read_bytes() == backups_before[newest.name]


def test_a_damaged_newest_backup_is_passed_over_for_the_next_good_one(vault_dir: Path) -> None:
    older, newest = _auto(vault_dir)
    data = bytearray(newest.read_bytes())
    data[-PAGE // 2] ^= 0x40  # inside the database copy: the header still parses
    newest.write_bytes(bytes(data))
    _damage(vault_dir / "vault.db", "page_1", random.Random(SEED))

    sentence, offered = _detect(vault_dir)

    assert offered == older, sentence
    with open_directory(vault_dir) as directory:
        with pytest.raises(BadBackup):
            directory.restore(newest, PASSPHRASE)
        directory.restore(older, PASSPHRASE)
    assert _districts(vault_dir) == ["Nord", "Syd"]
    assert newest.read_bytes() == bytes(data), "the damaged backup was touched"


def test_every_flipped_byte_of_the_key_file_is_damage_not_a_wrong_passphrase(
    vault_dir: Path,
) -> None:
    key_path = vault_dir / "vault.key"
    pristine = key_path.read_bytes()
    newest = _auto(vault_dir)[-1]
    wrong_passphrase = 0
    with open_directory(vault_dir, sleep=lambda _s: None) as directory:
        for index in range(len(pristine)):
            # Every byte with its lowest bit flipped; every 5th also made invalid UTF-8.
            for bit in (0x01, 0x80) if index % 5 == 0 else (0x01,):
                damaged = bytearray(pristine)
                damaged[index] ^= bit
                key_path.write_bytes(bytes(damaged))
                try:
                    directory.unlock(PASSPHRASE).close()
                except VaultDamaged as exc:
                    assert f"samraad restore {newest}" in str(exc), str(exc)
                except WrongSecret:
                    wrong_passphrase += 1
                else:
                    pytest.fail(f"byte {index} ^ {bit:#x}: the damaged key file still opened")
                assert key_path.read_bytes() == bytes(damaged), "the key file was rewritten"
    assert wrong_passphrase == 0, f"{wrong_passphrase} damaged key files read as a wrong passphrase"
    # Cut short, or gone: the same sentence, the same offer.
    for damage in (pristine[: len(pristine) // 2], None):
        if damage is None:
            key_path.unlink()
        else:
            key_path.write_bytes(damage)
        with open_directory(vault_dir) as directory:
            with pytest.raises(VaultDamaged, match="samraad restore"):
                directory.unlock(PASSPHRASE)
            directory.restore(newest, PASSPHRASE)
        assert _districts(vault_dir) == ["Nord", "Syd", "Øst"]
        pristine = key_path.read_bytes()


def test_a_key_file_from_before_the_checksum_still_opens() -> None:
    raw = (SCHEMA1_FIXTURE / "vault.key").read_bytes()
    assert b"checksum" not in raw
    assert keyfile_mod.read(SCHEMA1_FIXTURE / "vault.key").vault_id


@pytest.mark.parametrize("where", ["magic", "header", "keyfile_in_header", "body", "cut", "tail"])
def test_a_damaged_backup_is_refused_and_changes_nothing(
    vault_dir: Path, tmp_path: Path, where: str
) -> None:
    source = _auto(vault_dir)[-1]
    data = bytearray(source.read_bytes())
    parsed = backup.read_header(source)
    text = data[: parsed.db_offset].decode("latin-1")
    rng = random.Random(f"{SEED}-{where}")
    index = {
        "magic": 3,
        "header": text.index('"created_at"') + 3,
        "keyfile_in_header": text.index('"wrapped_key"') + 20,
        "body": rng.randrange(parsed.db_offset, len(data)),
    }.get(where)
    if index is not None:
        data[index] ^= 0x02
    elif where == "cut":
        data = data[: rng.randrange(len(data))]
    else:
        data += b"\x00"
    broken = tmp_path / "broken.samraad-backup"
    broken.write_bytes(bytes(data))
    before = snapshot(vault_dir)

    with open_directory(vault_dir) as directory:
        with pytest.raises(BadBackup) as caught:
            directory.restore(broken, PASSPHRASE)

    assert caught.value.message == backup.bad_backup().message
    assert snapshot(vault_dir) == before
    assert broken.read_bytes() == bytes(data)


def test_the_command_line_names_the_damage_and_the_backup_to_restore(
    vault_dir: Path, tmp_path: Path
) -> None:
    cli = Cli(tmp_path)
    newest = _auto(vault_dir)[-1]
    key = vault_dir / "vault.key"
    pristine_key = key.read_bytes()
    damaged_key = bytearray(pristine_key)
    damaged_key[len(damaged_key) // 2] ^= 0x01
    key.write_bytes(bytes(damaged_key))

    result = cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)

    assert_one_sentence(result, contains=["key file", f"samraad restore {newest}"])
    key.write_bytes(pristine_key)
    _damage(vault_dir / "vault.db", "page_1", random.Random(SEED))

    result = cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)

    assert_one_sentence(result, contains=["damaged", f"samraad restore {newest}"])
    refused = cli.run("restore", newest, "--data-dir", vault_dir, passphrase=PASSPHRASE)
    assert_one_sentence(refused, contains=["--yes"])
    restored = cli.run("restore", newest, "--yes", "--data-dir", vault_dir, passphrase=PASSPHRASE)
    assert_ok(restored)
    assert_ok(cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE))
    # A damaged page the open does not need: the self-test finds it, in one sentence.
    _damage(vault_dir / "vault.db", "zero_page", random.Random(SEED + 1))
    result = cli.run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)
    assert result.returncode in (1, 2), str(result)
    assert_one_sentence(result)


def test_a_failed_self_test_names_the_backup_to_restore(vault_dir: Path, tmp_path: Path) -> None:
    newest = _auto(vault_dir)[-1]
    _damage(vault_dir / "vault.db", "zero_page", random.Random(SEED + 1))

    result = Cli(tmp_path).run("self-test", "--data-dir", vault_dir, passphrase=PASSPHRASE)

    assert_one_sentence(result, contains=[f"samraad restore {newest}"])


def test_a_command_that_reads_a_damaged_page_names_the_damage(
    vault_dir: Path, tmp_path: Path
) -> None:
    kf = keyfile_mod.read(vault_dir / "vault.key")
    conn = open_database(vault_dir / "vault.db", keyfile_mod.unwrap_with_passphrase(kf, PASSPHRASE))
    try:
        (root_page,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'sites'"
        ).fetchone()
    finally:
        conn.close()
    db = vault_dir / "vault.db"
    data = bytearray(db.read_bytes())
    data[(root_page - 1) * PAGE + 500] ^= 0x01  # the sites table: opening does not read it
    db.write_bytes(bytes(data))

    result = Cli(tmp_path).run("sites", "--data-dir", vault_dir, passphrase=PASSPHRASE)

    assert_one_sentence(result, contains=["damaged", "samraad restore"])
