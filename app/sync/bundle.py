"""The bundle format: a signed tar of JSON lines, encrypted with age.

Pure functions over bytes; no vault access. The layers, outermost first:

1. age (``pyrage``): to X25519 recipients or to a passphrase (scrypt).
   :func:`decrypt` works in memory only, after a size check, and refuses an
   over-cap scrypt work factor before doing any work.
2. An uncompressed tar (:func:`pack` / :func:`unpack`): ``manifest.json``,
   ``manifest.sig``, ``records/<table>.jsonl``, ``records/_tombstones.jsonl``
   and ``attachments/<sha256>``.
3. ``manifest.json`` is signed with the exporting vault's Ed25519 key and lists
   the SHA-256 of every payload file, so the signature covers everything.

:func:`unpack` treats its input as hostile: for any bytes it returns a
:class:`Bundle` or raises :class:`BadBundle` with one sentence. The format is
described for people in ``docs/bundle-format.md``; keep the two in step.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
import re
import struct
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeGuard

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.errors import BadInput
from app.i18n import _

FORMAT = "samraad-bundle"
FORMAT_VERSION = 1
FILE_EXTENSION = ".samraad"

MAX_BUNDLE_BYTES = 512 * 1024 * 1024  # encrypted size; refused before decrypting
MAX_PLAINTEXT_BYTES = 1024 * 1024 * 1024  # the tar handed to unpack()
MAX_RECORDS = 2_000_000  # rows of all tables plus tombstones
MAX_FIELD_CHARS = 200_000  # any string value in a row or tombstone
MAX_MANIFEST_BYTES = 1 << 20
MAX_SCRYPT_LOG2 = 20  # passphrase bundles above this are refused before any work

# Internal bounds that keep a hostile tar from costing memory or time.
_MAX_MEMBERS = 100_000
_MAX_COLUMNS = 256
_MAX_SIG_BYTES = 1024
_MAX_HEADER_BYTES = 1 << 20  # the age header (stanzas) must end within this
_MAX_SHORT_TEXT = 1000  # vault id, source name, created_at, tombstone "at"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_AGE_MAGIC = b"age-encryption.org/v1\n"
_BLOCK = 512  # tar block size
_MANIFEST = "manifest.json"
_SIGNATURE = "manifest.sig"
_TOMBSTONES = "_tombstones"
_ATTACHMENTS = "_attachments"
_DIRS = ("records", "attachments")

_TABLE = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)
_COLUMN = re.compile(r"[a-z_][a-z0-9_]{0,63}", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_RECORDS_FILE = re.compile(r"records/(_tombstones|[a-z][a-z0-9_]{0,63})\.jsonl", re.ASCII)
_ATTACHMENT_FILE = re.compile(r"attachments/([0-9a-f]{64})", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOMBSTONE_KEYS = frozenset({"table", "id", "seq", "at"})

# What the standard library may raise on hostile bytes. MemoryError is left
# out on purpose: the size limits above prevent it, and hiding it would hide
# a bug.
_PARSE_ERRORS: tuple[type[BaseException], ...] = (
    tarfile.TarError,
    EOFError,
    OSError,
    ValueError,  # includes UnicodeDecodeError, json.JSONDecodeError, binascii.Error
    KeyError,
    IndexError,
    TypeError,
    OverflowError,
    RecursionError,
    struct.error,
)
_SIGNATURE_ERRORS: tuple[type[BaseException], ...] = (InvalidSignature, *_PARSE_ERRORS)


class BadBundle(BadInput):
    """A bundle is damaged, altered, not ours, or not for this key; one sentence each.

    ``kind`` names the failure (the name of the classmethod that made it) so
    callers can react without parsing the translated message.
    """

    def __init__(self, message: str, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind

    @classmethod
    def too_large(cls) -> BadBundle:
        return cls(_("The bundle is larger than Samråd accepts."), "too_large")

    @classmethod
    def would_be_too_large(cls) -> BadBundle:
        return cls(
            _("The bundle would be larger than Samråd can import; export fewer cases."),
            "would_be_too_large",
        )

    @classmethod
    def not_age(cls) -> BadBundle:
        return cls(_("This file is not an encrypted Samråd bundle."), "not_age")

    @classmethod
    def damaged(cls) -> BadBundle:
        return cls(_("The bundle is damaged or incomplete."), "damaged")

    @classmethod
    def not_for_your_key(cls) -> BadBundle:
        # age cannot tell a wrong key from a damaged recipient line.
        return cls(
            _("This bundle is not encrypted for your key, or its header is damaged."),
            "not_for_your_key",
        )

    @classmethod
    def wrong_passphrase(cls) -> BadBundle:
        # age cannot tell a wrong passphrase from a damaged passphrase line.
        return cls(
            _("The bundle passphrase is wrong, or the bundle's header is damaged."),
            "wrong_passphrase",
        )

    @classmethod
    def needs_passphrase(cls) -> BadBundle:
        return cls(
            _("This bundle is protected by a passphrase, not encrypted for a key."),
            "needs_passphrase",
        )

    @classmethod
    def needs_key(cls) -> BadBundle:
        return cls(
            _("This bundle is encrypted for a key, not protected by a passphrase."), "needs_key"
        )

    @classmethod
    def work_factor(cls) -> BadBundle:
        return cls(
            _("The bundle's passphrase work factor is above Samråd's limit; it was not tried."),
            "work_factor",
        )

    @classmethod
    def own_work_factor(cls) -> BadBundle:
        return cls(
            _("This computer chose a passphrase work factor that Samråd cannot import; use a key."),
            "own_work_factor",
        )

    @classmethod
    def invalid_recipient(cls) -> BadBundle:
        return cls(_("The recipient is not a valid age public key."), "invalid_recipient")

    @classmethod
    def invalid_identity(cls) -> BadBundle:
        return cls(_("The key is not a valid age secret key."), "invalid_identity")

    @classmethod
    def not_a_bundle(cls) -> BadBundle:
        return cls(_("The decrypted file is not a Samråd bundle."), "not_a_bundle")

    @classmethod
    def newer(cls) -> BadBundle:
        return cls(
            _("This bundle was written by a newer Samråd; update Samråd to import it."),
            "newer",
        )

    @classmethod
    def unknown_version(cls) -> BadBundle:
        return cls(_("This bundle has an unknown format version."), "unknown_version")

    @classmethod
    def bad_member(cls) -> BadBundle:
        return cls(
            _("The bundle contains an entry that a Samråd bundle may not contain."),
            "bad_member",
        )

    @classmethod
    def bad_manifest(cls) -> BadBundle:
        return cls(_("The bundle's manifest is invalid."), "bad_manifest")

    @classmethod
    def bad_signature(cls) -> BadBundle:
        return cls(
            _("The bundle's signature does not match; it may have been altered."), "bad_signature"
        )

    @classmethod
    def files_mismatch(cls) -> BadBundle:
        return cls(
            _("The bundle's files do not match its manifest; it may have been altered."),
            "files_mismatch",
        )

    @classmethod
    def hash_mismatch(cls) -> BadBundle:
        return cls(
            _("A file in the bundle does not match its checksum; it may have been altered."),
            "hash_mismatch",
        )

    @classmethod
    def attachment_name(cls) -> BadBundle:
        return cls(
            _("An attachment in the bundle is not named by its checksum."), "attachment_name"
        )

    @classmethod
    def bad_records(cls) -> BadBundle:
        return cls(_("The bundle's records are not valid."), "bad_records")

    @classmethod
    def too_many_records(cls) -> BadBundle:
        return cls(_("The bundle holds more records than Samråd accepts."), "too_many_records")

    @classmethod
    def field_too_long(cls) -> BadBundle:
        return cls(_("A field in the bundle is longer than Samråd accepts."), "field_too_long")

    @classmethod
    def count_mismatch(cls) -> BadBundle:
        return cls(_("The bundle's record counts do not match its manifest."), "count_mismatch")


@dataclass(frozen=True)
class Bundle:
    """A verified, parsed bundle.

    ``records`` maps table -> rows; each row is a flat dict of every column
    plus ``"_seq"``, the exporter's change-log seq of the row's last change.
    ``tombstones`` are ``{"table", "id", "seq", "at"}``; ``attachments`` maps
    SHA-256 hex -> bytes. ``bundle_id`` is the SHA-256 hex of the exact
    ``manifest.json`` bytes (which list every payload file's hash): the key
    for "this bundle was already imported".
    """

    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    tombstones: list[dict[str, Any]]
    attachments: dict[str, bytes]
    bundle_id: str


# --- signing keys --------------------------------------------------------------


def new_signing_key() -> bytes:
    """32 raw bytes of a new Ed25519 private key (the vault's bundle signing key)."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key_of(private_raw: bytes) -> str:
    """Base64 of the raw 32-byte Ed25519 public key for ``private_raw``."""
    public = Ed25519PrivateKey.from_private_bytes(private_raw).public_key()
    return base64.b64encode(public.public_bytes_raw()).decode("ascii")


# --- pack ------------------------------------------------------------------------


def pack(
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    tombstones: Sequence[Mapping[str, Any]],
    attachments: Mapping[str, bytes],
    *,
    source_vault_id: str,
    source_name: str,
    created_at: str,
    seq_range: tuple[int, int],
    signing_key: bytes,
) -> bytes:
    """Build the (unencrypted) bundle tar. Deterministic for equal inputs.

    Samråd never writes a bundle it cannot read back: input that
    :func:`unpack` would refuse raises ValueError (a bug in the exporter),
    except for what the user's data can cause, which raises BadBundle with
    kind "field_too_long" (a string over :data:`MAX_FIELD_CHARS`) or
    "would_be_too_large" (over :data:`MAX_RECORDS` rows, or a manifest over
    :data:`MAX_MANIFEST_BYTES`, roughly 6,000 attachments): export less.
    """
    if len(signing_key) != 32:
        raise ValueError("signing_key must be 32 raw bytes")
    private = Ed25519PrivateKey.from_private_bytes(signing_key)
    if len(tombstones) + sum(len(rows) for rows in records.values()) > MAX_RECORDS:
        raise BadBundle.would_be_too_large()
    try:
        payload, counts = _payload(records, tombstones, attachments)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "source": {
                "vault_id": source_vault_id,
                "name": source_name,
                "public_key": public_key_of(signing_key),
            },
            "created_at": created_at,
            "sequence_range": {source_vault_id: [seq_range[0], seq_range[1]]},
            "counts": counts,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in payload},
        }
        _check_manifest(manifest)
    except BadBundle as exc:
        if exc.kind == "field_too_long":
            raise
        raise ValueError(f"pack: {exc.kind}") from None
    manifest_bytes = (
        json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    ).encode("utf-8")
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise BadBundle.would_be_too_large()
    signature = base64.b64encode(private.sign(manifest_bytes))

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _add_file(tar, _MANIFEST, manifest_bytes)
        _add_file(tar, _SIGNATURE, signature)
        _add_dir(tar, "records")
        for name, data in payload:
            if name.startswith("records/"):
                _add_file(tar, name, data)
        _add_dir(tar, "attachments")
        for name, data in payload:
            if name.startswith("attachments/"):
                _add_file(tar, name, data)
    return buffer.getvalue()


