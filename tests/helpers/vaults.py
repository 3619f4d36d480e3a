"""Helpers to make test vaults quickly (imported by tests and conftest)."""

from __future__ import annotations

from pathlib import Path

from app.store import keyfile as keyfile_mod
from app.store.vault import VaultDirectory

# Real scrypt, cheap parameters: the KDF code path is the production one,
# only the work factor is lowered so hundreds of vaults fit in a test run.
FAST_KDF = keyfile_mod.ScryptParams(log2_n=10, r=8, p=1)
PASSPHRASE = "correct horse battery staple"


def open_directory(root: Path, **kwargs: object) -> VaultDirectory:
    """A held vault directory with the fast test KDF."""
    kwargs.setdefault("passphrase_kdf", FAST_KDF)
    kwargs.setdefault("recovery_kdf", FAST_KDF)
    return VaultDirectory.open(root, **kwargs)
