"""What the visitor screens do: from the welcome screen through the notice and the details to
the confirmation, and signing out by badge or by name (the core says only whether none, one
or several visits are under the name, and signs the one out once the visitor confirms). Each
step calls one operation of the core on the database worker and shows its result; the flow
decides nothing the core decides.
The badge is printed by the core's `visit_signed_in` subscriber; the confirmation learns how
it went from `badge_printed`, and that the host was told from `host_told`."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.domain.badge_code import read_badge_code
from kiosk.domain.events import Hook, HostTold, PrintOutcome
from kiosk.domain.visit import (
    BadgeAlreadyUsed,
    FieldError,
    NameMatch,
    NoVisitNamed,
    SeveralVisitsNamed,
    SignedIn,
    SignedOut,
    SignInForm,
    UnknownBadge,
    UnknownVisit,
    Visit,
)
from kiosk.visits.notice import Notices
from kiosk.visits.service import Visits
from ui.screens.details import DetailsScreen
from ui.screens.done import DoneScreen
from ui.screens.notice import NoticeScreen
from ui.screens.sign_out import SignOutScreen
from ui.screens.welcome import WelcomeScreen
from ui.session import Screen, VisitorSession
from ui.tasks import SessionJob, Worker

log = logging.getLogger(__name__)


class VisitorFlow(QObject):
    _badge_printed = Signal(object)  # PrintOutcome, from the core's event thread
    _host_told = Signal(object)  # HostTold, from the core's event thread

    def __init__(
        self,
        session: VisitorSession,
        *,
        welcome: WelcomeScreen,
        notice: NoticeScreen,
        details: DetailsScreen,
        done: DoneScreen,
        sign_out: SignOutScreen,
        visits: Visits,
        notices: Notices,
        languages: tuple[str, ...],
        badge_printed: Hook[PrintOutcome],
        host_told: Hook[HostTold],
        worker: Worker,
    ) -> None:
        super().__init__()
        self._session = session
        self._notice = notice
        self._details = details
        self._done = done
        self._sign_out = sign_out
        self._visits = visits
        self._notices = notices
        self._languages = languages
        self._worker = worker
        # Hosts told of late: one may be told before the sign-in's result reaches the screen.
        self._told: deque[int] = deque(maxlen=16)

        welcome.sign_in_requested.connect(self._on_sign_in_requested)
        welcome.sign_out_requested.connect(self.start_sign_out)
        notice.continue_requested.connect(self._on_notice_continue)
        notice.declined.connect(self._on_notice_declined)
        notice.back_requested.connect(session.reset)
        details.submitted.connect(self._on_details_submitted)
        details.cancelled.connect(session.reset)
        done.finished.connect(session.reset)
        sign_out.badge_scanned.connect(self._on_badge_scanned)
        sign_out.name_searched.connect(self._on_name_searched)
        sign_out.name_confirmed.connect(self._on_name_confirmed)
        sign_out.finished.connect(session.reset)
        self._badge_printed.connect(self._on_badge_printed, Qt.ConnectionType.QueuedConnection)
        badge_printed.subscribe("visitor-screen", self._badge_printed.emit)
        self._host_told.connect(self._on_host_told, Qt.ConnectionType.QueuedConnection)
        host_told.subscribe("visitor-screen", self._host_told.emit)

    # -- signing in ------------------------------------------------------------------------------
    def _on_sign_in_requested(self) -> None:
        self._session.show(Screen.NOTICE)

    def _on_notice_continue(self) -> None:
        # The visit records the notice the visitor read, in the language they read it in.
        self._session.notice = self._notices.notice(self._session.language)
        self._session.show(Screen.DETAILS)
        self._details.focus_first()

    def _on_notice_declined(self) -> None:
        # Nothing is stored: the visitor is sent to reception.
        self._session.notice = None
        self._details.clear()
        self._done.show_declined()
        self._session.show(Screen.DONE)

    def _on_details_submitted(self, form: SignInForm) -> None:
        notice = self._session.notice or self._notices.notice(self._session.language)
        self._details.set_busy(True)
        SessionJob(self._worker, self._session, lambda: self._visits.sign_in(form, notice)).success(
            self._on_signed_in
        ).failure(self._on_sign_in_failed).run()

    def _on_signed_in(self, signed_in: SignedIn) -> None:
        early = self._session.signed_in_here(signed_in)
        self._details.clear()
        self._done.show_signed_in(signed_in.visit.visitor_name)
        self._session.show(Screen.DONE)
        if early is not None:
            self._done.show_badge(early.at_printer)
        if signed_in.visit.visit_id in self._told:
            self._done.show_host_told(signed_in.visit.host)

    def _on_sign_in_failed(self, error: BaseException) -> None:
        self._details.set_busy(False)
        if isinstance(error, FieldError):
            self._details.show_field_error(error)
        else:
            self._details.show_error("error.storage")

    def _on_badge_printed(self, outcome: PrintOutcome) -> None:
        if self._session.badge_outcome(outcome) and self._done.printing:
            self._done.show_badge(outcome.at_printer)

    def _on_host_told(self, told: HostTold) -> None:
        self._told.append(told.visit_id)
        signed_in = self._session.signed_in
        if signed_in is not None and signed_in.visit.visit_id == told.visit_id:
            self._done.show_host_told(signed_in.visit.host)

    # -- signing out -----------------------------------------------------------------------------
    def start_sign_out(self) -> None:
        self._session.show(Screen.SIGN_OUT)
        self._sign_out.start()

    def on_scanned(self, typed: str) -> None:
        """A badge held under the scanner on a visitor screen. On the confirmation it may be
        the badge just printed; anywhere else the visitor is leaving: whatever the screen held
        is dropped, as at a reset."""
        code = read_badge_code(typed)
        own = self._session.signed_in
        if self._session.screen is Screen.DONE and own is not None and code == own.badge_code:
            self._done.show_own_badge()
            return
        if self._session.screen is not Screen.SIGN_OUT or self._sign_out.finished_visit:
            self._session.reset()
            self.start_sign_out()
        self._on_badge_scanned(typed)

    def _on_badge_scanned(self, typed: str) -> None:
        self._signing_out(lambda: self._visits.sign_out_by_badge(typed))

    def _signing_out(self, call: Callable[[], Visit]) -> None:
        SessionJob(self._worker, self._session, call).success(self._on_signed_out).failure(
            self._on_sign_out_failed
        ).run()

    def _on_signed_out(self, visit: Visit | SignedOut) -> None:
        # The goodbye is in the language the visitor signed in with.
        if visit.language in self._languages:
            self._session.set_language(visit.language)
        self._sign_out.show_goodbye(visit.visitor_name)

    def _on_sign_out_failed(self, error: BaseException) -> None:
        if isinstance(error, UnknownBadge):
            self._sign_out.show_unknown()
        elif isinstance(error, BadgeAlreadyUsed | UnknownVisit):
            self._sign_out.show_used()
        else:
            self._sign_out.show_failed()

    def _on_name_searched(self, typed: str) -> None:
        SessionJob(self._worker, self._session, lambda: self._visits.match_name(typed)).success(
            lambda found: self._sign_out.show_name_match(typed, found)
        ).failure(lambda _error: self._sign_out.show_failed()).run()

    def _on_name_confirmed(self, typed: str) -> None:
        SessionJob(self._worker, self._session, lambda: self._visits.sign_out_named(typed)).success(
            self._on_signed_out
        ).failure(lambda error: self._on_sign_out_named_failed(typed, error)).run()

    def _on_sign_out_named_failed(self, typed: str, error: BaseException) -> None:
        # Signed out or in under that name since the question: as if just searched.
        if isinstance(error, NoVisitNamed):
            self._sign_out.show_name_match(typed, NameMatch.NONE)
        elif isinstance(error, SeveralVisitsNamed):
            self._sign_out.show_name_match(typed, NameMatch.SEVERAL)
        else:
            self._sign_out.show_failed()
