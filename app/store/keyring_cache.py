"""Remembering the unwrapped database key in the OS keyring, when the user asks.

Only a real, allow-listed system keyring is used (Windows Credential Locker,
macOS Keychain, Secret Service / KWallet) — never a file, never keyring's
chainer, fail or null backends. Every call into the keyring library runs in a
daemon thread that is abandoned after a few seconds, because a keyring can
hang (a dead D-Bus, a stuck unlock prompt) and unlock must still fall back to
the passphrase prompt quickly. Any failure here means only "ask for the
passphrase": nothing in this module raises for a keyring problem.

The caller records :meth:`KeyringCache.store`'s return value (the backend's
name) in the key file and hands it back to :meth:`KeyringCache.load`; if the
backend has changed since, the key is not read and nothing is deleted.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from app.i18n import _

ALLOWED_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
    }
)
SERVICE = "Samraad"
DEFAULT_TIMEOUT = 3.0  # seconds; security.md proof 8 wants the prompt within 5 s

# Refused even when a caller puts them in ``allowed``: the chainer hides which
# backend really holds the key, fail/null hold nothing, and keyrings.alt
# backends are files — the design forbids falling back to a file.
_FORBIDDEN_BACKENDS = frozenset(
    {
        "keyring.backends.chainer.ChainerBackend",
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
    }
)
_FORBIDDEN_PREFIXES = ("keyrings.alt.",)

_KEY_BYTES = 32
_HEX_KEY = re.compile(r"[0-9a-f]{64}")

_log = logging.getLogger(__name__)

_T = TypeVar("_T")


class _Backend(Protocol):
    """The part of ``keyring.backend.KeyringBackend`` used here."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


