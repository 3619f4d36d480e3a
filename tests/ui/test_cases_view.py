"""The Cases list: rows, filter, sort, the new-case dialog, opening a case and lock."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.domain.case_model import CaseKind
from app.services import cases_service
from tests.ui.conftest import TODAY, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.models.cases_model import SHOW_ALL, SHOW_CLOSED, SHOW_OPEN
from ui.views.cases_view import CasesView


def cases_page(window: MainWindow, qtbot: QtBot) -> CasesView:
    window.navigate("cases")
    wait_idle(qtbot, window)
    view = window.views["cases"]
    assert isinstance(view, CasesView)
    return view


def show(view: CasesView, which: str) -> None:
    view.show_combo.setCurrentIndex(view.show_combo.findData(which))


def summaries(window: MainWindow) -> list[cases_service.CaseSummary]:
    return window.session.executor.call(cases_service.list_cases, vault_of(window), TODAY)


def shown_column(view: CasesView, column: int) -> list[str]:
    proxy = view.table.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_the_list_shows_every_case_and_filters_and_sorts(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    view = cases_page(demo_window, qtbot)
    every = summaries(demo_window)

    # As many rows as list_cases returns; the status filter splits them.
    show(view, SHOW_ALL)
    assert view.table.proxy.rowCount() == len(every)
    assert set(view.table.source.ids()) == {s.row.id for s in every}
    assert view.count.text() == f"{len(every)} cases"
    show(view, SHOW_CLOSED)
    assert view.table.proxy.rowCount() == sum(s.row.status == "closed" for s in every)
    show(view, SHOW_OPEN)
    assert view.table.proxy.rowCount() == sum(s.row.status == "open" for s in every)
    show(view, SHOW_ALL)

    # Named cases show the name; anonymous ones the first name and age only.
    for s in every:
        line = view.table.source.object_of(s.row.id)
        assert line is not None
        if s.row.kind == CaseKind.NAMED:
            assert s.row.surname and s.row.surname in line.label
        else:
            assert line.label.startswith(s.row.first_name)
            assert "born" not in line.label

    # Ctrl+F puts the cursor in the filter; typing narrows the rows.
    with qtbot.waitActive(demo_window):
        demo_window.activateWindow()
    qtbot.keyClick(demo_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.filter.hasFocus()
    first = every[0].row.first_name
    qtbot.keyClicks(view.filter, first)
    rows = view.table.proxy.rowCount()
    assert 0 < rows < len(every)
    for r in range(rows):
        text = " ".join(str(view.table.proxy.index(r, c).data()) for c in range(8))
        assert first.casefold() in text.casefold()
    view.filter.clear()
    assert view.table.proxy.rowCount() == len(every)

    # A click on the Level header sorts by level; a second click reverses it.
    header = view.table.horizontalHeader()
    level = 3
    x = header.sectionViewportPosition(level) + header.sectionSize(level) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    once = [int(v) for v in shown_column(view, level)]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    twice = [int(v) for v in shown_column(view, level)]
    assert once in (sorted(once), sorted(once, reverse=True))
    assert twice == list(reversed(once))

    qtmodeltester.check(view.table.source)  # type: ignore[attr-defined]
    qtmodeltester.check(view.table.proxy)  # type: ignore[attr-defined]


def test_ctrl_n_opens_an_anonymous_case_and_selects_it(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = cases_page(demo_window, qtbot)
    before = {s.row.id for s in summaries(demo_window)}
    with qtbot.waitActive(demo_window):
        demo_window.activateWindow()

    qtbot.keyClick(demo_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.new_dialog is not None and view.new_dialog.isVisible())
    dialog = view.new_dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible()
    assert dialog.error.text() == "A case needs a first name or a pseudonym."
    qtbot.keyClicks(dialog.first_name, "Testbarn")
    qtbot.keyClicks(dialog.age_or_year, "5 år")
    qtbot.keyClicks(dialog.concern, "Trækker sig fra legen.")
    dialog.level.setCurrentIndex(1)
    ok.click()
    wait_idle(qtbot, demo_window)

    assert not dialog.isVisible()
    created = [s for s in summaries(demo_window) if s.row.id not in before]
    assert len(created) == 1
    row = created[0].row
    assert (row.first_name, row.kind, row.level, row.age_or_year) == (
        "Testbarn",
        "anonymous",
        1,
        "5 år",
    )
    qtbot.waitUntil(lambda: view.table.selected_id() == row.id)
    assert not view.page_shown()


def test_a_named_case_is_opened_with_its_guardian_and_consent(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = cases_page(demo_window, qtbot)
    before = {s.row.id for s in summaries(demo_window)}
    view.new()
    qtbot.waitUntil(lambda: view.new_dialog is not None)
    dialog = view.new_dialog
    assert dialog is not None
    dialog.named.setChecked(True)
    qtbot.keyClicks(dialog.first_name, "Freja")
    qtbot.keyClicks(dialog.surname, "Testesen")
    qtbot.keyClicks(dialog.guardian, "Hanne Testesen")
    qtbot.keyClicks(dialog.relation, "mor")
    for row in range(2):
        dialog.consent.scope.item(row).setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    wait_idle(qtbot, demo_window)

    created = [s for s in summaries(demo_window) if s.row.id not in before]
    assert len(created) == 1
    assert created[0].row.kind == "named"
    assert created[0].row.surname == "Testesen"
    assert created[0].consent_valid_today
    assert not dialog.isVisible()


def test_enter_opens_the_case_alt_left_returns_and_a_lock_clears_it(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    view = cases_page(demo_window, qtbot)
    case_id = view.table.source.ids()[2]
    view.table.select_id(case_id)
    view.table.setFocus()

    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    wait_idle(qtbot, demo_window)
    assert view.page_shown()
    assert view.page.case_id == case_id
    assert view.selection() == case_id

    qtbot.keyClick(view.page.tabs, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_idle(qtbot, demo_window)
    assert not view.page_shown()
    assert view.table.selected_id() == case_id

    # Locking drops every row; unlocking shows the same case again.
    demo_window.navigate("case", case_id)
    wait_idle(qtbot, demo_window)
    demo_window.lock()
    assert view.table.source.rowCount() == 0
    assert view.page.heading.text() == ""
    assert view.page.consents.source.rowCount() == 0
    unlock(qtbot, demo_window)
    assert demo_window.current_view() is view
    assert view.page_shown()
    assert view.page.case_id == case_id
    assert view.page.heading.text()
