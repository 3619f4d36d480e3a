"""The vault's Ed25519 signing key and its name as peers see it."""

from __future__ import annotations

import base64

from app.store import sync_repo
from app.store.vault import Vault
from app.sync import bundle

SIGNING_KEY = "signing_key"
NAME = "name"


def signing_key(vault: Vault) -> bytes:
    """The vault's private signing key, made on first use and kept inside the vault."""
    stored = sync_repo.meta(vault.conn, SIGNING_KEY)
    if stored:
        return base64.b64decode(stored)
    raw = bundle.new_signing_key()
    with vault.transaction() as conn:
        sync_repo.set_meta(conn, SIGNING_KEY, base64.b64encode(raw).decode("ascii"))
    return raw


def public_key(vault: Vault) -> str:
    """The vault's public signing key (base64), as peers record it."""
    return bundle.public_key_of(signing_key(vault))


def name(vault: Vault) -> str:
    """The vault's name in bundles (technical: no personal data)."""
    return sync_repo.meta(vault.conn, NAME) or f"Samraad-{vault.vault_id[:8]}"