def _payload(
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    tombstones: Sequence[Mapping[str, Any]],
    attachments: Mapping[str, bytes],
) -> tuple[list[tuple[str, bytes]], dict[str, int]]:
    """(path, bytes) of every payload file in tar order, and the manifest counts."""
    payload: list[tuple[str, bytes]] = []
    counts: dict[str, int] = {}
    stones = [dict(stone) for stone in tombstones]
    for stone in stones:
        _check_tombstone(stone)
    payload.append((f"records/{_TOMBSTONES}.jsonl", _jsonl(stones)))
    counts[_TOMBSTONES] = len(stones)
    for table in sorted(records):
        if not isinstance(table, str) or not _TABLE.fullmatch(table):
            raise ValueError(f"pack: invalid table name {table!r}")
        rows = [dict(row) for row in records[table]]
        _check_rows(rows)
        payload.append((f"records/{table}.jsonl", _jsonl(rows)))
        counts[table] = len(rows)
    for digest in sorted(attachments):
        data = attachments[digest]
        if not isinstance(data, bytes | bytearray):
            raise ValueError("pack: attachment content must be bytes")
        if not isinstance(digest, str) or hashlib.sha256(data).hexdigest() != digest:
            raise ValueError("pack: an attachment key is not the SHA-256 hex of its bytes")
        payload.append((f"attachments/{digest}", bytes(data)))
    counts[_ATTACHMENTS] = len(attachments)
    return payload, counts


