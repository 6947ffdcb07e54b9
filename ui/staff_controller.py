"""What the staff screens do: the login, the on-site list and its actions (sign out, reprint,
the roll call), the audit log tab, and closing the kiosk. Each action calls one operation of
the core, which writes its own audit entry: database steps on the database worker, rendering
and printing on the print worker. Rights requests and exports have controllers of their own
(`ui.rights_controller`, `ui.export_controller`).

A staff session ends on `staffExit`, after `staff.session_timeout_s` without a touch (the
window's timer), and whenever the kiosk resets; the PIN is asked again every time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject

from kiosk.domain.audit import AuditEntry
from kiosk.domain.events import PrintOutcome
from kiosk.domain.visit import BadgeAlreadyUsed, SignedIn, UnknownBadge, Visit
from kiosk.printing.badges import BadgePrinting
from kiosk.settings.i18n import Catalog, catalog
from kiosk.staff.audit import AuditLog
from kiosk.staff.auth import LoginOutcome, LoginResult, StaffAuth
from kiosk.staff.reception import Reception
from kiosk.staff.roll_call import OnSiteNow, RollCall, RollCallReport
from kiosk.visits.service import SEARCH_LIMIT, Visits
from ui.dialogs import ask
from ui.screens.staff import StaffScreen
from ui.screens.staff_login import StaffLoginScreen
from ui.session import Screen, VisitorSession
from ui.tasks import SessionJob, Worker, failed_text

log = logging.getLogger(__name__)
R = TypeVar("R")


class StaffController(QObject):
    def __init__(
        self,
        session: VisitorSession,
        *,
        login: StaffLoginScreen,
        screen: StaffScreen,
        staff_auth: StaffAuth,
        reception: Reception,
        visits: Visits,
        roll_call: RollCall,
        audit: AuditLog,
        badges: BadgePrinting,
        worker: Worker,
        printer: Worker,
        quit_kiosk: Callable[[], None],
    ) -> None:
        super().__init__()
        self._session = session
        self.login = login
        self.screen = screen
        self._staff_auth = staff_auth
        self._reception = reception
        self._visits = visits
        self._roll_call = roll_call
        self._audit = audit
        self._badges = badges
        self._worker = worker
        self._printer = printer
        self._quit_kiosk = quit_kiosk

        login.pin_entered.connect(self._on_pin)
        login.cancelled.connect(session.reset)
        s = screen
        s.exit_requested.connect(self.end_session)
        s.quit_requested.connect(self._on_quit)
        s.search_changed.connect(self.refresh)
        s.sign_out_requested.connect(self._on_sign_out)
        s.reprint_requested.connect(self._on_reprint)
        s.evacuation_requested.connect(self._on_evacuation)
        s.tabs.currentChanged.connect(self._on_tab)

    @property
    def catalog(self) -> Catalog:
        return catalog(self._session.language)

    def _job(self, worker: Worker, call: Callable[[], R]) -> SessionJob[R]:
        """A job for this staff session; a failure says so on the staff screen unless the
        caller says otherwise."""
        return SessionJob(worker, self._session, call).failure(self._failed)

    def _failed(self, error: BaseException) -> None:
        self.screen.show_message(failed_text(error))

    # -- login and session -----------------------------------------------------------------------
    def start_login(self) -> None:
        self._session.show(Screen.STAFF_LOGIN)
        self.login.start()

    def _on_pin(self, pin: str) -> None:
        self.login.set_busy(True)

        def failed(error: BaseException) -> None:
            self.login.set_busy(False)
            self.login.show_message(failed_text(error))

        self._job(self._worker, lambda: self._staff_auth.login(pin)).success(
            self._on_login
        ).failure(failed).run()

    def _on_login(self, result: LoginResult) -> None:
        self.login.set_busy(False)
        if result.ok:
            self.screen.clear()
            self._session.show(Screen.STAFF)
            self.refresh()
        elif result.outcome is LoginOutcome.LOCKED and result.until is not None:
            until = result.until.astimezone().strftime("%H:%M")
            self.login.show_message(lambda c: c.text("staff.locked", time=until))
        elif result.outcome is LoginOutcome.NO_PIN:
            self.login.show_message(lambda c: c.text("staff.no_pin"))
        else:
            left = result.attempts_left
            self.login.show_message(lambda c: c.text("staff.wrong_pin", left=left))

    def end_session(self) -> None:
        """Staff leave (or time out): recorded, and the kiosk is the visitors' again."""
        self._worker.run_quietly(self._staff_auth.logout)
        self._session.reset()

    def _on_quit(self) -> None:
        def quit_kiosk() -> None:
            log.info("the kiosk was closed from the staff screen")
            self._quit_kiosk()

        ask(self.screen, self.catalog, self.catalog.text("staff.quit_confirm"), quit_kiosk)

    # -- on site ---------------------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        typed = self.screen.search.text()
        self._job(
            self._worker, lambda: self._visits.search_present(typed, SEARCH_LIMIT + 1)
        ).success(self.screen.show_present).run()

    def _on_sign_out(self, visit_ids: list[int]) -> None:
        def signed_out(count: int) -> None:
            self.screen.show_message(lambda c: c.text("staff.signed_out", count=count))
            self.refresh()

        def sign_out() -> None:
            self._job(self._worker, lambda: self._reception.sign_out(visit_ids)).success(
                signed_out
            ).run()

        text = self.catalog.text("staff.sign_out_confirm", count=len(visit_ids))
        ask(self.screen, self.catalog, text, sign_out)

    def sign_out_badge(self, typed: str) -> None:
        """A badge scanned while the staff screen is open (a visitor hands it back at the
        desk): that visitor is signed out, as a staff sign-out, audited like one."""

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
                self._failed(error)

        self._job(self._worker, lambda: self._reception.sign_out_badge(typed)).success(
            signed_out
        ).failure(failed).run()

    def _on_reprint(self, visit_id: int) -> None:
        def printed(outcome: PrintOutcome) -> None:
            key = "staff.reprinted" if outcome.at_printer else "staff.reprint_failed"
            self.screen.show_message(lambda c: c.text(key))

        def not_printed(_error: BaseException) -> None:
            self.screen.show_message(lambda c: c.text("staff.reprint_failed"))

        def print_badge(found: SignedIn) -> None:
            badge = lambda: self._badges.print_badge(found.visit, found.badge_code)  # noqa: E731
            self._job(self._printer, badge).success(printed).failure(not_printed).run()

        self._job(self._worker, lambda: self._reception.reprint(visit_id)).success(
            print_badge
        ).failure(not_printed).run()
        self.screen.show_message(lambda c: c.text("staff.reprinting"))

    def _on_evacuation(self) -> None:
        def made(report: RollCallReport) -> None:
            key = "staff.roll_call_printed" if report.printed_on else "staff.roll_call_saved"
            self.screen.show_message(lambda c: c.text(key, path=report.path))

        language = self._session.language  # the staff screen's: the list is in it too

        def make(on_site: OnSiteNow) -> None:
            roll_call = lambda: self._roll_call.make(on_site, language=language)  # noqa: E731
            self._job(self._printer, roll_call).success(made).run()

        self.screen.show_message(lambda c: c.text("staff.roll_call_making"))
        self._job(self._worker, self._roll_call.take).success(make).run()

    # -- changing tabs --------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if self.screen.tabs.widget(index) is self.screen.audit:
            self._job(self._worker, self._audit.entries).success(self._show_audit).run()
        elif self.screen.tabs.widget(index) is self.screen.on_site:
            # Back from *Visitor requests*, where visits may have been restricted or erased.
            self.refresh()

    def _show_audit(self, entries: list[AuditEntry]) -> None:
        self.screen.audit.show_entries(entries)
