"""The main window: navigation, the pages, the lock and the standard shortcuts.

The window itself holds no screen logic (no god window): each page is a view
module under ``ui/views``; this class only switches between them, routes the
standard actions to the current page, and locks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.i18n import _
from app.paths import default_demo_dir
from app.services import demo, retention_service, vault_settings
from app.services.changes import Changes
from app.store.keyring_cache import KeyringCache
from app.store.vault import Vault, VaultDirectory
from ui import clipboard
from ui.context import Context
from ui.idle_lock import IdleWatcher
from ui.preferences import Preferences
from ui.session import Session, message_of
from ui.views.agreements_view import AgreementsView
from ui.views.base_view import View
from ui.views.calendar_view import CalendarView
from ui.views.cases_view import CasesView
from ui.views.meeting_view import MeetingView
from ui.views.overview_view import OverviewView
from ui.views.settings_view import SettingsView
from ui.views.sites_view import SitesView
from ui.views.sync_view import SyncView
from ui.views.unlock_view import UnlockView

# resources/ sits next to ui/ both in the source tree and in the PyInstaller
# bundle (build.spec copies it to the same relative place).
ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "samraad.svg"

#: Object kinds and the page that opens them.
OBJECT_PAGES = {"case": "cases", "meeting": "meeting", "agreement": "agreements", "site": "sites"}


def app_icon() -> QIcon:
    """The Samråd icon, or an empty icon if the file is missing (never an error)."""
    return QIcon(str(ICON_PATH)) if ICON_PATH.is_file() else QIcon()


@dataclass
class _Place:
    """Where the advisor was when the vault locked (restored after unlock)."""

    page: str
    ref: str | None


class MainWindow(QMainWindow):
    """Unlock screen while locked; navigation and pages while unlocked."""

    def __init__(
        self,
        directory: VaultDirectory,
        *,
        preferences: Preferences | None = None,
        demo_dir: Path | None = None,
        idle_ms: int | None = None,
        today: date | None = None,
        keyring: Callable[[], KeyringCache] = KeyringCache,
    ) -> None:
        super().__init__()
        self._keyring = keyring
        self._on_demo = False
        self.preferences = preferences or Preferences()
        self.session = Session(directory)
        self.demo_dir = demo_dir or default_demo_dir()
        self._fixed_today = today
        self._place: _Place | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # An explicit idle time (tests) wins over the vault's setting.
        self._fixed_idle = idle_ms is not None
        self.idle = IdleWatcher(app, idle_ms if idle_ms is not None else 5 * 60_000)
        self.idle.idle.connect(self.lock)
        self.session.unlocked.connect(self._on_unlocked)
        self.session.changed.connect(self._on_changed)
        self.session.failed.connect(self.show_error)
        self.session.busy.connect(self._on_busy)
        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        geometry = self.preferences.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 780)
        self._build()

    # --- building (again, on a language change) -------------------------------

    def _build(self) -> None:
        self.setWindowTitle(_("Samråd"))
        self.ctx = Context(
            session=self.session,
            navigate=self.navigate,
            today=self.today,
            language=i18n.current_language,
            notify=self.notify,
            set_language=self.set_language,
        )
        self.outer = QStackedWidget(self)
        self.unlock_view = UnlockView(
            self.session, i18n.current_language(), keyring=self._keyring, parent=self.outer
        )
        if self._on_demo:
            self.unlock_view.restore_button.hide()
        self.unlock_view.language_chosen.connect(self.set_language)
        self.unlock_view.demo_requested.connect(self.open_demo)
        self.workspace = self._build_workspace()
        self.outer.addWidget(self.unlock_view)
        self.outer.addWidget(self.workspace)
        self.setCentralWidget(self.outer)
        self._build_actions()
        if not hasattr(self, "saved_label"):
            self.saved_label = QLabel()
            self.saved_label.setObjectName("savedIndicator")
            self.statusBar().addPermanentWidget(self.saved_label)
        self._on_busy(self.session.pending)
        if self.session.is_unlocked:
            self._show_workspace()
        else:
            self.outer.setCurrentWidget(self.unlock_view)

    def _build_workspace(self) -> QWidget:
        workspace = QWidget(self.outer)
        self.nav = QListWidget(workspace)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(_("Navigation"))
        self.nav.setFixedWidth(190)
        self.pages = QStackedWidget(workspace)
        views: list[View] = [
            OverviewView(self.ctx),
            CalendarView(self.ctx),
            CasesView(self.ctx),
            AgreementsView(self.ctx),
            SitesView(self.ctx),
            SyncView(self.ctx),
            SettingsView(self.ctx),
        ]
        self.views: dict[str, View] = {}
        for number, view in enumerate(views, start=1):
            self._add_page(view)
            item = QListWidgetItem(view.title(), self.nav)
            item.setData(Qt.ItemDataRole.UserRole, view.name)
            item.setToolTip(f"Alt+{number}")
        # The meeting page is reached from the calendar and the overview.
        self._add_page(MeetingView(self.ctx))
        self.nav.currentItemChanged.connect(self._nav_changed)

        self.banner = QWidget(workspace)
        self.banner.setObjectName("errorBanner")
        self.banner.setStyleSheet("#errorBanner { background: #fdecea; border-radius: 4px; }")
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setStyleSheet("color: #8c1d18;")
        self.banner_text.setAccessibleName(_("Message"))
        dismiss = QPushButton(_("Dismiss"), self.banner)
        dismiss.setFlat(True)
        dismiss.clicked.connect(self.banner.hide)
        banner_row = QHBoxLayout(self.banner)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(dismiss)
        self.banner.hide()

        right = QVBoxLayout()
        right.addWidget(self.banner)
        right.addWidget(self.pages, 1)
        row = QHBoxLayout(workspace)
        row.addWidget(self.nav)
        row.addLayout(right, 1)
        return workspace

    def _add_page(self, view: View) -> None:
        self.views[view.name] = view
        self.pages.addWidget(view)
        self.session.locked.connect(view.on_locked)

    def _build_actions(self) -> None:
        self.menuBar().clear()
        for action in self.actions():
            self.removeAction(action)

        def action(text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.lock_action = action(_("&Lock"), "Ctrl+L", self.lock)
        self.search_action = action(_("&Search everything…"), "Ctrl+K", self.open_search)
        self.new_action = action(_("&New"), QKeySequence.StandardKey.New, self._new)
        self.print_action = action(
            _("&Print or save as PDF…"), QKeySequence.StandardKey.Print, self._print
        )
        self.filter_action = action(
            _("&Filter this list"), QKeySequence.StandardKey.Find, self._filter
        )
        self.help_action = action(
            _("&Guide for this screen"), QKeySequence.StandardKey.HelpContents, self.show_help
        )
        self.quit_action = action(_("&Quit"), "Ctrl+Q", self.close)
        self.page_actions: list[QAction] = []
        for number in range(1, self.nav.count() + 1):
            self.page_actions.append(
                action(
                    "", f"Alt+{number}", lambda _c=False, n=number: self.nav.setCurrentRow(n - 1)
                )
            )

        file_menu = QMenu(_("&Samråd"), self)
        for act in (self.new_action, self.print_action, self.lock_action, self.quit_action):
            file_menu.addAction(act)
        edit_menu = QMenu(_("&Find"), self)
        edit_menu.addAction(self.search_action)
        edit_menu.addAction(self.filter_action)
        help_menu = QMenu(_("&Help"), self)
        help_menu.addAction(self.help_action)
        for menu in (file_menu, edit_menu, help_menu):
            self.menuBar().addMenu(menu)
        self._enable_vault_actions(self.session.is_unlocked)

    def _enable_vault_actions(self, unlocked: bool) -> None:
        for act in (
            self.lock_action,
            self.search_action,
            self.new_action,
            self.print_action,
            self.filter_action,
            *self.page_actions,
        ):
            act.setEnabled(unlocked)

    # --- helpers for views ----------------------------------------------------

    def today(self) -> date:
        """Today (fixed in tests)."""
        return self._fixed_today or date.today()

    def notify(self, message: str) -> None:
        """A quiet message in the status bar."""
        self.statusBar().showMessage(message, 6000)

    def show_error(self, message: str) -> None:
        """Show one sentence in the banner above the page."""
        if self.outer.currentWidget() is self.unlock_view:
            self.unlock_view.message.setText(message)
            return
        self.banner_text.setText(message)
        self.banner.show()

    def current_view(self) -> View | None:
        """The page shown (None while locked)."""
        widget = self.pages.currentWidget()
        return widget if isinstance(widget, View) and self.session.is_unlocked else None

    # --- navigation -----------------------------------------------------------

    def navigate(self, kind: str, ref: str | None = None) -> None:
        """Open a page (``"calendar"``) or an object (``"case"``, id)."""
        page = OBJECT_PAGES.get(kind, kind)
        view = self.views.get(page)
        if view is None:
            return
        self.banner.hide()
        self.pages.setCurrentWidget(view)
        row = self._nav_row(page)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        if page != "meeting":
            self.preferences.set_page(page)
        view.open(ref)

    def _nav_row(self, page: str) -> int:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == page:
                return row
        return -1

    def _nav_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.navigate(str(current.data(Qt.ItemDataRole.UserRole)))

    # --- standard actions -----------------------------------------------------

    def _new(self) -> None:
        view = self.current_view()
        if view is not None:
            view.new()

    def _print(self) -> None:
        view = self.current_view()
        if view is not None:
            view.print_()

    def _filter(self) -> None:
        view = self.current_view()
        if view is not None:
            view.focus_filter()

    def open_search(self) -> None:
        """The global search dialog (Ctrl+K)."""
        if not self.session.is_unlocked:
            return
        from ui.views.search_dialog import SearchDialog

        dialog = SearchDialog(self.ctx, self)
        dialog.open()

    def show_help(self) -> None:
        """The offline guide for the current screen (F1)."""
        from ui.help import open_help

        view = self.current_view()
        open_help(self, view.name if view is not None else "unlock", i18n.current_language())

    # --- unlock and lock ------------------------------------------------------

    def _on_unlocked(self) -> None:
        # An erasure whose compaction or backup replacement was cut off (power
        # loss, disk full) is completed before the pages read the vault.
        self.session.run(retention_service.finish_pending)
        self._show_workspace()

    def _show_workspace(self) -> None:
        # Pages are marked stale and the right one put in front while the
        # workspace is still hidden, so only that page reads the vault on show.
        for view in self.views.values():
            view.on_unlocked()
        place = self._place or _Place(self.preferences.page() or "overview", None)
        self._place = None
        front = self.views.get(OBJECT_PAGES.get(place.page, place.page))
        if front is not None:
            self.pages.setCurrentWidget(front)
        self.outer.setCurrentWidget(self.workspace)
        self._enable_vault_actions(True)
        self.navigate(place.page, place.ref)
        self.idle.start()
        self._apply_auto_lock()

    def _apply_auto_lock(self) -> None:
        if self._fixed_idle or not self.session.is_unlocked:
            return
        self.session.run(
            vault_settings.auto_lock_minutes,
            done=lambda minutes: self.idle.set_interval(int(minutes) * 60_000),
        )

    def lock(self) -> None:
        """Lock now: close dialogs, clear our clipboard, close the vault.

        No dialog can veto this: each is closed with ``done()`` whatever it
        holds. The page and its selection are remembered in memory only.
        """
        if not self.session.is_unlocked:
            return
        self._flush_edits()
        view = self.current_view()
        if view is not None:
            self._place = _Place(view.name, view.selection())
        close_dialogs(self)
        clipboard.clear_if_ours()
        self.idle.stop()
        self.session.lock()
        self.banner.hide()
        self._enable_vault_actions(False)
        self.unlock_view.show_start()
        self.outer.setCurrentWidget(self.unlock_view)

    def _flush_edits(self) -> None:
        # Queued on the database thread ahead of whatever comes next (a close).
        for view in self.views.values():
            view.flush_edits()

    def _on_changed(self, changes: Changes) -> None:
        if "settings" in changes.tables:
            self._apply_auto_lock()
        for view in self.views.values():
            view.on_changed(changes)

    def _on_busy(self, pending: int) -> None:
        if not self.session.is_unlocked:
            self.saved_label.clear()
        elif pending:
            self.saved_label.setText(_("Saving…"))
        else:
            self.saved_label.setText(_("All changes saved"))

    # --- language and demo ----------------------------------------------------

    def set_language(self, lang: str) -> None:
        """Switch every string to ``lang`` now and remember it."""
        if lang == i18n.current_language():
            return
        i18n.set_language(lang)
        self.preferences.set_language(lang)
        install_qt_translator(lang)
        self._flush_edits()
        place = None
        view = self.current_view()
        if view is not None:
            place = _Place(view.name, view.selection())
        old = self.outer
        self._build()
        old.deleteLater()
        if place is not None and self.session.is_unlocked:
            self.navigate(place.page, place.ref)

    def open_demo(self) -> None:
        """Hold the demo folder instead (creating its fictional vault if needed)."""
        try:
            demo_directory = VaultDirectory.open(self.demo_dir)
        except Exception as exc:  # a KnownError (locked by another Samråd) or a bug
            self.show_error(message_of(exc))
            return
        self.session.switch_directory(demo_directory)
        # From now on the locked screen is the demo's: a restore from there
        # would put a real backup into the demo folder.
        self._on_demo = True
        self.unlock_view.restore_button.hide()
        self.unlock_view.progress.show()
        today = self.today()
        self.session.run_directory(
            _open_demo,
            today,
            done=self._demo_opened,
            failed=lambda error: self.show_error(message_of(error)),
        )

    def _demo_opened(self, vault: Vault) -> None:
        self.unlock_view.progress.hide()
        self.session.adopt(vault)
        self.notify(_("This is the demo vault: every person in it is fictional."))

    # --- closing --------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.preferences.set_geometry(self.saveGeometry())
        self._flush_edits()
        close_dialogs(self)
        clipboard.clear_if_ours()
        self.idle.detach()
        self.unlock_view.discard_created()
        self.session.shutdown()
        event.accept()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        # Follow a system switch between light and dark while running.
        if event.type() == QEvent.Type.PaletteChange:
            QTimer.singleShot(0, self.update)
        super().changeEvent(event)


def _open_demo(directory: VaultDirectory, today: date) -> Vault:
    """Unlock the demo vault, creating it with fictional data the first time."""
    if directory.exists():
        return directory.unlock(demo.DEMO_PASSPHRASE)
    vault, _summary = demo.create_demo(directory, today)
    return vault


def close_dialogs(window: QWidget) -> None:
    """Close every open dialog and popup; none may veto (a lock must happen)."""
    for widget in QApplication.topLevelWidgets():
        if widget is window or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            widget.done(QDialog.DialogCode.Rejected)
            widget.hide()
        elif isinstance(widget, QMenu):
            widget.close()


def install_qt_translator(lang: str) -> None:
    """Qt's own strings (standard buttons, dialogs) in ``lang`` (architecture.md rule 13)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    app = QApplication.instance()
    if app is None:
        return
    for old in app.findChildren(QTranslator, "samraadQt"):
        app.removeTranslator(old)
        old.deleteLater()
    if lang == "en":
        return
    translator = QTranslator(app)
    translator.setObjectName("samraadQt")
    qt_lang = {"nb": "nb"}.get(lang, lang)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{qt_lang}", path):
        app.installTranslator(translator)
