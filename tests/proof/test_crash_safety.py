"""Crash safety: SIGKILL at random moments of every workload (security.md proof 6).

A writer subprocess (``tests/helpers/writer.py``) runs one workload and prints
a line after each piece of work returns; the test kills it with SIGKILL at a
random moment and then checks, before and after reopening the vault:

* the vault opens and ``self_test()`` passes (SQLCipher HMACs, SQLite
  integrity, audit chain);
* every change the writer reported as done is there, and no transaction is
  half-applied;
* an import is entirely present or entirely absent;
* an interrupted migration leaves exactly the schema of some version, and
  the next open finishes the upgrade;
* no half-written bundle or backup sits under its final name.

Workloads: ``import`` (a bundle of ~3,400 records), ``export``, ``migrate``
(the schema-1 fixture) in the fast suite; those plus ``rows`` (commit loop),
``autosave`` (the minutes editor's save loop), ``backup`` and ``passphrase``
in the slow suite. ``tests/unit/store/test_crash_safety.py`` and
``test_autosave_crash.py`` kill the last four another 42 times in the fast
suite. Every test draws its kill delays from ``random.Random(seed)``; the seed
is in every failure message so a failing schedule can be replayed.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyrage
import pytest

from app.domain.calendar_model import ForumKind, SiteKind
from app.errors import BadBackup, WrongSecret
from app.services import agenda_service, cases_service, minutes_service, sites_service
from app.services.calendar_service import CalendarService
from app.store import audit, backup, forums_repo, migrate, minutes_repo, sync_repo
from app.store import keyfile as keyfile_mod
from app.store.connection import open_database
from app.store.vault import Vault, VaultDirectory
from app.sync import bundle
from app.sync.exporter import export_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.helpers.writer import (
    PASSPHRASES,
    SCHEMA1_FIXTURE,
    SCHEMA1_PASSPHRASE,
    autosave_knowledge,
    autosave_text,
    manual_backup_path,
)
from tests.proof.support import fill_large, make_vault, posix_only, run_and_kill

pytestmark = posix_only

_COMMITTED = re.compile(r"committed (\d+)")
_SAVED = re.compile(r"saved (\d+)")
_PASSPHRASE = re.compile(r"passphrase (.+)")
_EXPORTED = re.compile(r"exported (\d+)")
_IMPORTED = re.compile(r"imported (\d+) ([0-9.]+)")
_MIGRATED = re.compile(r"migrated (\d+) ([0-9.]+)")

# How long after the trigger line a kill may come; the loops run until killed.
# Import and migration run once per process: the first kill comes after the
# work is reported (which also times it), every later one within 1.15x the
# shortest time reported so far, so most land inside the work (about 0.5-0.9 s
# and 0.04 s here).
MAX_DELAY = {
    "rows": 0.15,
    "autosave": 0.12,
    "backup": 0.15,
    "passphrase": 0.10,
    "export": 0.4,
}
CALIBRATION_DELAY = 0.05
#: How long to wait for a writer that times its own kill before killing it from here.
SELF_KILL_BACKSTOP = 10.0


@dataclass
class Run:
    """One workload's state across its kills."""

    tmp: Path
    seed: int
    rng: random.Random

    def where(self, workload: str, k: int, kills: int) -> str:
        return f"{workload}, seed={self.seed}, kill {k + 1}/{kills}"


def _self_test_ok(vault: Vault, where: str) -> None:
    report = vault.self_test()
    assert report.ok, f"{where}: self_test failed after SIGKILL: {report}"


# --- rows: the commit loop ------------------------------------------------------------


def _numbers(lines: list[str], pattern: re.Pattern[str], where: str) -> list[int]:
    found = []
    for line in lines:
        match = pattern.fullmatch(line)
        assert match, f"{where}: unexpected writer output {line!r}"
        found.append(int(match.group(1)))
    return found


def _check_pairs(
    directory: VaultDirectory, passphrase: str, reported: list[int], where: str
) -> int:
    """Unlock, self-test, check the row/pair districts; returns how many pairs are stored."""
    vault = directory.unlock(passphrase)
    try:
        _self_test_ok(vault, where)
        names = Counter(name for (name,) in vault.conn.execute("SELECT name FROM districts"))
        missing = [i for i in reported if names[f"row-{i}"] != 1 or names[f"pair-{i}"] != 1]
        assert not missing, f"{where}: reported committed but not stored once: {missing[:20]}"
        rows = {n.removeprefix("row-") for n in names if n.startswith("row-")}
        pairs = {n.removeprefix("pair-") for n in names if n.startswith("pair-")}
        assert rows == pairs, f"{where}: half-applied transactions {sorted(rows ^ pairs)[:20]}"
        assert all(c == 1 for c in names.values()), f"{where}: a name stored twice"
        return len(rows)
    finally:
        vault.close(auto_backup=False)


