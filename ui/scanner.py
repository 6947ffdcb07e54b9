"""The badge scanner: a USB (HID) barcode scanner is a keyboard that types a whole code and
Enter faster than any person types. That burst is recognised on every screen, whatever has
the focus, and never reaches a text field.

Keys that could start a scan are held back for a moment; keys that turn out to be a person
typing are then handed on to their field unchanged (a delay of SCAN_HOLD_MS), and a burst that
ends in Enter is a scan. The on-screen keyboard types through the input method, not with key
presses, so it is never held back.

A scanner in its usual US mode sends the key positions of a US keyboard, and the operating
system maps them with its own layout: on Belgian AZERTY "GU6C..." arrives as "GU§C...", on
German QWERTZ Y and Z swap. So the code is read from the keys' scan codes (their position,
the same on every layout), and from the typed text only where the platform gives none."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# A scanner types a key every few milliseconds; no person types several keys this close.
SCAN_GAP_MS = 50
# How long a key that may start a scan waits before it goes to its field.
SCAN_HOLD_MS = 80
# The shortest burst taken as a scan (a badge code has 26 characters; other barcodes, such
# as a parcel's, are refused with a message rather than typed into a field).
SCAN_MIN_LENGTH = 6
SCAN_MAX_LENGTH = 256

# Linux evdev key codes of the US layout (linux/input-event-codes.h). Windows' scan codes
# (set 1) are the same numbers for these keys; X11 and Wayland add 8.
_US_KEYS = {
    **{code: char for code, char in zip(range(2, 12), "1234567890", strict=True)},
    **{code: char for code, char in zip(range(16, 26), "QWERTYUIOP", strict=True)},
    **{code: char for code, char in zip(range(30, 39), "ASDFGHJKL", strict=True)},
    **{code: char for code, char in zip(range(44, 51), "ZXCVBNM", strict=True)},
}
_SCAN_CODE_OFFSETS = {"xcb": 8, "wayland": 8, "windows": 0}
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS = (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta)
_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def platform_offset() -> int | None:
    """How this platform numbers keys, from the evdev codes (None: it gives no usable scan
    codes, as the offscreen platform of the tests)."""
    return _SCAN_CODE_OFFSETS.get(QGuiApplication.platformName())


def us_character(scan_code: int, offset: int | None) -> str | None:
    """The character a US keyboard has at that key (letters as capitals), if any."""
    if offset is None or scan_code <= offset:
        return None
    return _US_KEYS.get(scan_code - offset)


@dataclass
class _Held:
    target: QObject
    event: QKeyEvent
    char: str


class BadgeScanner(QObject):
    """Watches the widgets it is given for scanner bursts; `scanned` carries what the
    scanner typed (as on a US keyboard), for the kiosk to read as a badge code."""

    scanned = Signal(str)

    def __init__(self, offset: int | None, parent: QObject | None = None) -> None:
        """`offset`: how the platform numbers keys (see `platform_offset`)."""
        super().__init__(parent)
        self._offset = offset
        self._held: list[_Held] = []
        self._last_ms = 0
        self._replaying = False
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(SCAN_HOLD_MS)
        self._release.timeout.connect(self._hand_on)

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def watch_tree(self, root: QWidget) -> None:
        """`root` and every widget under it that can take the keyboard focus."""
        self.watch(root)
        for widget in root.findChildren(QWidget):
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                self.watch(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or self._replaying:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in _MODIFIERS:
            return False  # Shift before a capital: part of the burst, not a break in it
        now = _event_ms(event)
        gap_ok = bool(self._held) and now - self._last_ms <= SCAN_GAP_MS
        if key in _ENTER and not event.isAutoRepeat():
            if gap_ok and len(self._held) >= SCAN_MIN_LENGTH:
                typed = "".join(held.char for held in self._held)
                self._held.clear()
                self._release.stop()
                log.info("a badge scanner typed a code")
                self.scanned.emit(typed)
                return True
            self._hand_on()
            return False
        char = self._character(event)
        if char is None or event.isAutoRepeat() or len(self._held) >= SCAN_MAX_LENGTH:
            self._hand_on()
            return False
        if self._held and not gap_ok:
            self._hand_on()  # a new burst: what came before was typed by a person
        self._held.append(_Held(watched, QKeyEvent(event), char))
        self._last_ms = now
        self._release.start()
        return True

    def _character(self, event: QKeyEvent) -> str | None:
        if event.modifiers() & _SHORTCUT_MODIFIERS:
            return None  # Ctrl+Z and the like: a scanner types with Shift at most
        char = us_character(event.nativeScanCode(), self._offset)
        if char is not None:
            return char
        text = event.text()
        if len(text) == 1 and text.isprintable() and not text.isspace():
            return text.upper()
        return None

    def _hand_on(self) -> None:
        """The held keys were typed by a person: deliver them, in order, where they went."""
        self._release.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for item in held:
                QCoreApplication.sendEvent(item.target, item.event)
        finally:
            self._replaying = False

    def clear(self) -> None:
        """Forget held keys (the kiosk resets for the next visitor)."""
        self._release.stop()
        self._held.clear()


def _event_ms(event: QKeyEvent) -> int:
    """When the key was pressed, by the window system's clock where there is one (so a busy
    moment of the GUI thread does not split a burst), else now."""
    stamp = int(event.timestamp())
    return stamp if stamp else int(time.monotonic() * 1000)
