"""The way into the staff screen: a PIN, typed on the screen's own keypad (a touch kiosk may
have no keyboard). The PIN is checked on the database worker against a salted scrypt hash;
five wrong PINs lock the login for five minutes (kiosk.staff.auth)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.settings.i18n import Catalog
from ui.screens.base import (
    Screen,
    announce,
    clear_field,
    make_button,
    make_field,
    make_title,
    set_text,
)

PIN_MAX = 12
_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫")


class StaffLoginScreen(Screen):
    pin_entered = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("staffLogin", parent)
        self._catalog: Catalog | None = None
        self._message: Callable[[Catalog], str] | None = None
        self.title = make_title("staffLoginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_input = make_field("staffPinInput")
        self.pin_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_input.setMaxLength(PIN_MAX)
        self.pin_input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_input.setValidator(QRegularExpressionValidator(r"[0-9]{0,12}", self.pin_input))
        self.pin_input.returnPressed.connect(self._on_submit)
        self.message = QLabel()
        self.message.setObjectName("staffLoginMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        keypad = QGridLayout()
        keypad.setSpacing(8)
        self.keys: dict[str, QWidget] = {}
        for index, key in enumerate(_KEYS):
            if not key:
                continue
            name = "staffPinBackspace" if key == "⌫" else f"staffPinKey_{key}"
            button = make_button(name, role="keypad")
            button.setText(key)
            button.clicked.connect(lambda _checked=False, key=key: self._on_key(key))
            keypad.addWidget(button, index // 3, index % 3)
            self.keys[key] = button

        self.back = make_button("staffLoginBack", role="secondary")
        self.back.clicked.connect(self.cancelled)
        self.submit = make_button("staffLoginSubmit", role="primary")
        self.submit.clicked.connect(self._on_submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.submit)

        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(self.title)
        column.addWidget(self.pin_input)
        column.addWidget(self.message)
        column.addLayout(keypad)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 16, 48, 16)
        layout.addLayout(row)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def start(self) -> None:
        self.pin_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.submit.setEnabled(not busy)

    def show_message(self, text: Callable[[Catalog], str]) -> None:
        self._message = text
        clear_field(self.pin_input)
        self._render()

    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._render()

    def clear(self) -> None:
        clear_field(self.pin_input)
        self._message = None
        self.submit.setEnabled(True)
        self._render()

    def _render(self) -> None:
        c = self._catalog
        if c is None:
            return
        set_text(self.title, c.text("staff.login_title"))
        self.pin_input.setPlaceholderText(c.text("staff.pin"))
        self.pin_input.setAccessibleName(c.text("staff.pin"))
        self.keys["⌫"].setAccessibleName(c.text("staff.pin_delete"))
        set_text(self.back, c.text("signout.back"))
        set_text(self.submit, c.text("staff.login"))
        message = self._message(c) if self._message else ""
        if message != self.message.text():
            announce(self.message, message)
        set_text(self.message, message)

    def _on_key(self, key: str) -> None:
        if key == "⌫":
            self.pin_input.backspace()
        elif len(self.pin_input.text()) < PIN_MAX:
            self.pin_input.insert(key)

    def _on_submit(self) -> None:
        pin = self.pin_input.text()
        if pin and self.submit.isEnabled():
            self.pin_entered.emit(pin)
