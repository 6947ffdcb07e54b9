"""Signing out at the kiosk through the real widgets: by badge (also straight from the welcome
screen), by name without the badge (a question that shows only the name typed, and only its
"Yes" signs out), and the auto sign-out when the kiosk starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, wait_for_screen

from kiosk.bootstrap import Core
from kiosk.domain.visit import NameMatch, SignedIn, SignInForm, SignOutMethod, Visit
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


# Signing out by name, for a visitor without their badge.


def shown_texts(window: KioskWindow) -> list[str]:
    """Every text a visitor can see or hear on the window as it is: labels, buttons and
    fields (with their placeholders), with their accessible names and descriptions."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        texts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    return [text for text in texts if text]


def held_texts(screen: QWidget) -> list[str]:
    """Every text anywhere on the sign-out screen, shown or hidden."""
    texts = [screen.accessibleName()]
    for widget in screen.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.text())
        texts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    return [text for text in texts if text]


def assert_nothing_of_the_visit(window: KioskWindow, visit: Visit, *others: Visit) -> None:
    """No time in, host or company of `visit`, and nothing at all of `others`, anywhere on the
    window a visitor can see, nor held by the sign-out screen."""
    local = visit.signed_in_at.astimezone()
    secret = [visit.host, visit.company, local.strftime("%H:%M"), local.strftime("%H.%M")]
    secret += [text for other in others for text in (other.visitor_name, other.host)]
    for text in shown_texts(window) + held_texts(window.sign_out):
        for part in filter(None, secret):
            assert part.casefold() not in text.casefold(), (part, text)


def search(qtbot: QtBot, window: KioskWindow, typed: str) -> None:
    screen = window.sign_out
    if not screen.name_input.isVisible():
        window.welcome.sign_out.click()
        screen.no_badge.click()
    screen.name_input.setText(typed)
    screen.find_button.click()
    idle(qtbot, window)


