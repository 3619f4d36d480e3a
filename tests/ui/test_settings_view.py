"""The Settings page: values from the vault, saving them, auto-lock applied at once, retention."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.domain.retention import RetentionRules
from app.errors import BadInput
from app.services import retention_service, vault_settings
from app.services.calendar_service import CalendarService
from tests.ui.conftest import TODAY, MakeWindow, unlock, vault_of, wait_idle
from ui.main_window import MainWindow
from ui.views.overview_view import OverviewView
from ui.views.settings_view import SettingsView, parse_closure_days


def _view(window: MainWindow, qtbot: QtBot) -> SettingsView:
    window.navigate("settings")
    wait_idle(qtbot, window)
    view = window.views["settings"]
    assert isinstance(view, SettingsView)
    return view


def test_closure_days_are_read_as_day_month() -> None:
    assert parse_closure_days("24.12, 31.12") == [(12, 24), (12, 31)]
    assert parse_closure_days("5/6; 29.2.") == [(6, 5), (2, 29)]
    assert parse_closure_days("") == []
    with pytest.raises(BadInput):
        parse_closure_days("31.2")
    with pytest.raises(BadInput):
        parse_closure_days("Christmas")


def test_the_page_shows_the_vaults_settings(demo_window: MainWindow, qtbot: QtBot) -> None:
    view = _view(demo_window, qtbot)

    assert view.auto_lock.value() == 5
    assert view.country.text() == "Danmark"
    stored = demo_window.session.executor.call(vault_settings.snapshot, vault_of(demo_window))
    assert view.holidays.count() == len(stored.school_holidays)


def test_calendar_settings_are_saved(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    view.travel.setValue(25)
    view.closures.setText("24.12, 31.12")

    view.save_calendar()
    wait_idle(qtbot, window)

    calendar = window.session.executor.call(CalendarService, vault_of(window))
    days = window.session.executor.call(calendar.extra_closure_days)
    buffer = window.session.executor.call(calendar.travel_buffer)
    assert days == ((12, 24), (12, 31))
    assert buffer.total_seconds() == 25 * 60


def test_bad_closure_days_are_one_sentence_and_nothing_saved(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    view.closures.setText("Christmas")

    view.save_calendar()
    wait_idle(qtbot, window)

    assert window.banner_text.text() == (
        "Write extra closure days as day.month, separated by commas."
    )


def test_auto_lock_minutes_apply_to_the_window(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    window._fixed_idle = False  # as in production: the vault's setting rules
    unlock(qtbot, window)
    view = _view(window, qtbot)

    view.auto_lock.setValue(12)
    view.save_auto_lock()
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)

    assert window.idle.interval_ms == 12 * 60_000
    stored = window.session.executor.call(vault_settings.auto_lock_minutes, vault_of(window))
    assert stored == 12


def test_wrong_current_passphrase_changes_nothing(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    view.current_passphrase.setText("this is not the passphrase")
    view.new_passphrase.setText("a brand new passphrase 7")
    view.new_passphrase_again.setText("a brand new passphrase 7")

    view.change_button.click()
    wait_idle(qtbot, window)

    assert "passphrase" in window.banner_text.text().lower()
    assert view.current_passphrase.text() == ""
    window.lock()
    unlock(qtbot, window)  # the old passphrase still opens the vault


# --- retention ---------------------------------------------------------------------------


def test_retention_periods_are_saved_and_change_what_is_due(
    demo_window: MainWindow, qtbot: QtBot
) -> None:
    window = demo_window
    view = _view(window, qtbot)
    assert (view.anonymous_months.value(), view.named_months.value()) == (12, 60)
    assert view.form_days.value() == 0
    overview = window.views["overview"]
    assert isinstance(overview, OverviewView)

    # Anonymous cases kept two years: Karla (last discussed 23 Oct 2025) is no longer due.
    view.anonymous_months.setValue(24)
    view.save_retention_button.click()
    wait_idle(qtbot, window)

    stored = window.session.executor.call(retention_service.rules, vault_of(window))
    assert stored == RetentionRules(anonymous_months=24, named_months=60, withdrawn_form_days=0)
    due = window.session.executor.call(retention_service.due, vault_of(window), TODAY)
    assert [e.case.first_name for e in due] == ["Viggo"]
    window.navigate("overview")
    wait_idle(qtbot, window)
    assert "1 case or withdrawn consent form" in overview.erasure_button.text()
    window.navigate("settings")
    wait_idle(qtbot, window)
    assert view.anonymous_months.value() == 24


def test_a_retention_period_out_of_bounds_is_one_sentence_and_nothing_saved(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(with_vault=True)
    unlock(qtbot, window)
    view = _view(window, qtbot)
    view.named_months.setRange(0, 1000)  # the spin box's own bounds keep the advisor in range
    view.named_months.setValue(600)

    view.save_retention_button.click()
    wait_idle(qtbot, window)

    assert window.banner_text.text() == (
        "The retention period for named cases must be 1 to 240 months."
    )
    stored = window.session.executor.call(retention_service.rules, vault_of(window))
    assert stored == RetentionRules()
