"""The badge scanner through the real widgets: a burst of code characters ending in Enter is a
scan on every screen, whatever has the focus, and never lands in a field; a person typing is
held back for a moment and then typed as usual; the code is read from the keys' positions,
so a US-mode scanner works on the keyboard layouts our sites use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, wait_for_screen

from kiosk.bootstrap import Core
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignedIn, SignInForm, SignOutMethod
from ui.main_window import KioskWindow
from ui.scanner import SCAN_HOLD_MS, BadgeScanner

CODE = "GU6CXZIKT73BHCS6RMBT5S6BGI"
PIN = "80417263"

# What a US-mode scanner's keys give on other layouts (the typed text), and where they are
# (X11 key codes: evdev + 8). On Belgian AZERTY the number row gives symbols without Shift;
# on German QWERTZ Y and Z swap.
X11_US = {
    **dict(zip("1234567890", range(10, 20), strict=True)),
    **dict(zip("QWERTYUIOP", range(24, 34), strict=True)),
    **dict(zip("ASDFGHJKL", range(38, 47), strict=True)),
    **dict(zip("ZXCVBNM", range(52, 59), strict=True)),
}
US = {c: c for c in X11_US}
AZERTY = {**US, "Q": "A", "A": "Q", "W": "Z", "Z": "W", "M": ","}
AZERTY.update(dict(zip("1234567890", "&é\"'(§è!çà", strict=True)))
QWERTZ = {**US, "Y": "Z", "Z": "Y"}


def press(widget: QWidget, text: str, scan_code: int = 0, stamp: int = 0) -> None:
    """One key press as a keyboard (or scanner) sends it, with its scan code and time."""
    key = Qt.Key.Key_Return if text == "\r" else Qt.Key(ord(text.upper()) if text else 0)
    event = QKeyEvent(
        QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, scan_code, 0, 0, text
    )
    event.setTimestamp(stamp)
    QApplication.sendEvent(widget, event)


def scan_as(layout: dict[str, str], widget: QWidget, code: str, start: int = 10_000) -> None:
    """A US-mode scanner on `layout`: US key positions, the layout's text, 4 ms a key."""
    for n, char in enumerate(code):
        press(widget, layout[char].lower(), X11_US[char], start + 4 * n)
    press(widget, "\r", 36, start + 4 * len(code))


@pytest.fixture
def field(qtbot: QtBot) -> Iterator[tuple[QLineEdit, BadgeScanner, list[str]]]:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    scanner = BadgeScanner(offset=8)  # as on X11
    scanner.watch(edit)
    seen: list[str] = []
    scanner.scanned.connect(seen.append)
    yield edit, scanner, seen
    scanner.clear()


@pytest.mark.parametrize("layout", [US, AZERTY, QWERTZ], ids=["us", "be", "de"])
def test_a_us_scanner_reads_the_same_code_on_every_layout(
    qtbot: QtBot, field: tuple[QLineEdit, BadgeScanner, list[str]], layout: dict[str, str]
) -> None:
    edit, _scanner, seen = field
    if layout is not US:
        assert "".join(layout[c] for c in CODE) != CODE  # the layout really changes the text
    scan_as(layout, edit, CODE)
    assert seen == [CODE]
    qtbot.wait(SCAN_HOLD_MS * 2)
    assert edit.text() == ""  # nothing of the scan in the field


def test_a_person_typing_is_held_back_a_moment_then_typed(
    qtbot: QtBot, field: tuple[QLineEdit, BadgeScanner, list[str]]
) -> None:
    edit, _scanner, seen = field
    for n, char in enumerate("Anna"):
        press(edit, char, X11_US[char.upper()], 10_000 + 180 * n)  # 180 ms a key
    press(edit, "\r", 36, 10_800)
    assert edit.text() == "Anna"  # each key went on before the next, and before Enter
    assert seen == []


def test_keys_typed_faster_than_a_person_but_without_enter_still_reach_the_field(
    qtbot: QtBot, field: tuple[QLineEdit, BadgeScanner, list[str]]
) -> None:
    edit, _scanner, seen = field
    for n, char in enumerate("ABCDEFGH"):
        press(edit, char, X11_US[char], 10_000 + 4 * n)
    assert edit.text() == ""  # held back ...
    qtbot.waitUntil(lambda: edit.text() == "ABCDEFGH", timeout=1000)  # ... then typed
    assert seen == []


def sign_in(core: Core, name: str, language: str) -> SignedIn:
    return core.visits.sign_in(SignInForm(name), core.notices.notice(language))


