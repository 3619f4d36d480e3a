"""Retention and erasure: what is due, and erasing it so that it is really gone.

The rules are pure (``app/domain/retention.py``); this module loads the
dates, lists what is due, and erases. An erasure:

1. removes the case and every record about it in one transaction (the same
   table list as subject access, ``case_data_repo.CASE_TABLES``), puts their
   ids on the erased list (ids only) and writes one audit entry naming the
   case id and the number of records per table — nothing else;
2. leaves a delete in the change log for each record, which the next export
   sends to peers as a tombstone marked as an erasure;
3. makes it physically gone: WAL checkpoint, VACUUM (secure_delete on),
   TRUNCATE checkpoint;
4. replaces the managed backups: one new automatic backup is made after the
   VACUUM, then every automatic backup and every set-aside vault
   (``backups/replaced-*``) made before the erasure is overwritten with
   zeros and deleted. Re-making each old backup without the case would keep
   the week of history, but would decrypt and rewrite seven databases on every
   erasure; a backup's job is the newest state, so the history restarts at
   the erasure instead;
5. names the bundle files this vault exported earlier that may still hold
   the case: the vault cannot reach them, so the advisor must delete them.

If the program stops between 1 and 4, a flag in the vault says so and
:func:`finish_pending` completes the work the next time.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from app.domain import retention
from app.domain.closures import TIMEZONES
from app.domain.retention import DueItem, ItemKind, RetentionRules
from app.errors import BadInput
from app.fileio import ensure_private_dir, fsync_dir
from app.i18n import _, ngettext
from app.services import cases_service
from app.services.changes import Changes
from app.store import audit, backup, retention_repo, sync_repo
from app.store.retention_repo import BundleExport, CaseLabel
from app.store.vault import Vault

ERASED = "retention.case_erased"
FORM_ERASED = "retention.form_erased"
RULES_CHANGED = "retention.rules_changed"
PENDING = "erasure_cleanup_pending"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DueEntry:
    """A due item with what the list shows of its case (first name, site)."""

    item: DueItem
    case: CaseLabel


@dataclass(frozen=True)
class BundleWarning:
    """A bundle file exported earlier that may still hold an erased case."""

    path: str
    written_at: str
    mode: str
    peer_name: str | None
    exists: bool


@dataclass(frozen=True)
class Cleanup:
    """What making erased data physically gone did to the managed backups."""

    removed_backups: int
    new_backup: Path | None


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure removed, and what the advisor must still see to."""

    cases: tuple[str, ...]
    forms: tuple[str, ...]  # consent ids whose scanned form was erased
    counts: dict[str, int]
    bundles: tuple[BundleWarning, ...]
    cleanup: Cleanup
    changes: Changes

    @property
    def records(self) -> int:
        """Records removed in all."""
        return sum(self.counts.values())


def erasure_sentences(result: ErasureResult) -> tuple[str, str]:
    """What an erasure removed, and what became of the backups made before it."""
    cases = ngettext("{n} case", "{n} cases", len(result.cases)).format(n=len(result.cases))
    forms = ngettext(
        "{n} scanned consent form", "{n} scanned consent forms", len(result.forms)
    ).format(n=len(result.forms))
    erased = _("Erased {cases} and {forms}: {records} records.").format(
        cases=cases, forms=forms, records=result.records
    )
    compacted = ngettext(
        "The database was compacted; {n} backup made before the erasure was deleted "
        "and a new one was made.",
        "The database was compacted; {n} backups made before the erasure were deleted "
        "and a new one was made.",
        result.cleanup.removed_backups,
    ).format(n=result.cleanup.removed_backups)
    return erased, compacted


# --- rules ----------------------------------------------------------------------------


def time_zone(vault: Vault) -> ZoneInfo:
    """The vault's time zone (meeting days are counted in it)."""
    return ZoneInfo(TIMEZONES.get(vault.country, "Europe/Copenhagen"))


def rules(vault: Vault) -> RetentionRules:
    """The vault's retention rules."""
    return retention_repo.rules(vault.conn)


def set_rules(vault: Vault, new: RetentionRules) -> Changes:
    """Change the retention periods (validated: whole months / days within bounds)."""
    problem = new.problem()
    if problem:
        raise BadInput(_(problem))
    with vault.transaction() as conn:
        retention_repo.put_rules(conn, vault.ctx, new)
        audit.append(
            conn,
            vault.now(),
            RULES_CHANGED,
            details={
                "anonymous_months": new.anonymous_months,
                "named_months": new.named_months,
                "withdrawn_form_days": new.withdrawn_form_days,
            },
        )
    return Changes.of("settings")


# --- what is due ----------------------------------------------------------------------


def due(vault: Vault, today: date) -> list[DueEntry]:
    """Everything due for erasure on ``today``, longest overdue first."""
    conn = vault.conn
    items = retention.due_items(
        retention_repo.case_dates(conn, time_zone(vault)),
        retention_repo.forms(conn),
        rules(vault),
        today,
    )
    labels = retention_repo.labels(conn, {i.case_id for i in items})
    return [DueEntry(item, labels[item.case_id]) for item in items if item.case_id in labels]


def due_count(vault: Vault, today: date) -> int:
    """How many items are due (the Overview screen's number)."""
    return len(due(vault, today))


