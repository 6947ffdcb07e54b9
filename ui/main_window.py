"""The kiosk window: one screen at a time, the language, the inactivity timers, lockdown, and
the visitor flows (sign-in with its badge, sign-out) on the database and print workers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from PySide6.QtCore import QLibraryInfo, Qt, QTimer, QTranslator
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.badges import BadgeService, PrintOutcome
from kiosk.domain import FieldError, SignInForm, SignOutMethod, Visit
from kiosk.i18n import Catalog, catalog
from kiosk.notice import Notice
from kiosk.retention import PurgeReport
from kiosk.setup import Kiosk, Services
from kiosk.visits import BadgeAlreadyUsed, UnknownBadge, UnknownVisit
from ui.screens.base import Screen
from ui.screens.details import DetailsScreen
from ui.screens.done import DoneScreen
from ui.screens.notice import NoticeScreen
from ui.screens.sign_out import SignOutScreen
from ui.screens.staff import StaffScreen
from ui.screens.staff_login import StaffLoginScreen
from ui.screens.welcome import WelcomeScreen
from ui.staff_controller import StaffController
from ui.tasks import DbWorker, PrintWorker
from ui.window_parts import ActivityFilter, LanguageBar, prepare_qt_types

log = logging.getLogger(__name__)

# How often the auto sign-out looks for visits past their time (it is idempotent, and a
# short period means a jump of the wall clock is caught within a minute).
MAINTENANCE_INTERVAL_MS = 60_000
# The retention cleanup: at start-up, then hourly, one chunk per database job so sign-ins
# and scans get the database in between.
PURGE_INTERVAL_MS = 3_600_000
# The badge libraries and fonts load this long after the window is built.
PREPARE_BADGES_AFTER_MS = 500


class KioskWindow(QMainWindow):
    def __init__(
        self, kiosk: Kiosk, badges: BadgeService | None = None, *, lockdown: bool = True
    ) -> None:
        super().__init__()
        self.setObjectName("kioskWindow")
        self.kiosk = kiosk
        config = kiosk.config
        self.worker = DbWorker(kiosk, self)
        self.printer = PrintWorker(badges or kiosk.badges(), self)
        self.language = config.default_language
        self._shown_notice: Notice | None = None
        # Bumped on every reset: a result that arrives for an earlier visitor is not shown.
        self.session = 0
        # A visitor cannot close the kiosk (close button, Alt+F4, Escape): only the staff
        # screen's "close the kiosk", or the system stopping it, lets it close.
        self.lockdown = lockdown
        self._may_close = not lockdown

        self.welcome = WelcomeScreen(config.site.name, config.kiosk.languages)
        self.notice = NoticeScreen()
        self.details = DetailsScreen(kiosk.hosts)
        self.done = DoneScreen(config.kiosk.done_timeout_s)
        self.sign_out = SignOutScreen(config.kiosk.done_timeout_s)
        self.staff_login = StaffLoginScreen()
        self.staff = StaffScreen()
        self.screens: tuple[Screen, ...] = (
            self.welcome,
            self.notice,
            self.details,
            self.done,
            self.sign_out,
            self.staff_login,
            self.staff,
        )

        self.stack = QStackedWidget()
        self.stack.setObjectName("screens")
        for screen in self.screens:
            self.stack.addWidget(screen)

        self.site_label = QLabel(config.site.name)
        self.site_label.setObjectName("siteName")
        self.language_bar = LanguageBar(config.kiosk.languages, self)
        self.header = QWidget()
        self.header.setObjectName("header")
        header_layout = QHBoxLayout(self.header)
        header_layout.setContentsMargins(48, 16, 48, 0)
        header_layout.addWidget(self.site_label)
        header_layout.addStretch(1)
        header_layout.addWidget(self.language_bar)

        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.welcome.language_chosen.connect(self.set_language)
        self.welcome.sign_in_requested.connect(self._on_sign_in_requested)
        self.notice.continue_requested.connect(self._on_notice_continue)
        self.notice.declined.connect(self._on_notice_declined)
        self.details.submitted.connect(self._on_details_submitted)
        self.details.cancelled.connect(self.reset)
        self.done.finished.connect(self.reset)
        self.welcome.sign_out_requested.connect(self._on_sign_out_requested)
        self.welcome.badge_scanned.connect(self._on_badge_scanned_at_welcome)
        self.sign_out.badge_scanned.connect(self._on_badge_scanned)
        self.sign_out.name_searched.connect(self._on_name_searched)
        self.sign_out.visit_chosen.connect(self._on_visit_chosen)
        self.sign_out.finished.connect(self.reset)

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(config.kiosk.idle_timeout_s * 1000)
        self.idle_timer.timeout.connect(self._on_idle_timeout)
        self.staff_controller = StaffController(self)
        self.welcome.staff_requested.connect(self.staff_controller.start_login)
        # Any touch or key restarts the inactivity timers. The filter sees every event of
        # the application, in Python, so it is installed only while one of those timers
        # runs: the welcome screen, where the kiosk waits most of its life, has none.
        self._activity_filter = ActivityFilter(
            (self.idle_timer, self.staff_controller.session_timer)
        )
        self._watching_activity = False
        prepare_qt_types()  # here, not at a visitor's first tap

        self._qt_translator = QTranslator(self)
        self.set_language(self.language)
        self.show_screen(self.welcome)

        # Visits left open from before are closed now, then once a minute.
        self.maintenance_timer = QTimer(self)
        self.maintenance_timer.setObjectName("maintenanceTimer")
        self.maintenance_timer.setInterval(MAINTENANCE_INTERVAL_MS)
        self.maintenance_timer.timeout.connect(self.run_maintenance)
        self.maintenance_timer.start()
        self.run_maintenance()
        self._purging = False
        self._backup_executor = ThreadPoolExecutor(1, thread_name_prefix="kiosk-backup")
        self._backup_executor_closed = False
        self.purge_timer = QTimer(self)
        self.purge_timer.setObjectName("purgeTimer")
        self.purge_timer.setInterval(PURGE_INTERVAL_MS)
        self.purge_timer.timeout.connect(self.run_purge)
        self.purge_timer.start()
        self.run_purge()

        # The badge libraries and fonts load once the welcome screen is up, not before it.
        self.prepare_timer = QTimer(self)
        self.prepare_timer.setObjectName("prepareBadgesTimer")
        self.prepare_timer.setSingleShot(True)
        self.prepare_timer.setInterval(PREPARE_BADGES_AFTER_MS)
        self.prepare_timer.timeout.connect(self.printer.prepare)
        self.prepare_timer.start()

    # -- navigation ------------------------------------------------------------------------
    def current_screen(self) -> Screen:
        screen = self.stack.currentWidget()
        assert isinstance(screen, Screen)
        return screen

    def show_screen(self, screen: Screen) -> None:
        self.stack.setCurrentWidget(screen)
        self.header.setVisible(screen not in (self.welcome, self.staff))
        staff_timer = self.staff_controller.session_timer
        if screen is self.staff:
            # Staff get their own, longer inactivity limit; the visitors' one is off.
            self.idle_timer.stop()
            staff_timer.start()
        elif screen is self.welcome:
            staff_timer.stop()
            self.idle_timer.stop()
            self.welcome.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            staff_timer.stop()
            self.idle_timer.start()
        self._watch_activity(screen is not self.welcome)

    def _watch_activity(self, on: bool) -> None:
        if on == self._watching_activity:
            return
        app = QApplication.instance()
        if app is not None:  # (none left once the application is gone)
            if on:
                app.installEventFilter(self._activity_filter)
            else:
                app.removeEventFilter(self._activity_filter)
        self._watching_activity = on

    def reset(self) -> None:
        """Back to the welcome screen in the default language, every field empty."""
        self.session += 1
        self._shown_notice = None
        for screen in self.screens:
            screen.clear()
        self.set_language(self.kiosk.config.default_language)
        self.show_screen(self.welcome)

    # -- language --------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        return catalog(self.language)

    def set_language(self, language: str) -> None:
        """Switch every screen to `language`; what the visitor typed stays."""
        self.language = language
        current = self.catalog
        app = QApplication.instance()
        assert app is not None
        app.removeTranslator(self._qt_translator)
        # Qt's own words (text field context menus and the like) in the same language.
        translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if self._qt_translator.load(f"qtbase_{language}", translations):
            app.installTranslator(self._qt_translator)
        self.setWindowTitle(current.text("window.title"))
        for screen in self.screens:
            screen.retranslate_ui(current)
        self.notice.show_notice(self.kiosk.notice(language), current)
        self.language_bar.show_language(language)

    # -- slots -----------------------------------------------------------------------------
    def _on_sign_in_requested(self) -> None:
        self.show_screen(self.notice)

    def _on_notice_continue(self) -> None:
        # The visit records the notice the visitor read, in the language they read it in.
        self._shown_notice = self.kiosk.notice(self.language)
        self.show_screen(self.details)
        self.details.focus_first()

    def _on_notice_declined(self) -> None:
        # Nothing is stored: the visitor is sent to reception.
        self._shown_notice = None
        self.details.clear()
        self.done.show_declined()
        self.show_screen(self.done)

    def _on_details_submitted(self, form: SignInForm) -> None:
        notice = self._shown_notice or self.kiosk.notice(self.language)
        session = self.session
        self.details.set_busy(True)

        def job(services: Services) -> tuple[Visit, str]:
            visit = services.visits.sign_in(form, notice)
            return visit, services.visits.badge_code(visit.visit_id)

        def on_done(result: tuple[Visit, str]) -> None:
            visit, code = result
            # The badge prints whatever the screen does next.
            self.print_badge(visit, code, session)
            if session != self.session:
                return
            self.details.clear()
            self.done.show_signed_in(visit.visitor_name)
            self.show_screen(self.done)

        def on_error(error: BaseException) -> None:
            if session != self.session:
                return
            self.details.set_busy(False)
            if isinstance(error, FieldError):
                self.details.show_field_error(error)
            else:
                self.details.show_error("error.storage")

        self.worker.submit(job, on_done, on_error)

    def print_badge(self, visit: Visit, code: str, session: int | None = None) -> None:
        """Print on the print worker; the done screen hears how it went if the same visitor
        is still in front of it."""

        def on_printed(outcome: PrintOutcome) -> None:
            if session == self.session and self.done.printing:
                self.done.show_badge(outcome.at_printer)

        def on_error(error: BaseException) -> None:
            # Rendering or writing the badge failed; the visit itself is safe.
            if session == self.session and self.done.printing:
                self.done.show_badge(False)

        if self.printer.closed:  # a sign-in that finished while the kiosk was closing
            log.warning("visit %d: kiosk closing, badge not printed", visit.visit_id)
            return
        self.printer.submit(lambda badges: badges.print_badge(visit, code), on_printed, on_error)

    def reprint_badge(
        self, visit_id: int, on_outcome: Callable[[PrintOutcome | BaseException], None]
    ) -> None:
        """Print a visitor's badge again (reception's reprint): the visit and its code come
        from the database worker, the print from the print worker; `on_outcome` gets the
        PrintOutcome, or the error (UnknownVisit for a visit no longer on site)."""

        def on_found(found: tuple[Visit, str]) -> None:
            visit, code = found
            self.printer.submit(
                lambda badges: badges.print_badge(visit, code), on_outcome, on_outcome
            )

        self.worker.submit(
            lambda services: services.visits.badge_for_reprint(visit_id), on_found, on_outcome
        )

    def _on_sign_out_requested(self) -> None:
        self.show_screen(self.sign_out)
        self.sign_out.start()

    def _on_badge_scanned_at_welcome(self, typed: str) -> None:
        self._on_sign_out_requested()
        self._on_badge_scanned(typed)

    def _on_badge_scanned(self, typed: str) -> None:
        self._sign_out(lambda services: services.visits.sign_out_by_badge(typed))

    def _on_visit_chosen(self, visit_id: int) -> None:
        self._sign_out(lambda services: services.visits.sign_out(visit_id, SignOutMethod.KIOSK))

    def _sign_out(self, job: Callable[[Services], Visit]) -> None:
        session = self.session

        def on_done(visit: Visit) -> None:
            if session != self.session:
                return
            # The goodbye is in the language the visitor signed in with.
            if visit.language in self.kiosk.config.kiosk.languages:
                self.set_language(visit.language)
            self.sign_out.show_goodbye(visit.visitor_name)

        def on_error(error: BaseException) -> None:
            if session != self.session:
                return
            if isinstance(error, UnknownBadge):
                self.sign_out.show_unknown()
            elif isinstance(error, BadgeAlreadyUsed | UnknownVisit):
                self.sign_out.show_used()
            else:
                self.sign_out.show_failed()

        self.worker.submit(job, on_done, on_error)

    def _on_name_searched(self, typed: str) -> None:
        session = self.session

        def on_done(matches: list[Visit]) -> None:
            if session == self.session:
                self.sign_out.show_matches(matches)

        def on_error(error: BaseException) -> None:
            if session == self.session:
                self.sign_out.show_failed()

        self.worker.submit(lambda services: services.visits.on_site_named(typed), on_done, on_error)

    def run_maintenance(self) -> None:
        """The auto sign-out, on the database worker."""

        def on_error(error: BaseException) -> None:
            log.warning("maintenance failed; it runs again in a minute")

        self.worker.submit(self.kiosk.maintain, lambda _closed: None, on_error)

    @property
    def purging(self) -> bool:
        """A retention cleanup is under way on the database worker."""
        return self._purging

    def run_purge(self) -> None:
        """The retention cleanup (kiosk.retention), a chunk per database job."""
        if self._purging or self.worker.closed:
            return
        self._purging = True
        cutoff = None

        def chunk(services: Services) -> int:
            nonlocal cutoff
            if cutoff is None:
                cutoff = services.retention.cutoff()
            return services.retention.step(cutoff)

        def after_chunk(deleted: int) -> None:
            if self.worker.closed:
                return  # shutdown() finishes the cleanup
            if deleted:
                self.worker.submit(chunk, after_chunk, failed)
            else:
                assert cutoff is not None
                finish = cutoff
                self.worker.submit(lambda services: services.retention.finish(finish), done, failed)

        def done(report: PurgeReport) -> None:
            self._purging = False
            if not self._backup_executor_closed:
                # Backups are purged, and made when due, beside the database worker.
                self._backup_executor.submit(self._maintain_backups, report.cutoff)

        def failed(error: BaseException) -> None:
            log.warning(
                "retention cleanup stopped (%s); it runs again within the hour",
                type(error).__name__,
            )
            self._purging = False

        self.worker.submit(chunk, after_chunk, failed)

    def _maintain_backups(self, cutoff: datetime) -> None:
        try:
            self.kiosk.backups().maintain(cutoff)
        except Exception as error:
            log.warning("backups not kept up (%s); tried again within the hour", error)

    def _on_idle_timeout(self) -> None:
        log.info("idle timeout: back to the welcome screen")
        self.reset()

    # -- lifetime --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop timers and the worker (finishing queued writes). Safe to call twice."""
        self.idle_timer.stop()
        self.prepare_timer.stop()
        self.staff_controller.session_timer.stop()
        self.maintenance_timer.stop()
        self.purge_timer.stop()
        if self._purging and not self.worker.closed:
            # A cleanup under way is completed before the kiosk stops (run --smoke included).
            self.worker.submit(
                lambda services: services.retention.run(), lambda _r: None, lambda _e: None
            )
        self.done.timer.stop()
        self.sign_out.timer.stop()
        self._watch_activity(False)
        app = QApplication.instance()
        if app is not None:
            app.removeTranslator(self._qt_translator)
        self.worker.shutdown()
        self.printer.shutdown()
        self._backup_executor_closed = True
        self._backup_executor.shutdown(wait=True)

    def allow_close(self) -> None:
        """Let the window close (staff's "close the kiosk", or the system stopping it)."""
        self._may_close = True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            log.info("a request to close the kiosk was ignored")
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.lockdown and event.key() == Qt.Key.Key_Escape:
            event.accept()  # nothing to escape to
            return
        super().keyPressEvent(event)
