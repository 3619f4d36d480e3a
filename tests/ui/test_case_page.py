"""A case's page: consent history and dialogs, SDQ and its chart, report, timeline, models."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.domain.case_model import CaseKind
from app.services import case_report, case_timeline, cases_service, sdq_service
from tests.ui.conftest import TODAY, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.case_page import CasePage
from ui.views.cases_view import CasesView
from ui.views.consent_dialog import ConsentDialog, FormDialog, WithdrawDialog
from ui.views.new_case_dialog import CloseCaseDialog, GuardianDialog, MakeNamedDialog
from ui.views.sdq_dialog import SdqDialog
from ui.widgets import file_dialogs


def on_db(window: MainWindow, fn: object, *args: object) -> object:
    return window.session.executor.call(fn, vault_of(window), *args)  # type: ignore[arg-type]


def open_case(window: MainWindow, qtbot: QtBot, *, named: bool, valid: bool = True) -> CasePage:
    """Open a demo case through navigation: named with a valid consent, or anonymous."""
    summaries = on_db(window, cases_service.list_cases, TODAY)
    assert isinstance(summaries, list)
    wanted = "named" if named else "anonymous"
    case = next(
        s
        for s in summaries
        if s.row.kind == wanted
        and s.row.status == "open"
        and (not named or s.consent_valid_today == valid)
    )
    window.navigate("case", case.row.id)
    wait_idle(qtbot, window)
    view = window.views["cases"]
    assert isinstance(view, CasesView)
    assert view.page_shown()
    return view.page


def ok(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_consent_history_add_with_a_scan_and_withdraw(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_case(demo_window, qtbot, named=True)
    case_id = page.case_id
    consents = on_db(demo_window, cases_service.consents, case_id)
    assert isinstance(consents, list)
    assert sorted(page.consents.source.ids()) == sorted(c.id for c in consents)

    # Add a consent with a scanned form (read on the database thread).
    scan = tmp_path / "form.pdf"
    scan.write_bytes(b"%PDF-1.4 a scanned form")
    monkeypatch.setattr(file_dialogs, "ask_open_path", lambda *_a: scan)
    page.tabs.setCurrentIndex(1)
    page.add_consent_button.click()
    dialog = page.dialog
    assert isinstance(dialog, ConsentDialog)
    dialog.attach_button.click()
    assert dialog.scan_label.text() == "form.pdf"
    ok(dialog)
    assert dialog.error.text() == "Say which roles the consent covers."
    dialog.fields.scope.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.fields.purpose, "Samarbejde med skolen")
    ok(dialog)
    wait_idle(qtbot, demo_window)
    assert not dialog.isVisible()

    after = on_db(demo_window, cases_service.consents, case_id)
    assert isinstance(after, list)
    new = [c for c in after if c.id not in {c.id for c in consents}]
    assert len(new) == 1 and new[0].purpose == "Samarbejde med skolen"
    data = on_db(demo_window, case_report.collect, case_id, "now")
    assert isinstance(data, dict)
    assert any(a["size"] == scan.stat().st_size for a in data["tables"]["attachments"])
    qtbot.waitUntil(lambda: page.consents.source.row_of(new[0].id) >= 0)

    # Withdraw it.
    assert page.consents.select_id(new[0].id)
    assert page.withdraw_button.isEnabled()
    page.withdraw_button.click()
    withdraw = page.dialog
    assert isinstance(withdraw, WithdrawDialog)
    qtbot.keyClicks(withdraw.note, "Ringede i dag")
    ok(withdraw)
    wait_idle(qtbot, demo_window)
    gone = on_db(demo_window, cases_service.consents, case_id)
    assert isinstance(gone, list)
    done = next(c for c in gone if c.id == new[0].id)
    assert done.withdrawn_on == TODAY
    assert done.withdrawal_note == "Ringede i dag"
    qtbot.waitUntil(lambda: not page.withdraw_button.isEnabled())


def test_an_anonymous_case_gets_a_guardian_a_consent_and_a_name_then_closes(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    page = open_case(demo_window, qtbot, named=False)
    case_id = page.case_id
    view = demo_window.views["cases"]
    assert page.named_button.isVisible()

    page.add_guardian_button.click()
    guardian = page.dialog
    assert isinstance(guardian, GuardianDialog)
    qtbot.keyClicks(guardian.name, "Lone Prøve")
    qtbot.keyClicks(guardian.relation, "mor")
    ok(guardian)
    wait_idle(qtbot, demo_window)
    qtbot.waitUntil(lambda: page.guardians.source.rowCount() == 1)

    page.add_consent_button.click()
    consent = page.dialog
    assert isinstance(consent, ConsentDialog)
    consent.fields.scope.item(1).setCheckState(Qt.CheckState.Checked)
    ok(consent)
    wait_idle(qtbot, demo_window)

    page.named_button.click()
    named = page.dialog
    assert isinstance(named, MakeNamedDialog)
    qtbot.keyClicks(named.surname, "Prøve")
    ok(named)
    wait_idle(qtbot, demo_window)
    facts = on_db(demo_window, cases_service.facts, case_id)
    assert getattr(facts, "kind", None) is CaseKind.NAMED
    qtbot.waitUntil(lambda: "Prøve" in page.heading.text())
    assert not page.named_button.isVisible()

    page.close_button.click()
    closing = page.dialog
    assert isinstance(closing, CloseCaseDialog)
    closing.reason.setCurrentIndex(closing.reason.findData("moved"))
    ok(closing)
    wait_idle(qtbot, demo_window)
    row = on_db(demo_window, cases_service.get_case, case_id)
    assert getattr(row, "status", None) == "closed"
    assert getattr(row, "closed_on", None) == TODAY.isoformat()
    qtbot.waitUntil(lambda: page.reopen_button.isVisible())

    page.reopen_button.click()
    wait_idle(qtbot, demo_window)
    row = on_db(demo_window, cases_service.get_case, case_id)
    assert getattr(row, "status", None) == "open"
    assert isinstance(view, CasesView)


def test_an_sdq_entered_by_item_adds_a_point_to_the_chart(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    page = open_case(demo_window, qtbot, named=True)
    case_id = page.case_id
    before = len(page.chart.data_points())
    assert before == len(on_db(demo_window, sdq_service.assessments, case_id))  # type: ignore[arg-type]

    page.tabs.setCurrentIndex(5)
    page.add_sdq_button.click()
    dialog = page.dialog
    assert isinstance(dialog, SdqDialog)
    dialog.cells[0].setFocus()
    # Typing moves from item to item, as on the paper form.
    for answer in "1021012010210120121011010":
        qtbot.keyClicks(dialog.focusWidget(), answer)
    assert dialog.answers_text() == "1021012010210120121011010"
    ok(dialog)
    wait_idle(qtbot, demo_window)

    assert not dialog.isVisible()
    stored = on_db(demo_window, sdq_service.assessments, case_id)
    assert isinstance(stored, list) and len(stored) == before + 1
    assert stored[-1].row.answers == "1021012010210120121011010"
    qtbot.waitUntil(lambda: len(page.chart.data_points()) == before + 1)

    # The scale scores instead of the answers.
    page.add_sdq_button.click()
    scales = page.dialog
    assert isinstance(scales, SdqDialog)
    scales.by_scales.setChecked(True)
    scales.informant.setCurrentIndex(scales.informant.findData("teacher"))
    for key, value in {"emotional": 2, "conduct": 1, "hyperactivity": 5, "peer": 1}.items():
        scales.scale_boxes[key].setValue(value)
    ok(scales)
    wait_idle(qtbot, demo_window)
    qtbot.waitUntil(lambda: len(page.chart.data_points()) == before + 2)
    assert any(p.informant == "teacher" and p.total == 9 for p in page.chart.data_points())
    page.chart.grab()  # paints without a Qt warning


def test_subject_access_report_and_timeline_navigation(
    demo_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_case(demo_window, qtbot, named=True)
    target = tmp_path / "out" / "report"
    target.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "ask_save_path", lambda *_a: target)

    page.report_button.click()
    wait_idle(qtbot, demo_window, timeout=30_000)
    pdf = target.with_name("report.pdf")
    qtbot.waitUntil(pdf.exists, timeout=30_000)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert pdf.with_suffix(".json").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json", "report.pdf"]

    entries = on_db(demo_window, case_timeline.meetings, page.case_id)
    assert isinstance(entries, list) and entries
    assert sorted(page.timeline.source.ids()) == sorted(e.agenda_item_id for e in entries)
    page.tabs.setCurrentIndex(6)
    page.timeline.select_id(entries[0].agenda_item_id)
    page.timeline.setFocus()
    qtbot.keyClick(page.timeline, Qt.Key.Key_Return)
    assert demo_window.current_view() is demo_window.views["meeting"]


def test_every_case_page_model_passes_the_model_tester(
    demo_window: MainWindow, qtbot: QtBot, qtmodeltester: object
) -> None:
    page = open_case(demo_window, qtbot, named=True)
    for table in (
        page.guardians,
        page.consents,
        page.levels,
        page.interventions,
        page.agreements,
        page.sdq,
        page.timeline,
    ):
        assert table.source.rowCount() > 0, table.accessibleName()
        qtmodeltester.check(table.source)  # type: ignore[attr-defined]
