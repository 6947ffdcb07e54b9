"""The visitor session (ui.session) as a plain model, without a window: what its observers are
told, what a reset forgets, which inactivity limit each screen has, and how a badge's outcome
meets the sign-in it belongs to, whichever of the two comes back first."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime

import pytest

import ui.session
from kiosk.domain.events import PrintOutcome
from kiosk.domain.visit import SignedIn, Visit
from kiosk.settings.config import parse_config
from kiosk.visits.notice import Notices
from ui.session import Screen, Timeout, VisitorSession

CODE = "ABCDEFGHIJKLMNOPQRSTUVWX27"


def signed_in(visit_id: int, name: str = "Noor Visser") -> SignedIn:
    visit = Visit(
        visit_id=visit_id,
        visitor_name=name,
        company="",
        host="",
        purpose="",
        signed_in_at=datetime(2026, 5, 13, 7, tzinfo=UTC),
        signed_out_at=None,
        sign_out_method=None,
        language="nl",
        notice_version="nl-000000000000",
        kiosk_id="lobby-1",
    )
    return SignedIn(visit, CODE)


def printed(visit_id: int) -> PrintOutcome:
    return PrintOutcome(visit_id, "printed")


class Told:
    """Everything a session's observers are told, in order."""

    def __init__(self, session: VisitorSession) -> None:
        self.said: list[tuple[str, object]] = []
        session.observe(
            screen=lambda screen: self.said.append(("screen", screen)),
            language=lambda language: self.said.append(("language", language)),
            reset=lambda: self.said.append(("reset", None)),
        )


def test_the_session_is_a_plain_model_without_qt() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(ui.session))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert "kiosk.domain.visit" in imported
    assert not any(name.split(".")[0] in ("PySide6", "ui") for name in imported), imported


def test_a_new_session_waits_at_the_welcome_in_the_default_language() -> None:
    session = VisitorSession("da")
    assert session.screen is Screen.WELCOME
    assert session.language == "da"
    assert session.notice is None
    assert session.signed_in is None
    assert session.is_current(session.token)


def test_observers_are_told_of_each_screen_and_language() -> None:
    session = VisitorSession("en")
    first, second = Told(session), Told(session)
    session.show(Screen.NOTICE)
    session.set_language("nl")
    session.show(Screen.DETAILS)
    expected = [("screen", Screen.NOTICE), ("language", "nl"), ("screen", Screen.DETAILS)]
    assert first.said == expected
    assert second.said == expected  # every observer, not only the first
    assert (session.screen, session.language) == (Screen.DETAILS, "nl")


def test_an_observer_of_one_thing_is_told_only_that() -> None:
    session = VisitorSession("en")
    screens: list[Screen] = []
    session.observe(screen=screens.append)
    session.set_language("da")
    session.show(Screen.SIGN_OUT)
    assert screens == [Screen.SIGN_OUT]


def test_a_reset_forgets_the_visitor_and_goes_back_to_the_welcome() -> None:
    session = VisitorSession("en")
    session.set_language("da")
    session.show(Screen.NOTICE)
    session.notice = Notices(parse_config({})).notice("da")
    session.show(Screen.DETAILS)
    session.signed_in_here(signed_in(7))
    session.show(Screen.DONE)
    told = Told(session)
    before = session.token

    session.reset()

    assert session.token != before
    assert not session.is_current(before)
    assert session.is_current(session.token)
    assert session.notice is None
    assert session.signed_in is None
    assert session.language == "en"
    assert session.screen is Screen.WELCOME
    # Whatever showed the old visitor forgets first; then the default language, the welcome.
    assert told.said == [("reset", None), ("language", "en"), ("screen", Screen.WELCOME)]


def test_every_reset_is_a_new_token() -> None:
    session = VisitorSession("en")
    tokens = {session.token}
    for _ in range(3):
        session.reset()
        tokens.add(session.token)
    assert len(tokens) == 4


@pytest.mark.parametrize(
    ("screen", "timeout"),
    [
        (Screen.WELCOME, Timeout.NONE),
        (Screen.NOTICE, Timeout.VISITOR),
        (Screen.DETAILS, Timeout.VISITOR),
        (Screen.DONE, Timeout.VISITOR),
        (Screen.SIGN_OUT, Timeout.VISITOR),
        (Screen.STAFF_LOGIN, Timeout.VISITOR),
        (Screen.STAFF, Timeout.STAFF),
    ],
)
def test_each_screen_has_its_inactivity_limit(screen: Screen, timeout: Timeout) -> None:
    session = VisitorSession("en")
    session.show(screen)
    assert session.timeout is timeout


def test_the_screens_are_named_as_their_widgets() -> None:
    assert {screen.value for screen in Screen} == {
        "welcome",
        "notice",
        "details",
        "done",
        "signOut",
        "staffLogin",
        "staff",
    }


def test_a_badge_outcome_after_the_sign_in_is_shown_if_it_is_this_visitors() -> None:
    session = VisitorSession("en")
    session.show(Screen.DETAILS)
    assert session.signed_in_here(signed_in(7)) is None  # nothing came before it
    session.show(Screen.DONE)
    assert session.signed_in == signed_in(7)
    assert session.badge_outcome(printed(7)) is True
    assert session.badge_outcome(printed(8)) is False  # another visitor's badge


def test_a_badge_outcome_before_the_sign_in_is_shown_once_the_sign_in_arrives() -> None:
    session = VisitorSession("en")
    session.show(Screen.DETAILS)
    early = PrintOutcome(7, "fault", fault="timeout")
    assert session.badge_outcome(early) is False  # nothing to show it on yet
    assert session.badge_outcome(printed(9)) is False  # someone else's, kept apart
    assert session.signed_in_here(signed_in(7)) == early
    assert session.signed_in_here(signed_in(7)) is None  # handed over once


def test_a_badge_outcome_kept_for_a_sign_in_is_forgotten_at_a_reset() -> None:
    session = VisitorSession("en")
    session.show(Screen.DETAILS)
    session.badge_outcome(printed(7))
    session.reset()  # the visitor timed out before their sign-in came back
    session.show(Screen.DETAILS)
    assert session.signed_in_here(signed_in(7)) is None


def test_a_badge_outcome_is_kept_only_while_a_sign_in_may_be_on_its_way() -> None:
    session = VisitorSession("en")
    for screen in (Screen.WELCOME, Screen.NOTICE, Screen.SIGN_OUT, Screen.STAFF):
        session.show(screen)
        assert session.badge_outcome(printed(7)) is False
    session.show(Screen.DETAILS)
    assert session.signed_in_here(signed_in(7)) is None
