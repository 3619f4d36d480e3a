"""The Sync page between two real vaults: the demo window and a second vault in tmp.

Passphrase bundles cost seconds of scrypt each, so only the flows that need
one use one; the rest use a test age key (an identity file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import sites_service, sync_service
from app.services.sync_service import ImportDone
from app.store import records, sync_repo
from app.store.vault import Vault
from app.sync import identity
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.ui.conftest import vault_of, wait_idle
from ui.main_window import MainWindow
from ui.models.id_table_model import ID_ROLE
from ui.models.sync_models import (
    CaseChoiceModel,
    ConflictsModel,
    RecentImportsModel,
    ReportModel,
)
from ui.views.import_dialog import ImportDialog, TrustDialog
from ui.views.sync_view import SyncView
from ui.widgets import file_dialogs

KEY = pyrage.x25519.Identity.generate()
RECIPIENT = str(KEY.to_public())


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Vault]:
    """A second vault (another advisor's), named "office"."""
    directory = open_directory(tmp_path / "other")
    vault = directory.create(PASSPHRASE, "DK").vault
    with vault.transaction() as conn:
        sync_repo.set_meta(conn, identity.NAME, "office")
    yield vault
    directory.release()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "office-key.txt"
    path.write_text(f"{KEY}\n")
    return path


def _view(window: MainWindow, qtbot: QtBot) -> SyncView:
    window.navigate("sync")
    wait_idle(qtbot, window)
    view = window.views["sync"]
    assert isinstance(view, SyncView)
    return view


def _rename(vault: Vault, table: str, record_id: str, name: str) -> None:
    with vault.transaction() as conn:
        assert records.update(conn, vault.ctx, table, record_id, {"name": name})


def _name(vault: Vault, record_id: str) -> str:
    found = sync_repo.row(vault.conn, "districts", record_id)
    assert found is not None
    return str(found["name"])


def test_an_export_with_a_passphrase_opens_in_the_other_vault(
    demo_window: MainWindow,
    other: Vault,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = _view(demo_window, qtbot)
    panel = view.export_panel
    assert "Settings" in panel.office_label.text()  # no office key in the demo
    assert not panel.office_radio.isEnabled()
    target = tmp_path / "out" / "demo.samraad"
    target.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "ask_save_path", lambda *_a: target)

    panel.all_radio.setChecked(True)
    qtbot.keyClicks(panel.passphrase, "fælles hemmelighed")
    qtbot.keyClicks(panel.repeat, "fælles hemmelig")
    panel.export_button.click()
    assert panel.status.text() == "The two passphrases differ."
    assert not target.exists()

    qtbot.keyClicks(panel.repeat, "hed")
    panel.export_button.click()
    wait_idle(qtbot, demo_window, timeout=20_000)

    assert panel.status.text().startswith("Bundle written to demo.samraad: ")
    assert panel.passphrase.text() == "" and target.exists()
    outcome = sync_service.import_file(
        other, target, passphrase="fælles hemmelighed", trust_new_sender=True
    )
    assert isinstance(outcome, ImportDone)
    cases = demo_window.session.executor.call(
        lambda v: len(sync_repo.all_rows(v.conn, "cases")), vault_of(demo_window)
    )
    assert outcome.report.added["cases"] == cases == len(sync_repo.all_rows(other.conn, "cases"))


def test_a_bundle_is_imported_after_trusting_its_sender(
    demo_window: MainWindow,
    other: Vault,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    district, _c = sites_service.add_district(other, "Fjordby skoledistrikt")
    bundle_path = tmp_path / "from-office.samraad"
    sync_service.export(other, bundle_path, passphrase="kontoret", everything=True)
    view = _view(demo_window, qtbot)
    monkeypatch.setattr(file_dialogs, "ask_open_path", lambda *_a: bundle_path)

    # A wrong passphrase: one sentence, nothing changes.
    view.import_button.click()
    dialog = view.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.keyClicks(dialog.passphrase, "forkert")
    dialog.accept()
    wait_idle(qtbot, demo_window, timeout=20_000)
    assert view.import_status.text() == (
        "The bundle passphrase is wrong, or the bundle's header is damaged."
    )
    assert not view.report_table.isVisibleTo(view)

    # The right passphrase: the unknown sender is shown with its fingerprint.
    view.import_button.click()
    dialog = view.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.keyClicks(dialog.passphrase, "kontoret")
    dialog.accept()
    wait_idle(qtbot, demo_window, timeout=20_000)
    trust = view.dialog
    assert isinstance(trust, TrustDialog)
    expected = sync_service.fingerprint(identity.public_key(other))
    assert trust.fingerprint.text() == expected
    assert (
        demo_window.session.executor.call(lambda v: sync_repo.peers(v.conn), vault_of(demo_window))
        == []
    )
    trust.accept()
    wait_idle(qtbot, demo_window, timeout=20_000)

    assert view.import_status.text().startswith("Imported from office: ")
    assert view.report_table.isVisibleTo(view)
    assert "districts" in view.report_model.ids()
    assert (
        demo_window.session.executor.call(lambda v: _name(v, district), vault_of(demo_window))
        == "Fjordby skoledistrikt"
    )
    assert [
        view.recent_model.row_object(r).peer_name for r in range(view.recent_model.rowCount())
    ] == ["office"]
    qtmodeltester.check(view.report_model)  # type: ignore[attr-defined]
    qtmodeltester.check(view.recent_model)  # type: ignore[attr-defined]


def test_a_conflict_is_listed_and_taking_theirs_changes_the_vault(
    demo_window: MainWindow,
    other: Vault,
    qtbot: QtBot,
    tmp_path: Path,
    key_file: Path,
    qtmodeltester: object,
) -> None:
    window_vault = vault_of(demo_window)
    call = demo_window.session.executor.call
    first = tmp_path / "1.samraad"
    call(
        lambda v: sync_service.export(v, first, recipient=RECIPIENT, peer_name="office"),
        window_vault,
    )
    assert isinstance(
        sync_service.import_file(other, first, identity_file=key_file, trust_new_sender=True),
        ImportDone,
    )
    district = sync_repo.all_rows(other.conn, "districts")[0]["id"]
    window_name = call(identity.name, window_vault)
    call(lambda v: _rename(v, "districts", district, "Mine"), window_vault)
    _rename(other, "districts", district, "Theirs")
    second = tmp_path / "2.samraad"
    sync_service.export(other, second, recipient=RECIPIENT, peer_name=window_name)
    outcome = call(
        lambda v: sync_service.import_file(
            v, second, identity_file=key_file, trust_new_sender=True
        ),
        window_vault,
    )
    assert outcome.report.conflicts == {"districts": 1}

    view = _view(demo_window, qtbot)
    view.reload()
    wait_idle(qtbot, demo_window)
    assert view.conflicts_model.rowCount() == 1
    row = [view.conflicts_model.index(0, c).data() for c in range(4)]
    assert row[0] == "Districts" and row[1] == "Mine" and row[3] == "office"
    assert view.conflicts_table.selected_id() is not None
    assert view.keep_button.isEnabled() and view.take_button.isEnabled()
    qtmodeltester.check(view.conflicts_model)  # type: ignore[attr-defined]

    view.take_button.click()
    wait_idle(qtbot, demo_window)

    assert call(lambda v: _name(v, district), window_vault) == "Theirs"
    assert view.conflicts_model.rowCount() == 0
    assert view.conflicts_hint.text() == "No open conflicts."
    assert not view.take_button.isEnabled()
    assert call(sync_service.conflicts, window_vault) == []


def test_chosen_cases_and_the_case_model(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    view = _view(demo_window, qtbot)
    panel = view.export_panel
    model = panel.cases_model
    assert model.rowCount() > 0
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    panel.cases_radio.setChecked(True)
    panel.export_button.click()
    assert panel.status.text() == "Type a bundle passphrase (twice)."
    qtbot.keyClicks(panel.passphrase, "x")
    qtbot.keyClicks(panel.repeat, "x")
    panel.export_button.click()
    assert panel.status.text() == "Check at least one case."
    first = str(model.index(0).data(ID_ROLE))
    model.set_checked(first, True)
    assert model.checked_ids() == (first,)
    assert model.index(0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked

    demo_window.lock()
    assert model.rowCount() == 0 and panel.passphrase.text() == ""
    assert view.conflicts_model.rowCount() == 0


def test_empty_models_pass_the_model_tester(qtmodeltester: object) -> None:
    for model in (ConflictsModel(), ReportModel(), RecentImportsModel(), CaseChoiceModel()):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