def _jsonl(rows: Sequence[Mapping[str, Any]]) -> bytes:
    return b"".join(
        (
            json.dumps(
                row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            )
            + "\n"
        ).encode("utf-8")
        for row in rows
    )


def _tar_info(name: str, size: int, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.mode = mode
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_tar_info(name, len(data), tarfile.REGTYPE, 0o600), io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str) -> None:
    tar.addfile(_tar_info(name, 0, tarfile.DIRTYPE, 0o700))


# --- age -------------------------------------------------------------------------


def encrypt(
    plain: bytes, *, recipients: Sequence[str] = (), passphrase: str | None = None
) -> bytes:
    """Encrypt with age to X25519 recipients ("age1...") or to a passphrase (one of the two)."""
    if isinstance(recipients, str):
        raise ValueError("recipients must be a sequence of strings, not one string")
    if bool(recipients) == (passphrase is not None):
        raise ValueError("give either recipients or a passphrase")
    if len(plain) > MAX_BUNDLE_BYTES:
        raise BadBundle.would_be_too_large()
    if passphrase is not None:
        if not passphrase:
            raise ValueError("the bundle passphrase must not be empty")
        data: bytes = pyrage.passphrase.encrypt(plain, passphrase)
        # rage tunes scrypt to about a second on this computer; a much faster
        # computer could pick a factor our own decrypt() refuses.
        if any(log_n > MAX_SCRYPT_LOG2 for log_n in _scrypt_work_factors(data)):
            raise BadBundle.own_work_factor()
    else:
        parsed = []
        for text in recipients:
            try:
                parsed.append(pyrage.x25519.Recipient.from_str(text.strip()))
            except (pyrage.RecipientError, ValueError, TypeError, AttributeError):
                raise BadBundle.invalid_recipient() from None
        data = pyrage.encrypt(plain, parsed)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BadBundle.would_be_too_large()
    return data


