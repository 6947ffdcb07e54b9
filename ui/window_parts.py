"""Parts of the kiosk window: the language switch in the header, and the filter that turns
any touch or key into "someone is using the kiosk" for the inactivity timers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from kiosk.i18n import language_name
from ui.screens.base import make_button, set_text

if TYPE_CHECKING:
    from ui.main_window import KioskWindow

# Input that counts as someone using the kiosk (restarts the idle timeout).
_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


class LanguageBar(QWidget):
    """The language switch on every screen after the welcome screen."""

    def __init__(self, languages: tuple[str, ...], window: KioskWindow) -> None:
        super().__init__()
        self.setObjectName("languageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for lang in languages:
            button = make_button(f"headerLang_{lang}", role="language-small")
            button.setCheckable(True)
            set_text(button, language_name(lang))
            button.clicked.connect(lambda _checked=False, lang=lang: window.set_language(lang))
            self.group.addButton(button)
            self.buttons[lang] = button
            layout.addWidget(button)

    def show_language(self, language: str) -> None:
        for lang, button in self.buttons.items():
            button.setChecked(lang == language)


def prepare_qt_types() -> None:
    """The first time Python is handed a Qt object of a class that PySide6 does not expose
    (one of Qt's private classes), PySide6 creates the Python types, and their enums, of much
    of QtCore and QtWidgets to find the nearest one it knows: about 40 ms. The activity
    filter is handed such an object with the events that follow a visitor's first tap;
    called while the window is built, this pays that cost before anyone is waiting (and
    later, when the badge libraries load beside the database's cleanup, it would stall the
    screen for three times as long)."""
    app = QCoreApplication.instance()
    if app is not None:
        app.children()  # the event dispatcher and the style sheet style are private classes


class ActivityFilter(QObject):
    """Any touch or key restarts whichever inactivity timer is running."""

    def __init__(self, timers: tuple[QTimer, ...]) -> None:
        super().__init__()
        self._timers = timers

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            for timer in self._timers:
                if timer.isActive():
                    timer.start()
        return False
