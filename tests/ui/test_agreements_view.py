"""The Agreements page: filters, mark done (button and Ctrl+D), reopen, open(ref), Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import agreements_service, overview_service
from app.store import agreements_repo
from app.store.vault import Vault
from tests.ui.conftest import TODAY, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.agreements_view import AgreementsView


def open_page(window: MainWindow, qtbot: QtBot) -> AgreementsView:
    window.navigate("agreements")
    wait_idle(qtbot, window)
    view = window.views["agreements"]
    assert isinstance(view, AgreementsView)
    return view


def shown(view: AgreementsView) -> list[str]:
    """Ids in the order the table shows them (after sorting and the text filter)."""
    proxy = view.table.proxy
    return [
        view.model.ids()[proxy.mapToSource(proxy.index(row, 0)).row()]
        for row in range(proxy.rowCount())
    ]


def choose(combo: object, value: object) -> None:
    index = combo.findData(value)  # type: ignore[attr-defined]
    assert index >= 0, value
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def status_in_vault(window: MainWindow, agreement_id: str) -> str:
    def read(vault: Vault) -> str:
        row = agreements_repo.get(vault.conn, agreement_id)
        assert row is not None
        return row.status

    return window.session.executor.call(read, vault_of(window))


def test_filters_by_status_site_owner_and_text(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    window = demo_window
    view = open_page(window, qtbot)

    def expected(vault: Vault) -> dict[str, object]:
        every = overview_service.all_agreements(vault, TODAY)
        first = every[0]
        assert first.site_id is not None and first.owner_id is not None
        return {
            "all": {a.id for a in every},
            "open": {a.id for a in every if a.status == "open"},
            "overdue": {a.id for a in agreements_service.overdue(vault, TODAY)},
            "due": {a.id for a in agreements_service.due_within(vault, TODAY, 7)},
            "site": first.site_id,
            "at_site": {a.id for a in agreements_service.by_site(vault, first.site_id)},
            "owner": first.owner_id,
            "owned": {a.id for a in agreements_service.by_owner(vault, first.owner_id)},
        }

    want = window.session.executor.call(expected, vault_of(window))

    assert set(shown(view)) == want["open"]  # "All open" is the default
    assert view.count_label.text() == f"{len(want['open'])} of {len(want['all'])} agreements shown"
    # Sorted by deadline, earliest first.
    deadlines = [view.model.object_of(i).deadline for i in shown(view)]  # type: ignore[union-attr]
    assert deadlines == sorted(deadlines)
    for value in ("overdue", "due", "all"):
        choose(view.status_combo, value)
        assert set(shown(view)) == want[value], value
    choose(view.status_combo, "done")
    assert shown(view) == []
    qtmodeltester.check(view.model)  # type: ignore[attr-defined]

    choose(view.status_combo, "open")
    choose(view.site_combo, want["site"])
    assert set(shown(view)) == want["at_site"]
    choose(view.site_combo, None)
    choose(view.owner_combo, want["owner"])
    assert set(shown(view)) == want["owned"]
    choose(view.owner_combo, None)

    # Ctrl+F puts the cursor in the text filter; typing narrows the table.
    view.table.setFocus()
    window.filter_action.trigger()
    assert view.filter_edit.hasFocus()
    qtbot.keyClicks(view.filter_edit, "opfølgning")
    texts = {view.model.object_of(i).what for i in shown(view)}  # type: ignore[union-attr]
    assert texts == {"Opfølgning i ressourceteamet"}
    qtmodeltester.check(view.model)  # type: ignore[attr-defined]


def test_mark_done_reopen_open_ref_and_enter(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    view = open_page(window, qtbot)
    first, second = shown(view)[:2]
    view.table.setFocus()
    assert view.table.select_id(first)
    assert view.done_button.isEnabled() and not view.reopen_button.isEnabled()

    view.done_button.click()
    wait_idle(qtbot, window)

    assert status_in_vault(window, first) == "done"
    assert first not in shown(view)  # "All open" no longer shows it
    assert view.table.selected_id() == second  # the next row took its place

    # Ctrl+D marks the selected one done too.
    qtbot.keyClick(view.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert status_in_vault(window, second) == "done"

    choose(view.status_combo, "done")
    assert set(shown(view)) == {first, second}
    row = view.model.row_of(first)
    assert view.model.data(view.model.index(row, 5)) == "Done"

    # Opening a done agreement from elsewhere while "All open" is chosen shows it.
    choose(view.status_combo, "open")
    window.navigate("agreement", first)
    wait_idle(qtbot, window)
    assert view.status_combo.currentData() == "all"
    assert view.table.selected_id() == first
    assert view.reopen_button.isEnabled() and not view.done_button.isEnabled()

    view.reopen_button.click()
    wait_idle(qtbot, window)
    assert status_in_vault(window, first) == "open"
    row = view.model.row_of(first)
    assert view.model.data(view.model.index(row, 5)) == "Overdue"
    assert view.table.selected_id() == first

    # Enter on the row opens the child's case.
    line = view.model.object_of(first)
    assert line is not None and line.case_id is not None
    opened: list[str | None] = []
    cases = window.views["cases"]
    original = cases.open
    cases.open = lambda ref: (opened.append(ref), original(ref))  # type: ignore[method-assign]
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.current_view() is cases
    assert opened == [line.case_id]