def decrypt(data: bytes, *, identities: Sequence[str] = (), passphrase: str | None = None) -> bytes:
    """Decrypt an age bundle in memory, with identities or a passphrase (one of the two).

    Each identity string is an "AGE-SECRET-KEY-1..." key or the whole text of
    an age identity file (``#`` comment lines and blank lines are skipped).
    Never writes a file.
    """
    if isinstance(identities, str):
        raise ValueError("identities must be a sequence of strings, not one string")
    if bool(identities) == (passphrase is not None):
        raise ValueError("give either identities or a passphrase")
    if len(data) > MAX_BUNDLE_BYTES:
        raise BadBundle.too_large()
    if not data.startswith(_AGE_MAGIC):
        raise BadBundle.not_age()
    work_factors = _scrypt_work_factors(data)
    if any(log_n > MAX_SCRYPT_LOG2 for log_n in work_factors):
        raise BadBundle.work_factor()
    if passphrase is not None:
        if not work_factors:
            raise BadBundle.needs_key()
        try:
            plain: bytes = pyrage.passphrase.decrypt(data, passphrase)
        except MemoryError:
            raise
        except Exception as exc:  # pyrage.DecryptError, or anything the binding adds
            _raise_decrypt_error(exc, passphrase=True)
        return plain
    keys = _identities(identities)
    if work_factors:
        raise BadBundle.needs_passphrase()
    try:
        plain = pyrage.decrypt(data, keys)
    except MemoryError:
        raise
    except Exception as exc:
        _raise_decrypt_error(exc, passphrase=False)
    return plain


