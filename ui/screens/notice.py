"""The rights notice, before any personal data is typed: the short first layer at the top, the
full notice below it in the same scrolling text (one tap on *Full privacy notice* goes
there), and the right to object in its own box.

The visitor is informed, not asked to agree: the button continues, it does not consent; the
way out is named as an alternative (register at reception), and *Back* returns to the
welcome screen. Addresses in the text are plain text: the kiosk opens no links, so nothing
may look like one (CommonMark, not GitHub's dialect, which turns every address into a link)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor, QTextDocument
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


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, without turning addresses into links (see the module's docstring),
    in the font the stylesheet gives the label (the document's own default font left out)."""
    document = QTextDocument()
    document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectCommonMark)
    html = document.toHtml()
    return re.sub(r"<body style=\"[^\"]*\">", "<body>", html)


class NoticeScreen(Screen):
    continue_requested = Signal()
    declined = Signal()
    back_requested = Signal()

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
        self.objection.setTextFormat(Qt.TextFormat.RichText)
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

        self.full_button = make_button("noticeFullButton", role="secondary")
        self.full_button.clicked.connect(self.show_full_text)
        body = QHBoxLayout()
        body.setSpacing(24)
        body.addWidget(self.text, 3)
        body.addWidget(self.objection_box, 2)

        self.back = make_button("noticeBack", role="secondary")
        self.back.clicked.connect(self.back_requested)
        heading = QHBoxLayout()
        heading.setSpacing(24)
        heading.addWidget(self.back)
        heading.addWidget(self.title, 1)

        self.decline = make_button("noticeDecline", role="secondary")
        self.decline.clicked.connect(self.declined)
        self.proceed = make_button("noticeContinue", role="primary")
        self.proceed.clicked.connect(self.continue_requested)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.decline)
        buttons.addWidget(self.full_button)
        buttons.addStretch(1)
        buttons.addWidget(self.proceed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(20)
        layout.addLayout(heading)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self._full_heading = ""

    def show_notice(self, notice: Notice, catalog: Catalog) -> None:
        set_text(self.title, notice.title)
        # A heading above the full notice's own section headings.
        self._full_heading = catalog.text("notice.full_text")
        document = self.text.document()
        document.setMarkdown(
            f"{notice.summary}\n\n---\n\n# {self._full_heading}\n\n{notice.full}",
            QTextDocument.MarkdownFeature.MarkdownDialectCommonMark,
        )
        self.text.setAccessibleName(notice.title)
        self.text.moveCursor(QTextCursor.MoveOperation.Start)  # not left at the end
        self.text.verticalScrollBar().setValue(0)
        set_text(self.objection_title, notice.objection_title)
        self.objection.setText(markdown_html(notice.objection))
        # The box is named by its title; its body is read as what it says.
        self.objection_box.setAccessibleName(notice.objection_title)
        self.objection.setAccessibleName(plain_text(notice.objection))

    def show_full_text(self) -> None:
        """Scroll the full notice's heading to the top of the text: one tap from the first
        layer to the whole notice."""
        cursor = self.text.document().find(self._full_heading)
        if cursor.isNull():
            return
        layout = self.text.document().documentLayout()
        top = layout.blockBoundingRect(cursor.block()).top()
        self.text.verticalScrollBar().setValue(int(top))

    def retranslate_ui(self, catalog: Catalog) -> None:
        set_text(self.proceed, catalog.text("notice.continue"))
        set_text(self.decline, catalog.text("notice.decline"))
        set_text(self.back, catalog.text("notice.back"))
        set_text(self.full_button, catalog.text("notice.full_button"))

    def clear(self) -> None:
        self.text.verticalScrollBar().setValue(0)
