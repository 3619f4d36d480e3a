"""A vault writer that runs until it is killed (for the SIGKILL crash-safety tests).

Run from the repository root as::

    python -m tests.helpers.writer VAULT_DIR MODE

The vault must already exist, made with :func:`tests.helpers.vaults.open_directory`
and :data:`~tests.helpers.vaults.PASSPHRASE` (or ``PASSPHRASE + "2"``, see
``passphrase`` mode). Every line is printed and flushed only *after* the work it
reports has returned, so the test may hold the vault to everything it read.

Modes:

``rows``
    Forever: one transaction inserts the districts ``row-{i}`` and ``pair-{i}``;
    after COMMIT prints ``committed {i}``.
``backup``
    Forever: commit one pair as in ``rows`` (prints ``committed {i}``), then
    ``vault.backup_to(manual_backup_path(VAULT_DIR))`` and ``vault.auto_backup()``.
``passphrase``
    Forever: ``change_passphrase`` alternating between ``PASSPHRASE`` and
    ``PASSPHRASE + "2"``; after each change returns prints ``passphrase {value}``.
``autosave``
    The vault must hold exactly one ``item_minutes`` row (the test prepared one
    meeting item and called ``minutes_service.start``). Forever: ``i += 1``;
    ``minutes_service.save_field`` of ``discussion`` = ``autosave_text(i)`` and,
    when ``i % 3 == 0``, of ``knowledge`` = ``autosave_knowledge(i)``; after that
    iteration's saves return prints ``saved {i}``. ``i`` continues after
    the number in the stored discussion, so every text is unique across writers.

In ``rows`` and ``backup``, ``i`` continues after the highest ``row-{i}`` already
in the vault, so the names stay unique when the same vault is written by one
writer after another.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from app.errors import WrongSecret
from app.services import minutes_service
from app.store import districts_repo
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory

MODES = ("rows", "backup", "passphrase", "autosave")
PASSPHRASES = (PASSPHRASE, PASSPHRASE + "2")
_ROW = re.compile(r"row-(\d+)")
_TYPED = re.compile(r"typed (\d+) x*")


def autosave_text(i: int) -> str:
    """What ``autosave`` mode saves as the discussion in iteration ``i``."""
    return f"typed {i} " + "x" * (i % 50)


def autosave_knowledge(i: int) -> str:
    """What ``autosave`` mode saves as the knowledge in iteration ``i`` (a multiple of 3)."""
    return f"k{i}"


def manual_backup_path(vault_dir: Path) -> Path:
    """Where ``backup`` mode writes its manual backup (a sibling of the vault)."""
    return vault_dir.parent / f"{vault_dir.name}-out" / "manual.samraad-backup"


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _next_index(vault: Vault) -> int:
    names = vault.conn.execute("SELECT name FROM districts WHERE name LIKE 'row-%'").fetchall()
    numbers = [int(m.group(1)) for (name,) in names if (m := _ROW.fullmatch(name))]
    return max(numbers, default=-1) + 1


def _commit_pair(vault: Vault, i: int) -> None:
    with vault.transaction() as conn:
        districts_repo.add(conn, vault.ctx, f"row-{i}")
        districts_repo.add(conn, vault.ctx, f"pair-{i}")
    _say(f"committed {i}")


def _unlock(vault_dir: Path) -> tuple[Vault, str]:
    # No back-off sleep: a wrong first guess in passphrase mode is expected.
    directory = open_directory(vault_dir, sleep=lambda _seconds: None)
    for passphrase in PASSPHRASES:
        try:
            return directory.unlock(passphrase), passphrase
        except WrongSecret:
            continue
    raise SystemExit("writer: neither test passphrase unlocks the vault")


def _autosave(vault: Vault) -> None:
    rows = vault.conn.execute("SELECT agenda_item_id, discussion FROM item_minutes").fetchall()
    if len(rows) != 1:
        raise SystemExit(f"writer: autosave needs exactly one prepared item, found {len(rows)}")
    (item_id, discussion) = rows[0]
    typed = _TYPED.fullmatch(discussion or "")
    i = int(typed.group(1)) if typed else 0
    while True:
        i += 1
        minutes_service.save_field(vault, item_id, "discussion", autosave_text(i))
        if i % 3 == 0:
            minutes_service.save_field(vault, item_id, "knowledge", autosave_knowledge(i))
        _say(f"saved {i}")


def run(vault_dir: Path, mode: str) -> None:
    """Write in ``mode`` until killed."""
    vault, current = _unlock(vault_dir)
    i = _next_index(vault)
    if mode == "rows":
        while True:
            _commit_pair(vault, i)
            i += 1
    elif mode == "backup":
        manual = manual_backup_path(vault_dir)
        manual.parent.mkdir(mode=0o700, exist_ok=True)
        while True:
            _commit_pair(vault, i)
            i += 1
            vault.backup_to(manual)
            vault.auto_backup()
    elif mode == "passphrase":
        while True:
            current = PASSPHRASES[1] if current == PASSPHRASES[0] else PASSPHRASES[0]
            vault.change_passphrase(current)
            _say(f"passphrase {current}")
    elif mode == "autosave":
        _autosave(vault)
    else:
        raise SystemExit(f"writer: unknown mode {mode!r}; expected one of {MODES}")


def main(argv: list[str]) -> None:
    """Entry point: ``VAULT_DIR MODE``."""
    if len(argv) != 2 or argv[1] not in MODES:
        raise SystemExit(f"usage: python -m tests.helpers.writer VAULT_DIR {{{'|'.join(MODES)}}}")
    run(Path(argv[0]), argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
