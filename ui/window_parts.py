"""Parts of the kiosk window: the language switch in the header, the stack of screens, the
filter that turns any touch or key into "someone is using the kiosk" for the inactivity
timers, and what stops the window's workers when the window goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from kiosk.settings.i18n import language_name
from ui.screens.base import Screen, make_choice, make_scroll_area, set_text

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

    def __init__(self, languages: tuple[str, ...], choose: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("languageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for lang in languages:
            button = make_choice(f"headerLang_{lang}", role="language-small")
            set_text(button, language_name(lang))
            button.clicked.connect(lambda _checked=False, lang=lang: choose(lang))
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


def settle_translator_lookups() -> None:
    """Qt asks every installed translator for its words, from any thread: the on-screen
    keyboard's QML loader asks while the GUI thread waits for it. Our translator is a PySide6
    object, and PySide6 checks with the GIL held whether Python overrides `translate`, until a
    first call has found that it does not; the loader thread would wait for the GIL, held by
    the GUI thread waiting for it: a freeze. One lookup here, on the GUI thread, right after
    the translator is installed, settles that before any other thread asks."""
    QCoreApplication.translate("QLineEdit", "&Undo")


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


class ActivityWatch:
    """Installs the activity filter on the application only while it is wanted."""

    def __init__(self, activity_filter: ActivityFilter) -> None:
        self.filter = activity_filter
        self._installed: ActivityFilter | None = None

    def watch(self, on: bool) -> None:
        app = QCoreApplication.instance()
        if self._installed is not None and app is not None:
            app.removeEventFilter(self._installed)
        self._installed = None
        if on and app is not None:  # (none left once the application is gone)
            app.installEventFilter(self.filter)
            self._installed = self.filter


class ScreenStack(QStackedWidget):
    """One screen at a time, each in an area that scrolls when the screen does not fit (a
    small panel, the on-screen keyboard), so the window never grows past the screen."""

    def __init__(self, screens: Sequence[Screen]) -> None:
        super().__init__()
        self.setObjectName("screens")
        self._areas: dict[Screen, QScrollArea] = {}
        for screen in screens:
            area = make_scroll_area(screen, f"{screen.objectName()}Area")
            area.setProperty("role", "screen")
            self._areas[screen] = area
            self.addWidget(area)

    def show_screen(self, screen: Screen) -> None:
        self.setCurrentWidget(self._areas[screen])

    def current(self) -> Screen:
        area = self.currentWidget()
        assert isinstance(area, QScrollArea)
        screen = area.widget()
        assert isinstance(screen, Screen)
        return screen

    def keep_in_view(self, widget: QWidget) -> None:
        """Scroll every area around `widget` (the screen's own, then the stack's) so it shows."""
        parent = widget.parentWidget()
        while parent is not None and parent is not self:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(widget, 16, 16)
            parent = parent.parentWidget()


class _Stoppable(Protocol):
    def shutdown(self) -> None: ...
    def abandon(self) -> None: ...


class _Upkeep(Protocol):
    def stop(self) -> None: ...


class WindowLifetime:
    """The window's workers, upkeep and application-wide filter, and then the core under it,
    stopped on `stop()` (the window's shutdown) or when the window is destroyed without one
    (as `deleteLater()` does for any widget): queued jobs still finish, no result is handed
    to the gone window, and no thread is left running into freed objects. Holds no
    reference to the window."""

    def __init__(
        self,
        window: QObject,
        maintenance: _Upkeep,
        workers: Sequence[_Stoppable],
        activity: ActivityWatch,
        close_core: Callable[[], None],
    ) -> None:
        self._maintenance = maintenance
        self._workers = tuple(workers)
        self._activity = activity
        self._close_core = close_core
        self._done = False
        window.destroyed.connect(self._on_destroyed)

    def stop(self) -> None:
        self._stop(abandon=False)

    def _on_destroyed(self, _window: QObject | None = None) -> None:
        if not self._done:
            self._stop(abandon=True)

    def _stop(self, *, abandon: bool) -> None:
        if self._done:
            return
        self._done = True
        self._activity.watch(False)
        self._maintenance.stop()
        for worker in self._workers:
            if abandon:
                worker.abandon()  # no result goes back to the gone window
            else:
                worker.shutdown()
        self._close_core()
