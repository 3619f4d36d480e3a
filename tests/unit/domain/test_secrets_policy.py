from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.domain.secrets_policy import (
    MAX_BACKOFF_SECONDS,
    format_recovery_code,
    normalise_passphrase,
    normalise_recovery_code,
    passphrase_problem,
    passphrase_strength,
    unlock_delay,
)

CODE = re.compile(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}")


def test_short_passphrase_is_refused_with_one_sentence() -> None:
    problem = passphrase_problem("elevenchars")
    assert problem is not None and "12" in problem and problem.endswith(".")


def test_twelve_characters_are_enough() -> None:
    assert passphrase_problem("twelve chars") is None


def test_spaces_only_passphrase_is_refused() -> None:
    assert passphrase_problem(" " * 20) is not None


def test_length_counts_characters_not_bytes() -> None:
    assert passphrase_problem("ææææææææææææ") is None  # 12 chars, 24 bytes
    assert passphrase_problem("🙂" * 11) is not None


def test_nfc_normalisation_makes_composed_and_decomposed_equal() -> None:
    assert normalise_passphrase("A\u030a" * 12) == normalise_passphrase("Å" * 12)


def test_strength_rises_with_length_and_variety() -> None:
    assert passphrase_strength("short") == 0
    assert passphrase_strength("alllowercase") == 1
    assert passphrase_strength("Correct-Horse-Battery-9-Staple!") == 4


@given(st.binary(min_size=20, max_size=20))
def test_recovery_code_format_and_round_trip(raw: bytes) -> None:
    code = format_recovery_code(raw)
    assert CODE.fullmatch(code)
    typed = code.lower().replace("-", " ")
    assert normalise_recovery_code(typed) == code


def test_recovery_code_confusable_digits_are_read_as_letters() -> None:
    code = format_recovery_code(bytes(20))  # all "A"s
    assert normalise_recovery_code(code.replace("A", "a")) == code
    assert normalise_recovery_code("0" * 32) == format_recovery_code(b"\x73\x9c\xe7\x39\xce" * 4)


def test_malformed_recovery_codes_are_none() -> None:
    assert normalise_recovery_code("ABCD") is None
    assert normalise_recovery_code("!" * 32) is None


def test_unlock_delay_free_then_growing_then_capped() -> None:
    assert [unlock_delay(n) for n in range(4)] == [0.0, 0.0, 0.0, 0.0]
    assert unlock_delay(4) == 0.5
    assert unlock_delay(5) == 1.0
    assert unlock_delay(100) == MAX_BACKOFF_SECONDS
    delays = [unlock_delay(n) for n in range(3, 20)]
    assert delays == sorted(delays)
