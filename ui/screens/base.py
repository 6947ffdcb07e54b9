"""What every screen shares: a translated title and the reset-to-empty hook."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from kiosk.settings.i18n import Catalog
from ui.touch import touch_scroll


class Screen(QWidget):
    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def retranslate_ui(self, catalog: Catalog) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget everything a visitor typed or was shown (idle timeout, next visitor)."""


def make_button(object_name: str, role: str = "secondary") -> QPushButton:
    """A touch button: `role` ("primary", "secondary", "quiet") picks its look in style.qss.

    It takes no keyboard focus: a tap leaves the focus where it was, so a field keeps what a
    scanner or the on-screen keyboard types."""
    button = QPushButton()
    button.setObjectName(object_name)
    button.setProperty("role", role)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setAutoDefault(False)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


def make_field(object_name: str, max_length: int | None = None) -> QLineEdit:
    """A text field for a visitor: no context menu (a long press on a touch screen would open
    one, with Undo and Paste in it)."""
    edit = QLineEdit()
    edit.setObjectName(object_name)
    if max_length is not None:
        edit.setMaxLength(max_length)
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return edit


def clear_field(edit: QLineEdit) -> None:
    """Empty a field and its undo history: `QLineEdit.clear()` can be undone, so Ctrl+Z would
    bring back what the previous visitor typed."""
    edit.setText("")


def make_scroll_area(content: QWidget, object_name: str) -> QScrollArea:
    """`content` in a frameless area that scrolls up and down when it does not fit (a small
    screen, the on-screen keyboard), and never sideways."""
    area = QScrollArea()
    area.setObjectName(object_name)
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    touch_scroll(area)
    return area


def set_text(widget: QAbstractButton | QLabel, text: str) -> None:
    """Visible text and the accessible name, together, so they never disagree."""
    widget.setText(text)
    widget.setAccessibleName(text)


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say `text` now (an error, a result), not only when the visitor
    happens to move onto it."""
    if text and QAccessible.isActive():
        event = QAccessibleAnnouncementEvent(widget, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)


def plain_text(markdown: str) -> str:
    """What a screen reader should read of a Markdown text (no asterisks, no link syntax)."""
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document.toPlainText()


def make_choice(object_name: str, role: str) -> QPushButton:
    """One of a set of touch buttons of which one is chosen (the languages): a screen reader
    hears a radio button, checked for the one in use."""
    button = make_button(object_name, role=role)
    button.setCheckable(True)
    button.setAutoExclusive(True)
    return button


def make_title(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setProperty("role", "title")
    label.setWordWrap(True)
    return label
