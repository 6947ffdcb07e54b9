"""The Qt front end as the command line sees it (registered as an entry point)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.logs import install_excepthooks
from kiosk.setup import start_kiosk
from ui.app import create_main_window, prepare_environment
from ui.qt_log import route_qt_messages_to_log


class QtFrontend:
    def run(
        self, data_dir: Path | None, config_file: Path | None, *, windowed: bool, smoke: bool
    ) -> int:
        kiosk = start_kiosk(data_dir, config_file)
        prepare_environment(kiosk.config)
        install_excepthooks()
        route_qt_messages_to_log()
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.setApplicationName("visitor-kiosk")
        window = create_main_window(kiosk.paths.data_dir, kiosk.paths.config_file)
        if windowed or smoke:
            window.resize(1280, 800)
            window.show()
        else:
            window.showFullScreen()
        if smoke:
            window.repaint()
            app.processEvents()
            window.shutdown()
            return 0
        QTimer.singleShot(0, window.raise_)
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