def _identities(texts: Sequence[str]) -> list[Any]:
    keys: list[Any] = []
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                keys.append(pyrage.x25519.Identity.from_str(line))
            except (pyrage.IdentityError, ValueError, TypeError, AttributeError):
                raise BadBundle.invalid_identity() from None
    if not keys:
        raise BadBundle.invalid_identity()
    return keys


def _raise_decrypt_error(exc: Exception, *, passphrase: bool) -> NoReturn:
    """Map pyrage's error text to one sentence, as far as its messages allow."""
    text = str(exc) if isinstance(exc, pyrage.DecryptError) else ""
    if "Excessive work" in text:
        raise BadBundle.work_factor() from None
    if passphrase and "Decryption failed" in text:
        # The passphrase did not open the scrypt stanza; a damaged stanza
        # looks the same to age.
        raise BadBundle.wrong_passphrase() from None
    if not passphrase and "No matching keys found" in text:
        # No X25519 stanza opened with these keys; same for a damaged one.
        raise BadBundle.not_for_your_key() from None
    raise BadBundle.damaged() from None


def _scrypt_work_factors(data: bytes) -> list[int]:
    """log2(N) of every scrypt stanza in the age header; cheap, before any work.

    Raises BadBundle.damaged() when the header does not end within
    ``_MAX_HEADER_BYTES`` or a scrypt stanza is malformed.
    """
    if not data.startswith(_AGE_MAGIC):
        raise BadBundle.not_age()
    limit = min(len(data), len(_AGE_MAGIC) + _MAX_HEADER_BYTES)
    position = len(_AGE_MAGIC)
    factors: list[int] = []
    while True:
        end = data.find(b"\n", position, limit)
        if end < 0:
            raise BadBundle.damaged()
        line = data[position:end]
        position = end + 1
        if line.startswith(b"---"):
            return factors
        if not line.startswith(b"-> "):
            continue  # a stanza body line (base64)
        args = line[3:].split(b" ")
        if args[0] != b"scrypt":
            continue
        if len(args) != 3:
            raise BadBundle.damaged()
        digits = args[2]
        if not digits.isdigit() or (digits.startswith(b"0") and digits != b"0"):
            raise BadBundle.damaged()
        factors.append(int(digits) if len(digits) <= 3 else 999)


# --- unpack ------------------------------------------------------------------------


def unpack(plain: bytes) -> Bundle:
    """Verify and parse a decrypted bundle; any failure is one :class:`BadBundle`."""
    files = _read_tar(plain)
    manifest, manifest_bytes = _verified_manifest(files)
    try:
        return _parse_payload(files, manifest, manifest_bytes)
    except BadBundle:
        raise
    except _PARSE_ERRORS:
        raise BadBundle.bad_records() from None


def manifest_of(plain: bytes) -> dict[str, Any]:
    """The verified (signature, schema) manifest of a decrypted bundle.

    The payload files are not checked against it: use :func:`unpack` before
    trusting records. Meant for showing what a bundle is (source, counts).
    """
    return _verified_manifest(_read_tar(plain))[0]


