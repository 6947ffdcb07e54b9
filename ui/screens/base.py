"""What every screen shares: a translated title and the reset-to-empty hook."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.i18n import Catalog


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
    """A touch button: `role` ("primary", "secondary", "quiet") picks its look in style.qss."""
    button = QPushButton()
    button.setObjectName(object_name)
    button.setProperty("role", role)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setAutoDefault(False)
    return button


def set_text(widget: QAbstractButton | QLabel, text: str) -> None:
    """Visible text and the accessible name, together, so they never disagree."""
    widget.setText(text)
    widget.setAccessibleName(text)


def make_title(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setProperty("role", "title")
    label.setWordWrap(True)
    return label
