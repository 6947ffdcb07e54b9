"""Exports from the staff screen: the access log (the on-site tab's *Export…*) and the audit
log (its tab's export), to a file staff choose, with a progress bar. The export runs on a
database worker of its own, reading on its own connection, so visitors sign in and out
meanwhile; the core's operation records it in the audit log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kiosk.domain.workbook import MAX_RECORDS, WorkbookTooLarge
from kiosk.export.visits import ExportFormat, Exports
from kiosk.settings.files import atomic_binary_file, atomic_text_file
from kiosk.settings.i18n import catalog
from ui.export_dialog import ExportDialog
from ui.session import VisitorSession
from ui.tasks import SessionJob, Worker


class _Progress(QObject):
    """Carries export progress from the worker thread to the dialog (a queued signal)."""

    changed = Signal(int, int)


class ExportController:
    def __init__(
        self,
        session: VisitorSession,
        parent: QWidget,
        exports: Exports,
        worker: Worker,
    ) -> None:
        self._session = session
        self._parent = parent
        self._exports = exports
        self._worker = worker
        self.dialog: ExportDialog | None = None

    def open(self, what: str) -> None:
        """The export dialog for "visits" or "audit"."""
        title = "staff.export_title" if what == "visits" else "staff.audit_export"
        dialog = ExportDialog(catalog(self._session.language), title, self._parent)
        progress = _Progress(dialog)
        progress.changed.connect(dialog.set_progress)

        def start(first: date, last: date, fmt: ExportFormat, path: Path) -> None:
            def export() -> int:
                opened = atomic_binary_file if fmt.binary else atomic_text_file
                with opened(path) as out:
                    if what == "visits":
                        return self._exports.visits(first, last, fmt, out, progress.changed.emit)
                    count = self._exports.audit_log(first, last, fmt, out)
                    progress.changed.emit(count, count)
                    return count

            SessionJob(self._worker, self._session, export).success(
                lambda count: dialog.finished_export(count, path)
            ).failure(lambda error: dialog.failed_export(self._reason(error))).run()

        dialog.start_requested.connect(start)
        dialog.open()
        self.dialog = dialog

    def _reason(self, error: BaseException) -> str:
        if isinstance(error, WorkbookTooLarge):
            texts = catalog(self._session.language)
            return texts.text("staff.export_too_many", limit=f"{MAX_RECORDS:,}")
        return reason(error)


def reason(error: BaseException) -> str:
    """A short cause for staff, without personal data (OS errors name the file, not a visitor)."""
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__
