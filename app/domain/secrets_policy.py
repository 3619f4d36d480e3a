"""Pure rules about passphrases, recovery codes and unlock back-off.

No I/O, no clock, no randomness: the random bytes for a recovery code are
passed in, so every rule here is a plain function to test.
"""

from __future__ import annotations

import base64
import unicodedata

from app.i18n import _

MIN_PASSPHRASE_LENGTH = 12
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LENGTH = 4
# 8 groups x 4 base32 characters = 32 characters x 5 bits = 160 bits.
RECOVERY_CODE_BYTES = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH * 5 // 8
FREE_ATTEMPTS = 3
MAX_BACKOFF_SECONDS = 4.0


def normalise_passphrase(passphrase: str) -> str:
    """NFC-normalise so the same passphrase typed on macOS and Windows matches."""
    return unicodedata.normalize("NFC", passphrase)


def passphrase_problem(passphrase: str) -> str | None:
    """Return one sentence saying what is wrong with a new passphrase, or None."""
    text = normalise_passphrase(passphrase)
    if len(text) < MIN_PASSPHRASE_LENGTH:
        return _("The passphrase must be at least 12 characters long.")
    if not text.strip():
        return _("The passphrase must not be only spaces.")
    return None


def passphrase_strength(passphrase: str) -> int:
    """A rough 0-4 strength hint for the UI (length and character variety)."""
    text = normalise_passphrase(passphrase)
    if len(text) < MIN_PASSPHRASE_LENGTH:
        return 0
    classes = sum(
        any(test(c) for c in text)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    score = 1 + (len(text) >= 16) + (len(text) >= 24) + (classes >= 3)
    return min(score, 4)


def format_recovery_code(raw: bytes) -> str:
    """Turn 20 random bytes into ``ABCD-EFGH-…`` (8 groups of 4 base32 chars)."""
    if len(raw) != RECOVERY_CODE_BYTES:
        raise ValueError("recovery code needs exactly 20 random bytes")
    text = base64.b32encode(raw).decode("ascii")
    groups = [
        text[i : i + RECOVERY_GROUP_LENGTH] for i in range(0, len(text), RECOVERY_GROUP_LENGTH)
    ]
    return "-".join(groups)


def normalise_recovery_code(code: str) -> str | None:
    """Canonical form of a typed recovery code, or None if it cannot be one.

    Spaces, dashes and case are ignored; the digits 0, 1 and 8 (absent from
    base32) are read as the letters O, I and B people confuse them with.
    """
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t\n")
    cleaned = cleaned.translate(str.maketrans("018", "OIB"))
    if len(cleaned) != RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH:
        return None
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:
        return None
    return format_recovery_code(raw)


def unlock_delay(failed_attempts: int) -> float:
    """Seconds to wait before answering after ``failed_attempts`` wrong tries.

    The first three wrong attempts answer at once; each further one waits half
    a second longer, capped at a few seconds so a typo never feels like a hang.
    """
    extra = failed_attempts - FREE_ATTEMPTS
    if extra <= 0:
        return 0.0
    return min(0.5 * extra, MAX_BACKOFF_SECONDS)