def bundles_holding(vault: Vault, case_ids: list[str]) -> list[BundleWarning]:
    """Bundle files this vault exported that held any of these cases, oldest first."""
    found: dict[str, BundleExport] = {}
    for case_id in case_ids:
        for export in retention_repo.exports_with_case(vault.conn, case_id):
            found[export.id] = export
    return [
        BundleWarning(e.path, e.written_at, e.mode, e.peer_name, Path(e.path).exists())
        for e in sorted(found.values(), key=lambda e: (e.written_at, e.id))
    ]


# --- erasing --------------------------------------------------------------------------


def erase_case(vault: Vault, case_id: str) -> ErasureResult:
    """Erase one case and everything about it, whatever the rules say (e.g. on request)."""
    cases_service.get_case(vault, case_id)
    return _erase(vault, [case_id], [])


def erase_form(vault: Vault, consent_id: str) -> ErasureResult:
    """Erase the scanned form of one consent; the consent record itself stays."""
    form = next((f for f in retention_repo.forms(vault.conn) if f.consent_id == consent_id), None)
    if form is None:
        raise BadInput(_("This consent has no scanned form to erase."))
    return _erase(vault, [], [(form.consent_id, form.attachment_id, form.case_id)])


def erase_due(vault: Vault, today: date) -> ErasureResult:
    """Erase everything due on ``today`` in one transaction, then clean up once."""
    items = [entry.item for entry in due(vault, today)]
    cases = [i.case_id for i in items if i.kind is ItemKind.CASE]
    forms = [
        (i.consent_id, i.attachment_id, i.case_id)
        for i in items
        if i.kind is ItemKind.CONSENT_FORM and i.consent_id and i.attachment_id
    ]
    return _erase(vault, cases, forms)


def _erase(vault: Vault, case_ids: list[str], forms: list[tuple[str, str, str]]) -> ErasureResult:
    if not case_ids and not forms:
        return ErasureResult((), (), {}, (), Cleanup(0, None), Changes())
    # Named before the export log forgets them.
    warnings = bundles_holding(vault, case_ids + [case for _c, _a, case in forms])
    per_case = {c: len(retention_repo.exports_with_case(vault.conn, c)) for c in case_ids}
    counts: dict[str, int] = {}
    at = vault.now()
    ids: set[str] = set()
    with vault.transaction() as conn, retention_repo.purged_full_text(conn):
        for case_id in case_ids:
            rows = retention_repo.rows_of_case(conn, case_id)
            ids.update(i for table_ids in rows.values() for i in table_ids)
            removed = retention_repo.erase_case(conn, case_id, at, rows)
            _add(counts, removed)
            details: dict[str, audit.DetailValue] = dict(sorted(removed.items()))
            details["bundles"] = per_case[case_id]
            audit.append(conn, at, ERASED, "case", case_id, details)
        for consent_id, attachment_id, _case in forms:
            removed = retention_repo.erase_form(conn, vault.ctx, consent_id, attachment_id, at)
            ids.update((consent_id, attachment_id))
            _add(counts, removed)
            audit.append(conn, at, FORM_ERASED, "consent", consent_id, dict(removed))
        sync_repo.set_meta(conn, PENDING, at)
    cleanup = make_gone(vault)
    tables = frozenset(counts) | ({"consents"} if forms else set())
    return ErasureResult(
        tuple(case_ids),
        tuple(c for c, _a, _case in forms),
        counts,
        tuple(warnings),
        cleanup,
        Changes(tables, frozenset(ids)),
    )


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for table, n in more.items():
        total[table] = total.get(table, 0) + n


# --- really gone ----------------------------------------------------------------------


def finish_pending(vault: Vault) -> Cleanup | None:
    """Complete an erasure's clean-up that an earlier run could not finish."""
    if sync_repo.meta(vault.conn, PENDING) is None:
        return None
    return make_gone(vault)


def make_gone(vault: Vault) -> Cleanup:
    """Compact the database and replace the managed backups made before now.

    The new automatic backup is made first, so a vault is never left without
    one when the disk has room; the old ones are destroyed even if it fails,
    because none of them may outlive an erasure.
    """
    folder = vault.directory.layout.backups
    old = _managed_backups(folder)
    retention_repo.compact(vault.conn)
    new: Path | None = None
    try:
        ensure_private_dir(folder)
        out = folder / backup.auto_backup_name(vault.now())
        vault.backup_to(out, kind="auto")
        new = out
    finally:
        removed = 0
        for path in old:
            if path != new:
                _destroy(path)
                removed += 1
        if folder.is_dir():
            fsync_dir(folder)
    with vault.transaction() as conn:
        conn.execute("DELETE FROM vault_meta WHERE key = ?", (PENDING,))
    vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Cleanup(removed, new)


def _managed_backups(folder: Path) -> list[Path]:
    """Automatic backups and set-aside vaults in the backups folder."""
    if not folder.is_dir():
        return []
    aside = sorted(p for p in folder.glob("replaced-*") if p.is_dir())
    return backup.auto_backups(folder) + aside


def _destroy(path: Path) -> None:
    """Overwrite with zeros, then delete (a folder: everything in it).

    Best effort against the file system: on copy-on-write file systems,
    snapshots and SSDs old blocks may survive; they hold only ciphertext.
    """
    if path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            if child.is_file() and not child.is_symlink():
                _zero(child)
        shutil.rmtree(path, ignore_errors=True)
        return
    _zero(path)
    path.unlink(missing_ok=True)


def _zero(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("r+b") as f:
            left = size
            while left > 0:
                n = min(left, _CHUNK)
                f.write(b"\x00" * n)
                left -= n
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass  # deleting it below is still worth doing