def test_a_badge_scanned_into_the_sign_in_form_signs_out_and_leaves_the_form_empty(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    signed_in = sign_in(core, "Mette Kjær", "da")
    visit, code = signed_in.visit, signed_in.badge_code
    window = make_window()
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    name = window.details.inputs["visitor_name"]
    name.setFocus()
    QTest.keyClicks(name, code)
    QTest.keyClick(name, Qt.Key.Key_Return)
    wait_for_screen(qtbot, window, "signOut")
    # The goodbye in the visitor's language.
    qtbot.waitUntil(lambda: window.session.language == "da")
    goodbye = window.catalog.text("signout.goodbye", name="Mette Kjær")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == goodbye)
    assert core.visits.get(visit.visit_id).sign_out_method is SignOutMethod.KIOSK
    assert all(edit.text() == "" for edit in window.details.inputs.values())
    # Scanned again and again (Enter used to move on, then submit the form): still no visitor
    # named after the code, and the visitor is told the badge is already signed out.
    for _ in range(3):
        target = window.focusWidget() or window
        QTest.keyClicks(target, code)
        QTest.keyClick(target, Qt.Key.Key_Return)
    used = window.catalog.text("signout.used")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == used)
    assert core.visits.present() == []


@pytest.mark.parametrize("where", ["notice", "done_declined", "staff_login"])
def test_a_scan_on_any_visitor_screen_signs_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core, where: str
) -> None:
    signed_in = sign_in(core, "Lars Holm", "en")
    visit, code = signed_in.visit, signed_in.badge_code
    window = make_window()
    if where == "notice":
        window.welcome.sign_in.click()
    elif where == "done_declined":
        window.welcome.sign_in.click()
        window.notice.decline.click()
    else:
        window.welcome.staff.click()
    assert window.current_screen().objectName() != "welcome"
    scan_into_focus(window, code)
    wait_for_screen(qtbot, window, "signOut")
    qtbot.waitUntil(lambda: core.visits.get(visit.visit_id).sign_out_method is not None)
    assert core.visits.get(visit.visit_id).sign_out_method is SignOutMethod.KIOSK


def test_after_a_language_tap_a_scan_still_signs_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    signed_in = sign_in(core, "Sanne Bakker", "nl")
    visit, code = signed_in.visit, signed_in.badge_code
    window = make_window()
    window.welcome.sign_out.click()
    assert window.focusWidget() is window.sign_out.code_input
    danish = window.language_bar.buttons["da"]
    QTest.mouseClick(danish, Qt.MouseButton.LeftButton)  # a real tap, not click()
    assert window.session.language == "da"
    assert not danish.hasFocus()
    assert window.focusWidget() is window.sign_out.code_input  # the tap left it there
    scan_into_focus(window, code)
    qtbot.waitUntil(lambda: core.visits.get(visit.visit_id).sign_out_method is not None)
    goodbye = "signout.goodbye"
    # The goodbye in the visitor's language.
    qtbot.waitUntil(lambda: window.session.language == "nl")
    assert window.sign_out.message.text() == window.catalog.text(goodbye, name="Sanne Bakker")


def test_the_badge_just_printed_scanned_on_the_confirmation_is_explained_not_signed_out(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    window = make_window()
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    window.details.inputs["visitor_name"].setText("Noor Visser")
    window.details.submit.click()
    wait_for_screen(qtbot, window, "done")
    (visit,) = core.visits.present()
    scan_into_focus(window, core.visits.badge_code(visit.visit_id))
    own = window.catalog.text("done.own_badge")
    qtbot.waitUntil(lambda: own in window.done.message.text())
    assert window.current_screen() is window.done
    assert core.visits.get(visit.visit_id).on_site


def test_a_scan_at_the_staff_screen_is_a_staff_sign_out_in_the_audit_log(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    signed_in = sign_in(core, "Jens Sørensen", "da")
    visit, code = signed_in.visit, signed_in.badge_code
    core.staff_auth.set_pin(PIN)
    window = make_window()
    window.welcome.staff.click()
    for digit in PIN:
        window.staff_login.keys[digit].click()
    window.staff_login.submit.click()
    wait_for_screen(qtbot, window, "staff")
    scan_into_focus(window, code)
    qtbot.waitUntil(lambda: core.visits.get(visit.visit_id).sign_out_method is not None)
    assert core.visits.get(visit.visit_id).sign_out_method is SignOutMethod.STAFF
    entries = core.audit.entries(10)
    assert any(
        e.action is AuditAction.SIGN_OUT and e.visit_ids == (visit.visit_id,) for e in entries
    )
    signed_out = window.catalog.text("staff.badge_signed_out", name="Jens Sørensen")
    qtbot.waitUntil(lambda: window.staff.message.text() == signed_out)
    assert window.current_screen() is window.staff


def test_an_unknown_badge_is_an_ordinary_outcome_in_the_log_not_an_error(
    qtbot: QtBot, make_window: MakeWindow, caplog: pytest.LogCaptureFixture
) -> None:
    window = make_window()
    with caplog.at_level("INFO"):
        scan_into_focus(window, "ABCDEFGHIJKLMNOPQRSTUVWX27")
        wait_for_screen(qtbot, window, "signOut")
        unknown = window.catalog.text("signout.unknown")
        qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown)
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    assert all(r.exc_info is None for r in caplog.records)
    assert any("UnknownBadge" in r.getMessage() for r in caplog.records)


def scan_into_focus(window: KioskWindow, code: str) -> None:
    """The scanner types into whatever has the focus (the window itself when nothing has)."""
    target = window.focusWidget() or window
    QTest.keyClicks(target, code)
    QTest.keyClick(target, Qt.Key.Key_Return)
