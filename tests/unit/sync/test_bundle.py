"""Proofs 3 and 4 for the bundle format (app/sync/bundle.py).

Every hostile input is refused with one BadBundle sentence; unpack() raises
nothing else for any bytes; decrypt() works in memory and writes no file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import BadInput
from app.sync import bundle
from app.sync.bundle import BadBundle, Bundle

KEY = bundle.new_signing_key()
IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
OTHER_IDENTITY = pyrage.x25519.Identity.generate()
PASSPHRASE = "kaffe \"på\" 'kontoret' 🎒 " + "x" * 1000
VAULT = "vault-1"

PDF = b"%PDF-1.4 fictional scan\x00\xff"
PDF_SHA = hashlib.sha256(PDF).hexdigest()
RECORDS: dict[str, list[dict[str, Any]]] = {
    "cases": [
        {
            "id": "c1",
            "_seq": 7,
            "first_name": 'Åse \u2028 "quoted" \n line',
            "level": 2,
            "score": 1.25,
            "named": True,
            "closed_on": None,
        },
        {"id": "c2", "_seq": 9, "first_name": "Bo", "level": -3, "score": 0.0, "named": False},
    ],
    "consents": [{"id": "k1", "_seq": 8, "case_id": "c1", "withdrawn_on": "2024-05-01"}],
    "sites": [],
}
TOMBSTONES = [{"table": "cases", "id": "c0", "seq": 5, "at": "2024-05-02T10:00:00+00:00"}]
ATTACHMENTS = {PDF_SHA: PDF}


def make_plain(
    records: Mapping[str, Sequence[Mapping[str, Any]]] = RECORDS,
    tombstones: Sequence[Mapping[str, Any]] = TOMBSTONES,
    attachments: Mapping[str, bytes] = ATTACHMENTS,
    key: bytes = KEY,
) -> bytes:
    return bundle.pack(
        records,
        tombstones,
        attachments,
        source_vault_id=VAULT,
        source_name="Anna Advisor",
        created_at="2024-05-03T08:00:00+00:00",
        seq_range=(1, 9),
        signing_key=key,
    )


PLAIN = make_plain()


# --- helpers that build hostile tars -------------------------------------------------


def reg(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def raw_tar(
    entries: Sequence[tuple[tarfile.TarInfo, bytes | None]],
    tar_format: int = tarfile.USTAR_FORMAT,
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format) as tar:
        for info, data in entries:
            tar.addfile(info, None if data is None else io.BytesIO(data))
    return buffer.getvalue()


def members_of(plain: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        out: dict[str, bytes] = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                out[member.name] = handle.read()
        return out


def sign(manifest_bytes: bytes, key: bytes = KEY) -> bytes:
    return base64.b64encode(Ed25519PrivateKey.from_private_bytes(key).sign(manifest_bytes))


def base_payload() -> dict[str, bytes]:
    return {name: data for name, data in members_of(PLAIN).items() if "/" in name}


def signed_tar(
    payload: Mapping[str, bytes],
    *,
    edit: Callable[[dict[str, Any]], None] | None = None,
    extra: Sequence[tuple[tarfile.TarInfo, bytes | None]] = (),
) -> bytes:
    """A correctly signed bundle around ``payload``, counts derived from it, then ``edit``."""
    counts: dict[str, Any] = {
        "_attachments": sum(1 for name in payload if name.startswith("attachments/"))
    }
    for name, data in payload.items():
        match = re.fullmatch(r"records/(.+)\.jsonl", name)
        if match:
            counts[match.group(1)] = data.count(b"\n")
    manifest: dict[str, Any] = {
        "format": bundle.FORMAT,
        "format_version": bundle.FORMAT_VERSION,
        "source": {"vault_id": VAULT, "name": "X", "public_key": bundle.public_key_of(KEY)},
        "created_at": "2024-05-03T08:00:00+00:00",
        "sequence_range": {VAULT: [1, 9]},
        "counts": counts,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in payload.items()},
    }
    if edit is not None:
        edit(manifest)
    manifest_bytes = json.dumps(manifest).encode("utf-8")
    entries = [reg("manifest.json", manifest_bytes), reg("manifest.sig", sign(manifest_bytes))]
    entries += [reg(name, data) for name, data in payload.items()]
    entries += list(extra)
    return raw_tar(entries)


def with_records(table_lines: bytes, table: str = "cases") -> bytes:
    payload = base_payload()
    payload[f"records/{table}.jsonl"] = table_lines
    return signed_tar(payload)


def refused(call: Callable[[], object]) -> str:
    with pytest.raises(BadBundle) as caught:
        call()
    message = str(caught.value)
    assert message and message.endswith(".") and "\n" not in message
    assert isinstance(caught.value, BadInput)
    return message


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.fixture(scope="module")
def passphrase_bundle() -> bytes:
    return bundle.encrypt(PLAIN, passphrase=PASSPHRASE)


# --- round trips ------------------------------------------------------------------------


def assert_matches_input(result: Bundle) -> None:
    assert result.records == RECORDS
    assert result.tombstones == TOMBSTONES
    assert result.attachments == ATTACHMENTS
    manifest = result.manifest
    assert manifest["format"] == "samraad-bundle"
    assert manifest["format_version"] == 1
    assert manifest["source"] == {
        "vault_id": VAULT,
        "name": "Anna Advisor",
        "public_key": bundle.public_key_of(KEY),
    }
    assert manifest["created_at"] == "2024-05-03T08:00:00+00:00"
    assert manifest["sequence_range"] == {VAULT: [1, 9]}
    assert manifest["counts"] == {
        "cases": 2,
        "consents": 1,
        "sites": 0,
        "_tombstones": 1,
        "_attachments": 1,
    }
    assert set(manifest["files"]) == {
        "records/cases.jsonl",
        "records/consents.jsonl",
        "records/sites.jsonl",
        "records/_tombstones.jsonl",
        f"attachments/{PDF_SHA}",
    }
    assert re.fullmatch(r"[0-9a-f]{64}", result.bundle_id)


def test_recipient_round_trip() -> None:
    data = bundle.encrypt(PLAIN, recipients=[RECIPIENT])
    assert data.startswith(b"age-encryption.org/v1\n")
    plain = bundle.decrypt(data, identities=[str(IDENTITY)])
    assert plain == PLAIN
    assert_matches_input(bundle.unpack(plain))


def test_several_recipients_and_an_identity_file_text() -> None:
    data = bundle.encrypt(PLAIN, recipients=[str(OTHER_IDENTITY.to_public()), RECIPIENT])
    key_file = f"# created: 2024-05-03\n# public key: {RECIPIENT}\n\n{IDENTITY}\n"
    assert bundle.decrypt(data, identities=[key_file]) == PLAIN
    assert bundle.decrypt(data, identities=[str(OTHER_IDENTITY)]) == PLAIN


def test_passphrase_round_trip(passphrase_bundle: bytes) -> None:
    assert b"\n-> scrypt " in passphrase_bundle[:200]
    plain = bundle.decrypt(passphrase_bundle, passphrase=PASSPHRASE)
    assert_matches_input(bundle.unpack(plain))


def test_pack_is_deterministic_and_private() -> None:
    assert make_plain() == PLAIN
    with tarfile.open(fileobj=io.BytesIO(PLAIN), mode="r:") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [
        "manifest.json",
        "manifest.sig",
        "records",
        "records/_tombstones.jsonl",
        "records/cases.jsonl",
        "records/consents.jsonl",
        "records/sites.jsonl",
        "attachments",
        f"attachments/{PDF_SHA}",
    ]
    for member in members:
        assert member.mtime == 0 and member.uid == 0 and member.gid == 0
        assert member.uname == "" and member.gname == ""
        assert member.mode == (0o700 if member.isdir() else 0o600)


def test_jsonl_lines_are_sorted_utf8_objects() -> None:
    lines = members_of(PLAIN)["records/cases.jsonl"].decode("utf-8").split("\n")
    assert lines[-1] == ""
    first = lines[0]
    assert "Åse" in first and "\u2028" in first  # ensure_ascii=False
    assert list(json.loads(first)) == sorted(json.loads(first))


def test_manifest_signature_verifies_independently() -> None:
    files = members_of(PLAIN)
    manifest = json.loads(files["manifest.json"])
    public = base64.b64decode(manifest["source"]["public_key"])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public)
    key.verify(base64.b64decode(files["manifest.sig"]), files["manifest.json"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest


def test_manifest_of_returns_the_verified_manifest() -> None:
    assert bundle.manifest_of(PLAIN) == bundle.unpack(PLAIN).manifest
    payload = base_payload()
    payload["records/cases.jsonl"] += b"x"
    tampered_payload = signed_tar(payload, edit=lambda m: None)
    assert bundle.manifest_of(tampered_payload)["source"]["vault_id"] == VAULT


def test_signing_key_helpers() -> None:
    key = bundle.new_signing_key()
    assert len(key) == 32 and key != bundle.new_signing_key()
    public = base64.b64decode(bundle.public_key_of(key), validate=True)
    assert len(public) == 32


# --- pack refuses what unpack would refuse ------------------------------------------------


@pytest.mark.parametrize(
    ("records", "tombstones", "attachments"),
    [
        ({"cases": [{"id": "c1", "_seq": 1, "nested": {"a": 1}}]}, [], {}),
        ({"cases": [{"id": "c1", "_seq": 1, "list": [1]}]}, [], {}),
        ({"cases": [{"id": "c1", "_seq": 1, "blob": b"x"}]}, [], {}),
        ({"cases": [{"id": "c1", "_seq": 1, "nan": float("nan")}]}, [], {}),
        ({"cases": [{"id": "c1"}]}, [], {}),
        ({"cases": [{"_seq": 1}]}, [], {}),
        ({"cases": [{"id": "c1", "_seq": 1}, {"id": "c1", "_seq": 2}]}, [], {}),
        ({"cases": [{"id": "c1", "_seq": 1, "Bad-Column": 1}]}, [], {}),
        ({"../cases": []}, [], {}),
        ({"_tombstones": []}, [], {}),
        ({}, [{"table": "cases", "id": "c1", "seq": 1}], {}),
        ({}, [], {"0" * 64: b"not that hash"}),
        ({}, [], {PDF_SHA.upper(): PDF}),
    ],
)
def test_pack_refuses_invalid_input(
    records: dict[str, list[dict[str, Any]]],
    tombstones: list[dict[str, Any]],
    attachments: dict[str, bytes],
) -> None:
    with pytest.raises(ValueError):
        make_plain(records, tombstones, attachments)


def test_pack_refuses_what_the_users_data_makes_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_field = {"cases": [{"id": "c1", "_seq": 1, "t": "x" * (bundle.MAX_FIELD_CHARS + 1)}]}
    assert refused(lambda: make_plain(long_field)) == BadBundle.field_too_long().message
    assert make_plain({"cases": [{"id": "c1", "_seq": 1, "t": "x" * bundle.MAX_FIELD_CHARS}]})
    monkeypatch.setattr(bundle, "MAX_RECORDS", 3)
    assert refused(make_plain) == BadBundle.would_be_too_large().message
    monkeypatch.undo()
    monkeypatch.setattr(bundle, "MAX_MANIFEST_BYTES", 500)
    assert refused(make_plain) == BadBundle.would_be_too_large().message


def test_every_failure_kind_has_its_own_sentence_and_name() -> None:
    makers = {
        name: getattr(BadBundle, name)
        for name, value in vars(BadBundle).items()
        if isinstance(value, classmethod)
    }
    assert len(makers) >= 20
    messages = set()
    for name, make in makers.items():
        error = make()
        assert error.kind == name
        assert error.message.endswith(".") and error.message.count(". ") == 0
        messages.add(error.message)
    assert len(messages) == len(makers)


def test_pack_refuses_a_wrong_size_key() -> None:
    with pytest.raises(ValueError):
        make_plain(key=b"short")


# --- encrypt / decrypt refusals -------------------------------------------------------


def test_encrypt_needs_exactly_one_of_recipients_or_passphrase() -> None:
    with pytest.raises(ValueError):
        bundle.encrypt(PLAIN)
    with pytest.raises(ValueError):
        bundle.encrypt(PLAIN, recipients=[RECIPIENT], passphrase="x")
    with pytest.raises(ValueError):
        bundle.encrypt(PLAIN, recipients=RECIPIENT)
    with pytest.raises(ValueError):
        bundle.encrypt(PLAIN, passphrase="")


def test_encrypt_refuses_an_invalid_recipient() -> None:
    for bad in ("age1notakey", "", str(IDENTITY), "ssh-ed25519 AAAA"):
        message = refused(partial(bundle.encrypt, PLAIN, recipients=[bad]))
        assert message == BadBundle.invalid_recipient().message


def test_decrypt_needs_exactly_one_of_identities_or_passphrase() -> None:
    data = bundle.encrypt(PLAIN, recipients=[RECIPIENT])
    with pytest.raises(ValueError):
        bundle.decrypt(data)
    with pytest.raises(ValueError):
        bundle.decrypt(data, identities=[str(IDENTITY)], passphrase="x")
    with pytest.raises(ValueError):
        bundle.decrypt(data, identities=str(IDENTITY))


def test_decrypt_refuses_an_invalid_identity() -> None:
    data = bundle.encrypt(PLAIN, recipients=[RECIPIENT])
    for bad in ("AGE-SECRET-KEY-1XYZ", RECIPIENT, "# only a comment\n"):
        message = refused(partial(bundle.decrypt, data, identities=[bad]))
        assert message == BadBundle.invalid_identity().message


@pytest.fixture(scope="module")
def key_bundle() -> bytes:
    return bundle.encrypt(PLAIN, recipients=[RECIPIENT])


def _header_end(data: bytes) -> int:
    return data.index(b"\n---") + 1


@pytest.mark.parametrize(
    ("name", "mutate", "expected"),
    [
        ("payload byte flipped", lambda d: flip(d, len(d) - 20), BadBundle.damaged),
        ("first payload byte flipped", lambda d: flip(d, _header_end(d) + 60), BadBundle.damaged),
        ("header MAC flipped", lambda d: flip(d, _header_end(d) + 6), BadBundle.damaged),
        # The stanza is random base64: a flip there reads as "not for your key"
        # or as a damaged header depending on the byte; both refuse in one sentence.
        (
            "recipient stanza flipped",
            lambda d: flip(d, 40),
            (BadBundle.not_for_your_key, BadBundle.damaged),
        ),
        ("truncated to half", lambda d: d[: len(d) // 2], BadBundle.damaged),
        ("truncated inside the header", lambda d: d[:40], BadBundle.damaged),
        ("garbage appended", lambda d: d + b"garbage", BadBundle.damaged),
        ("empty", lambda d: b"", BadBundle.not_age),
        ("a zip file", lambda d: b"PK\x03\x04" + d[4:], BadBundle.not_age),
        ("the plain tar", lambda d: PLAIN, BadBundle.not_age),
        ("armored age", lambda d: b"-----BEGIN AGE ENCRYPTED FILE-----\n", BadBundle.not_age),
    ],
)
def test_decrypt_refuses_a_damaged_bundle_with_one_sentence(
    key_bundle: bytes,
    name: str,
    mutate: Callable[[bytes], bytes],
    expected: Callable[[], BadBundle] | tuple[Callable[[], BadBundle], ...],
) -> None:
    message = refused(lambda: bundle.decrypt(mutate(key_bundle), identities=[str(IDENTITY)]))
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert message in {e().message for e in allowed}, name


def test_decrypt_refuses_the_wrong_identity(key_bundle: bytes) -> None:
    message = refused(lambda: bundle.decrypt(key_bundle, identities=[str(OTHER_IDENTITY)]))
    assert message == BadBundle.not_for_your_key().message


def test_decrypt_refuses_the_wrong_passphrase(passphrase_bundle: bytes) -> None:
    message = refused(lambda: bundle.decrypt(passphrase_bundle, passphrase=PASSPHRASE + "!"))
    assert message == BadBundle.wrong_passphrase().message


def test_decrypt_refuses_the_wrong_kind_of_secret(
    passphrase_bundle: bytes, key_bundle: bytes
) -> None:
    assert (
        refused(lambda: bundle.decrypt(passphrase_bundle, identities=[str(IDENTITY)]))
        == BadBundle.needs_passphrase().message
    )
    assert (
        refused(lambda: bundle.decrypt(key_bundle, passphrase=PASSPHRASE))
        == BadBundle.needs_key().message
    )


@pytest.mark.parametrize("log_n", [b"21", b"30", b"64", b"99999999999999999999"])
def test_over_cap_work_factor_is_refused_before_any_work(
    passphrase_bundle: bytes, log_n: bytes
) -> None:
    crafted, replaced = re.subn(
        rb"(\n-> scrypt \S+ )\d+\n", rb"\g<1>" + log_n + rb"\n", passphrase_bundle, count=1
    )
    assert replaced == 1
    started = time.monotonic()
    message = refused(lambda: bundle.decrypt(crafted, passphrase=PASSPHRASE))
    assert time.monotonic() - started < 0.2
    assert message == BadBundle.work_factor().message


@pytest.mark.parametrize("log_n", [b"019", b"-1", b"x", b"19 extra"])
def test_malformed_work_factor_is_damaged(passphrase_bundle: bytes, log_n: bytes) -> None:
    crafted = re.sub(
        rb"(\n-> scrypt \S+ )\d+\n", rb"\g<1>" + log_n + rb"\n", passphrase_bundle, count=1
    )
    message = refused(lambda: bundle.decrypt(crafted, passphrase=PASSPHRASE))
    assert message == BadBundle.damaged().message


def test_oversized_bundle_is_refused_before_decrypting(
    key_bundle: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> bytes:
        raise AssertionError("pyrage must not be called")

    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", len(key_bundle) - 1)
    monkeypatch.setattr(pyrage, "decrypt", boom)
    message = refused(lambda: bundle.decrypt(key_bundle, identities=[str(IDENTITY)]))
    assert message == BadBundle.too_large().message


def test_encrypt_refuses_a_bundle_decrypt_would_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", len(PLAIN) + 10)
    message = refused(lambda: bundle.encrypt(PLAIN, recipients=[RECIPIENT]))
    assert message == BadBundle.would_be_too_large().message


def test_encrypt_checks_its_own_work_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = b"age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 21\nAAAA\n--- mac\nbody"
    monkeypatch.setattr(pyrage.passphrase, "encrypt", lambda plain, pw: fake)
    message = refused(lambda: bundle.encrypt(PLAIN, passphrase="pw"))
    assert message == BadBundle.own_work_factor().message


def test_decrypt_and_unpack_write_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key_bundle: bytes
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("TEMP", str(scratch))
    monkeypatch.setenv("TMP", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(scratch)
    result = bundle.unpack(bundle.decrypt(key_bundle, identities=[str(IDENTITY)]))
    assert result.attachments == ATTACHMENTS
    refused(lambda: bundle.decrypt(key_bundle[: len(key_bundle) // 2], identities=[str(IDENTITY)]))
    refused(lambda: bundle.unpack(PLAIN[:-1024] + b"x" * 1024))
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scratch"]


@settings(max_examples=300, deadline=None)
@given(header=st.binary(max_size=300))
def test_decrypt_of_any_header_is_decrypted_or_refused(header: bytes) -> None:
    data = b"age-encryption.org/v1\n" + header
    try:
        bundle.decrypt(data, identities=[str(IDENTITY)])
    except BadBundle:
        pass


# --- unpack refusals ----------------------------------------------------------------------


def test_bad_signature_manifest_edited_after_signing() -> None:
    files = members_of(PLAIN)
    manifest = json.loads(files["manifest.json"])
    manifest["source"]["name"] = "Mallory"
    edited = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2).encode() + b"\n"
    entries = [reg("manifest.json", edited), reg("manifest.sig", files["manifest.sig"])]
    entries += [reg(name, data) for name, data in files.items() if "/" in name]
    message = refused(lambda: bundle.unpack(raw_tar(entries)))
    assert message == BadBundle.bad_signature().message


def test_bad_signature_from_another_key_or_missing() -> None:
    files = members_of(PLAIN)
    other = sign(files["manifest.json"], bundle.new_signing_key())
    for signature in (other, b"not base64!", base64.b64encode(b"short"), None):
        entries = [reg("manifest.json", files["manifest.json"])]
        if signature is not None:
            entries.append(reg("manifest.sig", signature))
        entries += [reg(name, data) for name, data in files.items() if "/" in name]
        message = refused(partial(bundle.unpack, raw_tar(entries)))
        assert message == BadBundle.bad_signature().message


def test_payload_hash_mismatch() -> None:
    files = members_of(PLAIN)
    files["records/cases.jsonl"] = files["records/cases.jsonl"].replace(b"Bo", b"Al")
    message = refused(lambda: bundle.unpack(raw_tar([reg(n, d) for n, d in files.items()])))
    assert message == BadBundle.hash_mismatch().message


def test_attachment_hash_mismatch() -> None:
    files = members_of(PLAIN)
    files[f"attachments/{PDF_SHA}"] = b"other bytes"
    message = refused(lambda: bundle.unpack(raw_tar([reg(n, d) for n, d in files.items()])))
    assert message == BadBundle.hash_mismatch().message


@pytest.mark.parametrize(
    ("version", "expected"),
    [(2, BadBundle.newer), (99, BadBundle.newer), (0, BadBundle.unknown_version)]
    + [("1", BadBundle.unknown_version), (True, BadBundle.unknown_version)]
    + [(None, BadBundle.unknown_version), (1.0, BadBundle.unknown_version)],
)
def test_format_version(version: object, expected: Callable[[], BadBundle]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = version

    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=edit)))
    assert message == expected().message


def test_other_format_is_not_a_bundle() -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["format"] = "something-else"

    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=edit)))
    assert message == BadBundle.not_a_bundle().message


def test_signed_tar_helper_builds_a_valid_bundle() -> None:
    assert bundle.unpack(signed_tar(base_payload())).records == RECORDS


def _symlink() -> list[tuple[tarfile.TarInfo, bytes | None]]:
    return [special("records/cases.jsonl", tarfile.SYMTYPE, "/etc/passwd")]


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("dot-dot", [reg("../x", b"x")]),
        ("dot-dot inside", [reg("records/../../x.jsonl", b"x")]),
        ("absolute", [reg("/etc/x", b"x")]),
        ("backslash", [reg("records\\cases.jsonl", b"x")]),
        ("symlink", [special("records/evil.jsonl", tarfile.SYMTYPE, "/etc/passwd")]),
        ("hardlink", [special("records/evil.jsonl", tarfile.LNKTYPE, "manifest.json")]),
        ("device", [special("records/evil.jsonl", tarfile.CHRTYPE)]),
        ("fifo", [special("records/evil.jsonl", tarfile.FIFOTYPE)]),
        ("other directory", [special("evil", tarfile.DIRTYPE)]),
        ("file named like a directory", [reg("records", b"")]),
        ("unknown name", [reg("README.txt", b"hi")]),
        ("nested attachment dir", [reg(f"attachments/x/{PDF_SHA}", b"x")]),
        ("upper-case hash", [reg(f"attachments/{PDF_SHA.upper()}", PDF)]),
        ("duplicate member", [reg("records/cases.jsonl", b"")]),
        ("duplicate manifest", [reg("manifest.json", b"{}")]),
    ],
)
@pytest.mark.parametrize("prescan", [True, False])
def test_hostile_members_are_refused(
    name: str,
    extra: list[tuple[tarfile.TarInfo, bytes | None]],
    prescan: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not prescan:  # the tarfile loop must refuse them on its own, too
        monkeypatch.setattr(bundle, "_prescan_tar", lambda plain: None)
    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), extra=extra)))
    assert message == BadBundle.bad_member().message, name


@pytest.mark.parametrize("tar_format", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_pax_and_gnu_extension_headers_never_reach_tarfile(tar_format: int) -> None:
    long_name = "records/" + "a" * 120 + ".jsonl"
    plain = raw_tar([reg("manifest.json", b"{}"), reg(long_name, b"")], tar_format)
    assert refused(lambda: bundle.unpack(plain)) == BadBundle.bad_member().message


def test_directory_with_data_is_refused() -> None:
    plain = bytearray(signed_tar(base_payload(), extra=[special("records", tarfile.DIRTYPE)]))
    info = tarfile.TarInfo("records")
    info.type = tarfile.DIRTYPE
    info.size = 512
    header = info.tobuf(tarfile.USTAR_FORMAT)
    # a directory "with data" whose data is a pax header tarfile would otherwise parse
    hidden = tarfile.TarInfo("x")
    hidden.type = tarfile.XHDTYPE
    crafted = header + hidden.tobuf(tarfile.USTAR_FORMAT) + bytes(plain)
    assert refused(lambda: bundle.unpack(crafted)) == BadBundle.bad_member().message


def test_unlisted_extra_file() -> None:
    extra_data = b"smuggled"
    extra = [reg(f"attachments/{hashlib.sha256(extra_data).hexdigest()}", extra_data)]
    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), extra=extra)))
    assert message == BadBundle.files_mismatch().message
    extra = [reg("records/smuggled.jsonl", b"")]
    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), extra=extra)))
    assert message == BadBundle.files_mismatch().message


def test_listed_file_missing() -> None:
    payload = base_payload()
    full = signed_tar(payload)
    files = members_of(full)
    del files["records/consents.jsonl"]
    message = refused(lambda: bundle.unpack(raw_tar([reg(n, d) for n, d in files.items()])))
    assert message == BadBundle.files_mismatch().message


def test_attachment_not_named_by_its_hash() -> None:
    payload = base_payload()
    data = payload.pop(f"attachments/{PDF_SHA}")
    payload["attachments/" + "0" * 64] = data
    message = refused(lambda: bundle.unpack(signed_tar(payload)))
    assert message == BadBundle.attachment_name().message


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (b'{"id":"c1","_seq":1,"x":NaN}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":Infinity}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":-Infinity}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":1e400}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":1,"x":2}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":{"a":1}}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":[1,2]}\n', BadBundle.bad_records),
        (
            b'{"id":"c1","_seq":1,"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
            BadBundle.bad_records,
        ),
        (b'{"id":"c1","_seq":1,"x":' + b"9" * 5000 + b"}\n", BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":9223372036854775808}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":"\\ud800"}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1,"x":"' + b"a" * 200_001 + b'"}\n', BadBundle.field_too_long),
        (b'{"id":"c1","_seq":1,"bad key":1}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":true}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":-1}\n', BadBundle.bad_records),
        (b'{"id":"c1"}\n', BadBundle.bad_records),
        (b'{"id":"","_seq":1}\n', BadBundle.bad_records),
        (b'{"id":5,"_seq":1}\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1}\n{"id":"c1","_seq":2}\n', BadBundle.bad_records),
        (b'[{"id":"c1","_seq":1}]\n', BadBundle.bad_records),
        (b'"just a string"\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1}', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1}\n\n', BadBundle.bad_records),
        (b'{"id":"c1","_seq":1} {"id":"c2","_seq":1}\n', BadBundle.bad_records),
        (b'\xef\xbb\xbf{"id":"c1","_seq":1}\n', BadBundle.bad_records),
        (b'{"id":"c\xff","_seq":1}\n', BadBundle.bad_records),
    ],
)
def test_hostile_json_lines(lines: bytes, expected: Callable[[], BadBundle]) -> None:
    message = refused(lambda: bundle.unpack(with_records(lines)))
    assert message == expected().message


@pytest.mark.parametrize(
    "stone",
    [
        {"table": "cases", "id": "c1", "seq": 1},
        {"table": "cases", "id": "c1", "seq": 1, "at": "x", "extra": 1},
        {"table": "../x", "id": "c1", "seq": 1, "at": "x"},
        {"table": "cases", "id": "", "seq": 1, "at": "x"},
        {"table": "cases", "id": "c1", "seq": "1", "at": "x"},
        {"table": "cases", "id": "c1", "seq": 1, "at": None},
    ],
)
def test_hostile_tombstones(stone: dict[str, Any]) -> None:
    lines = json.dumps(stone).encode() + b"\n"
    message = refused(lambda: bundle.unpack(with_records(lines, "_tombstones")))
    assert message == BadBundle.bad_records().message


def test_record_count_mismatch() -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["counts"]["cases"] = 3

    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=edit)))
    assert message == BadBundle.count_mismatch().message

    def drop(manifest: dict[str, Any]) -> None:
        del manifest["counts"]["consents"]

    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=drop)))
    assert message == BadBundle.count_mismatch().message

    def attachments(manifest: dict[str, Any]) -> None:
        manifest["counts"]["_attachments"] = 0

    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=attachments)))
    assert message == BadBundle.count_mismatch().message


def test_missing_tombstones_file() -> None:
    payload = base_payload()
    del payload["records/_tombstones.jsonl"]

    def edit(manifest: dict[str, Any]) -> None:
        manifest["counts"]["_tombstones"] = 0

    message = refused(lambda: bundle.unpack(signed_tar(payload, edit=edit)))
    assert message == BadBundle.count_mismatch().message


def test_too_many_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "MAX_RECORDS", 3)
    message = refused(lambda: bundle.unpack(PLAIN))
    assert message == BadBundle.too_many_records().message


def test_oversized_plaintext_and_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "MAX_PLAINTEXT_BYTES", len(PLAIN) - 1)
    assert refused(lambda: bundle.unpack(PLAIN)) == BadBundle.too_large().message
    monkeypatch.undo()
    monkeypatch.setattr(bundle, "MAX_MANIFEST_BYTES", 100)
    assert refused(lambda: bundle.unpack(PLAIN)) == BadBundle.bad_manifest().message


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m.pop("source"),
        lambda m: m["source"].pop("vault_id"),
        lambda m: m["source"].update(vault_id=""),
        lambda m: m["source"].update(name=7),
        lambda m: m.update(created_at=None),
        lambda m: m.update(sequence_range={"other": [1, 2]}),
        lambda m: m.update(sequence_range={VAULT: [3, 2]}),
        lambda m: m.update(sequence_range={VAULT: [1, 2, 3]}),
        lambda m: m.update(sequence_range={VAULT: [-1, 2]}),
        lambda m: m.update(counts=[]),
        lambda m: m["counts"].update({"Bad Table": 0}),
        lambda m: m["counts"].update(cases=-1),
        lambda m: m.update(files=[]),
        lambda m: m["files"].update({"records/cases.jsonl": "0" * 63}),
        lambda m: m["files"].update({"../evil": "0" * 64}),
    ],
)
def test_invalid_manifest_schema(edit: Callable[[dict[str, Any]], None]) -> None:
    message = refused(lambda: bundle.unpack(signed_tar(base_payload(), edit=edit)))
    assert message == BadBundle.bad_manifest().message


@pytest.mark.parametrize(
    "manifest",
    [b"", b"not json", b"[]", b'{"format": NaN}', b'{"a":1,"a":2}', b"\xff", b"[" * 100_000],
)
def test_unparseable_manifest(manifest: bytes) -> None:
    plain = raw_tar([reg("manifest.json", manifest), reg("manifest.sig", b"")])
    message = refused(lambda: bundle.unpack(plain))
    assert message in (BadBundle.bad_manifest().message, BadBundle.not_a_bundle().message)


@pytest.mark.parametrize(
    "plain",
    [
        b"",
        b"\x00" * 1024,
        b"PK\x03\x04" + b"\x00" * 600,
        PLAIN[:512],
        PLAIN[: -10240 + 700],
        PLAIN + b"trailing",
        PLAIN[:1000] + b"\xff" + PLAIN[1001:],
    ],
)
def test_not_a_tar_or_damaged_tar(plain: bytes) -> None:
    refused(lambda: bundle.unpack(plain))


def test_gzip_is_not_decompressed() -> None:
    import gzip

    message = refused(lambda: bundle.unpack(gzip.compress(PLAIN)))
    assert message == BadBundle.not_a_bundle().message


# --- proof 4: fuzzing ---------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def unpack_or_refuse(plain: bytes) -> None:
    try:
        result = bundle.unpack(plain)
    except BadBundle as exc:
        assert str(exc)
    else:
        assert isinstance(result, Bundle)


@FUZZ
@given(st.binary(max_size=4096))
def test_unpack_of_arbitrary_bytes(plain: bytes) -> None:
    unpack_or_refuse(plain)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(PLAIN) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.one_of(st.none(), st.integers(0, len(PLAIN))),
    tail=st.binary(max_size=64),
)
def test_unpack_of_mutated_valid_tar(
    edits: list[tuple[int, int]], cut: int | None, tail: bytes
) -> None:
    data = bytearray(PLAIN)
    for index, value in edits:
        data[index] = value
    mutated = bytes(data[:cut] if cut is not None else data) + tail
    unpack_or_refuse(mutated)


def _fix_checksums(data: bytearray) -> None:
    """Recompute tar header checksums so mutations get past the checksum check."""
    offset = 0
    while offset + 512 <= len(data):
        header = data[offset : offset + 512]
        if header.count(0) == 512:
            return
        header[148:156] = b" " * 8
        header[148:156] = b"%06o\x00 " % sum(header)
        data[offset : offset + 512] = header
        try:
            size = int(header[124:136].split(b"\x00")[0].strip() or b"0", 8)
        except ValueError:
            return
        offset += 512 + -(-size // 512) * 512


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 1535), st.integers(0, 255)), min_size=1, max_size=6))
def test_unpack_of_mutated_headers_with_valid_checksums(edits: list[tuple[int, int]]) -> None:
    data = bytearray(PLAIN)
    for index, value in edits:
        data[index] = value
    _fix_checksums(data)
    unpack_or_refuse(bytes(data))


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(lines=st.binary(max_size=512))
def test_signed_bundle_with_arbitrary_record_bytes(lines: bytes) -> None:
    unpack_or_refuse(with_records(lines))


@FUZZ
@given(rows=st.lists(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5), max_size=4))
def test_signed_bundle_with_arbitrary_json_rows(rows: list[dict[str, Any]]) -> None:
    lines = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
    unpack_or_refuse(with_records(lines))
    unpack_or_refuse(with_records(lines, "_tombstones"))


@FUZZ
@given(
    path=st.lists(
        st.sampled_from(["source", "counts", "files", "sequence_range", "x"]), max_size=2
    ),
    value=JSON_VALUES,
)
def test_signed_bundle_with_arbitrary_manifest_values(path: list[str], value: Any) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        target: Any = manifest
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1] if path else "created_at"] = value

    unpack_or_refuse(signed_tar(base_payload(), edit=edit))


@FUZZ
@given(
    names=st.lists(
        st.sampled_from(
            [
                "manifest.json",
                "manifest.sig",
                "records",
                "attachments",
                "records/cases.jsonl",
                "records/_tombstones.jsonl",
                f"attachments/{PDF_SHA}",
                "records/../manifest.json",
                "./manifest.json",
                "records//cases.jsonl",
            ]
        ),
        max_size=6,
    ),
    kinds=st.lists(
        st.sampled_from([tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE]),
        min_size=6,
        max_size=6,
    ),
)
def test_arbitrary_member_lists(names: list[str], kinds: list[bytes]) -> None:
    files = members_of(PLAIN)
    entries: list[tuple[tarfile.TarInfo, bytes | None]] = []
    for name, kind in zip(names, kinds, strict=False):
        if kind in (tarfile.REGTYPE, tarfile.AREGTYPE):
            info, data = reg(name, files.get(name, b""))
            info.type = kind
            entries.append((info, data))
        else:
            entries.append(special(name, kind, "manifest.json"))
    unpack_or_refuse(raw_tar(entries))


# --- interop with the age command-line tool ------------------------------------------------


@pytest.fixture(scope="module")
def age_cli() -> Iterator[str]:
    def found() -> bool:
        return shutil.which("age") is not None and shutil.which("age-keygen") is not None

    if not found() and shutil.which("apt-get") and getattr(os, "geteuid", lambda: 1)() == 0:
        try:
            subprocess.run(
                ["apt-get", "install", "-y", "age"], capture_output=True, timeout=300, check=False
            )
        except (OSError, subprocess.SubprocessError):
            pass
    if not found():
        pytest.skip("age CLI not installed: interop not proven here")
    yield str(shutil.which("age"))


def test_age_cli_decrypts_our_bundle(age_cli: str, tmp_path: Path) -> None:
    key_text = subprocess.run(
        ["age-keygen"], capture_output=True, check=True, timeout=30, text=True
    ).stdout
    recipient = re.search(r"# public key: (age1\S+)", key_text)
    assert recipient is not None
    key_file = tmp_path / "key.txt"
    key_file.write_text(key_text)
    key_file.chmod(0o600)
    encrypted = bundle.encrypt(PLAIN, recipients=[recipient.group(1)])
    decrypted = subprocess.run(
        [age_cli, "-d", "-i", str(key_file)],
        input=encrypted,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    assert decrypted == PLAIN
    manifest = json.loads(members_of(decrypted)["manifest.json"])
    assert manifest["format"] == "samraad-bundle"
    assert manifest["counts"]["cases"] == 2
    # ... and the other way: age encrypts, we decrypt (the key file's text as identity).
    encrypted_by_age = subprocess.run(
        [age_cli, "-r", recipient.group(1)],
        input=PLAIN,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    plain = bundle.decrypt(encrypted_by_age, identities=[key_text])
    assert_matches_input(bundle.unpack(plain))
