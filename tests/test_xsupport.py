"""The real-X-server helpers on their own, with a tiny Qt program instead of the kiosk.

The program (written to tmp_path, run on the XServer with Qt's xcb platform) shows a full
screen window with two line edits, `top` (which has the focus at start) and `field`, and
reports on stdout, one JSON object a line: each key press (native scan code, Qt key, text),
each focus-in, the text of a field when it gets Enter, and the field's geometry."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from PIL import Image
from xsupport import (
    ENTER_KEYCODE,
    SHIFT_KEYCODE,
    US_KEYCODES,
    StartX,
    Window,
    XServer,
    missing_requirements,
    require_x,
    wait_for,
)

CODE = "GU6CXZIKT73BHCS6RMBT5S6BGI"
TITLE = "xsupport probe"
BACKGROUND = (0x20, 0x30, 0x40)
WHITE = (255, 255, 255)

Event = dict[str, Any]

PROBE = """
import json, sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QSizePolicy, QVBoxLayout, QWidget


def say(**event):
    print(json.dumps(event), flush=True)


class Field(QLineEdit):
    def keyPressEvent(self, event):
        say(event="key", field=self.objectName(), scan=event.nativeScanCode(),
            key=event.key(), text=event.text())
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            say(event="enter", field=self.objectName(), text=self.text())
            self.clear()

    def focusInEvent(self, event):
        say(event="focus", field=self.objectName())
        super().focusInEvent(event)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        rect = self.geometry()
        say(event="geometry", field=self.objectName(),
            rect=[rect.x(), rect.y(), rect.width(), rect.height()])


app = QApplication(sys.argv)
window = QWidget()
window.setWindowTitle(sys.argv[1])
window.setStyleSheet("QWidget { background: #203040; } QLineEdit { background: white; }")
layout = QVBoxLayout(window)
top, field = Field(objectName="top"), Field(objectName="field")
field.setPlaceholderText("scan here")
field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
layout.addWidget(top)
layout.addWidget(field, 1)
top.setFocus()
window.showFullScreen()
say(event="started")
app.exec()
"""


class Probe:
    """The probe program running on an X server, with its stdout read line by line."""

    def __init__(self, x: XServer, tmp_path: Path) -> None:
        script = tmp_path / "probe.py"
        script.write_text(PROBE, encoding="utf-8")
        self.x = x
        self._stderr = (tmp_path / "probe.err").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(script), TITLE],
            env={**x.env, "QT_QPA_PLATFORM": "xcb"},
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.events: list[dict[str, Any]] = []  # all so far
        self._seen = 0  # events before this index are behind the last `wait_event`
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()

    def _pump(self, stdout: IO[str]) -> None:
        for line in stdout:
            self._lines.put(line)

    def _read(self) -> None:
        while not self._lines.empty():
            self.events.append(json.loads(self._lines.get()))

    def wait_event(self, kind: str, field: str | None = None, timeout_s: float = 10.0) -> Event:
        """The next event of `kind` (for `field`) after the one the last wait returned."""

        def found() -> Event | None:
            self._read()
            assert self.process.poll() is None, "the probe program exited"
            for index in range(self._seen, len(self.events)):
                event = self.events[index]
                if event["event"] == kind and field in (None, event.get("field")):
                    self._seen = index + 1
                    return event
            return None

        return wait_for(found, timeout_s)

    def keys_until_enter(self) -> tuple[str, list[int]]:
        """Wait for the next Enter: the text it submitted, and the scan codes of its keys."""
        start = self._seen
        enter = self.wait_event("enter")
        keys = [e for e in self.events[start : self._seen] if e["event"] == "key"]
        return enter["text"], [key["scan"] for key in keys]

    def field_rect(self, field: str) -> tuple[int, int, int, int]:
        """The field's last reported geometry, in its window's coordinates."""
        self._read()
        rects = [e["rect"] for e in self.events if e["event"] == "geometry" and e["field"] == field]
        assert rects, f"{field} reported no geometry"
        x, y, width, height = rects[-1]
        return x, y, width, height

    def window(self, full_screen: bool = True) -> Window:
        """The probe's window once it is mapped (and, if `full_screen`, covers the screen)."""
        seen: list[Window] = []

        def shown() -> Window | None:
            seen[:] = self.x.windows()
            for window in seen:
                if window.title == TITLE and (
                    not full_screen or window.geometry == (0, 0, *self.x.size)
                ):
                    return window
            return None

        try:
            return wait_for(shown)
        except TimeoutError:
            pytest.fail(f"no window {TITLE!r} (full screen: {full_screen}) on {self.x}: {seen}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)
        self._stderr.close()


@pytest.fixture
def probe_on(tmp_path: Path) -> Iterator[Callable[[XServer], Probe]]:
    started: list[Probe] = []

    def start(x: XServer) -> Probe:
        probe = Probe(x, tmp_path)
        started.append(probe)
        probe.wait_event("started", timeout_s=20)
        return probe

    yield start
    for probe in started:
        probe.stop()


def test_us_table_is_the_evdev_positions() -> None:
    assert US_KEYCODES["a"] == 30 + 8
    assert US_KEYCODES["2"] == 3 + 8
    assert US_KEYCODES["0"] == 11 + 8
    assert US_KEYCODES["q"] == 16 + 8
    assert US_KEYCODES["m"] == 50 + 8
    assert ENTER_KEYCODE == 28 + 8
    assert SHIFT_KEYCODE == 42 + 8
    assert len({US_KEYCODES[c] for c in "abcdefghijklmnopqrstuvwxyz0123456789"}) == 36


def test_a_missing_tool_skips_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert missing_requirements() == "Xvfb is not installed (Debian package xvfb)"
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="Xvfb is not installed"):
        require_x()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the real-window tests"):
        require_x()


