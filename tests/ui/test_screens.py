"""The Qt automation contract (objectNames, accessible names), the notice and the idle timeout."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QLineEdit, QTextBrowser, QWidget
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen
from visitsupport import WriteConfig

from kiosk.bootstrap import Core, read_settings
from kiosk.settings.config import Config
from kiosk.visits.notice import Notices
from ui.main_window import KioskWindow
from ui.screens.base import plain_text
from ui.window_parts import ActivityFilter

CONTRACT = {
    "welcome": ["lang_en", "lang_nl", "lang_da", "signInButton"],
    "notice": ["noticeText", "objectionText", "noticeContinue", "noticeDecline"],
    "details": [
        "fullNameInput",
        "companyInput",
        "hostInput",
        "purposeInput",
        "detailsSubmit",
        "detailsError",
    ],
    "done": ["doneMessage", "doneFinish"],
    "signOut": [
        "badgeCodeInput",
        "signOutMessage",
        "noBadgeButton",
        "signOutNameInput",
        "signOutConfirm",
    ],
}


def settings(data_dir: Path) -> Config:
    """The config the window was built with (the data dir's own)."""
    _paths, config = read_settings(data_dir)
    return config


def test_each_screen_and_control_has_its_contract_name_once(window: KioskWindow) -> None:
    names = Counter(w.objectName() for w in window.findChildren(QWidget) if w.objectName())
    for screen_name, controls in CONTRACT.items():
        screen = window.findChild(QWidget, screen_name)
        assert screen is not None, screen_name
        assert names[screen_name] == 1
        for control in controls:
            assert names[control] == 1, control
            assert screen.findChild(QWidget, control) is not None, (screen_name, control)


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_every_control_has_an_accessible_name_in_the_language(
    window: KioskWindow, language: str
) -> None:
    window.session.set_language(language)
    catalog = window.catalog
    for controls in CONTRACT.values():
        for name in controls:
            if name in ("detailsError", "doneMessage", "signOutMessage"):
                continue  # empty until there is something to say
            widget = window.findChild(QWidget, name)
            assert widget is not None
            assert widget.accessibleName().strip(), name
    assert window.notice.proceed.accessibleName() == catalog.text("notice.continue")
    assert window.details.inputs["visitor_name"].accessibleName() == catalog.text("details.name")
    assert window.windowTitle() == catalog.text("window.title")


def test_the_notice_informs_and_continues_no_consent_box(
    window: KioskWindow, data_dir: Path
) -> None:
    assert window.findChildren(QCheckBox) == []
    config = settings(data_dir)
    for language in ("en", "nl", "da"):
        window.session.set_language(language)
        notice = Notices(config).notice(language)
        text = window.findChild(QTextBrowser, "noticeText")
        objection = window.findChild(QLabel, "objectionText")
        assert text is not None
        assert objection is not None
        shown = text.toPlainText()
        assert config.site.controller in shown
        assert config.site.privacy_contact in shown
        assert str(config.retention.visit_days) in shown
        # The right to object is in its own box, not buried in the main text.
        assert objection.accessibleName() == plain_text(notice.objection)
        assert notice.objection not in shown
        label = window.notice.proceed.text().lower()
        for word in ("agree", "consent", "akkoord", "toestemming", "accepter", "samtykke"):
            assert word not in label


def test_declining_stores_nothing_and_sends_to_reception(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    window.welcome.sign_in.click()
    window.notice.decline.click()
    assert window.current_screen() is window.done
    assert window.done.message.text() == window.catalog.text("done.declined")
    qtbot.waitUntil(lambda: window.worker.pending == 0)
    with core.store.reading() as db:
        assert db.visits.count() == 0


def test_idle_timeout_returns_to_welcome_and_clears_everything(
    qtbot: QtBot, window: KioskWindow, data_dir: Path
) -> None:
    config = settings(data_dir)
    assert window.idle_timer.interval() == config.kiosk.idle_timeout_s * 1000
    window.idle_timer.setInterval(100)
    window.welcome.language_buttons["nl"].click()
    fill_and_submit(qtbot, window, "")  # stays on details with an error
    details = window.details
    for edit in details.inputs.values():
        edit.setText("Lotte Bakker")
    assert window.current_screen() is details
    wait_for_screen(qtbot, window, "welcome")
    assert window.session.language == config.default_language
    assert all(edit.text() == "" for edit in details.inputs.values())
    assert details.error.text() == ""
    assert window.findChild(QLineEdit, "fullNameInput").text() == ""  # type: ignore[union-attr]


def test_typing_keeps_the_kiosk_from_timing_out(qtbot: QtBot, window: KioskWindow) -> None:
    window.idle_timer.setInterval(400)
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    edit = window.details.inputs["visitor_name"]
    for _ in range(4):
        qtbot.keyClicks(edit, "ab")
        qtbot.wait(150)  # activity every 150 ms: the 400 ms timer never runs out
    assert window.current_screen() is window.details
    assert edit.text() == "abababab"


def test_events_pass_through_python_only_while_an_inactivity_timer_runs(
    qtbot: QtBot, window: KioskWindow
) -> None:
    """The activity filter sees every event of the application: on the welcome screen, where
    the kiosk waits most of its life and no inactivity timer runs, it is not installed."""
    seen: list[int] = []

    class Counting(ActivityFilter):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            seen.append(int(event.type().value))
            return super().eventFilter(watched, event)

    window.activity.filter = Counting((window.idle_timer,))
    window.idle_timer.setInterval(400)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClick(window.welcome, Qt.Key.Key_A)
    qtbot.wait(50)
    assert seen == []

    window.welcome.sign_in.click()  # the notice: the visitors' timer runs
    for _ in range(4):
        qtbot.keyClick(window.notice.text, Qt.Key.Key_Down)
        qtbot.wait(150)  # activity every 150 ms: the 400 ms timer never runs out
    assert window.current_screen() is window.notice
    assert int(QEvent.Type.KeyPress.value) in seen

    wait_for_screen(qtbot, window, "welcome")  # the timer ran out: the filter is gone
    seen.clear()
    qtbot.keyClick(window.welcome, Qt.Key.Key_A)
    qtbot.wait(50)
    assert seen == []


def test_result_for_a_visitor_who_timed_out_is_not_shown_to_the_next(
    qtbot: QtBot, window: KioskWindow
) -> None:
    fill_and_submit(qtbot, window, "Frederikke Dahl")
    window.session.reset()  # the idle timeout fires while the visit is being saved
    qtbot.waitUntil(lambda: window.worker.pending == 0)
    assert window.current_screen() is window.welcome
    assert "Frederikke" not in window.done.message.text()


@pytest.mark.parametrize(("language", "expected"), [("nl", "&Kopiëren"), ("da", "&Kopiér")])
def test_qt_own_words_follow_the_language(
    window: KioskWindow, language: str, expected: str
) -> None:
    window.session.set_language(language)
    assert QCoreApplication.translate("QLineEdit", "&Copy") == expected
    window.session.set_language("en")
    assert QCoreApplication.translate("QLineEdit", "&Copy") == "&Copy"


def test_language_buttons_name_each_language_in_itself(window: KioskWindow) -> None:
    buttons = window.welcome.language_buttons
    assert {lang: b.text() for lang, b in buttons.items()} == {
        "en": "English",
        "nl": "Nederlands",
        "da": "Dansk",
    }
    window.session.set_language("da")
    assert buttons["nl"].text() == "Nederlands"  # not translated into the current language
    assert buttons["da"].isChecked()
    assert all(isinstance(b, QAbstractButton) for b in buttons.values())


def test_only_configured_languages_are_offered(
    make_window: MakeWindow, write_config: object
) -> None:
    config = write_config('[kiosk]\nlanguages = ["da", "en"]\n')  # type: ignore[operator]
    window = make_window(config)
    assert set(window.welcome.language_buttons) == {"da", "en"}
    assert window.findChild(QWidget, "lang_nl") is None
    assert window.session.language == "da"


def test_addresses_in_the_notice_do_not_look_like_links(window: KioskWindow) -> None:
    """The kiosk opens no links, so nothing may be drawn as one (a tap would do nothing)."""
    window.welcome.sign_in.click()
    for language in ("en", "nl", "da"):
        window.session.set_language(language)
        assert "privacy@example.com" in window.notice.text.toPlainText()
        assert "<a " not in window.notice.text.document().toHtml()
        assert "privacy@example.com" in window.notice.objection.text()
        assert "<a " not in window.notice.objection.text()


def test_the_full_notice_is_one_tap_away_and_back_goes_home(
    qtbot: QtBot, window: KioskWindow
) -> None:
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.welcome.sign_in.click()
    notice = window.notice
    bar = notice.text.verticalScrollBar()
    assert bar.value() == 0
    notice.full_button.click()
    assert bar.value() > 0
    heading = window.catalog.text("notice.full_text")
    top = notice.text.cursorForPosition(notice.text.viewport().rect().topLeft() + QPoint(4, 4))
    assert heading in top.block().text()
    notice.back.click()
    assert window.current_screen() is window.welcome


def test_the_site_is_named_in_the_reader_s_language(
    make_window: MakeWindow, write_config: WriteConfig
) -> None:
    config = write_config(
        '[site]\nname = "Example B.V., head office"\n'
        'names = { nl = "Example B.V., hoofdkantoor" }\n'
    )
    window = make_window(config)
    assert "head office" in window.welcome.title.text()
    assert window.site_label.text() == "Example B.V., head office"
    window.session.set_language("nl")
    assert "hoofdkantoor" in window.welcome.title.text()
    assert window.site_label.text() == "Example B.V., hoofdkantoor"
    window.session.set_language("da")  # no Danish name: the site's name
    assert window.site_label.text() == "Example B.V., head office"