def _read_tar(plain: bytes) -> dict[str, bytes]:
    """Every allowed regular file of the tar, by name; anything else is refused."""
    if not isinstance(plain, bytes | bytearray):
        raise BadBundle.not_a_bundle()
    if len(plain) > MAX_PLAINTEXT_BYTES:
        raise BadBundle.too_large()
    _prescan_tar(plain)
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
            while (member := tar.next()) is not None:
                if len(seen) >= _MAX_MEMBERS:
                    raise BadBundle.bad_member()
                name = member.name
                _check_member_name(name)
                if name in seen:
                    raise BadBundle.bad_member()
                seen.add(name)
                if name in _DIRS or member.type == tarfile.DIRTYPE:
                    if name not in _DIRS or member.type != tarfile.DIRTYPE:
                        raise BadBundle.bad_member()
                    continue
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                    raise BadBundle.bad_member()  # links, devices, fifos, sparse ...
                if name == _MANIFEST and member.size > MAX_MANIFEST_BYTES:
                    raise BadBundle.bad_manifest()
                if name == _SIGNATURE and member.size > _MAX_SIG_BYTES:
                    raise BadBundle.bad_signature()
                handle = tar.extractfile(member)
                if handle is None:
                    raise BadBundle.bad_member()
                data = handle.read()
                if len(data) != member.size:
                    raise BadBundle.not_a_bundle()
                files[name] = data
    except BadBundle:
        raise
    except _PARSE_ERRORS:
        raise BadBundle.not_a_bundle() from None
    return files


def _prescan_tar(plain: bytes) -> None:
    """Walk the raw 512-byte tar headers before :mod:`tarfile` parses anything.

    Only plain files ("0", NUL) and empty directories ("5") with octal sizes
    may occur, so tarfile's pax, GNU long-name, sparse and base-256 code (the
    home of several CVEs) never sees hostile input. The archive must end with
    a zero block followed by nothing but zeros.
    """
    offset, members = 0, 0
    while offset + _BLOCK <= len(plain):
        header = plain[offset : offset + _BLOCK]
        if header.count(0) == _BLOCK:
            if plain.count(0, offset) != len(plain) - offset:
                raise BadBundle.not_a_bundle()
            return
        members += 1
        if members > _MAX_MEMBERS:
            raise BadBundle.bad_member()
        if _octal(header[148:156]) != 256 + sum(header[:148]) + sum(header[156:]):
            raise BadBundle.not_a_bundle()  # bad header checksum
        kind = header[156:157]
        if kind not in (b"0", b"\x00", b"5"):
            raise BadBundle.bad_member()
        size = _octal(header[124:136])
        # tarfile skips no data after a directory (and an old-style "\0" entry
        # whose name ends in "/" is one): only size 0 keeps both walks in step.
        name_field = header[0:100].split(b"\x00", 1)[0]
        if (kind == b"5" or (kind == b"\x00" and name_field.endswith(b"/"))) and size:
            raise BadBundle.bad_member()
        offset += _BLOCK + -(-size // _BLOCK) * _BLOCK
    raise BadBundle.not_a_bundle()  # truncated, or no end-of-archive block


def _octal(field: bytes) -> int:
    """A tar number field: octal digits, NUL- or space-terminated (no base-256)."""
    digits = field.split(b"\x00", 1)[0].strip(b" ")
    if digits.strip(b"01234567"):
        raise BadBundle.not_a_bundle()
    return int(digits, 8) if digits else 0


def _check_member_name(name: str) -> None:
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ".." in name
        or "\x00" in name
        or not (
            name in (_MANIFEST, _SIGNATURE)
            or name in _DIRS
            or _RECORDS_FILE.fullmatch(name)
            or _ATTACHMENT_FILE.fullmatch(name)
        )
    ):
        raise BadBundle.bad_member()


def _verified_manifest(files: Mapping[str, bytes]) -> tuple[dict[str, Any], bytes]:
    """Parse manifest.json, check format and version, verify the signature and schema."""
    raw = files.get(_MANIFEST)
    if raw is None:
        raise BadBundle.not_a_bundle()
    try:
        manifest = _loads(raw)
    except BadBundle:
        raise
    except _PARSE_ERRORS:
        raise BadBundle.bad_manifest() from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadBundle.not_a_bundle()
    version = manifest.get("format_version")
    if not _is_int(version):
        raise BadBundle.unknown_version()
    if version > FORMAT_VERSION:
        raise BadBundle.newer()
    if version != FORMAT_VERSION:
        raise BadBundle.unknown_version()
    _verify_signature(manifest, raw, files.get(_SIGNATURE))
    try:
        _check_manifest(manifest)
    except BadBundle:
        raise
    except _PARSE_ERRORS:
        raise BadBundle.bad_manifest() from None
    return manifest, raw


