"""What the staff screens do: the login, the on-site list and its actions, rights requests and
the audit log. Every database step runs on the database worker and every PDF or print job on
the print worker; this class only wires screens to them and writes the audit log.

A staff session ends on `staffExit`, on `staff.session_timeout_s` without a touch, and
whenever the kiosk resets; the PIN is asked again every time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog

from kiosk.bootstrap import Services
from kiosk.domain.visit import FieldError, SignOutMethod, Visit
from kiosk.export.visits import ExportFormat, export_visits
from kiosk.printing.reports import evacuation_report, rights_report
from kiosk.settings.files import atomic_text_file
from kiosk.settings.i18n import Catalog
from kiosk.staff.audit import AuditAction, AuditEntry
from kiosk.staff.auth import LoginOutcome, LoginResult
from kiosk.visits.service import SEARCH_LIMIT, BadgeAlreadyUsed, UnknownBadge, UnknownVisit
from ui.dialogs import ask
from ui.export_dialog import ExportDialog

if TYPE_CHECKING:
    from ui.main_window import KioskWindow

log = logging.getLogger(__name__)


class _Progress(QObject):
    """Carries export progress from the worker thread to the dialog (a queued signal)."""

    changed = Signal(int, int)


class StaffController(QObject):
    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self.window = window
        self.login = window.staff_login
        self.screen = window.staff
        self.export_dialog: ExportDialog | None = None
        self.session_timer = QTimer(self)
        self.session_timer.setObjectName("staffSessionTimer")
        self.session_timer.setSingleShot(True)
        self.session_timer.setInterval(window.kiosk.config.staff.session_timeout_s * 1000)
        self.session_timer.timeout.connect(self._on_session_timeout)

        self.login.pin_entered.connect(self._on_pin)
        self.login.cancelled.connect(window.reset)
        s = self.screen
        s.exit_requested.connect(self.end_session)
        s.quit_requested.connect(self._on_quit)
        s.search_changed.connect(self.refresh)
        s.sign_out_requested.connect(self._on_sign_out)
        s.reprint_requested.connect(self._on_reprint)
        s.evacuation_requested.connect(self._on_evacuation)
        s.export_requested.connect(lambda: self._open_export("visits"))
        s.tabs.currentChanged.connect(self._on_tab)
        s.audit.export_requested.connect(lambda: self._open_export("audit"))
        s.rights.find_requested.connect(self._on_rights_find)
        s.rights.export_requested.connect(self._on_rights_export)
        s.rights.correct_requested.connect(self._on_rights_correct)
        s.rights.erase_requested.connect(self._on_rights_erase)

    @property
    def catalog(self) -> Catalog:
        return self.window.catalog

    def _db(
        self,
        job: Callable[[Services], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """A database job for the staff session; dropped if the session has ended."""
        session = self.window.session

        def done(result: Any) -> None:
            if session == self.window.session:
                on_done(result)

        def failed(error: BaseException) -> None:
            if session != self.window.session:
                return
            if on_error is not None:
                on_error(error)
            else:
                self.screen.show_message(lambda c: c.text("staff.failed"))

        self.window.worker.submit(job, done, failed)

    # -- login and session -----------------------------------------------------------------
    def start_login(self) -> None:
        self.window.show_screen(self.login)
        self.login.start()

    def _on_pin(self, pin: str) -> None:
        self.login.set_busy(True)

        def shown(result: LoginResult) -> None:
            self.login.set_busy(False)
            if result.ok:
                self._open_session()
            elif result.outcome is LoginOutcome.LOCKED and result.until is not None:
                until = result.until.astimezone().strftime("%H:%M")
                self.login.show_message(lambda c: c.text("staff.locked", time=until))
            elif result.outcome is LoginOutcome.NO_PIN:
                self.login.show_message(lambda c: c.text("staff.no_pin"))
            else:
                left = result.attempts_left
                self.login.show_message(lambda c: c.text("staff.wrong_pin", left=left))

        def failed(_error: BaseException) -> None:
            self.login.set_busy(False)
            self.login.show_message(lambda c: c.text("staff.failed"))

        self._db(lambda services: services.staff_auth.login(pin), shown, failed)

    def _open_session(self) -> None:
        self.screen.clear()
        self.window.show_screen(self.screen)
        self.session_timer.start()
        self.refresh()

    def end_session(self) -> None:
        self._db(lambda services: services.staff_auth.logout(), lambda _r: None)
        self.window.reset()

    def _on_session_timeout(self) -> None:
        log.info("staff session timed out")
        self.end_session()

    def _on_quit(self) -> None:
        def quit_kiosk() -> None:
            log.info("the kiosk was closed from the staff screen")
            self.window.allow_close()
            app = QApplication.instance()
            if app is not None:
                app.quit()

        ask(self.screen, self.catalog, self.catalog.text("staff.quit_confirm"), quit_kiosk)

    # -- on site ---------------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        typed = self.screen.search.text()
        self._db(
            lambda services: services.visits.search_present(typed, SEARCH_LIMIT + 1),
            self.screen.show_present,
        )

    def _on_sign_out(self, visit_ids: list[int]) -> None:
        count = len(visit_ids)

        def sign_out() -> None:
            def job(services: Services) -> int:
                done = []
                for visit_id in visit_ids:
                    try:
                        services.visits.sign_out(visit_id, SignOutMethod.STAFF)
                    except UnknownVisit:
                        continue  # signed out meanwhile (badge scanned, auto sign-out)
                    done.append(visit_id)
                services.audit.record(AuditAction.SIGN_OUT, visit_ids=done)
                return len(done)

            def signed_out(n: int) -> None:
                self.screen.show_message(lambda c: c.text("staff.signed_out", count=n))
                self.refresh()

            self._db(job, signed_out)

        ask(
            self.screen,
            self.catalog,
            self.catalog.text("staff.sign_out_confirm", count=count),
            sign_out,
        )

    def sign_out_badge(self, typed: str) -> None:
        """A badge scanned while the staff screen is open (a visitor hands it back at the
        desk): that visitor is signed out, as a staff sign-out, audited like one."""

        def job(services: Services) -> Visit:
            visit = services.visits.sign_out_by_badge(typed, SignOutMethod.STAFF)
            services.audit.record(AuditAction.SIGN_OUT, visit_ids=[visit.visit_id])
            return visit

        def signed_out(visit: Visit) -> None:
            name = visit.visitor_name
            self.screen.show_message(lambda c: c.text("staff.badge_signed_out", name=name))
            self.refresh()

        def failed(error: BaseException) -> None:
            if isinstance(error, UnknownBadge):
                self.screen.show_message(lambda c: c.text("staff.badge_unknown"))
            elif isinstance(error, BadgeAlreadyUsed):
                self.screen.show_message(lambda c: c.text("staff.badge_used"))
            else:
                self.screen.show_message(lambda c: c.text("staff.failed"))

        self._db(job, signed_out, failed)

    def _on_reprint(self, visit_id: int) -> None:
        def outcome(result: object) -> None:
            printed = getattr(result, "at_printer", False)
            key = "staff.reprinted" if printed else "staff.reprint_failed"
            self.screen.show_message(lambda c: c.text(key))

        self._db(
            lambda services: services.audit.record(AuditAction.REPRINT, visit_ids=[visit_id]),
            lambda _r: self.window.reprint_badge(visit_id, outcome),
        )
        self.screen.show_message(lambda c: c.text("staff.reprinting"))

    def _on_evacuation(self) -> None:
        kiosk = self.window.kiosk

        def collect(services: Services) -> list[Visit]:
            present = services.visits.present_visitors()
            services.audit.record(
                AuditAction.EVACUATION,
                detail=f"roll call of {len(present)}",
                visit_ids=[v.visit_id for v in present],
            )
            return present

        def made(result: tuple[Path, bool]) -> None:
            path, printed = result
            key = "staff.roll_call_printed" if printed else "staff.roll_call_saved"
            self.screen.show_message(lambda c: c.text(key, path=path))

        def print_it(present: list[Visit]) -> None:
            self.window.printer.submit(
                lambda _badges: evacuation_report(
                    kiosk.config, kiosk.paths.report_dir, present, datetime.now().astimezone()
                ),
                made,
                lambda _e: self.screen.show_message(lambda c: c.text("staff.failed")),
            )

        self.screen.show_message(lambda c: c.text("staff.roll_call_making"))
        self._db(collect, print_it)

    # -- exports ---------------------------------------------------------------------------
    def _open_export(self, what: str) -> None:
        title = "staff.export_title" if what == "visits" else "staff.audit_export"
        dialog = ExportDialog(self.catalog, title, self.window)
        progress = _Progress(dialog)
        progress.changed.connect(dialog.set_progress)

        def start(first: date, last: date, fmt: ExportFormat, path: Path) -> None:
            def job(services: Services) -> int:
                with atomic_text_file(path) as out:
                    if what == "visits":
                        count = export_visits(
                            services.store, first, last, fmt, out, progress.changed.emit
                        )
                    else:
                        count = services.audit.export(first, last, fmt, out)
                        progress.changed.emit(count, count)
                services.audit.record(
                    AuditAction.EXPORT,
                    detail=f"{what} {first}..{last}, {count} rows, {fmt.value}",
                )
                return count

            self._db(
                job,
                lambda count: dialog.finished_export(count, path),
                lambda error: dialog.failed_export(_reason(error)),
            )

        dialog.start_requested.connect(start)
        dialog.open()
        self.export_dialog = dialog

    # -- audit -----------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if self.screen.tabs.widget(index) is self.screen.audit:
            self._db(lambda services: services.audit.entries(), self._show_audit)

    def _show_audit(self, entries: list[AuditEntry]) -> None:
        self.screen.audit.show_entries(entries)

    # -- rights ----------------------------------------------------------------------------
    def _on_rights_find(self, typed: str) -> None:
        self._db(lambda services: services.rights.find(typed), self.screen.rights.show_found)

    def _on_rights_export(self, kind: str, visits: list[Visit]) -> None:
        chooser = QFileDialog(self.screen, self.catalog.text("staff.export_choose"))
        chooser.setObjectName("rightsFileChooser")
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        chooser.selectFile(str(Path.home() / f"visitor-data.{kind}"))
        chooser.fileSelected.connect(lambda name: self.export_rights(kind, visits, Path(name)))
        chooser.open()

    def export_rights(self, kind: str, visits: list[Visit], path: Path) -> None:
        """Write one visitor's data to `path` (JSON or PDF) on the print worker."""
        kiosk = self.window.kiosk
        self.window.printer.submit(
            lambda _badges: rights_report(kiosk.config, visits, kind, path),
            lambda _r: self.screen.rights.show_message(
                lambda c: c.text("staff.rights_exported", path=path)
            ),
            lambda error: self.screen.rights.show_message(
                lambda c: c.text("staff.export_failed", reason=_reason(error))
            ),
        )

    def _on_rights_correct(self, visit_id: int, field: str, value: str) -> None:
        def corrected(visit: Visit) -> None:
            found = [
                visit if v.visit_id == visit_id else v for v in self.screen.rights.model.records
            ]
            self.screen.rights.show_found(found)
            self.screen.rights.show_message(lambda c: c.text("staff.rights_corrected"))

        def failed(error: BaseException) -> None:
            if isinstance(error, FieldError):
                code = error.code
                self.screen.rights.show_message(
                    lambda c: c.text(
                        f"error.{code}", field=c.text(f"field.{error.field}"), limit=error.limit
                    )
                )
            else:
                self.screen.rights.show_message(lambda c: c.text("staff.failed"))

        self._db(
            lambda services: services.rights.correct(visit_id, field, value), corrected, failed
        )

    def _on_rights_erase(self, visit_ids: list[int]) -> None:
        def erase() -> None:
            def erased(count: int) -> None:
                remaining = [
                    v for v in self.screen.rights.model.records if v.visit_id not in visit_ids
                ]
                self.screen.rights.model.set_records(remaining)
                self.screen.rights.show_message(
                    lambda c: c.text("staff.rights_erased", count=count)
                )

            self._db(lambda services: services.rights.erase(visit_ids), erased)

        text = self.catalog.text("staff.rights_erase_confirm", count=len(visit_ids))
        ask(self.screen, self.catalog, text, erase)


def _reason(error: BaseException) -> str:
    """A short cause for staff, without personal data (OS errors name the file, not a visitor)."""
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__
