"""“Remember on this computer”: the database key in the OS keyring, or not at all.

Only a real OS keyring is used (see ``app/store/keyring_cache.py``); the key
file records which one, so a changed backend means "ask for the passphrase"
and nothing is deleted. Any keyring failure falls back to the passphrase.
"""

from __future__ import annotations

from app.errors import KnownError
from app.i18n import _
from app.store.keyring_cache import KeyringCache
from app.store.vault import Vault, VaultDirectory


class KeyringUnavailable(KnownError):
    """No usable OS keyring on this computer."""


def remember(vault: Vault, cache: KeyringCache) -> str:
    """Store the vault's key in the OS keyring; returns the backend's name.

    Raises :class:`KeyringUnavailable` with one sentence when there is no
    usable keyring or it refuses the key; the vault then works as before.
    """
    reason = cache.unavailable_reason()
    if reason is not None:
        raise KeyringUnavailable(reason)
    backend = cache.store(vault.vault_id, vault.database_key())
    if backend is None:
        raise KeyringUnavailable(
            _("The system keyring did not accept the key; Samråd will ask for the passphrase.")
        )
    vault.set_remembered_backend(backend)
    return backend


def forget(vault: Vault, cache: KeyringCache) -> None:
    """Remove the key from the OS keyring and stop using it."""
    cache.forget(vault.vault_id)
    vault.set_remembered_backend(None)


def unlock_remembered(directory: VaultDirectory, cache: KeyringCache) -> Vault | None:
    """Unlock with the remembered key, or None when the passphrase is needed.

    None covers: never remembered, the keyring backend changed, the keyring
    failed, timed out or no longer holds a valid key.
    """
    backend = directory.remembered_backend()
    if not backend:
        return None
    key = cache.load(directory.vault_id(), backend)
    if key is None:
        return None
    try:
        return directory.unlock_with_key(key)
    except KnownError:
        # A stale key (e.g. from a restored vault): fall back to the passphrase.
        return None