class _Pending(Generic[_T]):
    """One call running in a daemon thread; the caller may stop waiting for it.

    The thread is never joined: if the keyring hangs, the thread stays blocked
    until the process exits (daemon threads do not keep it alive).
    """

    def __init__(self, fn: Callable[[], _T], what: str) -> None:
        self._fn = fn
        self._what = what
        self._done = threading.Event()
        self._value: _T | None = None
        self._ok = False
        self._thread = threading.Thread(
            target=self._run, name=f"samraad-keyring-{what}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
            self._ok = True
        except Exception as exc:  # any keyring failure means "ask for the passphrase"
            # Only the exception's type: its message could echo what was passed in.
            _log.info("keyring %s failed: %s", self._what, type(exc).__name__)
        finally:
            self._done.set()

    def result(self, deadline: float) -> tuple[bool, _T | None]:
        """``(True, value)`` if the call finished by ``deadline`` without raising."""
        if not self._done.wait(max(0.0, deadline - time.monotonic())):
            _log.info("keyring %s abandoned after timeout", self._what)
            return False, None
        return self._ok, self._value


def _qualified_name(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _first_allowed_in_chain(backend: object, allowed: frozenset[str]) -> object:
    """Look through keyring's chainer to the real backend that would hold the key.

    With Secret Service and KWallet both present, keyring answers with a
    chainer; using it directly would hide which store holds the key. Its
    members are ordered by priority, so the first allowed one is the one
    keyring itself would write to.
    """
    from keyring.backends.chainer import ChainerBackend

    if not isinstance(backend, ChainerBackend):
        return backend
    for member in getattr(backend, "backends", ()):
        if _qualified_name(member) in allowed:
            return member
    return backend


class KeyringCache:
    """The database key of each vault, cached in the OS keyring under ``(SERVICE, vault_id)``."""

    def __init__(
        self,
        backend: object | None = None,
        allowed: frozenset[str] = ALLOWED_BACKENDS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Use ``backend``, or the one keyring picks (resolved on first use, with the timeout)."""
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._given = backend
        self._allowed = allowed
        self._timeout = timeout
        self._lock = threading.Lock()
        # Started at most once: resolving the default backend can itself hang on
        # a broken D-Bus, and later calls should wait on the same attempt rather
        # than pile up more stuck threads.
        self._resolution: _Pending[object] | None = None

    # --- backend -------------------------------------------------------------------------

    def _deadline(self) -> float:
        return time.monotonic() + self._timeout

    def _usable_backend(self, deadline: float) -> tuple[_Backend, str] | None:
        """The backend and its name if it is allow-listed, else None (also on timeout)."""
        if self._given is not None:
            backend: object | None = self._given
        else:
            with self._lock:
                if self._resolution is None:
                    # Imported on first use: keyring and its backends cost ~15 MB
                    # and a noticeable part of start-up, and most starts never
                    # touch the keyring (no key remembered).
                    import keyring

                    self._resolution = _Pending(keyring.get_keyring, "resolve")
                resolution = self._resolution
            _, backend = resolution.result(deadline)
        if backend is None:
            return None
        backend = _first_allowed_in_chain(backend, self._allowed)
        name = _qualified_name(backend)
        if name not in self._allowed or name in _FORBIDDEN_BACKENDS:
            return None
        if name.startswith(_FORBIDDEN_PREFIXES):
            return None
        from keyring.backend import KeyringBackend

        if not isinstance(backend, KeyringBackend):
            return None
        return backend, name

    def backend_name(self) -> str | None:
        """``module.ClassName`` of the backend if it is allow-listed and answered, else None."""
        found = self._usable_backend(self._deadline())
        return None if found is None else found[1]

    def unavailable_reason(self) -> str | None:
        """One sentence for the user when the key cannot be remembered, else None."""
        if self.backend_name() is not None:
            return None
        return _(
            "No secure system keyring is available on this computer; "
            "Samråd will ask for the passphrase."
        )

    # --- entries -------------------------------------------------------------------------

    def store(self, vault_id: str, key: bytes) -> str | None:
        """Remember ``key`` for ``vault_id``; the backend's name on success, else None.

        The entry is read back before success is reported, so a backend that
        silently drops writes is not recorded as holding the key.
        """
        _check_vault_id(vault_id)
        if len(key) != _KEY_BYTES:
            raise ValueError("the database key must be 32 bytes")
        deadline = self._deadline()
        found = self._usable_backend(deadline)
        if found is None:
            return None
        backend, name = found
        secret = key.hex()

        def write_and_verify() -> bool:
            backend.set_password(SERVICE, vault_id, secret)
            return backend.get_password(SERVICE, vault_id) == secret

        ok, verified = _Pending(write_and_verify, "store").result(deadline)
        return name if ok and verified else None

    def load(self, vault_id: str, expected_backend: str) -> bytes | None:
        """The remembered key, or None: ask for the passphrase.

        None also when the current backend is not ``expected_backend`` (the
        one that stored the key); the entry is then left alone, since the old
        backend may come back and deleting from the new one would be a guess.
        """
        _check_vault_id(vault_id)
        deadline = self._deadline()
        found = self._usable_backend(deadline)
        if found is None:
            return None
        backend, name = found
        if name != expected_backend:
            return None
        ok, value = _Pending(lambda: backend.get_password(SERVICE, vault_id), "load").result(
            deadline
        )
        # Validate before use: the value goes into ``PRAGMA key`` as hex.
        if not ok or not isinstance(value, str) or _HEX_KEY.fullmatch(value) is None:
            return None
        return bytes.fromhex(value)

    def forget(self, vault_id: str) -> bool:
        """Delete the remembered key of ``vault_id``; False if that failed or timed out."""
        _check_vault_id(vault_id)
        deadline = self._deadline()
        found = self._usable_backend(deadline)
        if found is None:
            return False
        backend, _name = found

        def delete() -> bool:
            backend.delete_password(SERVICE, vault_id)
            return True

        ok, _value = _Pending(delete, "forget").result(deadline)
        return ok


def _check_vault_id(vault_id: str) -> None:
    # An empty username is deprecated in keyring and would share one entry.
    if not isinstance(vault_id, str) or not vault_id:
        raise ValueError("vault_id must be a non-empty string")
