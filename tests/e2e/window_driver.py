"""Drives the kiosk in a real window on a real X server, as a visitor would: run by the tests
of tests/e2e/test_real_window.py in a process of its own, on an XServer (tests/xsupport.py).

The window is the one `run` shows (`ui.frontend.show_kiosk`, full screen); every tap is a
real pointer event through the X server (XTEST), so focus, the on-screen keyboard and the
scanner behave as on the kiosk PC. What it finds goes to stdout, one JSON object a line;
screenshots of the whole X screen go to the folder given.

    python window_driver.py DATA_DIR CONFIG OUT_DIR"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from Xlib import X, display
from Xlib.ext import xtest

from ui import create_main_window
from ui.app import prepare_environment
from ui.frontend import show_kiosk
from ui.main_window import KioskWindow
from ui.qt_log import route_qt_messages_to_log
from ui.screens.base import Screen

# Where a key sits on the on-screen keyboard's main layout, as parts of its width and height
# (the same at every size: the keyboard scales with the screen's width).
KEYS = {"Q": (0.05, 0.14), "Æ": (0.862, 0.39), "Ø": (0.952, 0.39), "Å": (0.952, 0.145)}


class Driver:
    def __init__(self, window: KioskWindow, out: Path) -> None:
        self.window = window
        self.out = out
        self.x = display.Display()
        self.shots = 0

    # -- acting as a visitor ---------------------------------------------------------------
    def tap_at(self, x: int, y: int) -> None:
        xtest.fake_input(self.x, X.MotionNotify, x=x, y=y)
        xtest.fake_input(self.x, X.ButtonPress, 1)
        self.x.sync()
        self.spin(0.05)
        xtest.fake_input(self.x, X.ButtonRelease, 1)
        self.x.sync()
        self.spin(0.1)

    def tap(self, widget: QWidget) -> None:
        centre = widget.mapToGlobal(widget.rect().center())
        self.tap_at(centre.x(), centre.y())

    def spin(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)

    def wait(self, what: str, condition: Callable[[], bool], timeout_s: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            QApplication.processEvents()
            if condition():
                return True
            time.sleep(0.01)
        report("timeout", what=what)
        return False

    def screenshot(self, name: str) -> None:
        self.spin(0.2)
        path = self.out / f"{self.shots:02d}-{name}.png"
        self.shots += 1
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        report("screenshot", name=name, path=str(path))

    # -- looking as a visitor --------------------------------------------------------------
    def screen_report(self, name: str, keyboard: QRect | None = None) -> None:
        """Every control of the screen on show: fully visible (not clipped by the screen's
        edge or a scrolling area), and above the on-screen keyboard when it shows."""
        window = self.window
        screen = window.current_screen()
        problems = []
        for widget in screen.findChildren(QWidget):
            if not widget.isVisible() or not isinstance(widget, QAbstractButton | QLineEdit):
                continue
            problems += self.hidden(widget, keyboard)
        problems += self.labels_cut_off(screen)
        report(
            "screen",
            name=name,
            screen=screen.objectName(),
            window=rect(window.geometry()),
            available=rect(window.screen().geometry()),
            problems=problems,
        )

    def hidden(self, widget: QWidget, keyboard: QRect | None) -> list[str]:
        shown = widget.visibleRegion().boundingRect()
        if shown.size() != widget.size():
            if not self.scrolls_into_view(widget):
                return [f"{widget.objectName()} cut off ({rect(shown)} of {widget.size()})"]
            return []
        where = QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())
        if keyboard is not None and where.intersects(keyboard):
            return [f"{widget.objectName()} under the keyboard"]
        return []

    def keyboard_report(self, language: str, keyboard: QRect | None) -> None:
        """The field being typed in, the error and Sign in: each above the keyboard."""
        details = self.window.details
        for widget in (details.inputs["visitor_name"], details.error, details.submit):
            problems = self.in_view(widget, keyboard)
            report(
                "above_keyboard", language=language, widget=widget.objectName(), problems=problems
            )

    def in_view(self, widget: QWidget, keyboard: QRect | None) -> list[str]:
        """Wholly on show, without scrolling, and above the keyboard."""
        if keyboard is None:
            return ["no keyboard"]
        name = widget.objectName()
        if widget.visibleRegion().boundingRect().size() != widget.size():
            return [f"{name} not wholly on show"]
        where = QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())
        return [f"{name} under the keyboard"] if where.intersects(keyboard) else []

    def scrolls_into_view(self, widget: QWidget) -> bool:
        """A control clipped by a scrolling area is fine when that area shows a scroll bar."""
        parent = widget.parentWidget()
        while parent is not None:
            bar = getattr(parent, "verticalScrollBar", None)
            if bar is not None and bar().maximum() > 0 and bar().isVisible():
                return True
            parent = parent.parentWidget()
        return False

    def labels_cut_off(self, screen: Screen) -> list[str]:
        found = []
        for label in screen.findChildren(QLabel):
            if not label.isVisible() or not label.text() or not label.wordWrap():
                continue
            if label.heightForWidth(label.width()) > label.height():
                found.append(f"{label.objectName()} cut off")
        return found


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def report(kind: str, **fields: object) -> None:
    sys.stdout.write(json.dumps({"kind": kind, **fields}) + "\n")
    sys.stdout.flush()


def keyboard_rect() -> QRect | None:
    """Where the on-screen keyboard is on the X screen, or None while it is hidden."""
    method = QGuiApplication.inputMethod()
    if not method.isVisible() or method.keyboardRectangle().isEmpty():
        return None
    return method.keyboardRectangle().toRect()


def tour(driver: Driver, languages: tuple[str, ...]) -> None:
    window = driver.window
    vk = window.keyboard is not None
    for language in languages:
        driver.tap(window.welcome.language_buttons[language])
        driver.wait("language", lambda language=language: window.session.language == language)
        driver.screen_report(f"welcome-{language}")
        driver.screenshot(f"welcome-{language}")

        driver.tap(window.welcome.sign_in)
        driver.wait("notice", lambda: window.current_screen() is window.notice)
        driver.screen_report(f"notice-{language}")
        driver.screenshot(f"notice-{language}")

        driver.tap(window.notice.proceed)
        driver.wait("details", lambda: window.current_screen() is window.details)
        driver.tap(window.details.submit)  # nothing typed: the error shows
        driver.wait("error", lambda: window.details.error.text() != "")
        driver.screen_report(f"details-error-{language}")
        driver.screenshot(f"details-error-{language}")

        name = window.details.inputs["visitor_name"]
        driver.tap(name)
        if vk:
            shown = driver.wait("keyboard", lambda: keyboard_rect() is not None)
            driver.spin(0.5)
            board = keyboard_rect()
            report(
                "keyboard",
                language=language,
                shown=shown,
                locale=QGuiApplication.inputMethod().locale().name(),
                rect=rect(board) if board else None,
                focus=QApplication.focusWidget().objectName() if QApplication.focusWidget() else "",
            )
            driver.screen_report(f"keyboard-{language}", keyboard=board)
            driver.keyboard_report(language, board)
            driver.screenshot(f"keyboard-{language}")
            if board is not None:
                for letter in ("Q", "Æ") if language == "da" else ("Q",):
                    fx, fy = KEYS[letter]
                    driver.tap_at(
                        board.x() + int(board.width() * fx), board.y() + int(board.height() * fy)
                    )
                report("typed", language=language, text=name.text())
                driver.screenshot(f"typed-{language}")
                board = keyboard_rect()
                driver.keyboard_report(language, keyboard_rect())
        driver.tap(window.details.cancel)
        driver.wait("welcome", lambda: window.current_screen() is window.welcome)
        if vk:
            driver.wait("keyboard hidden", lambda: keyboard_rect() is None)

        driver.tap(window.welcome.sign_out)
        driver.wait("sign out", lambda: window.current_screen() is window.sign_out)
        driver.tap(window.sign_out.no_badge)
        driver.spin(0.2)
        driver.screen_report(f"sign-out-by-name-{language}")
        driver.screenshot(f"sign-out-by-name-{language}")
        driver.tap(window.sign_out.back)
        driver.wait("welcome", lambda: window.current_screen() is window.welcome)
        if vk:
            driver.wait("keyboard hidden", lambda: keyboard_rect() is None)


def main() -> None:
    data_dir, config, out = (Path(arg) for arg in sys.argv[1:4])
    out.mkdir(parents=True, exist_ok=True)
    from kiosk.bootstrap import read_settings

    _paths, settings = read_settings(data_dir, config)
    prepare_environment(settings)
    app = QApplication(sys.argv[:1])
    route_qt_messages_to_log()  # as `run` does: Qt's messages, from any thread, to the log
    window = create_main_window(data_dir, config)
    show_kiosk(window, windowed=False)
    QTest.qWaitForWindowExposed(window)
    driver = Driver(window, out)
    driver.spin(0.5)
    report(
        "shown",
        window=rect(window.geometry()),
        screen=rect(window.screen().geometry()),
        active=window.isActiveWindow(),
    )
    try:
        tour(driver, settings.kiosk.languages)
    finally:
        window.shutdown()
    report("done")
    # As `run` ends: its event loop quits (the on-screen keyboard cleans up on the way out),
    # the window's lockdown lifted first, as the staff screen or SIGTERM do.
    window.allow_close()
    QTimer.singleShot(0, app.quit)
    app.exec()


if __name__ == "__main__":
    main()
