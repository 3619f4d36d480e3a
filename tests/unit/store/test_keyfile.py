from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.domain.secrets_policy import format_recovery_code
from app.errors import VaultDamaged, WrongSecret
from app.store import keyfile
from tests.helpers.vaults import FAST_KDF

VAULT_ID = "11111111-2222-4333-8444-555555555555"
KEY = bytes(range(32))


def make(passphrase: str = "a long enough passphrase", code: str | None = None) -> keyfile.KeyFile:
    code = code or format_recovery_code(b"\x01" * 20)
    kf = keyfile.KeyFile(vault_id=VAULT_ID, slots={})
    kf = kf.with_slot(
        "passphrase",
        keyfile.seal(VAULT_ID, "passphrase", passphrase, KEY, FAST_KDF, os.urandom(28)),
    )
    return kf.with_slot(
        "recovery", keyfile.seal(VAULT_ID, "recovery", code, KEY, FAST_KDF, os.urandom(28))
    )


@pytest.mark.parametrize(
    "passphrase",
    [
        "with \"double\" and 'single' quotes",
        "emoji 🙂🔐 and æøå ÆØÅ",
        "x" * 1500,
        "  leading and trailing spaces  ",
    ],
)
def test_unusual_passphrases_round_trip_through_the_file(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "vault.key"
    keyfile.write(path, make(passphrase))
    assert keyfile.unwrap_with_passphrase(keyfile.read(path), passphrase) == KEY


def test_wrong_passphrase_raises_wrong_secret() -> None:
    with pytest.raises(WrongSecret, match="passphrase is wrong"):
        keyfile.unwrap_with_passphrase(make(), "not the passphrase at all")


def test_recovery_code_unwraps_in_any_typing() -> None:
    code = format_recovery_code(b"\x01" * 20)
    kf = make(code=code)
    assert keyfile.unwrap_with_recovery_code(kf, code.lower().replace("-", "")) == KEY
    with pytest.raises(WrongSecret, match="recovery code is wrong"):
        keyfile.unwrap_with_recovery_code(kf, format_recovery_code(b"\x02" * 20))
    with pytest.raises(WrongSecret):
        keyfile.unwrap_with_recovery_code(kf, "not a code")


def test_slot_of_another_vault_does_not_open(tmp_path: Path) -> None:
    # The vault id is authenticated data: a slot copied between key files fails.
    kf = make()
    other = keyfile.KeyFile(vault_id="99999999-2222-4333-8444-555555555555", slots=kf.slots)
    with pytest.raises(WrongSecret):
        keyfile.unwrap_with_passphrase(other, "a long enough passphrase")


def test_file_holds_no_key_material_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    keyfile.write(path, make())
    raw = path.read_bytes()
    assert KEY not in raw and KEY.hex().encode() not in raw
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other"),
        lambda d: d.update(version=99),
        lambda d: d["slots"].pop("passphrase"),
        lambda d: d["slots"]["passphrase"].update(log2_n=40),  # hostile work factor
        lambda d: d["slots"]["passphrase"].update(salt="***"),
        lambda d: d["slots"]["passphrase"].update(kdf="pbkdf2"),
    ],
)
def test_damaged_key_files_are_refused(tmp_path: Path, mutate: object) -> None:
    data = keyfile.to_json(make())
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "vault.key"
    path.write_text(json.dumps(data))
    with pytest.raises(VaultDamaged):
        keyfile.read(path)


def test_garbage_and_missing_key_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    path.write_bytes(b"\xff\x00garbage")
    with pytest.raises(VaultDamaged):
        keyfile.read(path)
    with pytest.raises(VaultDamaged, match="missing"):
        keyfile.read(tmp_path / "absent.key")
