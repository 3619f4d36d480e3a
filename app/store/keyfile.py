"""The key file: the random database key, wrapped under the passphrase and the recovery code.

The database key never changes for the life of a vault. The key file holds it
twice, each copy sealed with AES-256-GCM under a key derived with scrypt —
once from the passphrase, once from the recovery code. Changing the passphrase
re-wraps one slot and rewrites this small file atomically; the database is
never re-encrypted. A wrong secret fails GCM authentication, which is how a
wrong passphrase is told apart from a damaged database.

The file carries a SHA-256 ``checksum`` of its other fields, so a damaged
key file (one flipped bit in a salt or a work factor) is reported as damaged
— with the backup to restore — instead of as "the passphrase is wrong" for
ever. It is an integrity check against accidents, not a signature: anyone
who can write the file can recompute it. Files written before the checksum
existed have none and are still read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.domain.secrets_policy import normalise_passphrase, normalise_recovery_code
from app.errors import VaultDamaged, WrongSecret
from app.fileio import atomic_write
from app.i18n import _

FORMAT = "samraad-keyfile"
VERSION = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
SLOT_PASSPHRASE = "passphrase"
SLOT_RECOVERY = "recovery"
# Refuse absurd work factors in a (possibly hostile) file before any work.
MAX_LOG2_N = 22


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost parameters; stored in the key file next to each slot."""

    log2_n: int = 17  # 128 MiB, ~0.35 s on the reference machine
    r: int = 8
    p: int = 1


PASSPHRASE_KDF = ScryptParams()
# A recovery code carries 160 random bits, so a lighter KDF is enough.
RECOVERY_KDF = ScryptParams(log2_n=15)


@dataclass(frozen=True)
class Slot:
    """One wrapped copy of the database key."""

    kdf: ScryptParams
    salt: bytes
    nonce: bytes
    wrapped: bytes


@dataclass(frozen=True)
class KeyFile:
    """The parsed key file. Holds no secret in the clear."""

    vault_id: str
    slots: dict[str, Slot]
    remembered_with: str | None = None

    def with_slot(self, name: str, slot: Slot) -> KeyFile:
        """A copy with one slot replaced."""
        return replace(self, slots={**self.slots, name: slot})

    def with_remembered(self, backend: str | None) -> KeyFile:
        """A copy noting which keyring backend holds the key (None: none)."""
        return replace(self, remembered_with=backend)


def _derive(secret: str, salt: bytes, kdf: ScryptParams) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=2**kdf.log2_n, r=kdf.r, p=kdf.p).derive(
        secret.encode("utf-8")
    )


def _aad(vault_id: str, slot: str) -> bytes:
    return f"{FORMAT}/v{VERSION}/{vault_id}/{slot}".encode()


def seal(
    vault_id: str, slot_name: str, secret: str, db_key: bytes, kdf: ScryptParams, random: bytes
) -> Slot:
    """Wrap ``db_key`` under ``secret``; ``random`` gives salt and nonce (28 bytes)."""
    salt, nonce = random[:SALT_BYTES], random[SALT_BYTES : SALT_BYTES + NONCE_BYTES]
    wrapping = _derive(secret, salt, kdf)
    wrapped = AESGCM(wrapping).encrypt(nonce, db_key, _aad(vault_id, slot_name))
    return Slot(kdf=kdf, salt=salt, nonce=nonce, wrapped=wrapped)


def open_slot(keyfile: KeyFile, slot_name: str, secret: str) -> bytes | None:
    """Return the database key if ``secret`` opens the slot, else None."""
    slot = keyfile.slots.get(slot_name)
    if slot is None:
        return None
    wrapping = _derive(secret, slot.salt, slot.kdf)
    try:
        key = AESGCM(wrapping).decrypt(slot.nonce, slot.wrapped, _aad(keyfile.vault_id, slot_name))
    except InvalidTag:
        return None
    if len(key) != KEY_BYTES:
        return None
    return key


