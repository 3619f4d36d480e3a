"""The merge rule (app/domain/merge.py): every branch of decide_record and
decide_tombstone, and what content_hash treats as content."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.merge import Base, Outcome, content_hash, decide_record, decide_tombstone

OURS, THEIRS, BASE = "h-ours", "h-theirs", "h-base"


# --- decide_record ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "base", "theirs", "seq", "ours_w", "theirs_w", "expected"),
    [
        # An older version than the last one received from this peer: nothing,
        # whatever else holds (even a withdrawal, even a deleted local copy).
        (OURS, Base(BASE, 10), THEIRS, 10, False, False, Outcome.NOTHING),
        (OURS, Base(BASE, 10), THEIRS, 3, False, True, Outcome.NOTHING),
        (BASE, Base(BASE, 10), THEIRS, 9, False, False, Outcome.NOTHING),
        (None, Base(BASE, 10), THEIRS, 10, False, False, Outcome.NOTHING),
        (None, None, THEIRS, 0, False, False, Outcome.INSERT),
        (None, None, THEIRS, 5, False, True, Outcome.INSERT),
        # Deleted here since we last met: the same version changes nothing …
        (None, Base(THEIRS, 2), THEIRS, 5, False, False, Outcome.NOTHING),
        (None, Base(THEIRS, 0), THEIRS, 0, False, False, Outcome.NOTHING),
        # … a changed one is a conflict (our deletion stands).
        (None, Base(BASE, 2), THEIRS, 5, False, False, Outcome.CONFLICT_KEEP_OURS),
        (None, Base(BASE, 2), THEIRS, 5, False, True, Outcome.CONFLICT_KEEP_OURS),
        # Already equal.
        (OURS, None, OURS, 5, False, False, Outcome.NOTHING),
        (OURS, Base(BASE, 2), OURS, 5, True, True, Outcome.NOTHING),
        # Only they changed it.
        (BASE, Base(BASE, 2), THEIRS, 5, False, False, Outcome.UPDATE),
        (BASE, Base(BASE, 0), THEIRS, 0, False, True, Outcome.UPDATE),
        # A version without the withdrawal never replaces ours, even one built
        # on it: a re-grant must be a new consent; the advisor sees a conflict.
        (BASE, Base(BASE, 2), THEIRS, 5, True, False, Outcome.CONFLICT_KEEP_OURS),
        # Only we changed it.
        (OURS, Base(THEIRS, 2), THEIRS, 5, False, False, Outcome.KEEP_OURS),
        (OURS, Base(THEIRS, 2), THEIRS, 5, False, True, Outcome.KEEP_OURS),
        # Both changed it: ours is kept, unless only theirs withdraws a consent.
        (OURS, Base(BASE, 2), THEIRS, 5, False, False, Outcome.CONFLICT_KEEP_OURS),
        (OURS, Base(BASE, 2), THEIRS, 5, False, True, Outcome.CONFLICT_TAKE_THEIRS),
        (OURS, Base(BASE, 2), THEIRS, 5, True, False, Outcome.CONFLICT_KEEP_OURS),
        (OURS, Base(BASE, 2), THEIRS, 5, True, True, Outcome.CONFLICT_KEEP_OURS),
        # No base (both made it independently): the same rule as both changed.
        (OURS, None, THEIRS, 5, False, False, Outcome.CONFLICT_KEEP_OURS),
        (OURS, None, THEIRS, 5, False, True, Outcome.CONFLICT_TAKE_THEIRS),
        (OURS, None, THEIRS, 5, True, False, Outcome.CONFLICT_KEEP_OURS),
        # A base without a received seq (we only sent it) never counts as older.
        (OURS, Base(BASE, 0), THEIRS, 0, False, False, Outcome.CONFLICT_KEEP_OURS),
        (BASE, Base(BASE, 0), THEIRS, 1, False, False, Outcome.UPDATE),
        # A newer version than the one received last is judged normally.
        (BASE, Base(BASE, 10), THEIRS, 11, False, False, Outcome.UPDATE),
    ],
)
def test_decide_record_truth_table(
    ours: str | None,
    base: Base | None,
    theirs: str,
    seq: int,
    ours_w: bool,
    theirs_w: bool,
    expected: Outcome,
) -> None:
    got = decide_record(ours, base, theirs, seq, ours_withdraws=ours_w, theirs_withdraws=theirs_w)
    assert got is expected


def test_base_defaults_to_no_received_seq() -> None:
    assert Base("h").received_seq == 0


_hashes = st.sampled_from(["a", "b", "c", "d"])
_bases = st.none() | st.builds(Base, _hashes, st.integers(min_value=0, max_value=20))


@given(
    h=_hashes,
    base=_bases,
    seq=st.integers(min_value=0, max_value=20),
    ours_w=st.booleans(),
    theirs_w=st.booleans(),
)
def test_equal_versions_are_nothing(
    h: str, base: Base | None, seq: int, ours_w: bool, theirs_w: bool
) -> None:
    assert (
        decide_record(h, base, h, seq, ours_withdraws=ours_w, theirs_withdraws=theirs_w)
        is Outcome.NOTHING
    )


@given(ours=_hashes, base=_bases, theirs=_hashes, seq=st.integers(min_value=0, max_value=20))
def test_a_withdrawal_of_ours_is_never_overwritten(
    ours: str, base: Base | None, theirs: str, seq: int
) -> None:
    # Only ours withdraws: theirs never replaces it, whatever the base.
    got = decide_record(ours, base, theirs, seq, ours_withdraws=True, theirs_withdraws=False)
    assert got in (Outcome.NOTHING, Outcome.KEEP_OURS, Outcome.CONFLICT_KEEP_OURS)


# --- decide_tombstone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "base", "expected"),
    [
        (None, None, Outcome.NOTHING),
        (None, Base(BASE, 3), Outcome.NOTHING),
        (BASE, Base(BASE, 3), Outcome.DELETE),
        (BASE, Base(BASE, 0), Outcome.DELETE),
        (OURS, Base(BASE, 3), Outcome.CONFLICT_KEEP_OURS),  # changed here since
        (OURS, None, Outcome.CONFLICT_KEEP_OURS),  # never exchanged: not theirs to delete
    ],
)
def test_decide_tombstone_truth_table(
    ours: str | None, base: Base | None, expected: Outcome
) -> None:
    assert decide_tombstone(ours, base) is expected


# --- content_hash --------------------------------------------------------------------

ROW: dict[str, Any] = {
    "id": "r1",
    "name": "Nordskov skoledistrikt",
    "position": 3,
    "note": None,
    "created_at": "2026-01-01T00:00:00.000Z",
}


def test_content_hash_ignores_bookkeeping() -> None:
    plain = content_hash(ROW)
    assert content_hash({**ROW, "updated_at": "2026-05-05T10:00:00.000Z"}) == plain
    assert content_hash({**ROW, "writer_vault_id": "vault-a"}) == content_hash(
        {**ROW, "writer_vault_id": "vault-b", "updated_at": "x", "_seq": 99}
    )
    assert content_hash({**ROW, "_seq": 1}) == plain


@pytest.mark.parametrize(
    "changed",
    [
        {"name": "Nordskov skoledistrikt "},
        {"position": 4},
        {"position": "3"},  # a type change is a content change
        {"note": ""},
        {"id": "r2"},
        {"created_at": "2026-01-01T00:00:00.001Z"},
        {"extra": None},
    ],
)
def test_content_hash_sees_content(changed: dict[str, Any]) -> None:
    assert content_hash({**ROW, **changed}) != content_hash(ROW)


def test_content_hash_is_hex_sha256() -> None:
    digest = content_hash(ROW)
    assert len(digest) == 64 and int(digest, 16) >= 0


_keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
_values = st.none() | st.integers() | st.text(max_size=20) | st.booleans()


@given(row=st.dictionaries(_keys, _values, max_size=8), data=st.data())
def test_content_hash_is_order_independent(row: dict[str, Any], data: st.DataObject) -> None:
    items = data.draw(st.permutations(list(row.items())))
    assert content_hash(dict(items)) == content_hash(row)


@given(
    row=st.dictionaries(_keys, _values, max_size=8),
    bookkeeping=st.fixed_dictionaries(
        {},
        optional={
            "updated_at": st.text(max_size=30),
            "writer_vault_id": st.text(max_size=36),
            "_seq": st.integers(min_value=0),
        },
    ),
)
def test_content_hash_ignores_any_bookkeeping(
    row: dict[str, Any], bookkeeping: dict[str, Any]
) -> None:
    assert content_hash({**row, **bookkeeping}) == content_hash(row)
