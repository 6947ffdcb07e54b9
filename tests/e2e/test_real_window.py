"""The kiosk in a real window on a real X server (Xvfb), with a window manager and without one,
at the three panel sizes sites use: what only a real window shows (full screen, focus, taps,
the on-screen keyboard, a USB scanner typing through the keyboard layout).

The `run` process is tested from outside (its window, SIGTERM); the tours tap through the
window `run` shows in a process of their own (tests/e2e/window_driver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clisupport import start_run, stop_run, wait_until_up
from PIL import Image
from xsupport import LAYOUTS, StartX, XServer, wait_for

from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm

DRIVER = Path(__file__).with_name("window_driver.py")
TITLE = "Visitor registration"  # window.title in English, the default language


SIZES = [(1024, 600), (1280, 800), (1920, 1080)]


def painted(path: Path) -> Image.Image | None:
    shot = Image.open(path)
    return shot if shot.getcolors(maxcolors=10) is None else None  # more than ten colours


@pytest.mark.slow
@pytest.mark.parametrize("wm", [True, False], ids=["openbox", "no-wm"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_fills_the_screen_and_stops_on_sigterm(
    xserver_factory: StartX, tmp_path: Path, size: tuple[int, int], wm: bool
) -> None:
    x = xserver_factory(size=size, wm=wm)
    data = tmp_path / "data"
    process = start_run(data, x.env)
    try:
        wait_until_up(process, data)
        kiosk = wait_for(lambda: [w for w in x.windows() if w.title == TITLE], timeout_s=20)
        assert [w.geometry for w in kiosk] == [(0, 0, *size)]
        # The welcome screen, not a blank screen (it paints a moment after it maps).
        shot = wait_for(lambda: painted(x.screenshot(tmp_path / "welcome.png")), timeout_s=10)
        assert shot.size == size
    finally:
        code, err = stop_run(process)
    assert code == 0, err[-3000:]
    assert "Traceback" not in err


def tour(x: XServer, tmp_path: Path, keyboard: bool) -> list[dict[str, Any]]:
    config = tmp_path / "kiosk.toml"
    config.write_text(f"[kiosk]\nvirtual_keyboard = {str(keyboard).lower()}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(tmp_path / "data"), str(config), str(tmp_path / "shots")],
        env=x.env,
        capture_output=True,
        text=True,
        timeout=240,  # a frozen kiosk never ends
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert records, done.stdout[-3000:]
    assert records[-1]["kind"] == "done", done.stdout[-3000:]
    return records


def check_tour(records: list[dict[str, Any]], size: tuple[int, int], keyboard: bool) -> None:
    (shown,) = [r for r in records if r["kind"] == "shown"]
    assert shown["window"] == [0, 0, *size]
    assert shown["active"]
    assert [r["what"] for r in records if r["kind"] == "timeout"] == []
    screens = [r for r in records if r["kind"] == "screen"]
    # Four screens in each of three languages, and the form with the keyboard up.
    assert len(screens) == 3 * (5 if keyboard else 4)
    for screen in screens:
        assert screen["problems"] == [], screen["name"]
        assert screen["window"] == [0, 0, *size], screen["name"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "wm"),
    [((1280, 800), True), ((1280, 800), False), ((1920, 1080), False)],
    ids=["1280x800-openbox", "1280x800-no-wm", "1920x1080-no-wm"],
)
def test_a_visitor_taps_through_the_real_window(
    xserver_factory: StartX, tmp_path: Path, size: tuple[int, int], wm: bool
) -> None:
    records = tour(xserver_factory(size=size, wm=wm), tmp_path, keyboard=False)
    check_tour(records, size, keyboard=False)


LOCALES = {"en": "en_GB", "nl": "nl_NL", "da": "da_DK"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "wm"),
    [((1024, 600), True), ((1024, 600), False), ((1920, 1080), True)],
    ids=["1024x600-openbox", "1024x600-no-wm", "1920x1080-openbox"],
)
def test_the_on_screen_keyboard_shows_in_every_language_and_keeps_the_form_in_view(
    xserver_factory: StartX, tmp_path: Path, size: tuple[int, int], wm: bool
) -> None:
    records = tour(xserver_factory(size=size, wm=wm), tmp_path, keyboard=True)
    check_tour(records, size, keyboard=True)
    boards = {r["language"]: r for r in records if r["kind"] == "keyboard"}
    assert set(boards) == set(LOCALES)
    for language, board in boards.items():
        assert board["shown"], language
        assert board["locale"] == LOCALES[language]  # the visitor's language, not en_GB
        assert board["focus"] == "fullNameInput"
        _left, top, width, _height = board["rect"]
        assert width == size[0], board  # along the bottom edge
        assert 0 < top < size[1], board
    for check in (r for r in records if r["kind"] == "above_keyboard"):
        assert check["problems"] == [], check
    typed = {r["language"]: r["text"] for r in records if r["kind"] == "typed"}
    assert {language: text[:1].upper() for language, text in typed.items()} == {
        "en": "Q",
        "nl": "Q",
        "da": "Q",
    }
    assert typed["da"].lower().endswith("æ")  # the Danish keyboard's own letter
    shots = {r["name"] for r in records if r["kind"] == "screenshot"}
    assert {f"keyboard-{language}" for language in LOCALES} <= shots


@pytest.mark.slow
def test_a_us_scanner_signs_out_on_every_layout_our_sites_use(
    xserver_factory: StartX, tmp_path: Path
) -> None:
    x = xserver_factory(size=(1280, 800), wm=False)
    data = tmp_path / "data"
    core = assemble(data)
    try:
        badges = {}
        for layout in LAYOUTS:
            signed_in = core.visits.sign_in(
                SignInForm(f"Visitor {layout}"), core.notices.notice("en")
            )
            badges[layout] = (signed_in.visit.visit_id, signed_in.badge_code)
    finally:
        core.close()
    process = start_run(data, x.env)
    try:
        wait_until_up(process, data)
        for layout, (visit_id, code) in badges.items():
            x.set_keyboard_layout(layout)
            x.scan(code)
            wait_for(lambda visit_id=visit_id: signed_out(data, visit_id), timeout_s=15)
    finally:
        code_, err = stop_run(process)
    assert code_ == 0, err[-3000:]


def signed_out(data: Path, visit_id: int) -> bool:
    core = assemble(data)
    try:
        return not core.visits.get(visit_id).on_site
    finally:
        core.close()