def unwrap_with_passphrase(keyfile: KeyFile, passphrase: str) -> bytes:
    """The database key, or :class:`WrongSecret`."""
    key = open_slot(keyfile, SLOT_PASSPHRASE, normalise_passphrase(passphrase))
    if key is None:
        raise WrongSecret.passphrase()
    return key


def unwrap_with_recovery_code(keyfile: KeyFile, code: str) -> bytes:
    """The database key, or :class:`WrongSecret` (also for a malformed code)."""
    canonical = normalise_recovery_code(code)
    key = None if canonical is None else open_slot(keyfile, SLOT_RECOVERY, canonical)
    if key is None:
        raise WrongSecret.recovery_code()
    return key


# --- serialisation -------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# The fields of a key file written before the checksum existed.
_LEGACY_FIELDS = frozenset({"format", "version", "vault_id", "remembered_with", "slots"})


def _checksum(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def to_json(keyfile: KeyFile) -> dict[str, Any]:
    """The key file as a JSON-ready dict (also embedded in backups), with its checksum."""
    fields = _fields(keyfile)
    return {**fields, "checksum": _checksum(fields)}


def _fields(keyfile: KeyFile) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "vault_id": keyfile.vault_id,
        "remembered_with": keyfile.remembered_with,
        "slots": {
            name: {
                "cipher": "AES-256-GCM",
                "kdf": "scrypt",
                "log2_n": slot.kdf.log2_n,
                "r": slot.kdf.r,
                "p": slot.kdf.p,
                "salt": _b64(slot.salt),
                "nonce": _b64(slot.nonce),
                "wrapped_key": _b64(slot.wrapped),
            }
            for name, slot in sorted(keyfile.slots.items())
        },
    }


def from_json(data: object) -> KeyFile:
    """Parse and validate a key file dict; :class:`VaultDamaged` if it is not one."""
    bad = VaultDamaged(_("The vault's key file is damaged or not a Samråd key file."))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad
    if data.get("version") != VERSION:
        raise bad
    if "checksum" in data:
        fields = {k: v for k, v in data.items() if k != "checksum"}
        try:
            expected = _checksum(fields)
        except (TypeError, ValueError):
            raise bad from None
        if data["checksum"] != expected:
            raise bad
    elif set(data) - _LEGACY_FIELDS:
        raise bad  # e.g. the word "checksum" itself damaged
    vault_id = data.get("vault_id")
    slots_in = data.get("slots")
    remembered = data.get("remembered_with")
    if not isinstance(vault_id, str) or not isinstance(slots_in, dict):
        raise bad
    if remembered is not None and not isinstance(remembered, str):
        raise bad
    slots: dict[str, Slot] = {}
    try:
        for name, raw in slots_in.items():
            kdf = ScryptParams(int(raw["log2_n"]), int(raw["r"]), int(raw["p"]))
            if raw.get("kdf") != "scrypt" or raw.get("cipher") != "AES-256-GCM":
                raise bad
            if not (10 <= kdf.log2_n <= MAX_LOG2_N and 1 <= kdf.r <= 32 and 1 <= kdf.p <= 16):
                raise bad
            slots[str(name)] = Slot(
                kdf=kdf,
                salt=base64.b64decode(raw["salt"], validate=True),
                nonce=base64.b64decode(raw["nonce"], validate=True),
                wrapped=base64.b64decode(raw["wrapped_key"], validate=True),
            )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise bad from None
    if SLOT_PASSPHRASE not in slots:
        raise bad
    return KeyFile(vault_id=vault_id, slots=slots, remembered_with=remembered)


def read(path: Path) -> KeyFile:
    """Read the key file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VaultDamaged(_("The vault's key file is missing.")) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise VaultDamaged(_("The vault's key file is damaged or not a Samråd key file.")) from None
    return from_json(data)


def write(path: Path, keyfile: KeyFile) -> None:
    """Replace the key file atomically: a crash leaves the old or the new one."""
    text = json.dumps(to_json(keyfile), indent=2, sort_keys=True) + "\n"
    atomic_write(path, text.encode("utf-8"))
