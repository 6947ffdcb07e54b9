"""Is there a screen to show the kiosk on? Asked before Qt is, because Qt answers "no" by
aborting the process (exit 134) after a log line that blames a missing library."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

HOW_TO = (
    "start it in the kiosk user's desktop session, or set DISPLAY "
    "(try it without a screen with `xvfb-run visitor-kiosk run --windowed`)"
)


def display_problem(env: Mapping[str, str] = os.environ) -> str | None:
    """Why Qt will find no screen to open a window on, or None if it should find one.

    Only the usual Linux desktop is checked (X11, or Wayland by its socket name); other
    platforms, and a platform plugin named in QT_QPA_PLATFORM other than xcb, are left to Qt."""
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        if env.get("WAYLAND_DISPLAY") and not platform:
            return None
        return f"there is no display to show the kiosk on (DISPLAY is not set): {HOW_TO}"
    if not _x_server_answers(display):
        return f"cannot reach the display {display} (no X server, or not allowed): {HOW_TO}"
    return None


def _x_server_answers(display: str) -> bool:
    """Connect to the X server as Qt's xcb plugin does (libxcb, authentication included)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # Qt cannot load its xcb plugin either, and says so itself
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)
