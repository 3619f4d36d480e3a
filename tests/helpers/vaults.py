"""Helpers to make test vaults quickly (imported by tests and conftest)."""

from __future__ import annotations

from pathlib import Path

from app.store import keyfile as keyfile_mod
from app.store.vault import VaultDirectory

# Real scrypt, cheap parameters: the KDF code path is the production one,
# only the work factor is lowered so hundreds of vaults fit in a test run.
FAST_KDF = keyfile_mod.ScryptParams(log2_n=10, r=8, p=1)
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _english_and_private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    i18n.set_language("en")
    base = tmp_path_factory.mktemp("env")
    monkeypatch.setenv("SAMRAAD_LOG_DIR", str(base / "logs"))
    monkeypatch.setenv("SAMRAAD_DATA_DIR", str(base / "default-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))


def open_directory(root: Path, **kwargs: object) -> VaultDirectory:
    """A held vault directory with the fast test KDF."""
    kwargs.setdefault("passphrase_kdf", FAST_KDF)
    kwargs.setdefault("recovery_kdf", FAST_KDF)
    return VaultDirectory.open(root, **kwargs)
