"""The Qt composition root: from a data dir and a config file to the wired kiosk window."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.assets import asset_path
from kiosk.config import Config
from kiosk.setup import Kiosk, start_kiosk
from ui.main_window import KioskWindow

STYLESHEET = "style.qss"


def create_main_window(data_dir: Path | str, config_path: Path | str | None = None) -> KioskWindow:
    """The fully wired kiosk window, not yet shown, without starting an event loop.

    Needs a QApplication. Raises ConfigError for a bad config file."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create a QApplication before the kiosk window")
    kiosk = start_kiosk(Path(data_dir), Path(config_path) if config_path else None)
    return build_window(app, kiosk)


def build_window(app: QApplication, kiosk: Kiosk) -> KioskWindow:
    window = KioskWindow(kiosk)
    # The stylesheet comes last: set first, every widget added to the tree while the window
    # is built would have its style worked out again (about 80 ms of the start-up).
    apply_stylesheet(app)
    return window


def apply_stylesheet(app: QApplication) -> None:
    app.setStyleSheet(asset_path(STYLESHEET).read_text(encoding="utf-8"))


def prepare_environment(config: Config) -> None:
    """Settings that must be made before the QApplication exists."""
    if config.kiosk.virtual_keyboard:
        # Qt Virtual Keyboard (shipped with PySide6) as the input method: an on-screen
        # keyboard appears whenever a text field has focus.
        os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
