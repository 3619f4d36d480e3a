"""The merge rule of synchronisation, as pure functions.

Each vault remembers, per peer and record, the content both sides last had
in common (the *base*, as a hash). When a record arrives:

* same as ours — nothing to do;
* ours is still the base — only the peer changed it: take theirs;
* theirs is the base — only we changed it: keep ours;
* otherwise both changed it — keep ours and list theirs as a conflict,
  except that a consent withdrawal always wins (theirs is taken if it
  withdraws, ours kept if ours does; the other version is listed).

A tombstone deletes our copy only if we did not change it since the base.
A record older than the last one received from that peer changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Not content: who wrote last and when differ between vaults for the same data.
_NOT_CONTENT = frozenset({"updated_at", "writer_vault_id", "_seq"})


class Outcome(StrEnum):
    """What to do with one incoming record or tombstone."""

    NOTHING = "nothing"  # already equal, or an older version
    INSERT = "insert"
    UPDATE = "update"
    KEEP_OURS = "keep-ours"  # only we changed it since the base
    DELETE = "delete"
    CONFLICT_KEEP_OURS = "conflict-keep-ours"
    CONFLICT_TAKE_THEIRS = "conflict-take-theirs"


@dataclass(frozen=True)
class Base:
    """What we know the peer has: the version last received from it (with the
    peer's change seq) and the version last sent to it (not yet confirmed)."""

    received: str | None = None
    received_seq: int = 0
    sent: str | None = None


def content_hash(row: Mapping[str, Any]) -> str:
    """The hash of a record's content (bookkeeping columns left out)."""
    canonical = json.dumps(
        {k: v for k, v in row.items() if k not in _NOT_CONTENT},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def decide_record(
    ours: str | None,
    base: Base | None,
    theirs: str,
    their_seq: int,
    *,
    their_base: str | None = None,
    ours_withdraws: bool = False,
    theirs_withdraws: bool = False,
) -> Outcome:
    """The outcome for an incoming record (hashes of ours and theirs).

    ``their_base`` travels with the record: the version the sender thought we
    had. Theirs replaces ours only when ours is that version, or is the
    version we last received from them — never merely what we last *sent*,
    so bundles that cross in the post conflict instead of swapping.
    ``*_withdraws`` say whether a consent version carries a withdrawal.
    """
    if base is not None and base.received_seq and their_seq <= base.received_seq:
        return Outcome.NOTHING  # an older bundle arriving after a newer one
    known = {h for h in ((base.received, base.sent) if base else ()) if h}
    if ours is None:
        if base is None:
            return Outcome.INSERT
        # We deleted it since; an unchanged version needs nothing, a changed one conflicts.
        return Outcome.NOTHING if theirs in known else Outcome.CONFLICT_KEEP_OURS
    if ours == theirs:
        return Outcome.NOTHING
    if ours == their_base or (base is not None and ours == base.received):
        # Only they changed it — but a withdrawal of ours is never undone.
        if ours_withdraws and not theirs_withdraws:
            return Outcome.CONFLICT_KEEP_OURS
        return Outcome.UPDATE
    if theirs in known:
        return Outcome.KEEP_OURS
    if theirs_withdraws and not ours_withdraws:
        return Outcome.CONFLICT_TAKE_THEIRS
    return Outcome.CONFLICT_KEEP_OURS


def decide_tombstone(ours: str | None, base: Base | None, their_base: str | None = None) -> Outcome:
    """The outcome for an incoming deletion (``their_base``: what the sender deleted)."""
    if ours is None:
        return Outcome.NOTHING
    if ours == their_base or (base is not None and ours == base.received):
        return Outcome.DELETE
    return Outcome.CONFLICT_KEEP_OURS
