"""KeyringCache: only allow-listed keyrings, any failure means "ask for the passphrase".

The keyring backends here are small fakes. They subclass the real
``KeyringBackend`` but leave ``priority`` unset, which makes them non-viable,
so keyring itself never picks one of them for another test.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked
from keyrings.alt.file import PlaintextKeyring

from app.store.keyring_cache import ALLOWED_BACKENDS, SERVICE, KeyringCache
from tests.helpers.keyrings import MemoryKeyring, OtherMemoryKeyring, fqname, only

VAULT = "vault-0a1b2c"


class LockedKeyring(KeyringBackend):
    """Every call fails as a locked keyring does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


class BrokenKeyring(KeyringBackend):
    """Every call fails with a generic keyring error."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("broken")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("broken")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("broken")


class HangingKeyring(KeyringBackend):
    """Every call blocks for 30 s, or until the test releases it."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(30)


class NullKeyring(KeyringBackend):
    """Accepts writes, remembers nothing."""

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


class GarbageKeyring(KeyringBackend):
    """Returns a fixed value whatever was stored."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value

    def get_password(self, service: str, username: str) -> str | None:
        return self.value  # type: ignore[return-value]

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets abandoned keyring threads finish when the test ends."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


# --- the working path ----------------------------------------------------------------


def test_store_then_load_round_trips(key: bytes) -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend, allowed=only(backend))

    name = cache.store(VAULT, key)

    assert name == fqname(backend)
    assert cache.backend_name() == name
    assert cache.unavailable_reason() is None
    assert backend.entries[(SERVICE, VAULT)] == key.hex()
    assert cache.load(VAULT, name) == key


def test_load_of_a_missing_entry_is_none() -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend, allowed=only(backend))

    assert cache.load(VAULT, fqname(backend)) is None


def test_forget_removes_the_entry(key: bytes) -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend, allowed=only(backend))
    name = cache.store(VAULT, key)
    assert name is not None

    assert cache.forget(VAULT) is True

    assert (SERVICE, VAULT) not in backend.entries
    assert cache.load(VAULT, name) is None
    assert cache.forget(VAULT) is False  # nothing left to delete


def test_vaults_do_not_share_an_entry(key: bytes) -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend, allowed=only(backend))
    other = secrets.token_bytes(32)
    name = cache.store(VAULT, key)
    assert name is not None
    cache.store("vault-other", other)

    assert cache.load(VAULT, name) == key
    assert cache.load("vault-other", name) == other


def test_a_key_of_the_wrong_length_is_a_bug() -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend, allowed=only(backend))

    with pytest.raises(ValueError):
        cache.store(VAULT, b"\x00" * 31)
    assert backend.entries == {}


def test_default_backend_is_the_one_keyring_chose(
    monkeypatch: pytest.MonkeyPatch, key: bytes
) -> None:
    backend = MemoryKeyring()
    # What keyring.set_keyring() would do, undone after the test.
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    cache = KeyringCache(allowed=only(backend))

    assert cache.backend_name() == fqname(backend)
    assert cache.store(VAULT, key) == fqname(backend)
    assert cache.load(VAULT, fqname(backend)) == key


# --- backends that are not allowed ---------------------------------------------------


def test_a_backend_not_on_the_allow_list_is_not_used(key: bytes) -> None:
    backend = MemoryKeyring()
    cache = KeyringCache(backend)  # default allow-list: real OS keyrings only

    assert cache.backend_name() is None
    reason = cache.unavailable_reason()
    assert reason is not None and "passphrase" in reason
    assert cache.store(VAULT, key) is None
    assert backend.entries == {}
    backend.entries[(SERVICE, VAULT)] = key.hex()
    assert cache.load(VAULT, fqname(backend)) is None
    assert cache.forget(VAULT) is False
    assert (SERVICE, VAULT) in backend.entries


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()],
    ids=["fail", "null"],
)
def test_fail_and_null_backends_are_refused_even_if_listed(backend: object, key: bytes) -> None:
    for allowed in (ALLOWED_BACKENDS, only(backend)):
        cache = KeyringCache(backend, allowed=allowed)
        assert cache.backend_name() is None
        assert cache.unavailable_reason() is not None
        assert cache.store(VAULT, key) is None


def test_the_default_allow_list_names_only_os_keyrings() -> None:
    assert ALLOWED_BACKENDS == {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
    }
    assert "keyring.backends.chainer.ChainerBackend" not in ALLOWED_BACKENDS
    assert "keyring.backends.fail.Keyring" not in ALLOWED_BACKENDS


def test_the_plaintext_file_keyring_is_never_used(tmp_path: Path, key: bytes) -> None:
    backend = PlaintextKeyring()
    store_file = tmp_path / "keyring_pass.cfg"
    backend.file_path = str(store_file)  # keep the real user's data dir out of it
    assert fqname(backend) == "keyrings.alt.file.PlaintextKeyring"
    assert fqname(backend) not in ALLOWED_BACKENDS

    for allowed in (ALLOWED_BACKENDS, only(backend)):
        cache = KeyringCache(backend, allowed=allowed)
        assert cache.backend_name() is None
        assert cache.store(VAULT, key) is None

    assert not store_file.exists()


# --- backends that misbehave: always "ask for the passphrase" ------------------------


def test_backend_changed_reads_nothing_and_deletes_nothing(key: bytes) -> None:
    old = MemoryKeyring()
    old_name = KeyringCache(old, allowed=only(old)).store(VAULT, key)
    assert old_name is not None
    # The new backend happens to hold an entry under the same name.
    new = OtherMemoryKeyring()
    new.entries[(SERVICE, VAULT)] = key.hex()
    cache = KeyringCache(new, allowed=only(old) | only(new))

    assert cache.backend_name() == fqname(new) != old_name
    assert cache.load(VAULT, old_name) is None

    assert new.entries[(SERVICE, VAULT)] == key.hex()
    assert old.entries[(SERVICE, VAULT)] == key.hex()


@pytest.mark.parametrize("backend_cls", [LockedKeyring, BrokenKeyring], ids=["locked", "error"])
def test_a_failing_backend_means_ask_for_the_passphrase(
    backend_cls: type[KeyringBackend], key: bytes
) -> None:
    backend = backend_cls()
    cache = KeyringCache(backend, allowed=only(backend))

    assert cache.store(VAULT, key) is None
    assert cache.load(VAULT, fqname(backend)) is None
    assert cache.forget(VAULT) is False


def test_a_hanging_backend_is_abandoned(release: threading.Event, key: bytes) -> None:
    backend = HangingKeyring(release)
    cache = KeyringCache(backend, allowed=only(backend), timeout=0.3)

    for call in (
        lambda: cache.load(VAULT, fqname(backend)),
        lambda: cache.store(VAULT, key),
        lambda: cache.forget(VAULT),
    ):
        started = time.monotonic()
        result = call()
        assert time.monotonic() - started < 5
        assert result in (None, False)


def test_a_hanging_default_backend_lookup_is_abandoned(
    monkeypatch: pytest.MonkeyPatch, release: threading.Event, key: bytes
) -> None:
    # As when keyring's backend discovery blocks on a broken D-Bus.
    def stuck_get_keyring() -> KeyringBackend:
        release.wait(30)
        return MemoryKeyring()

    monkeypatch.setattr(keyring, "get_keyring", stuck_get_keyring)
    cache = KeyringCache(allowed=ALLOWED_BACKENDS | {f"{__name__}.MemoryKeyring"}, timeout=0.3)

    started = time.monotonic()
    assert cache.backend_name() is None
    assert cache.unavailable_reason() is not None
    assert cache.load(VAULT, f"{__name__}.MemoryKeyring") is None
    assert cache.store(VAULT, key) is None
    assert time.monotonic() - started < 5


def test_a_null_backend_stores_nothing(key: bytes) -> None:
    backend = NullKeyring()
    cache = KeyringCache(backend, allowed=only(backend))

    assert cache.store(VAULT, key) is None  # the write is read back, and it is not there
    assert cache.load(VAULT, fqname(backend)) is None


@pytest.mark.parametrize(
    "value",
    [
        "not a key",
        "ab" * 31,  # too short
        "ab" * 33,  # too long
        "AB" * 32,  # upper case
        "zz" * 32,  # not hex
        " " + "ab" * 32,
        "ab" * 32 + "\n",
        b"\xab" * 32,  # bytes, not str
        12345,
    ],
    ids=["text", "short", "long", "upper", "nonhex", "lead-space", "newline", "bytes", "int"],
)
def test_a_garbage_value_is_not_a_key(value: object) -> None:
    backend = GarbageKeyring(value)
    cache = KeyringCache(backend, allowed=only(backend))

    assert cache.load(VAULT, fqname(backend)) is None


def test_chainer_is_looked_through_to_its_first_allowed_member() -> None:
    from keyring.backends.chainer import ChainerBackend

    real = MemoryKeyring()

    class TwoKeyrings(ChainerBackend):  # as keyring builds it with two OS stores
        backends = [BrokenKeyring(), real]

    chain = TwoKeyrings()
    cache = KeyringCache(backend=chain, allowed=only(real))
    assert cache.backend_name() == fqname(real)
    assert cache.store("vault-1", bytes(32)) == fqname(real)
    assert cache.load("vault-1", fqname(real)) == bytes(32)
