"""Ctrl+K: search as you type, open what is found."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services import cases_service
from app.store.cases_repo import CaseRow
from tests.ui.conftest import TODAY, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.search_dialog import SearchDialog, hits_model


def _open(window: MainWindow, qtbot: QtBot) -> SearchDialog:
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SearchDialog)]
    visible = [d for d in dialogs if d.isVisible()]
    assert len(visible) == 1
    return visible[0]


def _a_named_case(window: MainWindow) -> CaseRow:
    summaries = window.session.executor.call(cases_service.list_cases, vault_of(window), TODAY)
    named = [s.row for s in summaries if s.row.kind == "named"]
    assert named
    return named[0]


def test_ctrl_k_finds_a_case_and_enter_opens_it(demo_window: MainWindow, qtbot: QtBot) -> None:
    case = _a_named_case(demo_window)
    facts = demo_window.session.executor.call(cases_service.facts, vault_of(demo_window), case.id)
    dialog = _open(demo_window, qtbot)

    qtbot.keyClicks(dialog.query, str(facts.surname))
    dialog.search_now()
    wait_idle(qtbot, demo_window)

    keys = dialog.results.source.ids()
    assert f"case:{case.id}:" in keys
    dialog.results.select_id(f"case:{case.id}:")
    dialog.open_hit(f"case:{case.id}:")
    assert not dialog.isVisible()
    assert demo_window.current_view() is demo_window.views["cases"]


def test_query_syntax_is_harmless_and_finds_nothing(demo_window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open(demo_window, qtbot)

    qtbot.keyClicks(dialog.query, '"(NEAR* AND')
    dialog.search_now()
    wait_idle(qtbot, demo_window)

    assert dialog.results.source.rowCount() == 0
    assert dialog.status.text() == "Nothing found."
    assert not demo_window.banner.isVisibleTo(demo_window)


def test_an_answer_to_older_text_is_dropped(demo_window: MainWindow, qtbot: QtBot) -> None:
    case = _a_named_case(demo_window)
    facts = demo_window.session.executor.call(cases_service.facts, vault_of(demo_window), case.id)
    dialog = _open(demo_window, qtbot)
    dialog.query.setText(str(facts.surname))
    dialog.search_now()
    dialog.query.setText("")
    dialog.search_now()
    wait_idle(qtbot, demo_window)

    assert dialog.results.source.rowCount() == 0


def test_lock_closes_the_search_dialog(demo_window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open(demo_window, qtbot)

    demo_window.lock()

    assert not dialog.isVisible()


def test_hits_model_passes_the_model_tester(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    from app.services import search_service

    hits = demo_window.session.executor.call(
        lambda v: search_service.search(v, "a", today=TODAY), vault_of(demo_window)
    )
    model = hits_model()
    model.set_rows(hits)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
