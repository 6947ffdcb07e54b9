"""The Qt front end as the command line sees it (registered as an entry point)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.bootstrap import assemble
from kiosk.domain.errors import FrontendUnavailable
from kiosk.settings.logs import install_excepthooks
from ui.app import build_window, prepare_environment
from ui.display import display_problem
from ui.main_window import KioskWindow
from ui.qt_log import route_qt_messages_to_log

log = logging.getLogger(__name__)


class StopRequest:
    """SIGTERM (shutdown, `systemctl stop`) and SIGINT end the kiosk at any moment of its
    start-up or its life. Until the event loop runs, a signal is only noted, and the start-up
    stops at its next step (a `quit()` before the loop runs would do nothing at all); once it
    runs, the loop quits, the workers finish what they hold, and the window's lockdown does
    not stand in the way."""

    def __init__(self) -> None:
        self.requested = False
        self._app: QCoreApplication | None = None
        self._window: KioskWindow | None = None
        self._previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: closing the kiosk", signum)
        self.requested = True
        self._quit()

    def attach(
        self, app: QCoreApplication, window: KioskWindow, running: Callable[[], None]
    ) -> None:
        """The event loop is about to run: a signal from now on quits it. As the loop starts,
        a signal noted just before quits it at once; otherwise `running()` is called."""
        self._app = app
        self._window = window
        # Python runs its signal handlers only between its own steps: a timer gives it a
        # moment now and then while Qt's loop runs.
        ticker = QTimer(app)
        ticker.setInterval(250)
        ticker.timeout.connect(self._quit_if_requested)
        ticker.start()

        def started() -> None:
            if self.requested:
                self._quit()
            else:
                running()

        QTimer.singleShot(0, window, started)

    def _quit_if_requested(self) -> None:
        if self.requested:
            self._quit()

    def _quit(self) -> None:
        if self._app is not None and self._window is not None:
            self._window.allow_close()
            self._app.quit()

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def show_kiosk(window: KioskWindow, *, windowed: bool) -> None:
    """Full screen and frameless, with a window manager or without one; or, `windowed`, an
    ordinary window a developer can close."""
    if windowed:
        window.resize(1280, 800)
        window.show()
        return
    # No title bar or frame to close or move: the kiosk is the whole screen.
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    screen = window.screen()
    # Without a window manager nobody acts on "full screen": the window takes the screen's
    # geometry itself (and follows it when the screen changes).
    window.setGeometry(screen.geometry())
    screen.geometryChanged.connect(window.setGeometry)
    window.showFullScreen()


class QtFrontend:
    def run(
        self,
        data_dir: Path | None,
        config_file: Path | None,
        *,
        windowed: bool,
        smoke: bool,
        database_check: Future[list[str]] | None = None,
    ) -> int:
        stop = StopRequest()
        try:
            return self._run(stop, data_dir, config_file, windowed, smoke, database_check)
        finally:
            stop.restore()

    def _run(
        self,
        stop: StopRequest,
        data_dir: Path | None,
        config_file: Path | None,
        windowed: bool,
        smoke: bool,
        database_check: Future[list[str]] | None,
    ) -> int:
        core = assemble(data_dir, config_file, database_check=database_check)
        try:
            prepare_environment(core.config)
            install_excepthooks()
            problem = display_problem()
            if problem is not None:
                log.error("no display: the kiosk cannot start")
                raise FrontendUnavailable(problem)
            # Qt's messages from creating the application (the platform plugin) still reach
            # the terminal; from here on they go to the log.
            app = QApplication.instance() or QApplication(sys.argv[:1])
            assert isinstance(app, QApplication)
            route_qt_messages_to_log()
            app.setApplicationName("visitor-kiosk")
            window = build_window(app, core)
        except BaseException:
            core.close()
            raise
        try:
            # Styled now, while SQLite may still be checking the file, not when it first shows.
            window.ensurePolished()
            core.store.ready()  # the check's verdict, before anything shows
            if stop.requested:
                return 0
            if windowed or smoke:
                window.lockdown = False  # a developer's window closes normally
                window.allow_close()
            show_kiosk(window, windowed=windowed or smoke)
            if smoke:
                window.repaint()
                app.processEvents()
                return 0

            def running() -> None:
                window.raise_()
                log.info("the kiosk is up")  # (the tests wait for this line)

            stop.attach(app, window, running)
            return app.exec()
        finally:
            window.shutdown()

    def screenshots(self, out_dir: Path, config_file: Path | None) -> list[Path]:
        from ui.screenshots import render_screenshots

        # Pictures only: no window on a screen, so this works on a headless machine too.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        route_qt_messages_to_log()
        return render_screenshots(out_dir, config_file)
