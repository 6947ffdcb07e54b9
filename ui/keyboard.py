"""Qt's on-screen keyboard (Qt Virtual Keyboard, shipped with PySide6) for touch-only kiosks.

Two things a Qt Widgets window does not get by itself: the keyboard in the visitor's language
(it starts in British English), and knowing which part of the window it covers, so the
window keeps the field, its error and the primary button above it (see KioskWindow)."""

from __future__ import annotations

import ctypes
import os

from PySide6.QtCore import QLocale, QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

IM_MODULE = "qtvirtualkeyboard"

# The keyboard's settings are one object per process, reached from QML only: this small
# component, in an engine of its own, writes the locale the visitor's language asks for.
_SETTINGS_QML = b"""
import QtQml
import QtQuick.VirtualKeyboard.Settings
QtObject {
    property string locale
    property var activeLocales: []
    readonly property var availableLocales: VirtualKeyboardSettings.availableLocales
    onActiveLocalesChanged: VirtualKeyboardSettings.activeLocales = activeLocales
    onLocaleChanged: VirtualKeyboardSettings.locale = locale
}
"""


# System libraries the keyboard needs (through Qt Multimedia, for its key clicks) that a
# minimal Debian lacks, and the package that has each. Qt's own come with PySide6.
KEYBOARD_LIBRARIES = {"libpulse.so.0": "libpulse0"}


def keyboard_problem(libraries: dict[str, str] | None = None) -> str | None:
    """Why the on-screen keyboard cannot load on this machine, or None. Asked before it is
    used: Qt loads it only when a visitor taps a field, and without a library it needs, the
    keyboard's window covers the screen in black instead."""
    for library, package in (KEYBOARD_LIBRARIES if libraries is None else libraries).items():
        try:
            ctypes.CDLL(library)
        except OSError:
            return (
                f"kiosk.virtual_keyboard is on, but the on-screen keyboard cannot load: "
                f"{library} is missing (on Debian or Ubuntu: apt install {package})"
            )
    return None


def use_on_screen_keyboard() -> None:
    """Qt's on-screen keyboard as the input method: call before the QApplication exists."""
    os.environ["QT_IM_MODULE"] = IM_MODULE


def on_screen_keyboard_in_use() -> bool:
    return os.environ.get("QT_IM_MODULE") == IM_MODULE


# Where Qt's usual country is not the kiosk's: its English is British.
_USUAL = {"en": "en_GB"}


def keyboard_locale(language: str, available: list[str]) -> str:
    """The keyboard layout for a kiosk language: the language's usual country ("da" ->
    "da_DK"), or, where the keyboard has no such layout, another of that language, else
    British English. `available` may still be empty before the keyboard first shows: the
    usual country's layout is asked for then, and the keyboard falls back by itself."""
    usual = _USUAL.get(language) or QLocale(language).name()
    if not available or usual in available:
        return usual
    for name in available:
        if name.split("_")[0] == language:
            return name
    return "en_GB"


class OnScreenKeyboard(QObject):
    """The keyboard's language, and how much of a window it covers (`covered`, in pixels
    from the window's bottom edge; 0 while it is hidden)."""

    covered_changed = Signal(int)

    def __init__(self, window: QWidget, languages: tuple[str, ...]) -> None:
        # (Qt QML loads only on a kiosk with the on-screen keyboard, which needs it anyway.)
        from PySide6.QtQml import QQmlComponent, QQmlEngine

        super().__init__(window)
        self._window = window
        self._engine = QQmlEngine(self)
        component = QQmlComponent(self._engine)
        component.setData(_SETTINGS_QML, "kiosk-keyboard-settings.qml")
        settings = component.create()
        if settings is None:
            errors = "; ".join(error.toString() for error in component.errors())
            raise RuntimeError(f"the on-screen keyboard's settings cannot load: {errors}")
        settings.setParent(self)
        self._settings = settings
        self._languages = languages
        self._language = languages[0]
        self._set_locales()
        self.covered = 0
        method = QGuiApplication.inputMethod()
        method.visibleChanged.connect(self._update)
        method.keyboardRectangleChanged.connect(self._update)

    def set_language(self, language: str) -> None:
        self._language = language
        self._set_locales()

    def _set_locales(self) -> None:
        available = list(self._settings.property("availableLocales") or [])
        # The keyboard's own language key switches between the kiosk's languages only.
        active = sorted({keyboard_locale(lang, available) for lang in self._languages})
        self._settings.setProperty("activeLocales", active)
        self._settings.setProperty("locale", keyboard_locale(self._language, available))

    def _update(self) -> None:
        method = QGuiApplication.inputMethod()
        covered = 0
        if method.isVisible():
            covered = _covered_height(self._window, method.keyboardRectangle().toRect())
        if covered != self.covered:
            self.covered = covered
            self.covered_changed.emit(covered)


def _covered_height(window: QWidget, keyboard: QRect) -> int:
    """How far up from the window's bottom edge the keyboard reaches (window coordinates)."""
    if keyboard.isEmpty():
        return 0
    overlap = keyboard.intersected(window.rect())
    if overlap.isEmpty():
        return 0
    return window.height() - overlap.top()
