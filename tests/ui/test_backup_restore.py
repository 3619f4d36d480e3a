"""Backing up from Settings and restoring from the unlock screen, as the advisor does.

The file dialogs are native-looking and cannot be driven: the tests replace
``ask_save_path`` / ``ask_open_path`` where the views look them up.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.calendar_service import CalendarService
from app.store import backup
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory
from tests.ui.conftest import MakeWindow, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.models.sync_models import stamp_text
from ui.views import settings_view, unlock_view
from ui.views.backup_restore import RestoreDialog
from ui.views.settings_view import SettingsView

OUTSIDE = "Choose a folder outside the vault's data folder for this file."
RESTORED = "Restored. Unlock with the backup's passphrase."


def _set_travel(vault: Vault, minutes: int) -> None:
    CalendarService(vault).set_travel_buffer(minutes)


def _travel_minutes(vault: Vault) -> int:
    return int(CalendarService(vault).travel_buffer().total_seconds() // 60)


def _travel_of(window: MainWindow) -> int:
    return window.session.executor.call(_travel_minutes, vault_of(window))


def _settings(window: MainWindow, qtbot: QtBot) -> SettingsView:
    window.navigate("settings")
    wait_idle(qtbot, window)
    view = window.views["settings"]
    assert isinstance(view, SettingsView)
    return view


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _backup_elsewhere(tmp_path: Path, minutes: int) -> tuple[Path, str, str]:
    """A backup of another vault (the old laptop's): file, vault id, recovery code."""
    out = tmp_path / "usb" / "move.samraad-backup"
    out.parent.mkdir(exist_ok=True)
    with open_directory(tmp_path / "old-laptop") as directory:
        created = directory.create(PASSPHRASE, "DK")
        _set_travel(created.vault, minutes)
        created.vault.backup_to(out)
        created.vault.close(auto_backup=False)
        return out, directory.vault_id(), created.recovery_code


def _open_restore_dialog(
    window: MainWindow, button_name: str, source: Path, monkeypatch: pytest.MonkeyPatch
) -> RestoreDialog:
    monkeypatch.setattr(unlock_view.file_dialogs, "ask_open_path", lambda *_a: source)
    getattr(window.unlock_view, button_name).click()
    dialog = window.unlock_view.restore_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_back_up_now_writes_a_private_file_that_restores(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    window.session.executor.call(_set_travel, vault_of(window), 25)
    view = _settings(window, qtbot)
    backups = window.session.data_dir / "backups"
    assert view.backups_folder.text() == str(backups)
    suggested: list[str] = []
    usb = tmp_path / "usb"
    usb.mkdir()

    def ask(_parent: object, _title: str, name: str, _filters: str) -> Path:
        suggested.append(name)
        return usb / "mine"  # the advisor typed no extension

    monkeypatch.setattr(settings_view.file_dialogs, "ask_save_path", ask)
    view.backup_button.click()
    wait_idle(qtbot, window)

    target = usb / "mine.samraad-backup"
    assert suggested == ["samraad-backup-2026-11-23.samraad-backup"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert view.backup_result.text() == f"Backup written to {target}."
    assert view.backup_result.isVisible()
    assert view.backup_button.isEnabled()

    # Later changes, then the backup goes back over the vault.
    window.session.executor.call(_set_travel, vault_of(window), 40)
    window.lock()
    dialog = _open_restore_dialog(window, "restore_button", target, monkeypatch)
    assert str(backups) in dialog.consequence.text()  # says where the old vault goes
    dialog.passphrase.setText(PASSPHRASE)
    dialog.restore_button.click()
    wait_idle(qtbot, window)

    page = window.unlock_view
    assert page.message.text() == ""
    assert page.notice.text() == RESTORED
    assert page.pages.currentWidget() is page.unlock_page
    aside = [p for p in backups.iterdir() if p.name.startswith("replaced-")]
    assert len(aside) == 1 and (aside[0] / "vault.db").is_file()
    unlock(qtbot, window)
    assert _travel_of(window) == 25
    view = _settings(window, qtbot)
    newest = backup.latest_auto_backup(backups)
    assert newest is not None  # the lock before the restore made one
    assert view.newest_backup.text() == stamp_text(newest.header.created_at)


def test_a_new_laptop_restores_on_the_first_run_page_and_unlocks(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, vault_id, _code = _backup_elsewhere(tmp_path, 35)
    window = make_window()
    page = window.unlock_view
    assert page.pages.currentWidget() is page.create_page

    dialog = _open_restore_dialog(window, "first_restore_button", source, monkeypatch)
    assert dialog.consequence.text() == "The backup becomes the vault on this computer."
    dialog.passphrase.setText(PASSPHRASE)
    dialog.restore_button.click()
    wait_idle(qtbot, window)

    assert page.notice.text() == RESTORED
    assert page.pages.currentWidget() is page.unlock_page
    unlock(qtbot, window)
    assert vault_of(window).vault_id == vault_id
    assert _travel_of(window) == 35


def test_restoring_with_the_recovery_code_leads_to_choosing_a_new_passphrase(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, vault_id, code = _backup_elsewhere(tmp_path, 35)
    window = make_window()
    page = window.unlock_view

    dialog = _open_restore_dialog(window, "first_restore_button", source, monkeypatch)
    dialog.restore_button.click()  # nothing typed: one sentence, still open
    assert dialog.problem.text() == "Type the passphrase the backup was made with."
    assert dialog.isVisible()
    dialog.use_code.setChecked(True)
    assert dialog.code.isVisibleTo(dialog) and not dialog.passphrase.isVisibleTo(dialog)
    dialog.code.setText(code)
    dialog.restore_button.click()
    wait_idle(qtbot, window)

    assert page.pages.currentWidget() is page.recover_page
    assert page.notice.text() == (
        "Restored. Open it with the recovery code and choose a new passphrase."
    )
    new = "a brand new passphrase here"
    page.code_field.setText(code)
    page.recover_passphrase.setText(new)
    page.recover_passphrase_again.setText(new)
    page.recover_button.click()
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=10_000)
    wait_idle(qtbot, window)
    assert vault_of(window).vault_id == vault_id


@pytest.mark.parametrize("problem", ["wrong passphrase", "damaged file"])
def test_a_failed_restore_says_one_sentence_and_changes_nothing(
    problem: str,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source, _vault_id, _code = _backup_elsewhere(tmp_path, 35)
    if problem == "damaged file":
        data = source.read_bytes()
        source.write_bytes(data[:-100])
    window = make_window(with_vault=True)
    folder = window.session.data_dir
    before = _files(folder)

    dialog = _open_restore_dialog(window, "restore_button", source, monkeypatch)
    dialog.passphrase.setText(PASSPHRASE + " not" if problem == "wrong passphrase" else PASSPHRASE)
    dialog.restore_button.click()
    wait_idle(qtbot, window)

    page = window.unlock_view
    expected = {
        "wrong passphrase": "The passphrase is wrong.",
        "damaged file": "The file is not a Samråd backup, or it is damaged or incomplete.",
    }[problem]
    assert page.message.text() == expected
    assert page.notice.text() == ""
    assert page.restore_button.isEnabled()
    assert _files(folder) == before
    unlock(qtbot, window)  # the vault in the folder is still the one it was
    assert _travel_of(window) != 35


@pytest.mark.parametrize("subfolder", ["", "backups"])
def test_a_backup_into_the_vaults_own_folder_is_refused(
    subfolder: str, make_window: MakeWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _settings(window, qtbot)
    folder = window.session.data_dir
    before = sorted(p.name for p in folder.rglob("*"))
    inside = folder / subfolder / "mine.samraad-backup"
    monkeypatch.setattr(settings_view.file_dialogs, "ask_save_path", lambda *_a: inside)

    view.backup_button.click()
    wait_idle(qtbot, window)

    assert window.banner_text.text() == OUTSIDE
    assert view.backup_result.text() == ""
    assert sorted(p.name for p in folder.rglob("*")) == before
