"""The visitor session: what the kiosk is doing for the person in front of it, as a plain model
with no Qt in it (napari's `components/dims.py` beside its `_qt` view). The window observes
it: it shows the screen, speaks the language, and runs the inactivity timer the session asks
for. The flows change it.

The `token` changes at every reset (the next visitor, the idle timeout, the end of a staff
session): a result that comes back from a worker for an earlier token is for someone who is
no longer there, and is not shown (`ui.tasks.SessionJob`)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, StrEnum

from kiosk.domain.events import PrintOutcome
from kiosk.domain.visit import SignedIn
from kiosk.visits.notice import Notice


class Screen(StrEnum):
    """The screens, by their objectName."""

    WELCOME = "welcome"
    NOTICE = "notice"
    DETAILS = "details"
    DONE = "done"
    SIGN_OUT = "signOut"
    STAFF_LOGIN = "staffLogin"
    STAFF = "staff"


class Timeout(Enum):
    """Which inactivity limit runs on a screen."""

    NONE = "none"  # the welcome screen: the kiosk waits there
    VISITOR = "visitor"  # kiosk.idle_timeout_s, back to the welcome screen
    STAFF = "staff"  # staff.session_timeout_s, the staff session ends


class VisitorSession:
    def __init__(self, default_language: str) -> None:
        self.default_language = default_language
        self.screen = Screen.WELCOME
        self.language = default_language
        self.token = 0
        # The notice the visitor read and continued from: the visit records that one.
        self.notice: Notice | None = None
        # This session's sign-in, once committed, and its badge's outcome once known (which
        # may come first: it is reported by another thread).
        self.signed_in: SignedIn | None = None
        self._badge_outcomes: dict[int, PrintOutcome] = {}
        self._on_screen: list[Callable[[Screen], None]] = []
        self._on_language: list[Callable[[str], None]] = []
        self._on_reset: list[Callable[[], None]] = []

    # -- observing -----------------------------------------------------------------------------
    def observe(
        self,
        *,
        screen: Callable[[Screen], None] | None = None,
        language: Callable[[str], None] | None = None,
        reset: Callable[[], None] | None = None,
    ) -> None:
        if screen is not None:
            self._on_screen.append(screen)
        if language is not None:
            self._on_language.append(language)
        if reset is not None:
            self._on_reset.append(reset)

    @property
    def timeout(self) -> Timeout:
        if self.screen is Screen.WELCOME:
            return Timeout.NONE
        if self.screen is Screen.STAFF:
            return Timeout.STAFF
        return Timeout.VISITOR

    def is_current(self, token: int) -> bool:
        return token == self.token

    # -- changing --------------------------------------------------------------------------------
    def show(self, screen: Screen) -> None:
        self.screen = screen
        for observer in list(self._on_screen):
            observer(screen)

    def set_language(self, language: str) -> None:
        self.language = language
        for observer in list(self._on_language):
            observer(language)

    def reset(self) -> None:
        """Back to the welcome screen in the default language, with nothing of the previous
        person kept."""
        self.token += 1
        self.notice = None
        self.signed_in = None
        self._badge_outcomes.clear()
        for observer in list(self._on_reset):
            observer()
        self.set_language(self.default_language)
        self.show(Screen.WELCOME)

    def signed_in_here(self, signed_in: SignedIn) -> PrintOutcome | None:
        """This session's visitor is signed in; the badge's outcome if it came already."""
        self.signed_in = signed_in
        return self._badge_outcomes.pop(signed_in.visit.visit_id, None)

    def badge_outcome(self, outcome: PrintOutcome) -> bool:
        """A badge's outcome: True if it is this session's visitor's badge (to show now);
        kept for the sign-in if that is still on its way."""
        if self.signed_in is not None:
            return outcome.visit_id == self.signed_in.visit.visit_id
        if self.screen is Screen.DETAILS:  # the sign-in result may still be on its way
            self._badge_outcomes[outcome.visit_id] = outcome
        return False
