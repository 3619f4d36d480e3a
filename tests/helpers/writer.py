"""A vault writer that runs until it is killed (for the SIGKILL crash-safety tests).

Run from the repository root as::

    python -m tests.helpers.writer VAULT_DIR MODE [ARGS...]

The vault must already exist, made with :func:`tests.helpers.vaults.open_directory`
and :data:`~tests.helpers.vaults.PASSPHRASE` (or ``PASSPHRASE + "2"``, see
``passphrase`` mode; ``migrate`` mode uses the schema-1 fixture instead). Every
line is printed and flushed only *after* the work it reports has returned, so
the test may hold the vault to everything it read.

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

``import BUNDLE IDENTITY_FILE``
    Reads the bundle file, prints ``ready``, imports it with the age identity in
    IDENTITY_FILE (trusting a new sender) and prints ``imported {n} {seconds}``
    (records added, time the import took) once ``import_bundle`` has returned;
    then idles until killed.
``export OUT RECIPIENT_FILE``
    Forever: ``i += 1``; export everything to OUT for the age recipient in
    RECIPIENT_FILE; after ``export_bundle`` returns prints ``exported {i}``.
``migrate``
    VAULT_DIR is a copy of ``tests/fixtures/vault-schema1``. Prints ``opening``,
    unlocks it with the fixture's passphrase (which applies every migration),
    prints ``migrated {schema version} {seconds}`` and idles until killed.
    With ``SAMRAAD_WRITER_KILL_AFTER=S`` in the environment it SIGKILLs itself
    S seconds after printing ``opening`` (timed by its own clock).

In ``rows`` and ``backup``, ``i`` continues after the highest ``row-{i}`` already
in the vault, so the names stay unique when the same vault is written by one
writer after another.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

from app.errors import WrongSecret
from app.services import minutes_service
from app.store import districts_repo
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory

#: Environment variable: the ``migrate`` writer kills itself this many seconds in.
SELF_KILL_ENV = "SAMRAAD_WRITER_KILL_AFTER"
MODES = ("rows", "backup", "passphrase", "autosave", "import", "export", "migrate")
# Extra arguments each mode takes after VAULT_DIR MODE.
MODE_ARGS = {"import": 2, "export": 2}
SCHEMA1_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vault-schema1"
SCHEMA1_PASSPHRASE = "fixture passphrase one"
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


def _idle() -> NoReturn:
    """The work is done and reported: wait for the SIGKILL."""
    while True:
        time.sleep(60)


def _import(vault: Vault, bundle_file: Path, identity_file: Path) -> NoReturn:
    from app.sync.importer import import_bundle

    data = bundle_file.read_bytes()
    identity = identity_file.read_text("utf-8")
    _say("ready")
    start = time.monotonic()
    report = import_bundle(vault, data, identities=[identity], trust_new_sender=True)
    _say(f"imported {sum(report.added.values())} {time.monotonic() - start:.3f}")
    _idle()


def _export(vault: Vault, out: Path, recipient_file: Path) -> None:
    from app.sync.exporter import export_bundle

    recipient = recipient_file.read_text("utf-8").strip()
    i = 0
    while True:
        i += 1
        export_bundle(vault, out, recipients=[recipient], everything=True)
        _say(f"exported {i}")


def _migrate(vault_dir: Path) -> NoReturn:
    directory = open_directory(vault_dir, sleep=lambda _seconds: None)
    kill_after = os.environ.get(SELF_KILL_ENV)
    _say("opening")
    start = time.monotonic()
    if kill_after is not None:
        timer = threading.Timer(float(kill_after), os.kill, (os.getpid(), signal.SIGKILL))
        timer.daemon = True
        timer.start()
    vault = directory.unlock(SCHEMA1_PASSPHRASE)
    _say(f"migrated {vault.schema_version()} {time.monotonic() - start:.3f}")
    _idle()


def run(vault_dir: Path, mode: str, args: list[str] | None = None) -> None:
    """Write in ``mode`` until killed."""
    extra = [Path(a) for a in args or []]
    if mode == "migrate":
        _migrate(vault_dir)
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
    elif mode == "import":
        _import(vault, extra[0], extra[1])
    elif mode == "export":
        _export(vault, extra[0], extra[1])
    else:
        raise SystemExit(f"writer: unknown mode {mode!r}; expected one of {MODES}")


def main(argv: list[str]) -> None:
    """Entry point: ``VAULT_DIR MODE [ARGS...]``."""
    if len(argv) < 2 or argv[1] not in MODES or len(argv) != 2 + MODE_ARGS.get(argv[1], 0):
        raise SystemExit(
            f"usage: python -m tests.helpers.writer VAULT_DIR {{{'|'.join(MODES)}}} [ARGS...]"
        )
    run(Path(argv[0]), argv[1], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
