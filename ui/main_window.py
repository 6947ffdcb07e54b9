"""The kiosk window: the shell around the screens. It shows the screen the visitor session
(`ui.session`) is on, in its language, runs the inactivity timer the session asks for, keeps
the kiosk locked down, makes room for the on-screen keyboard, and hands badge scans to the
flows. What a screen's buttons do is the flows' business (`ui.visitor_flow`,
`ui.staff_controller`), wired in by the Qt composition root (`ui.app`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import QLibraryInfo, QObject, Qt, QTimer, QTranslator
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from kiosk.settings.i18n import Catalog, catalog
from kiosk.visits.notice import Notices
from ui.export_controller import ExportController
from ui.keyboard import OnScreenKeyboard, on_screen_keyboard_in_use
from ui.maintenance import Maintenance
from ui.rights_controller import RightsController
from ui.scanner import BadgeScanner, platform_offset
from ui.screens.base import Screen as ScreenWidget
from ui.screens.details import DetailsScreen
from ui.screens.done import DoneScreen
from ui.screens.notice import NoticeScreen, is_compact
from ui.screens.sign_out import SignOutScreen
from ui.screens.staff import StaffScreen
from ui.screens.staff_login import StaffLoginScreen
from ui.screens.welcome import WelcomeScreen
from ui.session import Screen, Timeout, VisitorSession
from ui.staff_controller import StaffController
from ui.tasks import Worker
from ui.visitor_flow import VisitorFlow
from ui.window_parts import (
    ActivityFilter,
    ActivityWatch,
    LanguageBar,
    ScreenStack,
    prepare_qt_types,
    settle_translator_lookups,
)

log = logging.getLogger(__name__)


class KioskWindow(QMainWindow):
    # What acts on the screens, wired in by the composition root (ui.app) and reachable here
    # for the tests and the screenshots.
    worker: Worker  # the database worker
    exporter: Worker  # a database worker of its own for exports
    upkeep: Worker  # the retention cleanup's last steps and the backups
    printer: Worker  # rendering and printing
    flow: VisitorFlow
    staff_controller: StaffController
    rights_controller: RightsController
    export_controller: ExportController
    maintenance: Maintenance
    prepare_timer: QTimer
    live_list: QObject  # ui.live_list.LiveList: other kiosks' changes in the on-site list
    style_scaler: QObject  # ui.app.StyleScaler: the stylesheet's sizes for the window's size

    def __init__(
        self,
        session: VisitorSession,
        *,
        site_names: Mapping[str, str],
        languages: tuple[str, ...],
        hosts: tuple[str, ...],
        notices: Notices,
        idle_timeout_s: int,
        done_timeout_s: int,
        staff_timeout_s: int,
        lockdown: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("kioskWindow")
        self.session = session
        self._notices = notices
        # A visitor cannot close the kiosk (close button, Alt+F4, Escape): only the staff
        # screen's "close the kiosk", or the system stopping it, lets it close.
        self.lockdown = lockdown
        self._may_close = not lockdown
        self._on_shutdown: list[Callable[[], None]] = []

        self._site_names = site_names  # per language
        self.welcome = WelcomeScreen(site_names, languages)
        self.notice = NoticeScreen()
        self.details = DetailsScreen(hosts)
        self.done = DoneScreen(done_timeout_s)
        self.sign_out = SignOutScreen(done_timeout_s)
        self.staff_login = StaffLoginScreen()
        self.staff = StaffScreen()
        self.screens: dict[Screen, ScreenWidget] = {
            Screen.WELCOME: self.welcome,
            Screen.NOTICE: self.notice,
            Screen.DETAILS: self.details,
            Screen.DONE: self.done,
            Screen.SIGN_OUT: self.sign_out,
            Screen.STAFF_LOGIN: self.staff_login,
            Screen.STAFF: self.staff,
        }
        self.stack = ScreenStack(tuple(self.screens.values()))

        self.site_label = QLabel(site_names[languages[0]])
        self.site_label.setObjectName("siteName")
        self.language_bar = LanguageBar(languages, session.set_language)
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
        self.welcome.language_chosen.connect(session.set_language)

        # The inactivity limits: the visitors' (back to the welcome screen) and the staff
        # session's (the flows connect what happens when it runs out).
        self.idle_timer = self._timer("idleTimer", idle_timeout_s)
        self.idle_timer.timeout.connect(self._on_idle_timeout)
        self.staff_timer = self._timer("staffSessionTimer", staff_timeout_s)
        # Any touch or key restarts the inactivity timers. The filter sees every event of
        # the application, in Python, so it is installed only while one of those timers
        # runs: the welcome screen, where the kiosk waits most of its life, has none.
        self.activity = ActivityWatch(ActivityFilter((self.idle_timer, self.staff_timer)))
        prepare_qt_types()  # here, not at a visitor's first tap

        # A badge scanned on any screen, whatever has the focus; never into a field.
        self.scanner = BadgeScanner(platform_offset(), self)
        self.scanner.watch_tree(self)

        self.keyboard: OnScreenKeyboard | None = None
        if on_screen_keyboard_in_use():
            self.keyboard = OnScreenKeyboard(self, languages)
            self.keyboard.covered_changed.connect(self._on_keyboard_covered)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)  # type: ignore[union-attr]

        self._qt_translator = QTranslator(self)
        session.observe(screen=self._show, language=self._speak, reset=self._forget)
        self._speak(session.language)
        self._show(session.screen)

    def _timer(self, name: str, seconds: int) -> QTimer:
        timer = QTimer(self)
        timer.setObjectName(name)
        timer.setSingleShot(True)
        timer.setInterval(seconds * 1000)
        return timer

    # -- what the session says ---------------------------------------------------------------
    def current_screen(self) -> ScreenWidget:
        return self.stack.current()

    def _show(self, screen: Screen) -> None:
        self.stack.show_screen(self.screens[screen])
        self._show_header()
        timeout = self.session.timeout
        for timer, kind in ((self.idle_timer, Timeout.VISITOR), (self.staff_timer, Timeout.STAFF)):
            if timeout is kind:
                timer.start()
            else:
                timer.stop()
        if screen is Screen.WELCOME:
            focused = QApplication.focusWidget()
            if focused is not None:
                focused.clearFocus()  # (a scan reaches the window: see ui/scanner.py)
        self.activity.watch(timeout is not Timeout.NONE)

    def _show_header(self) -> None:
        # The site and the language switch; not while the on-screen keyboard needs the room.
        typing = self.keyboard is not None and self.keyboard.covered > 0
        # The staff screens have none: the room is theirs, and staff switch at the welcome.
        # Nor has the notice on a low screen: its first layer needs the height.
        screen = self.session.screen
        self.header.setVisible(
            screen not in (Screen.WELCOME, Screen.STAFF_LOGIN, Screen.STAFF)
            and not (screen is Screen.NOTICE and is_compact(self))
            and not typing
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_header()

    def _forget(self) -> None:
        """The session was reset: every screen forgets what it held, and a dialog staff left
        open (a confirmation, an export, a file chooser) closes unanswered, so the next person
        at the kiosk can neither see nor answer it."""
        self.scanner.clear()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        for screen in self.screens.values():
            screen.clear()

    @property
    def catalog(self) -> Catalog:
        return catalog(self.session.language)

    def _speak(self, language: str) -> None:
        """Every screen in `language`; what the visitor typed stays."""
        current = catalog(language)
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
        self.site_label.setText(self._site_names[language])
        for screen in self.screens.values():
            screen.retranslate_ui(current)
        self.notice.show_notice(self._notices.notice(language), current)
        self.language_bar.show_language(language)

    def _on_idle_timeout(self) -> None:
        log.info("idle timeout: back to the welcome screen")
        self.session.reset()

    # -- the on-screen keyboard ---------------------------------------------------------------
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

    # -- lifetime ------------------------------------------------------------------------------
    def on_shutdown(self, stop: Callable[[], None]) -> None:
        """Call `stop` when the window shuts down (first registered, first called)."""
        self._on_shutdown.append(stop)

    def shutdown(self) -> None:
        """Stop the timers, then whatever was registered with `on_shutdown` (the workers,
        finishing queued writes). Safe to call twice; a window destroyed without it stops
        its workers all the same (`ui.window_parts.WindowLifetime`)."""
        self.idle_timer.stop()
        self.staff_timer.stop()
        self.done.timer.stop()
        self.sign_out.timer.stop()
        self.scanner.clear()  # (a key it holds back would come after the window is gone)
        app = QApplication.instance()
        if app is not None:
            app.removeTranslator(self._qt_translator)
        stops, self._on_shutdown = self._on_shutdown, []
        for stop in stops:
            stop()

    def allow_close(self) -> None:
        """Let the window close (staff's "close the kiosk", or the system stopping it)."""
        self._may_close = True

    def quit_kiosk(self) -> None:
        """Staff closed the kiosk: the application quits."""
        self.allow_close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

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
