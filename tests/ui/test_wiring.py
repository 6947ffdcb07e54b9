"""The Qt shell as adapters around the core: the visitor's screen never waits for the badge
printer (printing is the core's subscriber, on its own thread), an export from the staff
screen runs on a worker and a connection of its own, and the flows and controllers are
handed the screens and operations they use, never the window."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import TextIO

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import assemble
from kiosk.domain.ports import Progress, Store
from kiosk.domain.visit import SignInForm
from kiosk.export.visits import ExportFormat, Exports
from kiosk.staff.audit import AuditLog
from ui.export_controller import ExportController
from ui.main_window import KioskWindow
from ui.rights_controller import RightsController
from ui.staff_controller import StaffController
from ui.visitor_flow import VisitorFlow

PIN = "80417263"
HOLD_S = 30  # how long a held job waits at most for the test to let it go


class HeldPrinter:
    """A badge printer that takes its time: `submit` waits until the test lets it go."""

    queue = "held"

    def __init__(self) -> None:
        self.submitted = threading.Event()
        self.release = threading.Event()

    def ready(self) -> Future[str]:
        done: Future[str] = Future()
        done.set_result(self.queue)
        return done

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        self.submitted.set()
        if not self.release.wait(HOLD_S):
            raise TimeoutError("the test never let the printer go")
        return "held-1"

    def wait(self, job_id: str) -> None:
        return None

    def close(self) -> None:
        self.release.set()


class HeldExports(Exports):
    """The core's exports, with each visits export held inside a read of the database (on the
    thread and connection it runs on) until the test lets it go."""

    def __init__(self, store: Store, audit: AuditLog) -> None:
        super().__init__(store, audit)
        self.store = store
        self.reading = threading.Event()
        self.release = threading.Event()
        self.threads: list[str] = []

    def visits(
        self,
        first: date,
        last: date,
        fmt: ExportFormat,
        out: TextIO,
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        self.threads.append(threading.current_thread().name)
        with self.store.reading() as db:
            db.visits.count()  # a read transaction, open on this thread's connection
            self.reading.set()
            if not self.release.wait(HOLD_S):
                raise TimeoutError("the test never let the export go")
        return super().visits(first, last, fmt, out, progress, processes)


@pytest.fixture
def printer() -> Iterator[HeldPrinter]:
    made = HeldPrinter()
    yield made
    made.release.set()  # before the window's core waits for the badge to be done


def test_the_confirmation_does_not_wait_for_a_slow_badge_printer(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, printer: HeldPrinter
) -> None:
    window = make_window(core=assemble(data_dir, badge_printer=printer))
    fill_and_submit(qtbot, window, "Noor Visser")
    qtbot.waitUntil(lambda: window.current_screen() is window.done, timeout=2000)
    assert window.done.printing
    qtbot.waitUntil(printer.submitted.is_set, timeout=10_000)  # at the printer, not done
    qtbot.wait(100)
    assert window.done.printing
    message = window.done.message.text()
    assert window.catalog.text("done.welcome", name="Noor Visser") in message
    assert window.catalog.text("done.host_pending") in message  # notification is off
    assert window.catalog.text("done.printing") in message
    assert not window.done.timer.isActive()  # the way back waits for the badge

    printer.release.set()
    qtbot.waitUntil(lambda: not window.done.printing, timeout=10_000)
    assert window.catalog.text("done.badge_printed") in window.done.message.text()
    assert window.done.timer.isActive()
    assert window.current_screen() is window.done


class WatchingPrinter(HeldPrinter):
    """A printer that notes which screen the visitor session was on when the badge began."""

    def __init__(self, window_screen: list[object]) -> None:
        super().__init__()
        self.release.set()
        self.seen = window_screen

    def ready(self) -> Future[str]:
        self.seen.append(self.window.session.screen)
        return super().ready()


def test_the_badge_is_made_once_the_screen_shows_the_confirmation(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path
) -> None:
    """Rendering a badge beside the screen that shows its sign-in would slow that screen
    (Python threads share one lock): the core's subscribers start once the window has shown
    what the operation returned (ui.tasks.ScreenCatchUp)."""
    seen: list[object] = []
    printer = WatchingPrinter(seen)
    window = make_window(core=assemble(data_dir, badge_printer=printer))
    printer.window = window
    for name in ("Noor Visser", "Lotte Bakker", "Sem de Boer"):
        window.session.reset()
        fill_and_submit(qtbot, window, name)
        wait_for_screen(qtbot, window, "done")
        qtbot.waitUntil(lambda: not window.done.printing, timeout=10_000)
    assert [str(screen) for screen in seen] == ["done", "done", "done"]


def test_a_badge_printed_before_the_confirmation_shows_is_not_lost(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, printer: HeldPrinter
) -> None:
    """The printer may answer before the sign-in's result is back on the screen."""
    printer.release.set()  # a printer that answers at once
    window = make_window(core=assemble(data_dir, badge_printer=printer))
    fill_and_submit(qtbot, window, "Lotte Bakker")
    wait_for_screen(qtbot, window, "done")
    qtbot.waitUntil(lambda: not window.done.printing, timeout=10_000)
    assert window.catalog.text("done.badge_printed") in window.done.message.text()


