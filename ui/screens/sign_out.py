"""Signing out at the kiosk: scan the badge, or, without it, sign out by name.

A USB barcode scanner is a keyboard: it types the badge code and Enter into
`badgeCodeInput`, which has the focus whenever this screen is up. Without the badge, the
visitor types their full name. When exactly one visit is open under that name, the screen
asks "Sign out <the name as typed>?", and only `signOutConfirm` signs out. Nothing of the
visit (time, host, company) is shown, nor ever reaches this screen. Several visits under one
name are for reception to tell apart; none gets the "no visit under that name" message.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.domain.visit import NameMatch, normalise_text
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


class SignOutScreen(Screen):
    badge_scanned = Signal(str)
    name_searched = Signal(str)  # the name as typed
    name_confirmed = Signal(str)  # the name the confirmation asked about, as typed
    finished = Signal()

    def __init__(self, goodbye_timeout_s: int, parent: QWidget | None = None) -> None:
        super().__init__("signOut", parent)
        self._catalog: Catalog | None = None
        # What the message label says, as a function of the language (follows a switch).
        self._message: Callable[[Catalog], str] | None = None
        self._message_kind = "info"
        self._by_name = False  # "I don't have my badge" was tapped
        # The name, as typed, that "Sign out <name>?" asks about; None while nothing is asked.
        self._asked: str | None = None
        self._confirming = False  # confirmed: the sign-out is on its way
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

        self.no_badge = make_button("noBadgeButton", role="secondary")
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

        # The confirmation: its question is the message; under it, cancel and confirm.
        self.confirm_panel = QWidget()
        self.confirm_panel.setObjectName("signOutConfirmPanel")
        self.cancel_button = make_button("signOutCancel", role="secondary")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.confirm_button = make_button("signOutConfirm", role="primary")
        self.confirm_button.clicked.connect(self._on_confirm)
        confirm_row = QHBoxLayout(self.confirm_panel)
        confirm_row.setContentsMargins(0, 0, 0, 0)
        confirm_row.setSpacing(24)
        confirm_row.addStretch(1)
        confirm_row.addWidget(self.cancel_button)
        confirm_row.addWidget(self.confirm_button)
        confirm_row.addStretch(1)
        self.confirm_panel.hide()

        self.back = make_button("signOutBack", role="secondary")
        self.back.clicked.connect(self._on_finish)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(goodbye_timeout_s * 1000)
        self.timer.timeout.connect(self._on_finish)

        # Scanning: title, instruction, code field, message, "no badge". Without the badge
        # the scan part gives way to the name field and the message; the confirmation shows
        # its question (the message) and its two buttons.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 12, 48, 12)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.instruction)
        layout.addWidget(self.code_input, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.name_panel)
        layout.addWidget(self.message)
        layout.addWidget(self.confirm_panel)
        layout.addWidget(self.no_badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)

    # -- what the window calls -------------------------------------------------------------
    @property
    def finished_visit(self) -> bool:
        """The goodbye is on show: this visitor is done."""
        return self._done

    @property
    def asking(self) -> bool:
        """The confirmation of a sign-out by name is on show."""
        return self._asked is not None

    def start(self) -> None:
        """Ready for a scan: the code field has the focus, so the scanner types into it."""
        self.code_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_goodbye(self, visitor_name: str) -> None:
        self._done = True
        self.code_input.setEnabled(False)
        self._drop_question()
        self._set_message(lambda c: c.text("signout.goodbye", name=visitor_name), "success")
        self.timer.start()

    # Every outcome replaces the question: a badge scanned while it is up is a badge scan.
    def show_unknown(self) -> None:
        self._drop_question()
        self._set_message(lambda c: c.text("signout.unknown"), "error")
        self.start()

    def show_used(self) -> None:
        self._drop_question()
        self._set_message(lambda c: c.text("signout.used"), "error")
        self.start()

    def show_failed(self) -> None:
        self._drop_question()
        self._set_message(lambda c: c.text("signout.error"), "error")

    def show_name_match(self, typed_name: str, found: NameMatch) -> None:
        """What the search for `typed_name` found: the question for one visit, reception for
        several, and for none the "no visit under that name" message."""
        if self._done:
            return
        self._drop_question()
        if found is NameMatch.ONE:
            self._asked = typed_name
            # Only what the visitor typed (tidied as at sign-in), not even the stored spelling.
            shown = normalise_text(typed_name)
            self._set_message(lambda c: c.text("signout.confirm_question", name=shown), "question")
        elif found is NameMatch.SEVERAL:
            self._set_message(lambda c: c.text("signout.several"), "error")
        else:
            self._set_message(lambda c: c.text("signout.none_found"), "error")

    # -- Screen ----------------------------------------------------------------------------
    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._render()

    def clear(self) -> None:
        self.timer.stop()
        self._done = False
        self._by_name = False
        self._drop_question()
        self._message = None
        clear_field(self.code_input)
        self.code_input.setEnabled(True)
        clear_field(self.name_input)
        self._render()

    # -- internals -------------------------------------------------------------------------
    def _render(self) -> None:
        c = self._catalog
        if c is None:
            return
        title = "signout.goodbye_title" if self._done else "signout.title"
        set_text(self.title, c.text(title))
        # The question heads the screen on its own ("Sign out" above it would say it twice).
        self.title.setVisible(not self.asking)
        set_text(self.instruction, c.text("signout.scan"))
        scanning = not self._done and not self._by_name
        self.instruction.setVisible(scanning)
        self.code_input.setVisible(scanning)
        self.no_badge.setVisible(scanning)
        self.name_panel.setVisible(not self._done and self._by_name and not self.asking)
        self.confirm_panel.setVisible(not self._done and self.asking)
        self.confirm_button.setEnabled(not self._confirming)
        self.cancel_button.setEnabled(not self._confirming)
        self.code_input.setPlaceholderText(c.text("signout.code_label"))
        self.code_input.setAccessibleName(c.text("signout.code_label"))
        set_text(self.no_badge, c.text("signout.no_badge"))
        set_text(self.name_prompt, c.text("signout.name_prompt"))
        self.name_input.setAccessibleName(c.text("signout.name_prompt"))
        set_text(self.find_button, c.text("signout.find"))
        set_text(self.cancel_button, c.text("signout.cancel"))
        set_text(self.confirm_button, c.text("signout.confirm"))
        # After the goodbye, the same button ends at once instead of waiting for the timer.
        set_text(self.back, c.text("done.finish" if self._done else "signout.back"))
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

    def _drop_question(self) -> None:
        self._asked = None
        self._confirming = False

    def _on_code_entered(self) -> None:
        typed = self.code_input.text()
        clear_field(self.code_input)
        if typed.strip() and not self._done:
            self.badge_scanned.emit(typed)

    def _on_no_badge(self) -> None:
        self._by_name = True
        self._message = None
        self._render()
        self.name_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_find(self) -> None:
        typed = self.name_input.text()
        if typed.strip() and not self._done and not self.asking:
            self.name_searched.emit(typed)

    def _on_confirm(self) -> None:
        if self._asked is None or self._confirming or self._done:
            return
        self._confirming = True  # one tap signs out once
        self._render()
        self.name_confirmed.emit(self._asked)

    def _on_cancel(self) -> None:
        """Not now: back to the name as typed; nobody is signed out."""
        if self._confirming:
            return
        self._drop_question()
        self._message = None
        self._render()
        self.name_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_finish(self) -> None:
        self.timer.stop()
        self.finished.emit()
