"""Fixtures and helpers for tests of the real kiosk window (offscreen, on a real data dir).

Loaded as a pytest plugin by tests/conftest.py; import helpers with `from qtsupport import`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import Core
from ui import create_main_window
from ui.app import build_window
from ui.main_window import KioskWindow

MakeWindow = Callable[..., KioskWindow]


@pytest.fixture
def make_window(qtbot: QtBot, data_dir: Path) -> Iterator[MakeWindow]:
    """Build kiosk windows (optionally with a config file); each is shut down afterwards,
    which closes the core under it.

    `make_window(config)` builds the window as the kiosk does (`ui.create_main_window` on the
    test's data dir); `make_window(core=core)` builds it on a core the test assembled itself
    (a printer of its own, say), which the window then owns."""
    made: list[KioskWindow] = []

    def make(
        config: Path | None = None,
        size: tuple[int, int] = (1280, 800),
        *,
        core: Core | None = None,
    ) -> KioskWindow:
        if core is None:
            window = create_main_window(data_dir, config)
        else:
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            window = build_window(app, core)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.shutdown()


@pytest.fixture
def window(make_window: MakeWindow) -> KioskWindow:
    return make_window()


def fill_and_submit(
    qtbot: QtBot,
    window: KioskWindow,
    name: str,
    company: str = "",
    host: str = "",
    purpose: str = "",
) -> None:
    """Go from the welcome screen through the notice and type the details, then submit."""
    window.welcome.sign_in.click()
    assert window.current_screen() is window.notice
    window.notice.proceed.click()
    assert window.current_screen() is window.details
    inputs = window.details.inputs
    inputs["visitor_name"].setText(name)
    inputs["company"].setText(company)
    inputs["host"].setText(host)
    inputs["purpose"].setText(purpose)
    window.details.submit.click()


def wait_for_screen(qtbot: QtBot, window: KioskWindow, name: str) -> None:
    qtbot.waitUntil(lambda: window.current_screen().objectName() == name, timeout=5000)


def drop_worker_connection(qtbot: QtBot, window: KioskWindow) -> None:
    """Make the window's database workers (the database worker, which opened a connection at
    start-up for the auto sign-out, the upkeep worker and the export worker) open their
    connections again on their next jobs, as each does after any failed job. The start-up
    retention cleanup is let finish first, so no connection is opened again behind it."""

    def fail() -> None:
        raise ConnectionResetError("test: the connection is dropped")

    workers = (window.worker, window.upkeep, window.exporter)
    qtbot.waitUntil(lambda: not window.maintenance.purging, timeout=10_000)
    qtbot.waitUntil(lambda: all(worker.pending == 0 for worker in workers))
    for worker in workers:
        worker.submit(fail, lambda _result: None, lambda _error: None)
    qtbot.waitUntil(lambda: all(worker.pending == 0 for worker in workers))
