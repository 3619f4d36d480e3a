"""Sites & people: lists from the vault, adding by form, CSV import and its report."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services import sites_service
from tests.ui.conftest import MakeWindow, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.sites_view import SitesView, contacts_model, sites_model


def _view(window: MainWindow, qtbot: QtBot) -> SitesView:
    window.navigate("sites")
    wait_idle(qtbot, window)
    view = window.views["sites"]
    assert isinstance(view, SitesView)
    return view


def _directory(window: MainWindow) -> sites_service.Directory:
    return window.session.executor.call(sites_service.directory, vault_of(window))


def test_the_page_lists_every_site_and_person(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = _view(demo_window, qtbot)
    stored = _directory(demo_window)

    assert sorted(view.sites.source.ids()) == sorted(s.id for s in stored.sites)
    assert sorted(view.contacts.source.ids()) == sorted(c.id for c in stored.contacts)
    assert view.districts.count() == len(stored.districts) > 0


def test_the_filter_narrows_the_sites(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = _view(demo_window, qtbot)
    first = _directory(demo_window).sites[0]

    qtbot.keyClicks(view.filter, first.name)

    shown = view.sites.proxy.rowCount()
    assert 1 <= shown < view.sites.source.rowCount()


def test_adding_a_site_through_the_form(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)

    dialog = view.add_site_dialog()
    dialog.open()
    name_field = dialog.form.itemAt(0, dialog.form.ItemRole.FieldRole).widget()
    qtbot.keyClicks(name_field, "Solsikken")
    dialog.accept()
    wait_idle(qtbot, window)

    assert [s.name for s in _directory(window).sites] == ["Solsikken"]
    assert view.sites.source.rowCount() == 1
    assert view.sites.selected_id() == _directory(window).sites[0].id


def test_a_site_without_a_name_is_refused_with_one_sentence(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)

    dialog = view.add_site_dialog()
    dialog.open()
    dialog.accept()
    wait_idle(qtbot, window)

    assert window.banner.isVisibleTo(window)
    assert window.banner_text.text() == "A site needs a name."
    assert _directory(window).sites == []


def test_a_good_csv_is_imported_and_listed(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    csv = tmp_path / "sites.csv"
    csv.write_text("type,name,district,kind\nsite,Mågen,Nord,school\n", encoding="utf-8")

    view.import_path(csv)
    wait_idle(qtbot, window)

    assert [s.name for s in _directory(window).sites] == ["Mågen"]
    assert [view.sites.source.row_object(0).name] == ["Mågen"]
    assert not view.report.isVisibleTo(view)


def test_a_bad_csv_imports_nothing_and_lists_each_bad_line(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    csv = tmp_path / "sites.csv"
    csv.write_text(
        "type,name,district,kind\nsite,Mågen,Nord,school\nsite,,Nord,school\n", encoding="utf-8"
    )

    view.import_path(csv)
    wait_idle(qtbot, window)

    assert _directory(window).sites == []
    assert view.report_label.text().startswith("Nothing was imported")
    assert view.report.count() == 1
    assert view.report.item(0).text().startswith("line 3:")


def test_models_pass_the_model_tester(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    stored = _directory(demo_window)
    sites = sites_model()
    sites.set_rows(stored.sites)
    contacts = contacts_model()
    contacts.set_rows(stored.contacts)

    qtmodeltester.check(sites)  # type: ignore[attr-defined]
    qtmodeltester.check(contacts)  # type: ignore[attr-defined]


def test_lock_clears_the_tables(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = _view(demo_window, qtbot)
    assert view.sites.source.rowCount() > 0

    demo_window.lock()

    assert view.sites.source.rowCount() == 0
    assert view.contacts.source.rowCount() == 0
