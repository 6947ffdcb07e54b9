"""Signing out at the kiosk through the real widgets: by badge (also straight from the welcome
screen), by name without the badge, and the auto sign-out when the kiosk starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, wait_for_screen

from kiosk.bootstrap import Core
from kiosk.domain.visit import SignedIn, SignInForm, SignOutMethod, Visit
from kiosk.visits.service import Visits
from ui.main_window import KioskWindow
from ui.maintenance import MAINTENANCE_INTERVAL_MS


def sign_in(core: Core, name: str, host: str = "", lang: str = "en") -> SignedIn:
    return core.visits.sign_in(SignInForm(name, host=host), core.notices.notice(lang))


def current(core: Core, visit_id: int) -> Visit:
    return core.visits.get(visit_id)


def idle(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: window.worker.pending == 0, timeout=5000)


def test_badge_scanned_at_the_welcome_screen_signs_out_at_once(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    signed_in = sign_in(core, "Mette Kjær", lang="da")
    visit_id, code = signed_in.visit.visit_id, signed_in.badge_code
    window = make_window()
    assert window.current_screen() is window.welcome

    # A scanner in caps-lock-off mode, typing into whatever has the focus.
    qtbot.keyClicks(window, code.lower())
    qtbot.keyClick(window, Qt.Key.Key_Return)

    wait_for_screen(qtbot, window, "signOut")
    qtbot.waitUntil(lambda: current(core, visit_id).sign_out_method is not None)
    assert current(core, visit_id).sign_out_method is SignOutMethod.KIOSK
    qtbot.waitUntil(lambda: window.session.language == "da")
    assert window.sign_out.message.text() == window.catalog.text(
        "signout.goodbye", name="Mette Kjær"
    )


def test_stray_keys_at_the_welcome_screen_are_not_a_code(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_Return)  # Enter alone: nothing happens
    assert window.current_screen() is window.welcome
    qtbot.keyClicks(window, "hello")  # too short for any barcode
    qtbot.keyClick(window, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert window.current_screen() is window.welcome
    # Another barcode (a parcel's): not a badge of ours, and the visitor is told so.
    qtbot.keyClicks(window, "4006381333931")
    qtbot.keyClick(window, Qt.Key.Key_Return)
    wait_for_screen(qtbot, window, "signOut")
    unknown = window.catalog.text("signout.unknown")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown)


def test_without_badge_the_visitor_sees_only_their_own_visit(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    mine = sign_in(core, "Daniël van der Berg", host="Anouk de Vries").visit.visit_id
    other = sign_in(core, "Daniela Berg", host="Jens Sørensen").visit.visit_id
    window = make_window()
    window.welcome.sign_out.click()
    screen = window.sign_out
    screen.no_badge.click()
    assert screen.name_input.isVisible()
    assert not screen.code_input.isVisible()

    # Part of a name finds nothing: no browsing of who is on site.
    screen.name_input.setText("Berg")
    screen.find_button.click()
    none_found = window.catalog.text("signout.none_found")
    qtbot.waitUntil(lambda: screen.message.text() == none_found)
    assert screen.match_buttons == []

    screen.name_input.setText("  daniël VAN der berg ")
    screen.find_button.click()
    qtbot.waitUntil(lambda: len(screen.match_buttons) == 1)
    (button,) = screen.match_buttons
    assert "Anouk de Vries" in button.text()
    assert "Jens Sørensen" not in button.text()
    button.click()

    qtbot.waitUntil(lambda: current(core, mine).sign_out_method is SignOutMethod.KIOSK)
    assert current(core, other).on_site
    qtbot.waitUntil(lambda: "Daniël van der Berg" in screen.message.text())


def test_idle_timeout_forgets_the_name_and_the_matches(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    sign_in(core, "Søren Østergaard", host="Mette Kjær")
    window = make_window()
    window.welcome.sign_out.click()
    window.sign_out.no_badge.click()
    window.sign_out.name_input.setText("Søren Østergaard")
    window.sign_out.find_button.click()
    qtbot.waitUntil(lambda: len(window.sign_out.match_buttons) == 1)

    window.idle_timer.timeout.emit()

    assert window.current_screen() is window.welcome
    assert window.sign_out.name_input.text() == ""
    assert window.sign_out.match_buttons == []
    assert window.sign_out.message.text() == ""
    window.welcome.sign_out.click()
    assert window.sign_out.code_input.isVisible()
    assert not window.sign_out.name_input.isVisible()


def test_kiosk_start_closes_visits_left_open_overnight(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    then = Visits(core.store, core.events.visit_signed_in, "lobby-1", clock=lambda: two_days_ago)
    stale = then.sign_in(SignInForm("Bo Jensen"), core.notices.notice("da")).visit.visit_id
    fresh = sign_in(core, "Ann Smith").visit.visit_id

    window = make_window()
    idle(qtbot, window)

    closed = current(core, stale)
    assert closed.sign_out_method is SignOutMethod.AUTO
    assert closed.signed_out_at is not None
    assert closed.signed_in_at < closed.signed_out_at < closed.signed_in_at + timedelta(days=1)
    assert closed.signed_out_at.astimezone().strftime("%H:%M") == "23:00"
    assert current(core, fresh).on_site  # its 23:00 is still to come
    assert window.maintenance.sign_out_timer.isActive()
    assert window.maintenance.sign_out_timer.interval() == MAINTENANCE_INTERVAL_MS