def test_without_badge_the_visitor_confirms_a_question_with_only_the_name_typed(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    form = SignInForm("Daniël van der Berg", "Bouwbedrijf De Hoek B.V.", "Anouk de Vries")
    mine = core.visits.sign_in(form, core.notices.notice("nl")).visit
    other = sign_in(core, "Daniela Berg", host="Jens Sørensen").visit
    window = make_window()
    window.welcome.sign_out.click()
    screen = window.sign_out
    screen.no_badge.click()
    assert screen.name_input.isVisible()
    assert not screen.code_input.isVisible()

    search(qtbot, window, "  daniël VAN der berg ")

    assert screen.message.text() == window.catalog.text(
        "signout.confirm_question", name="daniël VAN der berg"
    )
    assert screen.confirm_button.isVisible()
    assert screen.confirm_button.objectName() == "signOutConfirm"
    assert screen.confirm_button.accessibleName() == window.catalog.text("signout.confirm")
    assert screen.cancel_button.isVisible()
    assert not screen.name_input.isVisible()
    assert_nothing_of_the_visit(window, mine, other)
    assert current(core, mine.visit_id).on_site  # asking signs nobody out
    window.session.set_language("da")  # the question follows the language
    assert screen.message.text() == window.catalog.text(
        "signout.confirm_question", name="daniël VAN der berg"
    )
    assert screen.confirm_button.accessibleName() == window.catalog.text("signout.confirm")
    assert_nothing_of_the_visit(window, mine, other)

    screen.confirm_button.click()
    screen.confirm_button.click()  # a second tap while it is on its way does nothing more

    qtbot.waitUntil(lambda: current(core, mine.visit_id).sign_out_method is SignOutMethod.KIOSK)
    idle(qtbot, window)
    assert current(core, other.visit_id).on_site
    assert window.session.language == "nl"  # the goodbye is in the visit's language
    assert screen.message.text() == window.catalog.text("signout.goodbye", name=mine.visitor_name)
    assert not screen.confirm_button.isVisible()


def test_no_visit_under_the_name_says_so_and_signs_nobody_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    visit = sign_in(core, "Daniël van der Berg", host="Anouk de Vries").visit
    window = make_window()
    screen = window.sign_out
    none_found = window.catalog.text("signout.none_found")
    # Part of a name finds nothing: no browsing of who is on site.
    for typed in ("Berg", "Daniël", "Daniel van der Berg", "Daniël van der Bergh"):
        search(qtbot, window, typed)
        assert screen.message.text() == none_found
        assert not screen.confirm_button.isVisible()
        assert screen.name_input.isVisible()
        assert screen.name_input.text() == typed  # to correct the spelling
        assert_nothing_of_the_visit(window, visit)
    assert current(core, visit.visit_id).on_site


def test_several_visits_under_one_name_send_the_visitor_to_reception(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    first = sign_in(core, "Bo Jensen", host="Mette Kjær").visit
    second = sign_in(core, "bo  JENSEN", host="Lars Holm").visit
    window = make_window()
    screen = window.sign_out

    search(qtbot, window, "Bo Jensen")

    assert screen.message.text() == window.catalog.text("signout.several")
    assert not screen.confirm_button.isVisible()
    assert not screen.asking
    assert_nothing_of_the_visit(window, first)
    assert_nothing_of_the_visit(window, second)
    assert current(core, first.visit_id).on_site
    assert current(core, second.visit_id).on_site


def test_a_namesake_signed_in_before_the_tap_sends_the_visitor_to_reception(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    first = sign_in(core, "Bo Jensen").visit
    window = make_window()
    search(qtbot, window, "Bo Jensen")
    assert window.sign_out.asking
    second = sign_in(core, "Bo Jensen").visit

    window.sign_out.confirm_button.click()
    idle(qtbot, window)

    assert window.sign_out.message.text() == window.catalog.text("signout.several")
    assert not window.sign_out.confirm_button.isVisible()
    assert current(core, first.visit_id).on_site
    assert current(core, second.visit_id).on_site


def test_cancel_and_back_on_the_question_sign_nobody_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    visit = sign_in(core, "Søren Østergaard", host="Mette Kjær").visit
    window = make_window()
    screen = window.sign_out
    search(qtbot, window, "Søren Østergaard")
    assert screen.asking

    screen.cancel_button.click()
    assert not screen.asking
    assert not screen.confirm_button.isVisible()
    assert screen.name_input.isVisible()
    assert screen.name_input.text() == "Søren Østergaard"
    assert screen.message.text() == ""

    screen.find_button.click()
    idle(qtbot, window)
    assert screen.asking
    screen.back.click()
    assert window.current_screen() is window.welcome
    idle(qtbot, window)
    qtbot.wait(50)
    assert current(core, visit.visit_id).on_site
    assert current(core, visit.visit_id).sign_out_method is None


def test_a_badge_scanned_on_the_question_signs_that_badge_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    asked = sign_in(core, "Anna de Vries", host="Jens Sørensen").visit
    scanned = sign_in(core, "Mette Kjær", lang="da")
    window = make_window()
    search(qtbot, window, "Anna de Vries")
    assert window.sign_out.asking

    # Another barcode first: the question gives way to the scan's answer.
    qtbot.keyClicks(window, "4006381333931")
    qtbot.keyClick(window, Qt.Key.Key_Return)
    unknown = window.catalog.text("signout.unknown")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown)
    assert not window.sign_out.confirm_button.isVisible()
    assert current(core, asked.visit_id).on_site

    window.sign_out.find_button.click()
    idle(qtbot, window)
    assert window.sign_out.asking
    qtbot.keyClicks(window, scanned.badge_code)
    qtbot.keyClick(window, Qt.Key.Key_Return)

    visit_id = scanned.visit.visit_id
    qtbot.waitUntil(lambda: current(core, visit_id).sign_out_method is SignOutMethod.KIOSK)
    qtbot.waitUntil(lambda: window.sign_out.finished_visit)
    assert window.sign_out.message.text() == window.catalog.text(
        "signout.goodbye", name="Mette Kjær"
    )
    assert not window.sign_out.confirm_button.isVisible()
    assert current(core, asked.visit_id).on_site


def test_idle_timeout_forgets_the_name_and_the_question(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    visit = sign_in(core, "Søren Østergaard", host="Mette Kjær").visit
    window = make_window()
    search(qtbot, window, "Søren Østergaard")
    assert window.sign_out.asking

    window.idle_timer.timeout.emit()

    assert window.current_screen() is window.welcome
    assert window.sign_out.name_input.text() == ""
    assert not window.sign_out.asking
    assert window.sign_out.message.text() == ""
    assert "Søren" not in " ".join(held_texts(window.sign_out))
    window.welcome.sign_out.click()
    assert window.sign_out.code_input.isVisible()
    assert not window.sign_out.name_input.isVisible()
    assert not window.sign_out.confirm_button.isVisible()
    window.sign_out.no_badge.click()
    assert window.sign_out.name_input.text() == ""
    assert not window.sign_out.confirm_button.isVisible()
    assert current(core, visit.visit_id).on_site


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_question_and_the_reception_message_fit_a_small_screen(
    make_window: MakeWindow, language: str
) -> None:
    """At 1024x600, with a long name: no scrolling, touch-sized buttons, nothing cut off
    (tests/ui/test_layout.py checks the question at every size)."""
    window = make_window(size=(1024, 600))
    window.session.set_language(language)
    window.welcome.sign_out.click()
    screen = window.sign_out
    screen.no_badge.click()
    name = "Maria-Magdalena van der Heijden-Østergaard"
    for found in (NameMatch.ONE, NameMatch.SEVERAL):
        screen.name_input.setText(name)
        screen.show_name_match(name, found)
        QApplication.processEvents()
        area = window.stack.currentWidget()
        assert isinstance(area, QAbstractScrollArea)
        assert area.verticalScrollBar().maximum() == 0, found
        buttons = [b for b in screen.findChildren(QAbstractButton) if b.isVisible()]
        assert (screen.confirm_button in buttons) is (found is NameMatch.ONE)
        for button in buttons:
            assert button.height() >= 64, button.objectName()
            assert button.fontMetrics().horizontalAdvance(button.text()) <= (
                button.contentsRect().width()
            ), button.objectName()
            assert button.visibleRegion().boundingRect().size() == button.size()
        assert screen.message.heightForWidth(screen.message.width()) <= screen.message.height()


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