@pytest.mark.parametrize("size", [(1024, 600), (1920, 1080)], ids=["1024x600", "1920x1080"])
def test_full_screen_window_covers_the_screen_with_a_wm(
    xserver_factory: StartX, probe_on: Callable[[XServer], Probe], size: tuple[int, int]
) -> None:
    x = xserver_factory(size=size, wm=True)
    assert x.wm_running()
    window = probe_on(x).window()
    assert window.geometry == (0, 0, *size)
    assert not window.override_redirect
    # The client window is reported, not openbox's frame around it.
    assert [w.title for w in x.windows()] == [TITLE]


def test_scan_sends_us_positions_and_the_layout_maps_them(
    xserver_factory: StartX, probe_on: Callable[[XServer], Probe]
) -> None:
    x = xserver_factory(size=(1280, 800), wm=True)
    probe = probe_on(x)
    probe.window()
    probe.wait_event("focus", "top")

    x.set_keyboard_layout("us")
    x.scan(CODE)
    us_text, us_scans = probe.keys_until_enter()
    assert us_text == CODE
    # Shift, G, (Shift released: no press event), U, ...; Enter last.
    assert us_scans[:3] == [SHIFT_KEYCODE, US_KEYCODES["g"], SHIFT_KEYCODE]
    assert us_scans[-1] == ENTER_KEYCODE
    assert len(us_scans) == 2 * sum(c.isalpha() for c in CODE) + sum(c.isdigit() for c in CODE) + 1

    # The same key positions, read through the kiosk PC's layout.
    expected = {
        # Belgian AZERTY: A/Q and Z/W swapped, M where US has ",", unshifted digits are symbols.
        "be": 'GU§CXWIKTè"BHCS§R?BT(S§BGI',
        # German QWERTZ: Z and Y swapped.
        "de": "GU6CXYIKT73BHCS6RMBT5S6BGI",
    }
    for layout, text in expected.items():
        x.set_keyboard_layout(layout)
        x.scan(CODE)
        assert probe.keys_until_enter() == (text, us_scans), layout


def test_tap_gives_the_field_the_focus(
    xserver_factory: StartX, probe_on: Callable[[XServer], Probe]
) -> None:
    x = xserver_factory(size=(1280, 800), wm=True)
    probe = probe_on(x)
    window = probe.window()
    probe.wait_event("focus", "top")
    fx, fy, width, height = wait_for(
        lambda: (rect := probe.field_rect("field"))[3] > window.height // 2 and rect
    )
    x.tap(window.x + fx + width // 2, window.y + fy + height // 2)
    probe.wait_event("focus", "field")
    x.scan("ABC123")
    assert probe.keys_until_enter()[0] == "ABC123"


def test_window_and_screenshot_without_a_wm(
    xserver_factory: StartX, probe_on: Callable[[XServer], Probe], tmp_path: Path
) -> None:
    x = xserver_factory(size=(1024, 600), wm=False)
    assert not x.wm_running()
    # Without a WM nobody acts on _NET_WM_STATE_FULLSCREEN: Qt's window keeps its own size.
    window = probe_on(x).window(full_screen=False)
    assert not window.override_redirect
    path = tmp_path / "screen.png"

    def painted() -> set[tuple[int, int, int]]:
        # The window is mapped a moment before Qt has painted it.
        x.screenshot(path)
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (1024, 600)
            colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 20)}
        return colours if {BACKGROUND, WHITE} <= colours else set()

    assert len(wait_for(painted)) > 2
