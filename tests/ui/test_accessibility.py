"""What a screen reader is given, read through Qt's accessibility interfaces (the ones Qt's
AT-SPI bridge passes on): the right to object read as its text, languages as a set of radio
buttons, the required field marked, errors announced as they appear."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import ui.screens.base
from kiosk.bootstrap import read_settings
from kiosk.domain.visit import NameMatch
from kiosk.visits.notice import Notices
from ui.main_window import KioskWindow


def accessible(widget: QWidget) -> QAccessible:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface


def name(widget: QWidget) -> str:
    return accessible(widget).text(QAccessible.Text.Name)


def description(widget: QWidget) -> str:
    return accessible(widget).text(QAccessible.Text.Description)


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_right_to_object_is_read_as_its_text_in_a_box_named_by_its_title(
    window: KioskWindow, data_dir: Path, language: str
) -> None:
    window.session.set_language(language)
    _paths, config = read_settings(data_dir)
    notice = Notices(config).notice(language)
    body = name(window.notice.objection)
    assert "21" in body  # Article 21 GDPR, named in the text itself
    assert "**" not in body  # Markdown is not read out
    assert body != notice.objection_title
    assert len(body) > 3 * len(notice.objection_title)
    assert name(window.notice.objection_box) == notice.objection_title


def test_languages_are_radio_buttons_with_the_current_one_checked(window: KioskWindow) -> None:
    window.session.set_language("nl")
    buttons = {**window.welcome.language_buttons, **window.language_bar.buttons}
    for button in buttons.values():
        assert accessible(button).role() == QAccessible.Role.RadioButton, button.objectName()
    for lang in ("en", "nl", "da"):
        for button in (window.welcome.language_buttons[lang], window.language_bar.buttons[lang]):
            assert accessible(button).state().checked == (lang == "nl"), button.objectName()


def test_the_name_is_marked_required_and_the_error_is_on_the_field(window: KioskWindow) -> None:
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    details = window.details
    required = window.catalog.text("details.required")
    assert required in description(details.inputs["visitor_name"])
    assert required not in description(details.inputs["company"])
    details.submit.click()  # nothing typed
    error = window.catalog.text("error.required")
    assert error in description(details.inputs["visitor_name"])
    details.inputs["visitor_name"].setText("Anna de Vries")
    window.session.set_language("da")  # the notes follow the language
    assert window.catalog.text("details.required") in description(details.inputs["visitor_name"])


def test_an_error_is_announced_when_it_appears(
    qtbot: QtBot, window: KioskWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []

    def update(event: QAccessibleEvent) -> None:
        if event.type() == QAccessible.Event.Announcement:
            said.append(event.message())  # type: ignore[attr-defined]

    monkeypatch.setattr(ui.screens.base.QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(ui.screens.base.QAccessible, "updateAccessibility", staticmethod(update))
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    window.details.submit.click()
    assert said == [window.catalog.text("error.required")]
    window.details.submit.click()  # the same error again: said once is enough
    assert said == [window.catalog.text("error.required")]
    window.session.reset()
    window.welcome.sign_out.click()
    window.sign_out.no_badge.click()
    window.sign_out.show_name_match("Anna de Vries", NameMatch.NONE)
    assert said[-1] == window.catalog.text("signout.none_found")
    window.sign_out.show_name_match("Anna de Vries", NameMatch.ONE)  # the question, too
    assert said[-1] == window.catalog.text("signout.confirm_question", name="Anna de Vries")
