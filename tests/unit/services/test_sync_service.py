"""The Sync page's service: export/import by file, trust, conflicts, folder status.

Real vaults in a temp dir; bundles are encrypted to a test age key (fast);
passphrase bundles (scrypt costs seconds) are tested through the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pyrage
import pytest

from app.domain.calendar_model import SiteKind
from app.errors import BadInput
from app.services import cases_service, sites_service, sync_service, vault_settings
from app.services.sync_service import ImportDone, SenderQuestion
from app.store import records, sync_repo
from app.store.vault import Vault, VaultDirectory
from app.sync import identity
from tests.helpers.vaults import PASSPHRASE, open_directory

TODAY = date(2026, 11, 23)
KEY = pyrage.x25519.Identity.generate()
RECIPIENT = str(KEY.to_public())


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[Callable[[str], Vault]]:
    held: list[VaultDirectory] = []

    def make(name: str) -> Vault:
        directory = open_directory(tmp_path / "vaults" / name)
        held.append(directory)
        vault = directory.create(PASSPHRASE, "DK").vault
        with vault.transaction() as conn:
            sync_repo.set_meta(conn, identity.NAME, name)
        return vault

    yield make
    for directory in held:
        directory.release()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "office-key.txt"
    path.write_text(f"# test key\n{KEY}\n")
    return path


def _district(vault: Vault) -> str:
    district, _c = sites_service.add_district(vault, "Nordskov skoledistrikt")
    site, _c = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, district)
    cases_service.create_anonymous(
        vault, "Ida", site, "Trækker sig.", TODAY, age_or_year="3. klasse"
    )
    return district


def _rename(vault: Vault, district: str, name: str) -> None:
    with vault.transaction() as conn:
        assert records.update(conn, vault.ctx, "districts", district, {"name": name})


def _name(vault: Vault, district: str) -> str | None:
    found = sync_repo.row(vault.conn, "districts", district)
    return None if found is None else str(found["name"])


def _send(a: Vault, b: Vault, out: Path, key_file: Path, peer: str = "office") -> ImportDone:
    sync_service.export(a, out, recipient=RECIPIENT, peer_name=peer)
    outcome = sync_service.import_file(b, out, identity_file=key_file, trust_new_sender=True)
    assert isinstance(outcome, ImportDone)
    return outcome


def test_an_unknown_sender_is_asked_about_with_its_fingerprint_first(
    make_vault: Callable[[str], Vault], tmp_path: Path, key_file: Path
) -> None:
    a, b = make_vault("alpha"), make_vault("office")
    _district(a)
    out = tmp_path / "a.samraad"
    done = sync_service.export(a, out, recipient=RECIPIENT, everything=True)
    assert done.result.records > 0 and "sync_peers" in done.changes.tables

    question = sync_service.import_file(b, out, identity_file=key_file)

    assert isinstance(question, SenderQuestion)
    assert question.name == "alpha"
    assert question.fingerprint == sync_service.overview(a, TODAY).own_fingerprint
    assert len(question.fingerprint.split()) == 8
    assert sync_repo.all_rows(b.conn, "cases") == [] and sync_repo.peers(b.conn) == []

    outcome = sync_service.import_file(b, out, identity_file=key_file, trust_new_sender=True)
    assert isinstance(outcome, ImportDone)
    assert outcome.report.added["cases"] == 1 and "cases" in outcome.changes.tables
    shown = sync_service.overview(b, TODAY)
    assert shown.peers == ("alpha",)
    assert [r.peer_name for r in shown.recent_imports] == ["alpha"]
    assert [c.label for c in shown.cases] == ["Ida (3. klasse)"]


def test_bad_requests_are_one_sentence(
    make_vault: Callable[[str], Vault], tmp_path: Path, key_file: Path
) -> None:
    b = make_vault("office")
    with pytest.raises(BadInput):
        sync_service.import_file(b, tmp_path / "missing.samraad", identity_file=key_file)
    with pytest.raises(BadInput):
        sync_service.import_file(b, tmp_path / "x", identity_file=key_file, passphrase="x")
    with pytest.raises(BadInput):
        sync_service.resolve(b, "no-such-conflict", take_theirs=True)


@pytest.fixture
def conflicted(
    make_vault: Callable[[str], Vault], tmp_path: Path, key_file: Path
) -> tuple[Vault, Vault, str]:
    """A and B both renamed the same district; B imported A's version: a conflict in B."""
    a, b = make_vault("alpha"), make_vault("office")
    district = _district(a)
    _send(a, b, tmp_path / "1.samraad", key_file)
    _rename(a, district, "Nordskov (A)")
    _rename(b, district, "Nordskov (B)")
    report = _send(a, b, tmp_path / "2.samraad", key_file).report
    assert report.conflicts == {"districts": 1}
    return a, b, district


def test_open_conflicts_are_listed_with_label_and_sender(
    conflicted: tuple[Vault, Vault, str],
) -> None:
    _a, b, district = conflicted
    [conflict] = sync_service.overview(b, TODAY).conflicts
    assert (conflict.table, conflict.record_id, conflict.kind) == ("districts", district, "update")
    assert conflict.record_label == "Nordskov (B)"
    assert conflict.peer_name == "alpha" and conflict.can_keep_mine


def test_taking_theirs_writes_the_other_version(conflicted: tuple[Vault, Vault, str]) -> None:
    _a, b, district = conflicted
    [conflict] = sync_service.conflicts(b)
    changes = sync_service.resolve(b, conflict.id, take_theirs=True)
    assert _name(b, district) == "Nordskov (A)"
    assert {"districts", "sync_conflicts"} <= changes.tables
    assert sync_service.conflicts(b) == []
    with pytest.raises(BadInput):
        sync_service.resolve(b, conflict.id, take_theirs=False)


def test_keeping_mine_leaves_the_record(conflicted: tuple[Vault, Vault, str]) -> None:
    _a, b, district = conflicted
    [conflict] = sync_service.conflicts(b)
    sync_service.resolve(b, conflict.id, take_theirs=False)
    assert _name(b, district) == "Nordskov (B)"
    assert sync_service.conflicts(b) == []


def test_a_deletion_conflict_taken_deletes_the_record(
    make_vault: Callable[[str], Vault], tmp_path: Path, key_file: Path
) -> None:
    a, b = make_vault("alpha"), make_vault("office")
    spare, _c = sites_service.add_district(a, "Åbrink skoledistrikt")
    _send(a, b, tmp_path / "1.samraad", key_file)
    with a.transaction() as conn:
        assert records.delete(conn, "districts", spare)
    _rename(b, spare, "Åbrink (B)")
    _send(a, b, tmp_path / "2.samraad", key_file)
    [conflict] = sync_service.conflicts(b)
    assert conflict.kind == "delete" and conflict.record_label == "Åbrink (B)"
    sync_service.resolve(b, conflict.id, take_theirs=True)
    assert _name(b, spare) is None


def test_the_sync_folder_status(make_vault: Callable[[str], Vault], tmp_path: Path) -> None:
    vault = make_vault("alpha")
    assert sync_service.overview(vault, TODAY).folder_reachable is None
    folder = tmp_path / "share"
    folder.mkdir()
    vault_settings.set_sync_folder(vault, str(folder))
    assert sync_service.overview(vault, TODAY).folder_reachable is False
    (folder / "outbox").mkdir()
    (folder / "inbox").mkdir()
    shown = sync_service.overview(vault, TODAY)
    assert shown.folder_reachable is True and shown.sync_folder == str(folder)
