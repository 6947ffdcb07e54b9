"""Signing out at the kiosk: scan the badge, or, without it, find your own visit by name.

A USB barcode scanner is a keyboard: it types the badge code and Enter into
`badgeCodeInput`, which has the focus whenever this screen is up. Without the badge, the
visitor types their full name and sees only the open visits under exactly that name (time
in and host), never a list of who is on site.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.visit import Visit
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

# More than this many open visits under one exact name is for reception to sort out.
MAX_MATCHES = 3


class SignOutScreen(Screen):
    badge_scanned = Signal(str)
    name_searched = Signal(str)
    visit_chosen = Signal(int)
    finished = Signal()

    def __init__(self, goodbye_timeout_s: int, parent: QWidget | None = None) -> None:
        super().__init__("signOut", parent)
        self._catalog: Catalog | None = None
        # What the message label says, as a function of the language (follows a switch).
        self._message: Callable[[Catalog], str] | None = None
        self._message_kind = "info"
        self._matches: list[Visit] = []
        self._done = False

        self.title = make_title("signOutTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.instruction = QLabel()
        self.instruction.setObjectName("signOutInstruction")
        self.instruction.setWordWrap(True)
        self.instruction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_input = make_field("badgeCodeInput", max_length=200)
        self.code_input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_input.returnPressed.connect(self._on_code_entered)
        self.message = QLabel()
        self.message.setObjectName("signOutMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setProperty("kind", self._message_kind)

        self.no_badge = make_button("signOutNoBadge", role="secondary")
        self.no_badge.clicked.connect(self._on_no_badge)
        self.name_panel = QWidget()
        self.name_panel.setObjectName("signOutNamePanel")
        self.name_prompt = QLabel()
        self.name_prompt.setObjectName("signOutNamePrompt")
        self.name_prompt.setProperty("role", "field-label")
        self.name_prompt.setWordWrap(True)
        self.name_input = make_field("signOutNameInput", max_length=200)
        self.name_input.returnPressed.connect(self._on_find)
        self.find_button = make_button("signOutFind", role="secondary")
        self.find_button.clicked.connect(self._on_find)
        self.match_buttons: list[QPushButton] = []
        self._match_layout = QVBoxLayout()
        self._match_layout.setSpacing(8)
        name_row = QHBoxLayout()
        name_row.setSpacing(16)
        name_row.addWidget(self.name_input, 1)
        name_row.addWidget(self.find_button)
        panel_layout = QVBoxLayout(self.name_panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.setSpacing(12)
        panel_layout.addWidget(self.name_prompt)
        panel_layout.addLayout(name_row)
        self.name_panel.hide()

        self.back = make_button("signOutBack", role="secondary")
        self.back.clicked.connect(self._on_finish)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(goodbye_timeout_s * 1000)
        self.timer.timeout.connect(self._on_finish)

        # Scanning: title, instruction, code field, message, "no badge". Without the badge
        # the scan part gives way to the name field, the message and the visits found.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 12, 48, 12)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.instruction)
        layout.addWidget(self.code_input, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.name_panel)
        layout.addWidget(self.message)
        layout.addLayout(self._match_layout)
        layout.addWidget(self.no_badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)

    # -- what the window calls -------------------------------------------------------------
    @property
    def finished_visit(self) -> bool:
        """The goodbye is on show: this visitor is done."""
        return self._done

    def start(self) -> None:
        """Ready for a scan: the code field has the focus, so the scanner types into it."""
        self.code_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_goodbye(self, visitor_name: str) -> None:
        self._done = True
        self.code_input.setEnabled(False)
        self.no_badge.hide()
        self.name_panel.hide()
        self._clear_matches()
        self._set_message(lambda c: c.text("signout.goodbye", name=visitor_name), "success")
        self.timer.start()

    def show_unknown(self) -> None:
        self._set_message(lambda c: c.text("signout.unknown"), "error")
        self.start()

    def show_used(self) -> None:
        self._set_message(lambda c: c.text("signout.used"), "error")
        self.start()

    def show_failed(self) -> None:
        self._set_message(lambda c: c.text("signout.error"), "error")

    def show_matches(self, visits: list[Visit]) -> None:
        self._clear_matches()
        self._matches = visits[:MAX_MATCHES]
        for index, visit in enumerate(self._matches):
            button = make_button(f"signOutVisit_{index}", role="visit")
            button.clicked.connect(
                lambda _checked=False, visit_id=visit.visit_id: self.visit_chosen.emit(visit_id)
            )
            self.match_buttons.append(button)
            self._match_layout.addWidget(button)
        if self._matches:
            self._set_message(lambda c: c.text("signout.pick"), "info")
        else:
            self._set_message(lambda c: c.text("signout.none_found"), "error")

    # -- Screen ----------------------------------------------------------------------------
    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._render()

    def clear(self) -> None:
        self.timer.stop()
        self._done = False
        self._message = None
        clear_field(self.code_input)
        self.code_input.setEnabled(True)
        clear_field(self.name_input)
        self.name_panel.hide()
        self.no_badge.show()
        self._clear_matches()
        self._render()

    # -- internals -------------------------------------------------------------------------
    def _render(self) -> None:
        c = self._catalog
        if c is None:
            return
        title = "signout.goodbye_title" if self._done else "signout.title"
        set_text(self.title, c.text(title))
        # With the visits found on show, "tap your visit" heads the screen instead.
        self.title.setVisible(not self.match_buttons)
        set_text(self.instruction, c.text("signout.scan"))
        scanning = not self._done and self.name_panel.isHidden()
        self.instruction.setVisible(scanning)
        self.code_input.setVisible(scanning)
        self.code_input.setPlaceholderText(c.text("signout.code_label"))
        self.code_input.setAccessibleName(c.text("signout.code_label"))
        set_text(self.no_badge, c.text("signout.no_badge"))
        set_text(self.name_prompt, c.text("signout.name_prompt"))
        self.name_input.setAccessibleName(c.text("signout.name_prompt"))
        set_text(self.find_button, c.text("signout.find"))
        # After the goodbye, the same button ends at once instead of waiting for the timer.
        set_text(self.back, c.text("done.finish" if self._done else "signout.back"))
        for button, visit in zip(self.match_buttons, self._matches, strict=True):
            set_text(button, _visit_entry(c, visit))
        message = self._message(c) if self._message else ""
        if message != self.message.text():
            announce(self.message, message)
        set_text(self.message, message)
        if self.message.property("kind") != self._message_kind:
            # The stylesheet colours the message by its kind: re-polish when that changes.
            self.message.setProperty("kind", self._message_kind)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)

    def _set_message(self, text: Callable[[Catalog], str], kind: str) -> None:
        self._message = text
        self._message_kind = kind
        self._render()

    def _clear_matches(self) -> None:
        for button in self.match_buttons:
            self._match_layout.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.match_buttons = []
        self._matches = []

    def _on_code_entered(self) -> None:
        typed = self.code_input.text()
        clear_field(self.code_input)
        if typed.strip() and not self._done:
            self.badge_scanned.emit(typed)

    def _on_no_badge(self) -> None:
        self.no_badge.hide()
        self.name_panel.show()
        self._message = None
        self._render()
        self.name_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_find(self) -> None:
        typed = self.name_input.text()
        if typed.strip() and not self._done:
            self.name_searched.emit(typed)

    def _on_finish(self) -> None:
        self.timer.stop()
        self.finished.emit()


def _visit_entry(c: Catalog, visit: Visit) -> str:
    time_in = visit.signed_in_at.astimezone().strftime("%H:%M")
    if visit.host:
        return c.text("signout.visit_entry_host", time=time_in, host=visit.host)
    return c.text("signout.visit_entry", time=time_in)