def _verify_signature(manifest: dict[str, Any], raw: bytes, sig_file: bytes | None) -> None:
    source = manifest.get("source")
    key_text = source.get("public_key") if isinstance(source, dict) else None
    if not isinstance(key_text, str):
        raise BadBundle.bad_manifest()
    try:
        public = Ed25519PublicKey.from_public_bytes(_b64(key_text, 32))
    except _PARSE_ERRORS:
        raise BadBundle.bad_manifest() from None
    if sig_file is None:
        raise BadBundle.bad_signature()
    try:
        signature = _b64(sig_file.decode("ascii"), 64)
        public.verify(signature, raw)
    except _SIGNATURE_ERRORS:
        raise BadBundle.bad_signature() from None


def _b64(text: str, length: int) -> bytes:
    value = base64.b64decode(text.strip(), validate=True)
    if len(value) != length:
        raise binascii.Error("wrong length")
    return value


def _check_manifest(manifest: Mapping[str, Any]) -> None:
    """The manifest's schema beyond format and version (BadBundle.bad_manifest)."""
    bad = BadBundle.bad_manifest
    source = manifest.get("source")
    if not isinstance(source, dict):
        raise bad()
    vault_id = source.get("vault_id")
    if not _short_text(vault_id) or not vault_id:
        raise bad()
    if not _short_text(source.get("name")) or not isinstance(source.get("public_key"), str):
        raise bad()
    _b64(source["public_key"], 32)
    if not _short_text(manifest.get("created_at")):
        raise bad()
    seq_range = manifest.get("sequence_range")
    if not isinstance(seq_range, dict) or list(seq_range) != [vault_id]:
        raise bad()
    pair = seq_range[vault_id]
    if not (
        isinstance(pair, list)
        and len(pair) == 2
        and all(_is_int(n) and 0 <= n <= _INT64_MAX for n in pair)
        and pair[0] <= pair[1]
    ):
        raise bad()
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or {_TOMBSTONES, _ATTACHMENTS} - set(counts):
        raise bad()
    for table, count in counts.items():
        if table not in (_TOMBSTONES, _ATTACHMENTS) and not _TABLE.fullmatch(table):
            raise bad()
        if not _is_int(count) or not 0 <= count <= max(MAX_RECORDS, _MAX_MEMBERS):
            raise bad()
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise bad()
    for path, digest in files.items():
        if not (_RECORDS_FILE.fullmatch(path) or _ATTACHMENT_FILE.fullmatch(path)):
            raise bad()
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise bad()


def _parse_payload(
    files: Mapping[str, bytes], manifest: Mapping[str, Any], manifest_bytes: bytes
) -> Bundle:
    listed: dict[str, str] = manifest["files"]
    payload = {name: data for name, data in files.items() if name not in (_MANIFEST, _SIGNATURE)}
    if set(payload) != set(listed):
        raise BadBundle.files_mismatch()
    for name, data in payload.items():
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise BadBundle.hash_mismatch()

    attachments: dict[str, bytes] = {}
    record_files: dict[str, bytes] = {}
    for name, data in payload.items():
        attachment = _ATTACHMENT_FILE.fullmatch(name)
        if attachment:
            if listed[name] != attachment.group(1):
                raise BadBundle.attachment_name()
            attachments[attachment.group(1)] = data
        else:
            match = _RECORDS_FILE.fullmatch(name)
            assert match is not None  # _check_member_name allowed nothing else
            record_files[match.group(1)] = data

    counts: dict[str, int] = manifest["counts"]
    if _TOMBSTONES not in record_files or set(counts) != set(record_files) | {_ATTACHMENTS}:
        raise BadBundle.count_mismatch()
    if counts[_ATTACHMENTS] != len(attachments):
        raise BadBundle.count_mismatch()
    lines = sum(data.count(b"\n") for data in record_files.values())
    if lines > MAX_RECORDS or sum(counts.values()) - counts[_ATTACHMENTS] > MAX_RECORDS:
        raise BadBundle.too_many_records()

    tombstones = _parse_lines(record_files.pop(_TOMBSTONES))
    for stone in tombstones:
        _check_tombstone(stone)
    if len(tombstones) != counts[_TOMBSTONES]:
        raise BadBundle.count_mismatch()
    records: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(record_files):
        rows = _parse_lines(record_files[table])
        _check_rows(rows)
        if len(rows) != counts[table]:
            raise BadBundle.count_mismatch()
        records[table] = rows
    return Bundle(
        manifest=dict(manifest),
        records=records,
        tombstones=tombstones,
        attachments=attachments,
        bundle_id=hashlib.sha256(manifest_bytes).hexdigest(),
    )


