"""What one visitor typed never comes back for the next: clearing a field clears its undo
history too, so Ctrl+Z (or a long press's menu) has nothing to bring back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from qtsupport import wait_for_screen

from ui.main_window import KioskWindow
from ui.scanner import SCAN_HOLD_MS


def type_slowly(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Typed by a person: the keys reach the field once the scanner has let them go."""
    edit.setFocus()
    QTest.keyClicks(edit, text)
    qtbot.wait(SCAN_HOLD_MS * 2)
    assert edit.text() == text


def undo(edit: QLineEdit) -> str:
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    return edit.text()


def test_after_the_idle_reset_ctrl_z_brings_back_nothing(qtbot: QtBot, window: KioskWindow) -> None:
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    typed = {"visitor_name": "Anna de Vries", "company": "Voorbeeld B.V.", "host": "Jens"}
    for field, text in typed.items():
        type_slowly(qtbot, window.details.inputs[field], text)
    window.details.purpose_buttons["meeting"].click()
    window.session.reset()  # what the idle timeout does
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    for edit in window.details.inputs.values():
        assert undo(edit) == "", edit.objectName()
        assert not edit.isUndoAvailable(), edit.objectName()


def test_after_a_finished_sign_in_ctrl_z_brings_back_nothing(
    qtbot: QtBot, window: KioskWindow
) -> None:
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    type_slowly(qtbot, window.details.inputs["visitor_name"], "Anna de Vries")
    type_slowly(qtbot, window.details.inputs["company"], "Voorbeeld B.V.")
    window.details.submit.click()
    wait_for_screen(qtbot, window, "done")
    window.done.finish.click()
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    for edit in window.details.inputs.values():
        assert undo(edit) == "", edit.objectName()


def test_the_sign_out_name_field_forgets_too(qtbot: QtBot, window: KioskWindow) -> None:
    window.welcome.sign_out.click()
    window.sign_out.no_badge.click()
    type_slowly(qtbot, window.sign_out.name_input, "Anna de Vries")
    window.session.reset()
    window.welcome.sign_out.click()
    window.sign_out.no_badge.click()
    assert undo(window.sign_out.name_input) == ""
    assert undo(window.sign_out.code_input) == ""


def test_visitor_fields_open_no_context_menu(window: KioskWindow) -> None:
    for edit in (*window.details.inputs.values(), window.sign_out.name_input):
        assert edit.contextMenuPolicy() is Qt.ContextMenuPolicy.NoContextMenu, edit.objectName()
