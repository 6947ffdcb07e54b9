"""Tests that fail on leaks, as napari's conftest does: a test that leaves a thread running
(a worker, an executor, an event subscriber) or a Qt timer started fails, naming it. Loaded as
a pytest plugin by tests/conftest.py; the fixtures are autouse, so they are set up before a
test's own fixtures and checked after those are torn down (a window shut down by its fixture
has stopped everything it started).

Threads that live as long as the process are named in PROCESS_THREADS."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

# Started once per process on purpose: the pump that turns Qt's messages into log records.
PROCESS_THREADS = ("kiosk-qt-log",)
# How long a thread that was told to stop may take to end.
GRACE_S = 5.0


@pytest.fixture(autouse=True)
def _dangling_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + GRACE_S
    left = []
    for thread in threading.enumerate():
        if thread in before or thread.name.startswith(PROCESS_THREADS):
            continue
        thread.join(max(deadline - time.monotonic(), 0))
        if thread.is_alive():
            left.append(thread.name)
    assert not left, f"the test left threads running: {', '.join(sorted(left))}"


@pytest.fixture(autouse=True)
def _dangling_qtimers(request: pytest.FixtureRequest) -> Iterator[None]:
    """For tests with Qt (qtbot or qapp): every QTimer started from Python is tracked, and one
    still running once the test and its fixtures are done fails the test."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QTimer

    started: dict[int, tuple[Any, str]] = {}
    original = QTimer.start

    def start(self: QTimer, *args: Any) -> None:
        started[id(self)] = (self, "".join(traceback.format_stack(limit=4)[:-1]))
        original(self, *args)

    QTimer.start = start  # type: ignore[method-assign]
    try:
        yield
    finally:
        QTimer.start = original  # type: ignore[method-assign]
    running = []
    for timer, where in started.values():
        try:
            active = timer.isActive()
        except RuntimeError:  # deleted with its parent: stopped
            continue
        if active:
            timer.stop()
            running.append(f"{timer.objectName() or type(timer).__name__}, started at\n{where}")
    assert not running, "the test left Qt timers running:\n" + "\n".join(running)
