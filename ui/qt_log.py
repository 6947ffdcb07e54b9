"""Qt's own messages go to the kiosk's log file, where an operator looks, not to a terminal.

Qt writes them itself, with its default handler, to its standard error, which is made a pipe
here; a thread reads the pipe and logs each line. No Python runs on Qt's side of the pipe. A
Python message handler would need the GIL on whichever thread Qt reports from, and Qt reports
from threads the GUI thread waits for while it holds the GIL: the on-screen keyboard's QML is
loaded by such a thread when a field takes the focus, and the kiosk froze for good there.

Python's own `sys.stderr` moves to a copy of the original standard error, so what the command
line tells the user still reaches the terminal (or the journal)."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import sys
import threading

from PySide6.QtCore import qSetMessagePattern

log = logging.getLogger("qt")
# One line per message: its type, its category, the text.
_PATTERN = "%{type} %{category}: %{message}"
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "critical": logging.ERROR,
    "fatal": logging.CRITICAL,
}
_routed = False


def route_qt_messages_to_log() -> None:
    """From now on, Qt's messages are log records of the `qt` logger. Once per process."""
    global _routed
    if _routed:
        return
    _routed = True
    # Qt may otherwise prefer the journal or syslog when standard error is not a terminal.
    os.environ["QT_FORCE_STDERR_LOGGING"] = "1"
    qSetMessagePattern(_PATTERN)
    sys.stderr.flush()
    terminal = os.dup(2)
    read_end, write_end = os.pipe()
    # A flood of messages while the reader waits for the GIL drops lines instead of
    # blocking the Qt thread that writes them.
    fcntl.fcntl(write_end, fcntl.F_SETFL, fcntl.fcntl(write_end, fcntl.F_GETFL) | os.O_NONBLOCK)
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(terminal, "w"), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    threading.Thread(target=_pump, args=(read_end,), name="kiosk-qt-log", daemon=True).start()


def _pump(read_end: int) -> None:
    level = logging.WARNING
    with open(read_end, "rb") as pipe:
        for raw in pipe:
            line = raw.decode("utf-8", "replace").rstrip()
            kind, _, rest = line.partition(" ")
            if kind in _LEVELS:
                level, line = _LEVELS[kind], rest
            # (A line without a known type continues the message before it, at its level.)
            if line:
                log.log(level, "%s", line)
