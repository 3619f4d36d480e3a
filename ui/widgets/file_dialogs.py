"""Asking for a file to save to or open, without leaving traces.

Native dialogs add every chosen file to the desktop's recent-documents list
and Qt's own dialog remembers its history in QtProject.conf; a file name
often names a child. So Samråd uses Qt's dialog with an empty history and
removes what it would remember. Tests replace these two functions.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


def _dialog(parent: QWidget | None, title: str, filters: str, directory: str) -> QFileDialog:
    dialog = QFileDialog(parent, title, directory, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setHistory([])
    return dialog


def _forget_history() -> None:
    # Qt's widget dialog writes lastVisited/history under "FileDialog".
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "QtProject")
    settings.remove("FileDialog")
    settings.sync()


def ask_save_path(
    parent: QWidget | None, title: str, suggested_name: str, filters: str
) -> Path | None:
    """The file the advisor chose to write, or None if they cancelled."""
    dialog = _dialog(parent, title, filters, str(Path.home() / suggested_name))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile(suggested_name)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
        _forget_history()


def ask_open_path(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """The existing file the advisor chose to read, or None if they cancelled."""
    dialog = _dialog(parent, title, filters, str(Path.home()))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
        _forget_history()


def ask_directory(parent: QWidget | None, title: str) -> Path | None:
    """A folder the advisor chose (per-child PDFs), or None if they cancelled."""
    dialog = _dialog(parent, title, "", str(Path.home()))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
        _forget_history()
