"""What a blind visitor's screen reader gets from the real kiosk window.

The kiosk runs as `python -m kiosk run --windowed` on a real X server (Xvfb, openbox), with a
private AT-SPI desktop (tests/atspisupport.py). A real AT-SPI client, libatspi as Orca uses
it (tests/e2e/atspi_client.py), reads the kiosk's accessible tree, hears its announcements and
finds where to tap from the screen extents AT-SPI gives, as a screen reader user's switch or
touch exploration would; the taps are real XTEST taps on those points.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from atspisupport import AccessibilityBus, ScreenReader, centre, require_atspi
from clisupport import start_run, stop_run, wait_until_up
from xsupport import StartX, XServer, wait_for

from kiosk.settings.config import load_config
from kiosk.settings.i18n import catalog
from kiosk.visits.notice import render_notice

APP = "visitor-kiosk"  # the application name the kiosk gives Qt, which AT-SPI shows
# AT-SPI's ATSPI_LIVE_ASSERTIVE: an announcement that interrupts whatever is being read.
LIVE_ASSERTIVE = 2
# Markdown in a site value, as an operator may write it: the notice renders it bold, and a
# screen reader must hear the words, not the asterisks.
CONFIG = '[site]\nprivacy_contact = "**privacy@example.com**"\n'


@pytest.fixture
def bus() -> Iterator[AccessibilityBus]:
    require_atspi()
    with AccessibilityBus() as started:
        yield started


def kiosk_env(x: XServer, bus: AccessibilityBus) -> dict[str, str]:
    # Qt's AT-SPI bridge on, whatever the desktop's settings say.
    return {**x.env, **bus.env, "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1"}


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.slow
def test_a_screen_reader_hears_the_objection_the_languages_and_the_error(
    xserver_factory: StartX, bus: AccessibilityBus, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    english = catalog("en")
    notice = render_notice("en", load_config(config))
    assert "**privacy@example.com**" in notice.objection  # the Markdown reaches the screen

    x = xserver_factory(size=(1280, 800), wm=True)
    data = tmp_path / "data"
    # The screen reader reads the accessibility bus through the session bus, as Orca does.
    reader_env = {**os.environ, **bus.env}
    reader_env.pop("DISPLAY", None)
    with ScreenReader(reader_env, APP, tmp_path / "atspi-client.log") as reader:
        kiosk = start_run(data, kiosk_env(x, bus), config=config, args=["--windowed"])
        try:
            wait_until_up(kiosk, data)

            # 2. The languages are a set of radio buttons, the one in use checked.
            welcome = reader.find_showing("lang_en", "lang_nl", "lang_da", "signInButton")
            roles = {name: welcome[name]["role"] for name in ("lang_en", "lang_nl", "lang_da")}
            assert roles == dict.fromkeys(roles, "radio button"), welcome
            checked = {name for name in roles if "checked" in welcome[name]["states"]}
            assert checked == {"lang_en"}, welcome
            assert welcome["lang_nl"]["name"] == "Nederlands"
            # Choosing another language moves the check, and choosing English moves it back.
            x.tap(*centre(welcome["lang_nl"]["extents"]))
            wait_for(lambda: "checked" in reader.find_showing("lang_nl")["lang_nl"]["states"])
            assert "checked" not in reader.find_showing("lang_en")["lang_en"]["states"]
            x.tap(*centre(welcome["lang_en"]["extents"]))
            wait_for(lambda: "checked" in reader.find_showing("lang_en")["lang_en"]["states"])

            x.tap(*centre(reader.find_showing("signInButton")["signInButton"]["extents"]))
            # 1. The right to object: the box is named by its title, its body read as words.
            notice_screen = reader.find_showing("objectionBox", "objectionText", "noticeContinue")
            assert notice_screen["objectionBox"]["name"] == "Your right to object"
            body = notice_screen["objectionText"]["name"]
            assert "(Article 21 GDPR)" in body
            assert "privacy@example.com" in body
            assert "**" not in body
            assert one_line(body) == one_line(notice.objection.replace("*", ""))

            x.tap(*centre(notice_screen["noticeContinue"]["extents"]))
            details = reader.find_showing("fullNameInput", "detailsSubmit")
            # 4. The name field says it must be filled in.
            assert details["fullNameInput"]["name"] == english.text("details.name")
            assert english.text("details.required") in details["fullNameInput"]["description"]
            assert reader.events == []  # nothing announced before there is something to say

            # 3. Signing in with no name: the error is announced, assertively, as it shows.
            x.tap(*centre(details["detailsSubmit"]["extents"]))
            error = english.text("error.required")
            event = reader.wait_for_event(lambda e: e["type"] == "object:announcement")
            assert event["text"] == error, reader.events
            assert event["detail1"] == LIVE_ASSERTIVE, event
            assert event["source"] == "detailsError", event
            shown = reader.find_showing("detailsError")["detailsError"]
            assert shown["name"] == error
            assert [e["text"] for e in reader.events] == [error]  # said once
        finally:
            code, err = stop_run(kiosk)
    assert code == 0, err[-3000:]
    assert "Traceback" not in err
