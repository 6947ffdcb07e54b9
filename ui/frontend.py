"""The Qt front end as the command line sees it (registered as an entry point)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.logs import install_excepthooks
from kiosk.setup import start_kiosk
from ui.app import build_window, prepare_environment
from ui.main_window import KioskWindow
from ui.qt_log import route_qt_messages_to_log

log = logging.getLogger(__name__)


def stop_on_signals(app: QApplication, window: KioskWindow) -> None:
    """SIGTERM (shutdown, `systemctl stop`) and SIGINT close the kiosk cleanly: the workers
    finish what they hold, and the window's lockdown does not stand in the way. A timer gives
    Python a moment now and then to run its signal handlers while Qt's loop runs."""

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: closing the kiosk", signum)
        window.allow_close()
        app.quit()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ticker = QTimer(app)
    ticker.setInterval(250)
    ticker.timeout.connect(lambda: None)
    ticker.start()


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
        kiosk = start_kiosk(data_dir, config_file, database_check=database_check)
        prepare_environment(kiosk.config)
        install_excepthooks()
        route_qt_messages_to_log()
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.setApplicationName("visitor-kiosk")
        window = build_window(app, kiosk)
        # Styled now, while SQLite may still be checking the file, not when it first shows.
        window.ensurePolished()
        try:
            kiosk.database.ready()  # the check's verdict, before anything shows
        except BaseException:
            window.shutdown()
            raise
        if windowed or smoke:
            window.lockdown = False  # a developer's window closes normally
            window.allow_close()
            window.resize(1280, 800)
            window.show()
        else:
            # No title bar or frame to close or move: the kiosk is the whole screen.
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.showFullScreen()
        if smoke:
            window.repaint()
            app.processEvents()
            window.shutdown()
            return 0
        stop_on_signals(app, window)
        QTimer.singleShot(0, window.raise_)
        # Once the event loop runs: from here SIGTERM closes the kiosk cleanly.
        QTimer.singleShot(0, lambda: log.info("the kiosk is up"))
        code = app.exec()
        window.shutdown()
        return code

    def screenshots(self, out_dir: Path, config_file: Path | None) -> list[Path]:
        from ui.screenshots import render_screenshots

        # Pictures only: no window on a screen, so this works on a headless machine too.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        route_qt_messages_to_log()
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        return render_screenshots(out_dir, config_file)
