"""Fake keyring backends for tests: real KeyringBackend subclasses held in memory.

They leave ``priority`` unset, so keyring never picks one by itself; a test
allow-lists one explicitly with :func:`only`.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


def fqname(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def only(backend: object) -> frozenset[str]:
    return frozenset({fqname(backend)})


class MemoryKeyring(KeyringBackend):
    """A working keyring held in a dict."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such entry") from None


class OtherMemoryKeyring(MemoryKeyring):
    """The same, under another name: the backend has changed."""
