"""The kiosk window: one screen at a time, the language, the inactivity timers, lockdown, and
the visitor flows (sign-in with its badge, sign-out) on the database and print workers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QLibraryInfo, Qt, QTimer, QTranslator
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.badge_code import read_badge_code
from kiosk.domain.visit import FieldError, SignInForm, SignOutMethod, Visit
from kiosk.printing.badges import BadgeService, PrintOutcome
from kiosk.settings.i18n import Catalog, catalog
from kiosk.visits.notice import Notice
from kiosk.visits.service import BadgeAlreadyUsed, UnknownBadge, UnknownVisit
from ui.keyboard import OnScreenKeyboard, on_screen_keyboard_in_use
from ui.maintenance import Maintenance
from ui.scanner import BadgeScanner, platform_offset
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
from ui.window_parts import (
    ActivityFilter,
    ActivityWatch,
    LanguageBar,
    ScreenStack,
    WindowLifetime,
    prepare_qt_types,
    settle_translator_lookups,
)

log = logging.getLogger(__name__)

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
        # The workers and the upkeep are not Qt children of the window: they stop, on their
        # own threads' terms, when the window is shut down or destroyed (WindowLifetime).
        self.worker = DbWorker(kiosk)
        self.printer = PrintWorker(badges or kiosk.badges())
        self.maintenance = Maintenance(kiosk, self.worker)
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

        self.stack = ScreenStack(self.screens)

        self.site_label = QLabel(config.site.name)
        self.site_label.setObjectName("siteName")
        self.language_bar = LanguageBar(config.kiosk.languages, self.set_language)
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
        # Room kept free for the on-screen keyboard while it shows.
        self.keyboard_room = QWidget()
        self.keyboard_room.setObjectName("keyboardRoom")
        self.keyboard_room.setFixedHeight(0)
        layout.addWidget(self.keyboard_room)
        self.setCentralWidget(central)

        self.welcome.language_chosen.connect(self.set_language)
        self.welcome.sign_in_requested.connect(self._on_sign_in_requested)
        self.notice.continue_requested.connect(self._on_notice_continue)
        self.notice.declined.connect(self._on_notice_declined)
        self.details.submitted.connect(self._on_details_submitted)
        self.details.cancelled.connect(self.reset)
        self.done.finished.connect(self.reset)
        self.welcome.sign_out_requested.connect(self._on_sign_out_requested)
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
        self.activity = ActivityWatch(
            ActivityFilter((self.idle_timer, self.staff_controller.session_timer))
        )
        prepare_qt_types()  # here, not at a visitor's first tap

        # A badge scanned on any screen, whatever has the focus; never into a field.
        self.scanner = BadgeScanner(platform_offset(), self)
        self.scanner.watch_tree(self)
        self.scanner.scanned.connect(self._on_scanned)
        # The badge code of the visitor this session signed in (the done screen's own badge).
        self._signed_in_code: str | None = None

        self.keyboard: OnScreenKeyboard | None = None
        if on_screen_keyboard_in_use():
            self.keyboard = OnScreenKeyboard(self, config.kiosk.languages)
            self.keyboard.covered_changed.connect(self._on_keyboard_covered)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)  # type: ignore[union-attr]

        self._qt_translator = QTranslator(self)
        self.set_language(self.language)
        self.show_screen(self.welcome)

        self._lifetime = WindowLifetime(
            self, self.maintenance, (self.worker, self.printer), self.activity
        )
        self.maintenance.start()

        # The badge libraries and fonts load once the welcome screen is up, not before it.
        self.prepare_timer = QTimer(self)
        self.prepare_timer.setObjectName("prepareBadgesTimer")
        self.prepare_timer.setSingleShot(True)
        self.prepare_timer.setInterval(PREPARE_BADGES_AFTER_MS)
        self.prepare_timer.timeout.connect(self.printer.prepare)
        self.prepare_timer.start()

    # -- navigation ------------------------------------------------------------------------
    def current_screen(self) -> Screen:
        return self.stack.current()

    def show_screen(self, screen: Screen) -> None:
        self.stack.show_screen(screen)
        self._show_header()
        staff_timer = self.staff_controller.session_timer
        if screen is self.staff:
            # Staff get their own, longer inactivity limit; the visitors' one is off.
            self.idle_timer.stop()
            staff_timer.start()
        elif screen is self.welcome:
            staff_timer.stop()
            self.idle_timer.stop()
            focused = QApplication.focusWidget()
            if focused is not None:
                focused.clearFocus()  # (a scan reaches the window: see ui/scanner.py)
        else:
            staff_timer.stop()
            self.idle_timer.start()
        self.activity.watch(screen is not self.welcome)

    def _show_header(self) -> None:
        # The site and the language switch; not while the on-screen keyboard needs the room.
        typing = self.keyboard is not None and self.keyboard.covered > 0
        # The staff screens have none: the room is theirs, and staff switch at the welcome.
        self.header.setVisible(
            self.current_screen() not in (self.welcome, self.staff_login, self.staff) and not typing
        )

    def reset(self) -> None:
        """Back to the welcome screen in the default language, every field empty."""
        self.session += 1
        self._shown_notice = None
        self._signed_in_code = None
        self.scanner.clear()
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
            settle_translator_lookups()
        if self.keyboard is not None:
            self.keyboard.set_language(language)
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
            self._signed_in_code = code
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

    def _on_scanned(self, typed: str) -> None:
        """A badge held under the scanner, on any screen. At the staff screen it is reception
        signing a visitor out; on the confirmation it may be the badge just printed; anywhere
        else the visitor is leaving: whatever the screen held is dropped, as at a reset."""
        screen = self.current_screen()
        log.info("badge scanned on the %s screen", screen.objectName())
        if screen is self.staff:
            self.staff_controller.sign_out_badge(typed)
            return
        code = read_badge_code(typed)
        if screen is self.done and code is not None and code == self._signed_in_code:
            self.done.show_own_badge()
            return
        if screen is not self.sign_out or self.sign_out.finished_visit:
            self.reset()
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

    def _on_idle_timeout(self) -> None:
        log.info("idle timeout: back to the welcome screen")
        self.reset()

    # -- lifetime --------------------------------------------------------------------------
    def _on_keyboard_covered(self, height: int) -> None:
        """The on-screen keyboard came up (or went): the screens get the room above it, and
        the field being typed in stays in view."""
        self.keyboard_room.setFixedHeight(height)
        self._show_header()
        QTimer.singleShot(0, self, self._keep_focus_in_view)

    def _on_focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        if self.keyboard is not None and self.keyboard.covered:
            QTimer.singleShot(0, self, self._keep_focus_in_view)

    def _keep_focus_in_view(self) -> None:
        focused = QApplication.focusWidget()
        if focused is not None and self.isAncestorOf(focused):
            self.stack.keep_in_view(focused)

    # -- lifetime --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop timers and the workers (finishing queued writes). Safe to call twice; a
        window destroyed without it stops them all the same (WindowLifetime)."""
        self.idle_timer.stop()
        self.prepare_timer.stop()
        self.staff_controller.session_timer.stop()
        self.done.timer.stop()
        self.sign_out.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeTranslator(self._qt_translator)
        self._lifetime.stop()

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