def test_a_visitor_signs_in_while_an_export_from_the_staff_screen_runs(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, tmp_path: Path
) -> None:
    core = assemble(data_dir)
    exports = HeldExports(core.store, core.audit)
    core.staff_auth.set_pin(PIN)
    core.visits.sign_in(SignInForm("Anna de Vries"), core.notices.notice("en"))
    window = make_window(core=dataclasses.replace(core, exports=exports))
    try:
        window.welcome.staff.click()
        for digit in PIN:
            window.staff_login.keys[digit].click()
        window.staff_login.submit.click()
        wait_for_screen(qtbot, window, "staff")
        window.staff.export.click()
        dialog = window.export_controller.dialog
        assert dialog is not None
        target = tmp_path / "access.csv"
        dialog.path.setText(str(target))
        dialog.start.click()
        qtbot.waitUntil(exports.reading.is_set, timeout=10_000)

        # Staff leave the export running; the next visitor signs in meanwhile.
        dialog.close_button.click()
        window.staff.exit.click()
        started = time.monotonic()
        fill_and_submit(qtbot, window, "Bo Kristiansen")
        wait_for_screen(qtbot, window, "done")
        assert time.monotonic() - started < 5
        assert not exports.release.is_set()
        assert window.exporter.pending == 1  # the export is still under way
    finally:
        exports.release.set()
    qtbot.waitUntil(lambda: window.exporter.pending == 0, timeout=10_000)
    (thread,) = exports.threads
    assert thread.startswith("kiosk-export")
    assert [v.visitor_name for v in core.visits.present()] == ["Anna de Vries", "Bo Kristiansen"]
    with target.open(encoding="utf-8", newline="") as file:
        exported = {row["visitor_name"] for row in csv.DictReader(file)}
    assert "Anna de Vries" in exported


@pytest.mark.parametrize(
    "adapter", [VisitorFlow, StaffController, RightsController, ExportController]
)
def test_flows_and_controllers_take_no_window(adapter: type) -> None:
    signature = inspect.signature(adapter, eval_str=True)
    for parameter in signature.parameters.values():
        kind = parameter.annotation
        assert not (isinstance(kind, type) and issubclass(kind, QMainWindow)), parameter
        assert "KioskWindow" not in str(kind), parameter
        assert "QMainWindow" not in str(kind), parameter
        assert parameter.name != "window", parameter


def test_the_wired_flows_and_controllers_hold_no_window(window: KioskWindow) -> None:
    """What ui.app hands each of them: screens, operations, workers; not the window (a
    parameter typed as any widget could still be handed it)."""
    for adapter in (
        window.flow,
        window.staff_controller,
        window.rights_controller,
        window.export_controller,
    ):
        held = [name for name, value in vars(adapter).items() if value is window]
        assert held == [], f"{type(adapter).__name__} holds the window as {held}"
