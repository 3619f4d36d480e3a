"""Errors the user or the environment caused, each with a message shown as-is.

A :class:`KnownError` carries one translated sentence for the UI and the CLI.
Anything that is not a KnownError is a bug and is reported as one (without
personal data, see ``app/logging_setup.py``).
"""

from __future__ import annotations

from app.i18n import _


class KnownError(Exception):
    """A user or environment mistake with a one-sentence, translated message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WrongSecret(KnownError):
    """The passphrase or recovery code does not unlock the vault."""

    @classmethod
    def passphrase(cls) -> WrongSecret:
        return cls(_("The passphrase is wrong."))

    @classmethod
    def recovery_code(cls) -> WrongSecret:
        return cls(_("The recovery code is wrong."))


class WeakPassphrase(KnownError):
    """A new passphrase breaks the passphrase rules."""


class VaultMissing(KnownError):
    """No vault exists in the chosen data directory."""


class VaultExists(KnownError):
    """A vault already exists where a new one was to be created."""


class VaultInUse(KnownError):
    """Another Samråd process has this vault open."""


class VaultDamaged(KnownError):
    """The vault's files cannot be read: damaged, truncated or not ours."""


class VaultTooNew(KnownError):
    """The vault was written by a newer Samråd than this one."""


class VaultLocked(KnownError):
    """An operation needs the vault unlocked, and it is locked."""


class BadBackup(KnownError):
    """A backup file is damaged, truncated or not a Samråd backup."""


class BadInput(KnownError):
    """A command-line argument or file given by the user is invalid."""


class MinutesLocked(KnownError):
    """The minutes are approved; only an addendum can change them now."""

    @classmethod
    def now(cls) -> MinutesLocked:
        return cls(_("These minutes are approved and locked; write an addendum instead."))


class StorageFull(KnownError):
    """The disk is full or a file could not be written."""

    exit_code = 3
