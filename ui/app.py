"""The Qt composition root: from a data dir and a config file to the wired kiosk window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.bootstrap import Kiosk, start_kiosk
from kiosk.cli.frontend import FrontendUnavailable
from kiosk.settings.assets import asset_path
from kiosk.settings.config import Config
from ui.keyboard import keyboard_problem, use_on_screen_keyboard
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
    """Settings that must be made before the QApplication exists. FrontendUnavailable when
    the on-screen keyboard is asked for and cannot load (it would show a black screen)."""
    if config.kiosk.virtual_keyboard:
        problem = keyboard_problem()
        if problem is not None:
            raise FrontendUnavailable(problem)
        # An on-screen keyboard appears whenever a text field has the focus.
        use_on_screen_keyboard()
