"""Settings kept in the vault: auto-lock, office key, sync folder, passphrase change."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest

from app.errors import BadInput, WeakPassphrase, WrongSecret
from app.services import vault_settings
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE


def test_defaults(vault: Vault) -> None:
    settings = vault_settings.snapshot(vault)

    assert settings.auto_lock_minutes == 5
    assert settings.country == "DK"
    assert settings.office_recipient == ""
    assert settings.sync_folder == ""
    assert settings.remembered_backend is None


@pytest.mark.parametrize("minutes", [1, 30, 120])
def test_auto_lock_within_range_is_kept(vault: Vault, minutes: int) -> None:
    changes = vault_settings.set_auto_lock_minutes(vault, minutes)

    assert vault_settings.auto_lock_minutes(vault) == minutes
    assert "settings" in changes.tables


@pytest.mark.parametrize("minutes", [0, -5, 121])
def test_auto_lock_out_of_range_is_refused(vault: Vault, minutes: int) -> None:
    with pytest.raises(BadInput, match="between 1 and 120"):
        vault_settings.set_auto_lock_minutes(vault, minutes)
    assert vault_settings.auto_lock_minutes(vault) == 5


def test_office_recipient_must_be_an_age_key(vault: Vault) -> None:
    key = str(pyrage.x25519.Identity.generate().to_public())
    vault_settings.set_office_recipient(vault, f"  {key} ")
    assert vault_settings.snapshot(vault).office_recipient == key

    with pytest.raises(BadInput, match="age public key"):
        vault_settings.set_office_recipient(vault, "age1notakey")
    assert vault_settings.snapshot(vault).office_recipient == key


def test_sync_folder_must_be_absolute(vault: Vault, tmp_path: Path) -> None:
    vault_settings.set_sync_folder(vault, str(tmp_path))
    assert vault_settings.snapshot(vault).sync_folder == str(tmp_path)

    with pytest.raises(BadInput):
        vault_settings.set_sync_folder(vault, "relative/folder")
    assert vault_settings.snapshot(vault).sync_folder == str(tmp_path)


def test_change_passphrase_checks_the_current_one_first(vault: Vault) -> None:
    new = "another long passphrase 42"
    with pytest.raises(WrongSecret):
        vault_settings.change_passphrase(vault, "wrong passphrase here", new)
    with pytest.raises(WeakPassphrase):
        vault_settings.change_passphrase(vault, PASSPHRASE, "short")

    vault_settings.change_passphrase(vault, PASSPHRASE, new)

    directory = vault.directory
    vault.close(auto_backup=False)
    with pytest.raises(WrongSecret):
        directory.unlock(PASSPHRASE)
    directory.unlock(new).close(auto_backup=False)
