"""The rights notice, before any personal data is typed: the short first layer at the top, the
full notice below it in the same scrolling text, and the right to object in its own box.

The visitor is informed, not asked to agree: the button continues, it does not consent."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScroller,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kiosk.settings.i18n import Catalog
from kiosk.visits.notice import Notice
from ui.screens.base import (
    Screen,
    make_button,
    make_scroll_area,
    make_title,
    plain_text,
    set_text,
)


class NoticeScreen(Screen):
    continue_requested = Signal()
    declined = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("notice", parent)
        self.title = make_title("noticeTitle")

        self.text = QTextBrowser()
        self.text.setObjectName("noticeText")
        self.text.setOpenLinks(False)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QScroller.grabGesture(
            self.text.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )

        self.objection_box = QFrame()
        self.objection_box.setObjectName("objectionBox")
        self.objection_title = QLabel()
        self.objection_title.setObjectName("objectionTitle")
        self.objection_title.setWordWrap(True)
        self.objection = QLabel()
        self.objection.setObjectName("objectionText")
        self.objection.setTextFormat(Qt.TextFormat.MarkdownText)
        self.objection.setWordWrap(True)
        self.objection.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # The body scrolls inside its box where the screen is too small for all of it.
        self.objection_area = make_scroll_area(self.objection, "objectionArea")
        QScroller.grabGesture(
            self.objection_area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        box_layout = QVBoxLayout(self.objection_box)
        box_layout.setContentsMargins(24, 20, 16, 20)
        box_layout.addWidget(self.objection_title)
        box_layout.addWidget(self.objection_area, 1)

        body = QHBoxLayout()
        body.setSpacing(24)
        body.addWidget(self.text, 3)
        body.addWidget(self.objection_box, 2)

        self.decline = make_button("noticeDecline", role="secondary")
        self.decline.clicked.connect(self.declined)
        self.proceed = make_button("noticeContinue", role="primary")
        self.proceed.clicked.connect(self.continue_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decline)
        buttons.addStretch(1)
        buttons.addWidget(self.proceed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(20)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

    def show_notice(self, notice: Notice, catalog: Catalog) -> None:
        set_text(self.title, notice.title)
        heading = catalog.text("notice.full_text")
        self.text.setMarkdown(f"{notice.summary}\n\n---\n\n## {heading}\n\n{notice.full}")
        self.text.setAccessibleName(notice.title)
        self.text.verticalScrollBar().setValue(0)
        set_text(self.objection_title, notice.objection_title)
        self.objection.setText(notice.objection)
        # The box is named by its title; its body is read as what it says.
        self.objection_box.setAccessibleName(notice.objection_title)
        self.objection.setAccessibleName(plain_text(notice.objection))

    def retranslate_ui(self, catalog: Catalog) -> None:
        set_text(self.proceed, catalog.text("notice.continue"))
        set_text(self.decline, catalog.text("notice.decline"))

    def clear(self) -> None:
        self.text.verticalScrollBar().setValue(0)
