"""The advisor's settings kept inside the vault (the Settings page reads them here).

Calendar settings (travel buffer, extra closure days, school holidays) belong
to :class:`~app.services.calendar_service.CalendarService`; this module holds
the rest and gathers everything the page shows in one read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyrage

from app.domain.calendar_model import DateRange
from app.domain.secrets_policy import passphrase_problem
from app.errors import BadInput, WeakPassphrase
from app.i18n import _
from app.services.calendar_service import CalendarService
from app.services.changes import Changes
from app.store import keyfile as keyfile_mod
from app.store import settings_repo
from app.store.vault import Vault

AUTO_LOCK_SETTING = "auto_lock_minutes"
OFFICE_RECIPIENT_SETTING = "office_recipient"
SYNC_FOLDER_SETTING = "sync_folder"

DEFAULT_AUTO_LOCK_MINUTES = 5
AUTO_LOCK_RANGE = (1, 120)


@dataclass(frozen=True)
class VaultSettings:
    """Everything the Settings page shows."""

    country: str
    auto_lock_minutes: int
    travel_buffer_minutes: int
    extra_closure_days: tuple[tuple[int, int], ...]
    school_holidays: tuple[DateRange, ...]
    office_recipient: str
    sync_folder: str
    remembered_backend: str | None


def snapshot(vault: Vault) -> VaultSettings:
    """Read every setting at once."""
    calendar = CalendarService(vault)
    return VaultSettings(
        country=vault.country,
        auto_lock_minutes=auto_lock_minutes(vault),
        travel_buffer_minutes=int(calendar.travel_buffer().total_seconds() // 60),
        extra_closure_days=calendar.extra_closure_days(),
        school_holidays=tuple(calendar.school_holidays()),
        office_recipient=settings_repo.get(vault.conn, OFFICE_RECIPIENT_SETTING) or "",
        sync_folder=settings_repo.get(vault.conn, SYNC_FOLDER_SETTING) or "",
        remembered_backend=vault.directory.remembered_backend(),
    )


def auto_lock_minutes(vault: Vault) -> int:
    """Minutes without input before the window locks itself."""
    value = settings_repo.get(vault.conn, AUTO_LOCK_SETTING)
    try:
        minutes = int(value) if value is not None else DEFAULT_AUTO_LOCK_MINUTES
    except ValueError:
        return DEFAULT_AUTO_LOCK_MINUTES
    low, high = AUTO_LOCK_RANGE
    return min(max(minutes, low), high)


def set_auto_lock_minutes(vault: Vault, minutes: int) -> Changes:
    """Change the idle time before locking (1 to 120 minutes)."""
    low, high = AUTO_LOCK_RANGE
    if not low <= minutes <= high:
        raise BadInput(
            _("The lock time must be between {low} and {high} minutes.").format(low=low, high=high)
        )
    with vault.transaction() as conn:
        settings_repo.put(conn, vault.ctx, AUTO_LOCK_SETTING, str(minutes))
    return Changes.of("settings", AUTO_LOCK_SETTING)


def set_office_recipient(vault: Vault, recipient: str) -> Changes:
    """The office's age public key (``age1…``) that exports are encrypted to; '' clears it."""
    text = recipient.strip()
    if text:
        try:
            pyrage.x25519.Recipient.from_str(text)
        except Exception:  # pyrage raises its own error types for every malformed key
            raise BadInput(_("That is not an age public key; it starts with “age1”.")) from None
    with vault.transaction() as conn:
        settings_repo.put(conn, vault.ctx, OFFICE_RECIPIENT_SETTING, text)
    return Changes.of("settings", OFFICE_RECIPIENT_SETTING)


def set_sync_folder(vault: Vault, folder: str) -> Changes:
    """The shared folder whose outbox/inbox carry bundles; '' clears it."""
    text = folder.strip()
    if text and not Path(text).is_absolute():
        raise BadInput(_("Choose the sync folder with its full path."))
    with vault.transaction() as conn:
        settings_repo.put(conn, vault.ctx, SYNC_FOLDER_SETTING, text)
    return Changes.of("settings", SYNC_FOLDER_SETTING)


def change_passphrase(vault: Vault, current: str, new: str) -> None:
    """Check the current passphrase, then re-wrap the key under ``new``.

    The new passphrase is checked first, so a refusal changes nothing.
    """
    problem = passphrase_problem(new)
    if problem:
        raise WeakPassphrase(problem)
    keyfile_mod.unwrap_with_passphrase(keyfile_mod.read(vault.directory.layout.keyfile), current)
    vault.change_passphrase(new)