def _rows(run: Run, kills: int) -> None:
    vault_dir = run.tmp / "vault"
    make_vault(vault_dir)
    stored = 0
    for k in range(kills):
        where = run.where("rows", k, kills)
        killed = run_and_kill(
            vault_dir,
            "rows",
            rng=run.rng,
            wait_for=_COMMITTED,
            max_delay=MAX_DELAY["rows"],
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        reported = _numbers(killed.lines, _COMMITTED, where)
        with open_directory(vault_dir) as directory:
            now_stored = _check_pairs(directory, PASSPHRASE, reported, where)
        assert now_stored >= stored + len(reported), f"{where}: earlier rows vanished"
        stored = now_stored


# --- backup: commits, manual and automatic backups ----------------------------------------


def _check_backup_files(vault_dir: Path, vault_id: str, scratch: Path, where: str) -> int:
    """Every backup under a final name is whole; returns how many there are."""
    folders = [vault_dir / "backups", manual_backup_path(vault_dir).parent]
    finals = [
        p
        for folder in folders
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]
    for path in finals:
        try:
            parsed = backup.read_header(path)
            assert backup.is_whole(parsed), f"{where}: {path} does not match its checksum"
            scratch.unlink(missing_ok=True)
            backup.extract_database(parsed, scratch)
        except BadBackup as exc:
            pytest.fail(f"{where}: half-written or damaged file under a final name {path}: {exc}")
        assert parsed.header.vault_id == vault_id, f"{where}: {path} is another vault's backup"
    scratch.unlink(missing_ok=True)
    return len(finals)


def _backup(run: Run, kills: int) -> None:
    vault_dir = run.tmp / "vault"
    vault_id, _code = make_vault(vault_dir)
    scratch = run.tmp / "extracted.db"
    for k in range(kills):
        where = run.where("backup", k, kills)
        # Two commits reported = at least one manual and one automatic backup done.
        killed = run_and_kill(
            vault_dir,
            "backup",
            rng=run.rng,
            wait_for=_COMMITTED,
            lines_before_kill=2,
            max_delay=MAX_DELAY["backup"],
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        reported = _numbers(killed.lines, _COMMITTED, where)
        # The files exactly as the kill left them, before opening tidies anything.
        assert _check_backup_files(vault_dir, vault_id, scratch, where) >= 2
        with open_directory(vault_dir) as directory:
            _check_pairs(directory, PASSPHRASE, reported, where)


# --- passphrase change ----------------------------------------------------------------


def _passphrase(run: Run, kills: int) -> None:
    vault_dir = run.tmp / "vault"
    _vault_id, recovery_code = make_vault(vault_dir)
    for k in range(kills):
        where = run.where("passphrase", k, kills)
        killed = run_and_kill(
            vault_dir,
            "passphrase",
            rng=run.rng,
            wait_for=_PASSPHRASE,
            max_delay=MAX_DELAY["passphrase"],
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        reported = [m.group(1) for ln in killed.lines if (m := _PASSPHRASE.fullmatch(ln))]
        assert reported and set(reported) <= set(PASSPHRASES), f"{where}: {killed.lines}"
        last = reported[-1]
        other = PASSPHRASES[1] if last == PASSPHRASES[0] else PASSPHRASES[0]
        with open_directory(vault_dir, sleep=lambda _s: None) as directory:
            kf = keyfile_mod.read(directory.layout.keyfile)  # parses and checksums: whole
            opened: tuple[str, bytes] | None = None
            for candidate in (last, other):
                try:
                    opened = candidate, keyfile_mod.unwrap_with_passphrase(kf, candidate)
                    break
                except WrongSecret:
                    continue
            assert opened is not None, f"{where}: neither passphrase opens the key file"
            assert keyfile_mod.unwrap_with_recovery_code(kf, recovery_code) == opened[1], where
            _check_pairs(directory, opened[0], [], where)


# --- autosave: the minutes editor -------------------------------------------------------


def _prepare_minutes(vault: Vault) -> str:
    """One site, meeting, anonymous case on the agenda, minutes started; returns the item id."""
    site_id, _changes = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
    forum = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
    assert forum is not None
    meeting_id, _changes = CalendarService(vault).add_meeting(
        forum.id, site_id, datetime(2026, 11, 24, 12, 30)
    )
    case_id, _changes = cases_service.create_anonymous(
        vault, "Ida", site_id, "Træt om morgenen.", date(2026, 10, 1), age_or_year="5 år"
    )
    item_id, _changes = agenda_service.add_case_item(vault, meeting_id, case_id)
    minutes_service.start(vault, meeting_id)
    return item_id


def _autosave(run: Run, kills: int) -> None:
    vault_dir = run.tmp / "vault"
    directory = open_directory(vault_dir)
    try:
        vault = directory.create(PASSPHRASE, "DK").vault
        item_id = _prepare_minutes(vault)
        vault.close(auto_backup=False)
    finally:
        directory.release()
    stored = 0  # the iteration whose discussion is stored; iterations never repeat
    for k in range(kills):
        where = run.where("autosave", k, kills)
        killed = run_and_kill(
            vault_dir,
            "autosave",
            rng=run.rng,
            wait_for=_SAVED,
            max_delay=MAX_DELAY["autosave"],
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        numbers = _numbers(killed.lines, _SAVED, where)
        assert numbers == list(range(stored + 1, numbers[-1] + 1)), f"{where}: {numbers[:5]}…"
        last = numbers[-1]
        with open_directory(vault_dir) as held:
            vault = held.unlock(PASSPHRASE)
            try:
                _self_test_ok(vault, where)
                record = minutes_repo.of_item(vault.conn, item_id)
                assert record is not None, f"{where}: the item's minutes are gone"
                discussion, knowledge = record.discussion, record.knowledge
            finally:
                vault.close(auto_backup=False)
        # The last reported save, or the next one if it finished unreported.
        allowed = {autosave_text(last): last, autosave_text(last + 1): last + 1}
        assert discussion in allowed, f"{where}: discussion {discussion!r}, last reported {last}"
        stored = allowed[discussion]
        # Knowledge is saved after the discussion in every third iteration.
        done = last - last % 3
        expected = {autosave_knowledge(done) if done else ""}
        if stored == last + 1 and stored % 3 == 0:
            expected.add(autosave_knowledge(stored))
        assert knowledge in expected, f"{where}: knowledge {knowledge!r}, expected {expected}"


# --- import of a large bundle -------------------------------------------------------------


@dataclass(frozen=True)
class LargeBundle:
    path: Path
    identity_file: Path
    ids: frozenset[tuple[str, str]]  # (table, id) of the records a fresh vault lacks


def _large_bundle(tmp: Path) -> LargeBundle:
    identity = pyrage.x25519.Identity.generate()
    identity_file = tmp / "identity.txt"
    identity_file.write_text(str(identity) + "\n", encoding="utf-8")
    source = tmp / "source"
    make_vault(source)
    with open_directory(source) as directory:
        vault = directory.unlock(PASSPHRASE)
        fill_large(vault)
        ids = frozenset(
            (table, r["id"])
            for table in ("districts", "sites", "contacts", "cases")
            for r in sync_repo.all_rows(vault.conn, table)
        )
        out = tmp / "large.samraad"
        export_bundle(vault, out, recipients=[str(identity.to_public())], everything=True)
        vault.close(auto_backup=False)
    return LargeBundle(out, identity_file, ids)


def _present(vault: Vault, ids: frozenset[tuple[str, str]]) -> int:
    count = 0
    for table in {t for t, _ in ids}:
        wanted = {i for t, i in ids if t == table}
        count += len(sync_repo.rows_by_id(vault.conn, table, wanted))
    return count


def _import(run: Run, kills: int) -> None:
    large = _large_bundle(run.tmp)
    template = run.tmp / "template"
    make_vault(template)
    during, duration = 0, 0.0
    for k in range(kills):
        where = run.where("import", k, kills) + f", import takes {duration:.3f}s"
        vault_dir = run.tmp / f"target-{k}"
        shutil.copytree(template, vault_dir)
        killed = run_and_kill(
            vault_dir,
            "import",
            large.path,
            large.identity_file,
            rng=run.rng,
            wait_for=_IMPORTED if k == 0 else re.compile("ready"),
            max_delay=CALIBRATION_DELAY if k == 0 else duration * 1.15,
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        assert killed.lines[:1] == ["ready"], f"{where}: {killed.lines}"
        done = [m for line in killed.lines[1:] if (m := _IMPORTED.fullmatch(line))]
        assert len(done) == len(killed.lines) - 1, f"{where}: {killed.lines}"
        reported = bool(done)
        if done:  # the shortest run seen: a cold first start is slower
            duration = min(float(done[0].group(2)), duration or float("inf"))
        with open_directory(vault_dir) as directory:
            vault = directory.unlock(PASSPHRASE)
            try:
                _self_test_ok(vault, where)
                present = _present(vault, large.ids)
                imports = [e for e in audit.entries(vault.conn) if e.action == audit.Action.IMPORT]
                peers = sync_repo.peers(vault.conn)
            finally:
                vault.close(auto_backup=False)
        assert present in (0, len(large.ids)), (
            f"{where}: partial import: {present} of {len(large.ids)} records present"
        )
        whole = present == len(large.ids)
        assert not reported or whole, f"{where}: reported imported but records are missing"
        # The import's bookkeeping commits with the records or not at all.
        assert len(imports) == int(whole) and len(peers) == int(whole), (
            f"{where}: records {'present' if whole else 'absent'} but {len(imports)} import"
            f" audit entries and {len(peers)} peers"
        )
        during += not whole
        shutil.rmtree(vault_dir)
    # Most kills must land inside the import, or this proves little.
    assert during * 2 >= kills - 1, (
        f"import, seed={run.seed}: only {during}/{kills} kills mid-import ({duration:.3f}s)"
    )


# --- export -----------------------------------------------------------------------------


def _export(run: Run, kills: int) -> None:
    vault_dir = run.tmp / "vault"
    make_vault(vault_dir)
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        records = fill_large(vault, contacts=800, cases=300)
        vault.close(auto_backup=False)
    identity = pyrage.x25519.Identity.generate()
    recipient_file = run.tmp / "recipient.txt"
    recipient_file.write_text(str(identity.to_public()) + "\n", encoding="utf-8")
    out_dir = run.tmp / "out"
    out_dir.mkdir(mode=0o700)
    out = out_dir / "everything.samraad"
    reported_total = 0
    for k in range(kills):
        where = run.where("export", k, kills)
        killed = run_and_kill(
            vault_dir,
            "export",
            out,
            recipient_file,
            rng=run.rng,
            wait_for=_EXPORTED,
            max_delay=MAX_DELAY["export"],
            where=where,
            stderr_path=run.tmp / "writer.stderr",
        )
        reported_total += len(_numbers(killed.lines, _EXPORTED, where))
        # Under its final name only a whole bundle: it decrypts, verifies and parses.
        finals = [p for p in out_dir.iterdir() if not p.name.startswith(".")]
        assert finals == [out], f"{where}: unexpected files {finals}"
        try:
            parsed = bundle.unpack(bundle.decrypt(out.read_bytes(), identities=[str(identity)]))
        except bundle.BadBundle as exc:
            pytest.fail(f"{where}: half-written bundle under its final name: {exc}")
        assert len(parsed.records["contacts"]) == 800, where
        assert sum(len(r) for r in parsed.records.values()) >= records, where
        with open_directory(vault_dir) as directory:
            vault = directory.unlock(PASSPHRASE)
            try:
                _self_test_ok(vault, where)
                exports = [e for e in audit.entries(vault.conn) if e.action == audit.Action.EXPORT]
            finally:
                vault.close(auto_backup=False)
        # Every reported export was audited (an unreported one may have been too).
        assert len(exports) >= reported_total, f"{where}: {len(exports)} < {reported_total}"


# --- migration of the schema-1 fixture ------------------------------------------------------


def _schema_objects(conn: object) -> frozenset[tuple[str, str]]:
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return frozenset((str(t), str(n)) for t, n in rows)


def _objects_per_version(tmp: Path) -> dict[int, frozenset[tuple[str, str]]]:
    """The schema objects a clean upgrade of the fixture has after each version."""
    work = tmp / "reference"
    shutil.copytree(SCHEMA1_FIXTURE, work)
    key = keyfile_mod.unwrap_with_passphrase(
        keyfile_mod.read(work / "vault.key"), SCHEMA1_PASSPHRASE
    )
    conn = open_database(work / "vault.db", key)
    try:
        objects = {1: _schema_objects(conn)}
        for version in range(2, migrate.latest_version() + 1):
            migrate.upgrade(conn, target=version)
            objects[version] = _schema_objects(conn)
    finally:
        conn.close()
    return objects


def _migrate(run: Run, kills: int) -> None:
    reference = _objects_per_version(run.tmp)
    latest = migrate.latest_version()
    key = keyfile_mod.unwrap_with_passphrase(
        keyfile_mod.read(SCHEMA1_FIXTURE / "vault.key"), SCHEMA1_PASSPHRASE
    )
    versions_seen: Counter[int] = Counter()
    duration = 0.0
    for k in range(kills):
        where = run.where("migrate", k, kills) + f", upgrade takes {duration:.3f}s"
        vault_dir = run.tmp / f"old-{k}"
        shutil.copytree(SCHEMA1_FIXTURE, vault_dir)
        # After the calibration run the writer times its own kill: the upgrade
        # takes milliseconds, less than it takes this process to see "opening".
        killed = run_and_kill(
            vault_dir,
            "migrate",
            rng=run.rng,
            wait_for=_MIGRATED if k == 0 else re.compile("opening"),
            max_delay=CALIBRATION_DELAY if k == 0 else SELF_KILL_BACKSTOP,
            where=where,
            stderr_path=run.tmp / "writer.stderr",
            self_kill_after=None if k == 0 else run.rng.uniform(0.0, duration * 1.15),
        )
        done = [m for line in killed.lines[1:] if (m := _MIGRATED.fullmatch(line))]
        assert killed.lines[:1] == ["opening"], f"{where}: {killed.lines}"
        assert len(done) == len(killed.lines) - 1, f"{where}: {killed.lines}"
        finished = bool(done)
        if done:  # the shortest run seen: a cold first start is slower
            duration = min(float(done[0].group(2)), duration or float("inf"))
        # As the kill left it: exactly the schema of one version, never half a step.
        conn = open_database(vault_dir / "vault.db", key)
        try:
            version = migrate.schema_version(conn)
            objects = _schema_objects(conn)
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
        assert integrity == [("ok",)], f"{where}: {integrity}"
        assert 1 <= version <= latest, f"{where}: schema version {version}"
        assert objects == reference[version], (
            f"{where}: schema {version} is half-migrated: extra"
            f" {sorted(objects - reference[version])[:5]}, missing"
            f" {sorted(reference[version] - objects)[:5]}"
        )
        assert not finished or version == latest, f"{where}: reported migrated at {version}"
        versions_seen[version] += 1
        # The next open finishes the upgrade and keeps the fixture's data.
        with open_directory(vault_dir) as directory:
            vault = directory.unlock(SCHEMA1_PASSPHRASE)
            try:
                _self_test_ok(vault, where)
                assert vault.schema_version() == latest, where
                value = vault.conn.execute(
                    "SELECT value FROM settings WHERE key = 'idle_lock_minutes'"
                ).fetchone()
                assert value == ("5",), f"{where}: the fixture's setting is {value}"
            finally:
                vault.close(auto_backup=False)
        shutil.rmtree(vault_dir)
    # Most kills must catch the upgrade part-way, or this proves little.
    assert sum(n for v, n in versions_seen.items() if v < latest) * 2 >= kills - 1, (
        f"migrate, seed={run.seed}: versions at kill time {dict(versions_seen)}"
        f" (upgrade takes {duration:.3f}s)"
    )


WORKLOADS: dict[str, Callable[[Run, int], None]] = {
    "rows": _rows,
    "autosave": _autosave,
    "backup": _backup,
    "passphrase": _passphrase,
    "import": _import,
    "export": _export,
    "migrate": _migrate,
}
slow = pytest.mark.slow


@pytest.mark.parametrize(
    ("workload", "kills", "seed"),
    [
        pytest.param("import", 5, 9_001, id="import"),
        pytest.param("export", 5, 9_002, id="export"),
        pytest.param("migrate", 10, 9_003, id="migrate"),
        pytest.param("rows", 12, 9_101, marks=slow, id="rows-slow"),
        pytest.param("autosave", 12, 9_102, marks=slow, id="autosave-slow"),
        pytest.param("backup", 10, 9_103, marks=slow, id="backup-slow"),
        pytest.param("passphrase", 10, 9_104, marks=slow, id="passphrase-slow"),
        pytest.param("import", 15, 9_105, marks=slow, id="import-slow"),
        pytest.param("export", 12, 9_106, marks=slow, id="export-slow"),
        pytest.param("migrate", 30, 9_107, marks=slow, id="migrate-slow"),
    ],
)
def test_sigkill_at_random_moments_loses_nothing_reported(
    workload: str, kills: int, seed: int, tmp_path: Path
) -> None:
    WORKLOADS[workload](Run(tmp_path, seed, random.Random(seed)), kills)
