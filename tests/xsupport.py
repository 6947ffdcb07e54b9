"""A real X server for tests that need a real window and real input events.

`XServer` starts Xvfb on a display it picks itself, optionally with openbox as the window
manager, and drives it through python-xlib: `tap` and `scan` send input through the XTEST
extension (so it arrives as from a touchscreen and a USB barcode scanner), `windows` lists
what is on screen, `screenshot` saves the root window as a PNG.

The scanner is emulated the way one in US mode behaves: it sends the key *positions* of the
US layout, as raw keycodes, and the keyboard layout set with `set_keyboard_layout` turns
them into characters, exactly as on a kiosk whose OS layout is Belgian or German.

Needs the Debian packages xvfb, openbox and x11-xkb-utils (installed by `make test` as root)
and python-xlib (the `test` extra). Without them the `xserver_factory` fixture and
`require_x()` skip with the reason; under `CI=true` they fail instead, so CI cannot pass
by skipping. Loaded as a pytest plugin by tests/conftest.py; python-xlib is imported only
when a server starts, so the rest of the suite runs without it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from clisupport import require

T = TypeVar("T")

# The display size of a kiosk screen, and the sizes our sites use.
SIZES = ((1024, 600), (1280, 800), (1920, 1080))
# Layouts of the sites' kiosk PCs (setxkbmap names).
LAYOUTS = ("us", "gb", "nl", "be", "de", "dk", "fr")

# Linux evdev keycodes (linux/input-event-codes.h) of the US layout's key positions.
# An X server on evdev (Xvfb's default keymap too) uses the evdev code + 8 as keycode.
_EVDEV_ROWS = {
    "1234567890": 2,  # KEY_1 = 2 ... KEY_0 = 11
    "qwertyuiop": 16,  # KEY_Q = 16 ... KEY_P = 25
    "asdfghjkl": 30,  # KEY_A = 30 ... KEY_L = 38
    "zxcvbnm": 44,  # KEY_Z = 44 ... KEY_M = 50
}
EVDEV_KEY_ENTER = 28
EVDEV_KEY_LEFTSHIFT = 42
X_KEYCODE_OFFSET = 8

US_KEYCODES: dict[str, int] = {
    char: first + index + X_KEYCODE_OFFSET
    for row, first in _EVDEV_ROWS.items()
    for index, char in enumerate(row)
}
US_KEYCODES["\n"] = EVDEV_KEY_ENTER + X_KEYCODE_OFFSET
ENTER_KEYCODE = US_KEYCODES["\n"]
SHIFT_KEYCODE = EVDEV_KEY_LEFTSHIFT + X_KEYCODE_OFFSET

# Openbox with nothing of the user's or the system's rc.xml: one desktop, no margins, no key
# bindings (a scanned code must never hit a WM shortcut), an empty menu, no root-window
# mouse actions, and click-to-focus as in openbox's default.
_OPENBOX_RC = """<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>
  <placement><policy>Smart</policy></placement>
  <desktops><number>1</number><popupTime>0</popupTime></desktops>
  <margins><top>0</top><bottom>0</bottom><left>0</left><right>0</right></margins>
  <keyboard></keyboard>
  <mouse>
    <!-- As openbox's default: a press in a window focuses and raises it and is passed on.
         (A plain Left binding on the "Frame" context would swallow every click.) -->
    <context name="Client">
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/>
      </mousebind>
    </context>
  </mouse>
  <menu><file>{menu}</file></menu>
</openbox_config>
"""
_OPENBOX_MENU = """<?xml version="1.0" encoding="UTF-8"?>
<openbox_menu xmlns="http://openbox.org/3.4/menu">
  <menu id="root-menu" label="Kiosk tests"></menu>
