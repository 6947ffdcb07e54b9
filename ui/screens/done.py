"""After registering (or declining): what happens next. Goes back to the welcome screen by
itself after `kiosk.done_timeout_s` seconds, or at once on `doneFinish`.

After a sign-in the badge is printing: the screen says so, and once the printer has answered
tells the visitor to take the badge from the printer or, on any fault, to collect it at
reception. The timer back to the welcome screen starts then.

It says the host was told only once the host's mail server accepted the message
(`show_host_told`); until then, and whenever the kiosk does not tell hosts, that reception will
let the host know."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.settings.i18n import Catalog
from ui.screens.base import Screen, make_button, make_title, set_text


class DoneScreen(Screen):
    finished = Signal()

    def __init__(self, timeout_s: int, parent: QWidget | None = None) -> None:
        super().__init__("done", parent)
        self._catalog: Catalog | None = None
        self._visitor_name: str | None = None  # None: the visitor declined
        self._host_told: str | None = None  # the host's name, once their server accepted
        # None while printing, then "printed" or "reception"; "own" once their badge is scanned
        self._badge: str | None = None
        self.title = make_title("doneTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setObjectName("doneMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.finish = make_button("doneFinish", role="primary")
        self.finish.clicked.connect(self._on_finish)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(timeout_s * 1000)
        self.timer.timeout.connect(self._on_finish)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(96, 24, 96, 24)
        layout.setSpacing(20)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.finish, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def show_signed_in(self, visitor_name: str) -> None:
        """Signed in; the badge is on its way (the timer waits for `show_badge`)."""
        self._visitor_name = visitor_name
        self._host_told = None
        self._badge = None
        self._render()

    def show_host_told(self, host: str) -> None:
        """The host's mail server accepted the message telling them of this arrival."""
        if self._visitor_name is not None:
            self._host_told = host
            self._render()

    def show_badge(self, at_printer: bool) -> None:
        """The printer has answered: the badge is at the printer, or at reception."""
        self._badge = "printed" if at_printer else "reception"
        self._render()
        self.timer.start()

    def show_own_badge(self) -> None:
        """The visitor scanned the badge they just got: what it is for, not a sign-out."""
        self._badge = "own"
        self._render()
        self.timer.start()

    @property
    def printing(self) -> bool:
        return self._visitor_name is not None and self._badge is None

    def show_declined(self) -> None:
        self._visitor_name = None
        self._render()
        self.timer.start()

    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        set_text(self.finish, catalog.text("done.finish"))
        self._render()

    def clear(self) -> None:
        self.timer.stop()
        self._visitor_name = None
        self._host_told = None
        self._badge = None
        self.message.clear()

    def _render(self) -> None:
        if self._catalog is None:
            return
        if self._visitor_name is None:
            set_text(self.title, self._catalog.text("done.declined_title"))
            set_text(self.message, self._catalog.text("done.declined"))
        else:
            c = self._catalog
            badge = {
                None: "done.printing",
                "printed": "done.badge_printed",
                "reception": "done.badge_at_reception",
                "own": "done.own_badge",
            }[self._badge]
            if self._host_told:
                host = c.text("done.host_told", host=self._host_told)
            else:
                host = c.text("done.host_pending")
            set_text(self.title, c.text("done.title"))
            welcome = c.text("done.welcome", name=self._visitor_name)
            set_text(self.message, f"{welcome} {host}\n\n{c.text(badge)}")

    def _on_finish(self) -> None:
        self.timer.stop()
        self.finished.emit()
