from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from app.services import key_memory
from app.store import audit
from app.store.keyring_cache import KeyringCache
from app.store.vault import Vault
from tests.helpers.keyrings import MemoryKeyring, OtherMemoryKeyring, fqname, only
from tests.helpers.vaults import PASSPHRASE, open_directory


def cache_for(backend: KeyringBackend) -> KeyringCache:
    return KeyringCache(backend=backend, allowed=only(backend), timeout=2)


def test_remembered_key_unlocks_without_passphrase(vault: Vault) -> None:
    store = MemoryKeyring()
    assert key_memory.remember(vault, cache_for(store)) == fqname(store)
    assert "vault.key_remembered" in [e.action for e in audit.entries(vault.conn)]
    directory = vault.directory
    vault.close()
    again = key_memory.unlock_remembered(directory, cache_for(store))
    assert again is not None and again.vault_id == vault.vault_id
    methods = [e.details for e in audit.entries(again.conn) if e.action == "vault.unlocked"]
    assert methods[-1] == '{"method":"keyring"}'


def test_key_is_not_in_the_key_file_or_any_vault_file(vault: Vault) -> None:
    key_memory.remember(vault, cache_for(MemoryKeyring()))
    key = vault.database_key()
    root: Path = vault.directory.layout.root
    vault.close()
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key not in data and key.hex().encode() not in data, path.name


def test_changed_backend_means_passphrase_and_deletes_nothing(vault: Vault) -> None:
    first = MemoryKeyring()
    key_memory.remember(vault, cache_for(first))
    directory = vault.directory
    vault.close()
    assert key_memory.unlock_remembered(directory, cache_for(OtherMemoryKeyring())) is None
    assert len(first.entries) == 1
    assert directory.remembered_backend() == fqname(first)
    directory.unlock(PASSPHRASE).close()


def test_no_usable_keyring_says_so_in_one_sentence(vault: Vault) -> None:
    plain = MemoryKeyring()
    not_allowed = KeyringCache(backend=plain, allowed=frozenset(), timeout=2)
    with pytest.raises(key_memory.KeyringUnavailable, match="passphrase"):
        key_memory.remember(vault, not_allowed)
    assert plain.entries == {}
    assert vault.directory.remembered_backend() is None


def test_forget_removes_the_key_and_the_note(vault: Vault) -> None:
    store = MemoryKeyring()
    key_memory.remember(vault, cache_for(store))
    key_memory.forget(vault, cache_for(store))
    assert store.entries == {}
    directory = vault.directory
    assert directory.remembered_backend() is None
    vault.close()
    assert key_memory.unlock_remembered(directory, cache_for(store)) is None


def test_stale_key_in_keyring_falls_back_to_passphrase(tmp_path: Path) -> None:
    store = MemoryKeyring()
    with open_directory(tmp_path / "v") as directory:
        vault = directory.create(PASSPHRASE, "DK").vault
        key_memory.remember(vault, cache_for(store))
        vault.close()
        only_key = next(iter(store.entries))
        store.entries[only_key] = "ab" * 32  # well-formed, wrong key
        assert key_memory.unlock_remembered(directory, cache_for(store)) is None
        directory.unlock(PASSPHRASE).close()