def _parse_lines(data: bytes) -> list[dict[str, Any]]:
    """One JSON object per line, each line ending in "\\n" (an empty file: no rows)."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise BadBundle.bad_records()
    text = data.decode("utf-8")
    rows: list[dict[str, Any]] = []
    # split("\n"), not splitlines(): U+2028 and friends may sit inside strings.
    for line in text[:-1].split("\n"):
        row = _loads_text(line)
        if not isinstance(row, dict):
            raise BadBundle.bad_records()
        rows.append(row)
    return rows


def _loads(raw: bytes) -> Any:
    return _loads_text(raw.decode("utf-8"))


def _loads_text(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"JSON constant {name} is not allowed")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in a JSON object")
    return result


def _check_rows(rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of one table: flat, typed, bounded, each with a unique "id" and a "_seq"."""
    ids: set[str] = set()
    for row in rows:
        _check_flat(row)
        record_id, seq = row.get("id"), row.get("_seq")
        if not isinstance(record_id, str) or not record_id or record_id in ids:
            raise BadBundle.bad_records()
        if not _is_int(seq) or seq < 0:
            raise BadBundle.bad_records()
        ids.add(record_id)


def _check_tombstone(stone: Mapping[str, Any]) -> None:
    # "base" (optional): the version the sender deleted, as a content hash.
    if not isinstance(stone, Mapping) or set(stone) - {"base"} != _TOMBSTONE_KEYS:
        raise BadBundle.bad_records()
    _check_flat(stone)
    table, record_id, seq, at = stone["table"], stone["id"], stone["seq"], stone["at"]
    if not isinstance(table, str) or not _TABLE.fullmatch(table):
        raise BadBundle.bad_records()
    if not isinstance(record_id, str) or not record_id:
        raise BadBundle.bad_records()
    if not _is_int(seq) or seq < 0 or not _short_text(at):
        raise BadBundle.bad_records()
    if "base" in stone and stone["base"] is not None and not _short_text(stone["base"]):
        raise BadBundle.bad_records()


def _check_flat(row: Mapping[str, Any]) -> None:
    """A flat object: column-name keys; values None, bool, int64, finite float or str."""
    if not isinstance(row, Mapping) or len(row) > _MAX_COLUMNS:
        raise BadBundle.bad_records()
    for key, value in row.items():
        if not isinstance(key, str) or not _COLUMN.fullmatch(key):
            raise BadBundle.bad_records()
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            if not _INT64_MIN <= value <= _INT64_MAX:
                raise BadBundle.bad_records()
        elif isinstance(value, float):
            if not math.isfinite(value):  # "1e400" parses to inf without parse_constant
                raise BadBundle.bad_records()
        elif isinstance(value, str):
            if len(value) > MAX_FIELD_CHARS:
                raise BadBundle.field_too_long()
            if _SURROGATE.search(value):
                raise BadBundle.bad_records()
        else:
            raise BadBundle.bad_records()  # nested objects, arrays, bytes, ...


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _short_text(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= _MAX_SHORT_TEXT
        and _SURROGATE.search(value) is None
    )
