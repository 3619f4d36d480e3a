"""Proof: two vaults make random edits and exchange bundles, repeatedly.

At the end (after a final A→B, B→A, A→B) both hold the same data except the
records with a listed conflict, no edit is lost (each written value is the
current value, is in a listed conflict, or was later overwritten by a local
edit that had it in front of it), and a withdrawn consent stays withdrawn.

Two variants: each bundle imported right after its export, and bundles
exported and imported in random order (crossing in flight, arriving late,
imported twice). The vaults are real SQLCipher vaults (fast test KDF) made
inside each example.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyrage
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st

from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import ConsentForm
from app.domain.merge import content_hash
from app.services import (
    agenda_service,
    agreements_service,
    cases_service,
    minutes_service,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.store import forums_repo, records, roles_repo, sync_repo
from app.store.vault import Vault, VaultDirectory
from app.sync import identity
from app.sync.bundle import BadBundle
from app.sync.exporter import export_bundle
from app.sync.importer import import_bundle
from app.sync.records import comparable
from tests.helpers.vaults import PASSPHRASE, open_directory

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENTS = [str(IDENTITY.to_public())]
IDENTITIES = [str(IDENTITY)]
TODAY = date(2026, 11, 23)
OTHER = {"A": "B", "B": "A"}

EDITS = (
    "add_district",
    "rename_district",
    "delete_district",
    "add_case",
    "case_concern",
    "close_case",
    "add_consent",
    "withdraw_consent",
    "consent_purpose",
    "add_agreement",
    "agreement_status",
    "minutes_discussion",
    "annotate_meeting",
)
# Exchanges are listed twice so that they come up about as often as edits.
IMMEDIATE = (*EDITS, "sync", "sync")
RANDOM_ORDER = (*EDITS, "sync", "export", "export", "import", "import")
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _ops(names: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str, int]]]:
    return st.lists(
        st.tuples(st.sampled_from(("A", "B")), st.sampled_from(names), st.integers(0, 15)),
        max_size=12,
    )


@dataclass(frozen=True)
class Edit:
    """One value written by one side."""

    step: int
    side: str
    table: str
    record_id: str
    column: str
    value: Any


@dataclass
class World:
    """Two offices: A exports to the peer named "B" and B to the peer named "A"."""

    root: Path
    vaults: dict[str, Vault] = field(default_factory=dict)
    directories: list[VaultDirectory] = field(default_factory=list)
    pending: dict[str, list[bytes]] = field(default_factory=lambda: {"A": [], "B": []})
    edits: list[Edit] = field(default_factory=list)
    # (table, id, column, value) a local edit or deletion replaced: superseded.
    overwritten: set[tuple[str, str, str, Any]] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    site: str = ""
    meeting: str = ""
    item: str = ""

    # --- set-up ------------------------------------------------------------------

    def open(self) -> None:
        for side in ("A", "B"):
            directory = open_directory(self.root / side)
            self.directories.append(directory)
            vault = directory.create(PASSPHRASE, "DK").vault
            with vault.transaction() as conn:
                sync_repo.set_meta(conn, identity.NAME, side)
            self.vaults[side] = vault
        a = self.vaults["A"]
        district, _c = sites_service.add_district(a, "Nordskov skoledistrikt")
        self.site, _c = sites_service.add_site(a, "Nordskov Skole", SiteKind.SCHOOL, district)
        forum = next(f for f in forums_repo.list_all(a.conn) if f.kind == ForumKind.DIALOGUE)
        self.meeting, _c = CalendarService(a).add_meeting(
            forum.id, self.site, datetime.combine(TODAY - timedelta(days=3), time(10, 0))
        )
        case, _c = cases_service.create_anonymous(a, "Ida", self.site, "Uro.", TODAY)
        self._consent(a, case, "Tværfagligt samarbejde.")
        self.item, _c = agenda_service.add_case_item(a, self.meeting, case, minutes=20)
        minutes_service.start(a, self.meeting)
        self.sync("A")
        self.sync("B")

    def close(self) -> None:
        for vault in self.vaults.values():
            if vault.is_open:
                if vault.conn.in_transaction:  # only after a failure
                    vault.conn.execute("ROLLBACK")
                vault.close(auto_backup=False)
        for directory in self.directories:
            directory.release()

    # --- exchanges -----------------------------------------------------------------

    def export(self, side: str) -> None:
        out = self.root / "bundles" / f"{uuid.uuid4()}.samraad"
        out.parent.mkdir(exist_ok=True)
        export_bundle(self.vaults[side], out, recipients=RECIPIENTS, peer_name=OTHER[side])
        self.pending[OTHER[side]].append(out.read_bytes())

    def load(self, side: str, data: bytes) -> bool:
        """Import one bundle; False when it refers to records this side lacks yet."""
        try:
            import_bundle(self.vaults[side], data, identities=IDENTITIES, trust_new_sender=True)
        except BadBundle as exc:
            if "exist nowhere" not in str(exc):
                raise
            return False
        return True

    def import_one(self, side: str, k: int) -> None:
        queue = self.pending[side]
        if queue:
            data = queue[k % len(queue)]
            if self.load(side, data):
                queue.remove(data)

    def sync(self, side: str) -> None:
        self.export(side)
        self.import_one(OTHER[side], -1)

    def import_all(self, side: str) -> None:
        """Everything still in flight, oldest first."""
        queue = self.pending[side]
        while queue:
            assert self.load(side, queue[0]), "an in-order import was refused"
            queue.pop(0)

    # --- edits --------------------------------------------------------------------

    def _ids(self, vault: Vault, sql: str) -> list[str]:
        return [r[0] for r in vault.conn.execute(sql + " ORDER BY id")]

    def _pick(self, vault: Vault, sql: str, k: int) -> str | None:
        ids = self._ids(vault, sql)
        return ids[k % len(ids)] if ids else None

    def _wrote(self, step: int, side: str, table: str, rid: str, column: str, old: Any) -> None:
        row = sync_repo.row(self.vaults[side].conn, table, rid)
        assert row is not None
        if old is not None:
            self.overwritten.add((table, rid, column, old))
        self.edits.append(Edit(step, side, table, rid, column, row[column]))

    def _update(self, step: int, side: str, table: str, rid: str, **values: Any) -> None:
        vault = self.vaults[side]
        before = sync_repo.row(vault.conn, table, rid)
        assert before is not None
        with vault.transaction() as conn:
            assert records.update(conn, vault.ctx, table, rid, values)
        for column in values:
            self._wrote(step, side, table, rid, column, before[column])

    def _consent(self, vault: Vault, case: str, purpose: str) -> str:
        found = self._ids(vault, f"SELECT id FROM guardians WHERE case_id = '{case}'")
        guardian = (
            found[0]
            if found
            else cases_service.add_guardian(vault, case, "Mette Holm", "mor", True)[0]
        )
        consent, _c = cases_service.record_consent(
            vault,
            case,
            TODAY - timedelta(days=30),
            ConsentForm.WRITTEN,
            [guardian],
            [roles_repo.list_all(vault.conn)[0].id],
            purpose=purpose,
        )
        return consent

    def edit(self, step: int, side: str, op: str, k: int) -> None:
        vault = self.vaults[side]
        value = f"{op} {side}{step}"
        rid: str | None
        if op == "add_district":
            rid, _c = sites_service.add_district(vault, value)
            self._wrote(step, side, "districts", rid, "name", None)
        elif op == "rename_district":
            rid = self._pick(vault, "SELECT id FROM districts", k)
            if rid:
                self._update(step, side, "districts", rid, name=value)
        elif op == "delete_district":
            rid = self._pick(
                vault,
                "SELECT id FROM districts WHERE id NOT IN"
                " (SELECT district_id FROM sites WHERE district_id IS NOT NULL)",
                k,
            )
            if rid:
                old = sync_repo.row(vault.conn, "districts", rid)
                assert old is not None
                with vault.transaction() as conn:
                    assert records.delete(conn, "districts", rid)
                self.overwritten.add(("districts", rid, "name", old["name"]))
        elif op == "add_case":
            rid, _c = cases_service.create_anonymous(vault, "Bo", self.site, value, TODAY)
            self._wrote(step, side, "cases", rid, "concern", None)
        elif op == "case_concern":
            rid = self._pick(vault, "SELECT id FROM cases", k)
            if rid:
                self._update(step, side, "cases", rid, concern=value)
        elif op == "close_case":
            rid = self._pick(vault, "SELECT id FROM cases", k)
            if rid:
                old = sync_repo.row(vault.conn, "cases", rid)
                assert old is not None
                cases_service.close_case(vault, rid, TODAY + timedelta(days=step))
                self._wrote(step, side, "cases", rid, "closed_on", old["closed_on"])
        elif op == "add_consent":
            case = self._pick(vault, "SELECT id FROM cases", k)
            if case:
                rid = self._consent(vault, case, value)
                self._wrote(step, side, "consents", rid, "purpose", None)
        elif op == "withdraw_consent":
            rid = self._pick(vault, "SELECT id FROM consents WHERE withdrawn_on IS NULL", k)
            if rid:
                old = sync_repo.row(vault.conn, "consents", rid)
                assert old is not None
                cases_service.withdraw_consent(vault, rid, TODAY, value)
                self._wrote(step, side, "consents", rid, "withdrawn_by", old["withdrawn_by"])
                self.withdrawn.add(rid)
        elif op == "consent_purpose":
            rid = self._pick(vault, "SELECT id FROM consents", k)
            if rid:
                self._update(step, side, "consents", rid, purpose=value)
        elif op == "add_agreement":
            rid, _c = minutes_service.add_agreement(vault, self.item, value)
            self._wrote(step, side, "agreements", rid, "what", None)
        elif op == "agreement_status":
            rid = self._pick(vault, "SELECT id FROM agreements", k)
            if rid:
                old = sync_repo.row(vault.conn, "agreements", rid)
                assert old is not None
                agreements_service.set_status(vault, rid, agreements_service.STATUSES[k % 3])
                self._wrote(step, side, "agreements", rid, "status", old["status"])
        elif op == "minutes_discussion":
            rid = self._pick(
                vault, f"SELECT id FROM item_minutes WHERE agenda_item_id = '{self.item}'", 0
            )
            assert rid
            old = sync_repo.row(vault.conn, "item_minutes", rid)
            assert old is not None
            minutes_service.save_field(vault, self.item, "discussion", value)
            self._wrote(step, side, "item_minutes", rid, "discussion", old["discussion"])
        elif op == "annotate_meeting":
            old = sync_repo.row(vault.conn, "meetings", self.meeting)
            assert old is not None
            CalendarService(vault).annotate(self.meeting, value)
            self._wrote(step, side, "meetings", self.meeting, "note", old["note"])
        else:
            raise AssertionError(op)

    def run(self, ops: list[tuple[str, str, int]]) -> None:
        for step, (side, op, k) in enumerate(ops, start=1):
            if op == "sync":
                self.sync(side)
            elif op == "export":
                self.export(side)
            elif op == "import":
                self.import_one(side, k)
            else:
                self.edit(step, side, op, k)
        # Whatever is still in flight arrives, then a final round trip.
        self.import_all("A")
        self.import_all("B")
        self.sync("A")
        self.sync("B")
        self.sync("A")

    # --- the property -------------------------------------------------------------

    def check(self) -> None:
        a, b = self.vaults["A"], self.vaults["B"]
        conflicts = [*sync_repo.open_conflicts(a.conn), *sync_repo.open_conflicts(b.conn)]
        conflicted = {(c["table_name"], c["record_id"]) for c in conflicts}
        if currently_in_test_context():  # statistics for --hypothesis-show-statistics
            event(f"conflicts listed: {min(len(conflicts), 3)}")
            event(f"withdrawals: {bool(self.withdrawn)}")
        listed: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for c in conflicts:
            for key in ("kept", "other"):
                if c[key]:
                    listed.setdefault((c["table_name"], c["record_id"]), []).append(
                        json.loads(c[key])
                    )
        rows = {
            side: {
                t: {r["id"]: r for r in sync_repo.all_rows(v.conn, t)}
                for t in sync_repo.SYNC_TABLES
            }
            for side, v in self.vaults.items()
        }
        # (a) The same data on both sides, except records with a listed conflict.
        for table in sync_repo.SYNC_TABLES:
            for rid in rows["A"][table].keys() | rows["B"][table].keys():
                if (table, rid) in conflicted:
                    continue
                mine, theirs = rows["A"][table].get(rid), rows["B"][table].get(rid)
                assert mine is not None and theirs is not None, (
                    f"{table} {rid} only in {'A' if theirs is None else 'B'}, no conflict"
                )
                assert content_hash(comparable(table, mine)) == content_hash(
                    comparable(table, theirs)
                ), (table, _diff(mine, theirs))
        # (b) No edit is lost.
        for e in self.edits:
            current = {
                found[e.column]
                for side in ("A", "B")
                if (found := rows[side][e.table].get(e.record_id)) is not None
            }
            in_conflicts = {v.get(e.column) for v in listed.get((e.table, e.record_id), [])}
            superseded = (e.table, e.record_id, e.column, e.value) in self.overwritten
            assert e.value in current or e.value in in_conflicts or superseded, (
                f"lost: {e}; now {current}, listed {in_conflicts}"
            )
        # (c) A withdrawn consent stays withdrawn, on both sides.
        for rid in self.withdrawn:
            for side in ("A", "B"):
                found = rows[side]["consents"].get(rid)
                assert found is not None and found["withdrawn_on"] is not None, (side, rid)


def _diff(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        k: (mine.get(k), theirs.get(k))
        for k in mine.keys() | theirs.keys()
        if k not in ("updated_at", "writer_vault_id") and mine.get(k) != theirs.get(k)
    }


def _play(ops: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory(prefix="samraad-merge-") as tmp:
        world = World(Path(tmp))
        try:
            world.open()
            world.run(ops)
            world.check()
        finally:
            world.close()


@SETTINGS
@given(ops=_ops(IMMEDIATE))
def test_random_edits_exchanged_at_once_converge(ops: list[tuple[str, str, int]]) -> None:
    _play(ops)


@SETTINGS
@given(ops=_ops(RANDOM_ORDER))
# Bundles that cross in flight (each side exports before importing the other's).
@example(
    ops=[
        ("A", "rename_district", 0),
        ("A", "export", 0),
        ("B", "rename_district", 0),
        ("B", "sync", 0),
    ]
)
@example(
    ops=[
        ("A", "withdraw_consent", 0),
        ("A", "export", 0),
        ("B", "consent_purpose", 0),
        ("B", "sync", 0),
    ]
)
def test_random_edits_exchanged_in_random_order_converge(
    ops: list[tuple[str, str, int]],
) -> None:
    _play(ops)


def test_the_model_sees_a_plain_exchange() -> None:
    """A fixed example, so a broken model cannot pass vacuously."""
    with tempfile.TemporaryDirectory(prefix="samraad-merge-") as tmp:
        world = World(Path(tmp))
        try:
            world.open()
            world.run(
                [
                    ("A", "rename_district", 0),
                    ("B", "add_consent", 0),
                    ("B", "withdraw_consent", 0),
                    ("A", "add_agreement", 0),
                    ("B", "minutes_discussion", 0),
                ]
            )
            world.check()
            a, b = world.vaults["A"], world.vaults["B"]
            assert len(world.edits) == 5 and len(world.withdrawn) == 1
            assert sync_repo.open_conflicts(a.conn) == sync_repo.open_conflicts(b.conn) == []
            [district] = sync_repo.all_rows(b.conn, "districts")
            assert district["name"] == "rename_district A1"
        finally:
            world.close()
