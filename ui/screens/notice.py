"""The rights notice, before any personal data is typed: the short first layer at the top, the
full notice below it in the same scrolling text (one tap on *Full privacy notice* goes
there), and the right to object in its own box.

The visitor is informed, not asked to agree: the button continues, it does not consent; the
way out is named as an alternative (register at reception), and *Back* returns to the
welcome screen. The first layer and the box are read without scrolling at 1024x600 and up:
side by side where there is width, the box under the text where there is not, and on a low
screen the language switch gives way (see `COMPACT_BELOW_HEIGHT`). Addresses in the text are
plain text: the kiosk opens no links, so nothing may look like one (CommonMark, not GitHub's
dialect, which turns every address into a link)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
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
from ui.touch import touch_scroll

# A window narrower than this puts the objection box under the text rather than beside it: the
# first layer's short lines then each keep to one line (a 1024 px screen).
STACK_BELOW_WIDTH = 1100
# A window lower than this (a 600 px screen) gives the notice all of its height: the language
# switch gives way (the welcome screen, one tap on Back, has it), margins and gaps shrink, and
# the objection box's title starts its text instead of taking a line of its own.
COMPACT_BELOW_HEIGHT = 700
# The first layer's bullets sit this far in (Qt's default is 40 px): room for the words.
LIST_INDENT = 20
# The objection box's border on each side (style.qss: `#objectionBox`).
BOX_BORDER = 3
QWIDGETSIZE_MAX = (1 << 24) - 1


def is_compact(window: QWidget) -> bool:
    """Whether the notice in `window` is arranged for a low screen (see COMPACT_BELOW_HEIGHT)."""
    return window.height() < COMPACT_BELOW_HEIGHT


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
        touch_scroll(self.text)

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
        box_layout = QVBoxLayout(self.objection_box)
        self._box_layout = box_layout
        box_layout.setContentsMargins(24, 20, 16, 20)
        box_layout.addWidget(self.objection_title)
        box_layout.addWidget(self.objection_area, 1)

        self.full_button = make_button("noticeFullButton", role="secondary")
        self.full_button.clicked.connect(self.show_full_text)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(24)
        self.body.addWidget(self.text, 2)
        self.body.addWidget(self.objection_box, 1)

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

        self._layout = QVBoxLayout(self)
        self._layout.addLayout(heading)
        self._layout.addLayout(self.body, 1)
        self._layout.addLayout(buttons)
        self._full_heading = ""
        self._objection = ("", "")  # the title and the text (Markdown) shown in the box
        self.compact = False
        self.stacked = False
        self._arrange(compact=False, stacked=False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The window's size, not the screen's: the screen grows past a small window (its area
        # scrolls), which must not undo the arrangement that lets it fit.
        size = self.window().size()
        self._arrange(compact=is_compact(self.window()), stacked=size.width() < STACK_BELOW_WIDTH)

    def _arrange(self, *, compact: bool, stacked: bool) -> None:
        """Beside each other where there is width; the box under the text where there is not,
        as tall as its words (it is short; the text above scrolls); smaller gaps on a low
        screen."""
        if compact:
            self._layout.setContentsMargins(40, 8, 40, 12)
            self._layout.setSpacing(10)
            self._box_layout.setContentsMargins(20, 10, 12, 10)
        else:
            self._layout.setContentsMargins(48, 24, 48, 32)
            self._layout.setSpacing(20)
            self._box_layout.setContentsMargins(24, 20, 16, 20)
        if compact != self.compact:
            self.compact = compact
            self.setProperty("compact", compact)
            for widget in (self.back, self.decline, self.full_button, self.proceed, self.text):
                widget.style().unpolish(widget)
                widget.style().polish(widget)
            self._show_objection()
        self.stacked = stacked
        self.body.setDirection(
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        self.body.setSpacing(10 if compact else 24)
        self.body.setStretchFactor(self.text, 2 if not stacked else 1)
        self.body.setStretchFactor(self.objection_box, 1 if not stacked else 0)
        self._fit_objection()

    def _fit_objection(self) -> None:
        """Stacked, the box's text area is as tall as its words at the box's width."""
        area = self.objection_area
        if not self.stacked:
            area.setMinimumHeight(0)
            area.setMaximumHeight(QWIDGETSIZE_MAX)
            area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            return
        # Sized to its words, it never needs the bar (which, shown for a moment while the
        # layout settles, would narrow the text and make it need the bar).
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        margins = self._layout.contentsMargins()
        box = self._box_layout.contentsMargins()
        borders = 2 * BOX_BORDER
        width = self.width() - margins.left() - margins.right() - box.left() - box.right() - borders
        area.setFixedHeight(self.objection.heightForWidth(max(width, 1)))

    def show_notice(self, notice: Notice, catalog: Catalog) -> None:
        set_text(self.title, notice.title)
        # A heading above the full notice's own section headings.
        self._full_heading = catalog.text("notice.full_text")
        document = self.text.document()
        document.setIndentWidth(LIST_INDENT)
        document.setMarkdown(
            f"{notice.summary}\n\n---\n\n# {self._full_heading}\n\n{notice.full}",
            QTextDocument.MarkdownFeature.MarkdownDialectCommonMark,
        )
        self.text.setAccessibleName(notice.title)
        self.text.moveCursor(QTextCursor.MoveOperation.Start)  # not left at the end
        self.text.verticalScrollBar().setValue(0)
        self._objection = (notice.objection_title, notice.objection)
        self._show_objection()

    def _show_objection(self) -> None:
        title, text = self._objection
        set_text(self.objection_title, title)
        self.objection_title.setVisible(not self.compact)
        self.objection.setText(markdown_html(f"**{title}.** {text}" if self.compact else text))
        # The box is named by its title; its body is read as what it says.
        self.objection_box.setAccessibleName(title)
        self.objection.setAccessibleName(plain_text(text))
        self._fit_objection()

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