</openbox_menu>
"""


def missing_requirements() -> str | None:
    """Why a real X server with a window manager cannot run here, or None if it can."""
    for tool, package in (("Xvfb", "xvfb"), ("openbox", "openbox"), ("setxkbmap", "x11-xkb-utils")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    if importlib.util.find_spec("Xlib") is None:
        return "python-xlib is not installed (pip install -e '.[test]')"
    return None


def require_x() -> None:
    """Skip the test when no real X server can run here; under `CI=true` fail instead."""
    require(missing_requirements(), "real-window")


def stop_process(process: subprocess.Popen[Any] | None) -> None:
    """Stop a process a test started, politely first, and wait for it."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(predicate: Callable[[], T], timeout_s: float = 10.0, interval_s: float = 0.02) -> T:
    """Poll `predicate` until it returns something truthy, and return that.

    The tests drive other processes (Xvfb, the window manager, the kiosk), so there is no
    event loop of ours to wait on; a short sleep between polls is the honest way here."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"not true after {timeout_s} s: {predicate!r}")
        time.sleep(interval_s)


@dataclass(frozen=True)
class Window:
    """A mapped top-level window as the X server shows it, in root coordinates."""

    id: int
    title: str
    x: int
    y: int
    width: int
    height: int
    override_redirect: bool

    @property
    def geometry(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)

    @property
    def centre(self) -> tuple[int, int]:
        return (self.x + self.width // 2, self.y + self.height // 2)


class XServer:
    """Xvfb at `size` on a free display, with openbox as window manager when `wm`."""

    def __init__(self, size: tuple[int, int] = (1280, 800), wm: bool = True) -> None:
        self.size = size
        self.wm = wm
        self.display_name = ""
        self._dir = Path(tempfile.mkdtemp(prefix="kx-"))
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._openbox: subprocess.Popen[bytes] | None = None
        self._display: Any = None  # Xlib.display.Display
        self._logs: list[IO[bytes]] = []

    def __repr__(self) -> str:
        width, height = self.size
        wm = "openbox" if self.wm else "no WM"
        return f"<XServer {self.display_name or '(not started)'} {width}x{height} {wm}>"

    # -- lifetime --------------------------------------------------------------------------
    def start(self, timeout_s: float = 20.0) -> XServer:
        from Xlib import display

        width, height = self.size
        read_fd, write_fd = os.pipe()
        try:
            self._xvfb = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    f"{width}x{height}x24",
                    "-nolisten",
                    "tcp",
                    # Keep the keymap set with setxkbmap when the last client disconnects.
                    "-noreset",
                ],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log("xvfb.log"),
            )
            os.close(write_fd)
            write_fd = -1
            number = self._read_display_number(read_fd, timeout_s)
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        self.display_name = f":{number}"
        self._display = display.Display(self.display_name)
        if self.wm:
            self._start_openbox(timeout_s)
        return self

    def _log(self, name: str) -> IO[bytes]:
        log = (self._dir / name).open("wb")
        self._logs.append(log)
        return log

    def _read_display_number(self, fd: int, timeout_s: float) -> int:
        """Xvfb writes its display number to `-displayfd` once it accepts connections."""
        deadline = time.monotonic() + timeout_s
        data = b""
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(remaining, 0))
            chunk = os.read(fd, 32) if ready else b""
            if not chunk:
                log = (self._dir / "xvfb.log").read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"Xvfb did not start within {timeout_s} s:\n{log}")
            data += chunk
        return int(data)

    def _start_openbox(self, timeout_s: float) -> None:
        config = self._dir / "openbox"
        config.mkdir()
        (config / "menu.xml").write_text(_OPENBOX_MENU, encoding="utf-8")
        (config / "rc.xml").write_text(
            _OPENBOX_RC.format(menu=config / "menu.xml"), encoding="utf-8"
        )
        env = {
            **self.env,
            # Nothing from the user's or the system's openbox configuration or autostart.
            "XDG_CONFIG_HOME": str(config),
            "XDG_CONFIG_DIRS": str(config),
            "XDG_CACHE_HOME": str(self._dir / "cache"),
        }
        self._openbox = subprocess.Popen(
            ["openbox", "--sm-disable", "--config-file", str(config / "rc.xml")],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log("openbox.log"),
        )
        try:
            wait_for(lambda: self.wm_running() or self._openbox_exited(), timeout_s)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"openbox did not take the screen within {timeout_s} s") from None
        if not self.wm_running():
            log = (self._dir / "openbox.log").read_text(errors="replace")
            self.stop()
            raise RuntimeError(f"openbox exited at start-up:\n{log}")

    def _openbox_exited(self) -> bool:
        return self._openbox is not None and self._openbox.poll() is not None

    def wm_running(self) -> bool:
        """True once a window manager has claimed the screen (owns WM_S0 and says so)."""
        from Xlib import X

        root = self._display.screen().root
        check = root.get_full_property(self._atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType)
        owner = self._display.get_selection_owner(self._atom("WM_S0"))
        return check is not None and owner != X.NONE

    def stop(self) -> None:
        """Stop the window manager, then Xvfb, and wait for both."""
        if self._display is not None:
            with contextlib.suppress(Exception):  # the server may be gone already
                self._display.close()
            self._display = None
        stop_process(self._openbox)
        stop_process(self._xvfb)
        self._openbox = self._xvfb = None
        for log in self._logs:
            log.close()
        self._logs.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> XServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def env(self) -> dict[str, str]:
        """The environment for a program that should open its windows on this server."""
        env = {**os.environ, "DISPLAY": self.display_name}
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("QT_QPA_PLATFORM", None)
        return env

    # -- looking -------------------------------------------------------------------------
    def screenshot(self, path: Path | str) -> Path:
        """Save the whole screen (the root window) as a PNG."""
        from PIL import Image
        from Xlib import X

        width, height = self.size
        root = self._display.screen().root
        image = root.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
        Image.frombytes("RGB", (width, height), image.data, "raw", "BGRX").save(path)
        return Path(path)

    def windows(self) -> list[Window]:
        """The mapped top-level windows, bottom to top.

        Without a window manager these are root's viewable children. With one, a managed
        window sits in a frame of the WM: the client windows of `_NET_CLIENT_LIST` are
        reported (with their own title and geometry) in place of their frames; unmanaged
        (override-redirect) windows such as popups are reported as they are. The WM's own
        `_NET_SUPPORTING_WM_CHECK` window is left out."""
        from Xlib import X, error

        root = self._display.screen().root
        clients = root.get_full_property(self._atom("_NET_CLIENT_LIST"), X.AnyPropertyType)
        # Each client under the root child (its frame, or itself) that holds it.
        by_top: dict[int, list[int]] = {}
        for client in clients.value if clients is not None else ():
            try:
                top = self._top_level(client)
            except error.XError:  # the window went away meanwhile
                continue
            by_top.setdefault(top, []).append(client)
        # The WM's own check window (openbox maps it, 1x1 off screen) is no window to show.
        check = root.get_full_property(self._atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType)
        hidden = set(check.value) if check is not None else set()
        found = []
        for child in root.query_tree().children:
            if child.id in hidden:
                continue
            for window_id in by_top.get(child.id, [child.id]):
                try:
                    window = self._describe(window_id)
                except error.XError:
                    continue
                if window is not None:
                    found.append(window)
        return found

    def _top_level(self, window_id: int) -> int:
        root = self._display.screen().root
        window = self._display.create_resource_object("window", window_id)
        while True:
            parent = window.query_tree().parent
            if parent.id == root.id:
                return int(window.id)
            window = parent

    def _describe(self, window_id: int) -> Window | None:
        from Xlib import X

        root = self._display.screen().root
        window = self._display.create_resource_object("window", window_id)
        attributes = window.get_attributes()
        if attributes.map_state != X.IsViewable:
            return None
        geometry = window.get_geometry()
        origin = window.translate_coords(root, 0, 0)
        return Window(
            id=int(window_id),
            title=self._title(window),
            # translate_coords(root) gives root's origin in the window's coordinates.
            x=-origin.x,
            y=-origin.y,
            width=geometry.width,
            height=geometry.height,
            override_redirect=bool(attributes.override_redirect),
        )

    def _title(self, window: Any) -> str:
        from Xlib import X, Xatom

        name = window.get_full_property(self._atom("_NET_WM_NAME"), self._atom("UTF8_STRING"))
        if name is not None and name.value:
            value = name.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        name = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)
        if name is not None and name.value:
            value = name.value
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
        return ""

    def _atom(self, name: str) -> int:
        return int(self._display.intern_atom(name))

    # -- input -----------------------------------------------------------------------------
    def tap(self, x: int, y: int, hold_s: float = 0.03) -> None:
        """A finger tap at (x, y) in root coordinates: move there, press and release button 1."""
        from Xlib import X
        from Xlib.ext import xtest

        xtest.fake_input(self._display, X.MotionNotify, x=x, y=y)
        xtest.fake_input(self._display, X.ButtonPress, 1)
        self._display.sync()
        time.sleep(hold_s)
        xtest.fake_input(self._display, X.ButtonRelease, 1)
        self._display.sync()

    def set_keyboard_layout(self, layout: str) -> None:
        """Set the OS keyboard layout (an XKB layout name such as "us", "be", "de")."""
        subprocess.run(
            ["setxkbmap", "-display", self.display_name, "-layout", layout],
            env=self.env,
            check=True,
            capture_output=True,
        )

    def scan(self, code: str, delay_s: float = 0.004) -> None:
        """Type `code` and Enter the way a USB barcode scanner in US mode does.

        Each character is sent as the raw keycode of its key on a US keyboard (uppercase
        with Left Shift held), so the server's keyboard layout decides what arrives."""
        keys = [(US_KEYCODES[char.lower()], char.isupper()) for char in self._checked(code)]
        keys.append((ENTER_KEYCODE, False))
        for keycode, shifted in keys:
            if shifted:
                self._key(SHIFT_KEYCODE, press=True, delay_s=delay_s)
            self._key(keycode, press=True, delay_s=delay_s)
            self._key(keycode, press=False, delay_s=delay_s)
            if shifted:
                self._key(SHIFT_KEYCODE, press=False, delay_s=delay_s)

    @staticmethod
    def _checked(code: str) -> str:
        for char in code:
            if char.lower() not in US_KEYCODES or char == "\n":
                raise ValueError(f"the scanner emulation sends only A-Z and 0-9, not {char!r}")
        return code

    def _key(self, keycode: int, press: bool, delay_s: float) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        xtest.fake_input(self._display, X.KeyPress if press else X.KeyRelease, keycode)
        self._display.sync()
        if delay_s:
            time.sleep(delay_s)


StartX = Callable[..., XServer]


@pytest.fixture
def xserver_factory() -> Iterator[StartX]:
    """Start real X servers: `start(size=(1280, 800), wm=True)`; all are stopped afterwards.

    Skips (fails under `CI=true`) when Xvfb, openbox, setxkbmap or python-xlib is missing."""
    require_x()
    started: list[XServer] = []

    def start(size: tuple[int, int] = (1280, 800), wm: bool = True) -> XServer:
        server = XServer(size, wm)
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()
