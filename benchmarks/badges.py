"""Badge measures for `make bench`.

- render: `render_badge` alone, per layout (target: median <= 20 ms);
- sign-in to badge written: the visit committed and its badge PDF on disk, written by the
  badge-printing subscriber as the kiosk does it (target: p95 <= 50 ms);
- tap to print job: through the real window, from the tap on `detailsSubmit` to `lp` having
  handed the job to CUPS (a private scheduler with a cups-pdf queue; target: median <= 100 ms),
  and the longest the GUI thread went without processing events meanwhile (it must keep
  answering: the badge is printed by the core's badge-printing subscriber, on its own thread);
- the same GUI stall while a printer hangs until the print time-out.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.workload import percentile
from kiosk.bootstrap import assemble
from kiosk.documents.badge import BadgeLayout, render_badge
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import BadgePrinter, CupsPrinter, SaveOnly

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from cupsserver import CupsServer, missing_requirements


def bench_render(data_dir: Path, runs: int = 200) -> dict[str, Any]:
    # SaveOnly (printer = "none"): the sign-in's own badge is only saved, never printed.
    core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=SaveOnly())
    try:
        signed_in = core.visits.sign_in(
            SignInForm("Annelies van der Berg-Hoogendoorn", "Noordzee Logistiek B.V.", "Jens"),
            core.notices.notice("nl"),
        )
        content = core.badges.content(signed_in.visit, signed_in.badge_code)
    finally:
        core.close()
    result: dict[str, Any] = {}
    for layout in BadgeLayout:
        render_badge(content, layout)  # fonts load once
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            render_badge(content, layout)
            times.append((time.perf_counter() - start) * 1000)
        result[layout.value] = {
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
        }
    result["median_ms"] = max(r["median_ms"] for r in result.values())
    return result


def bench_sign_in_with_badge(data_dir: Path, runs: int = 300) -> dict[str, float]:
    """Submit to visit committed with synchronous=FULL and badge PDF written: the sign-in,
    then its badge written by the badge-printing subscriber on its own thread (the clock
    stops once every event of the sign-in is handled)."""
    # SaveOnly (printer = "none"): the subscriber writes the badge PDF and keeps it; no print
    # system is involved, so the measure ends with the file written.
    core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=SaveOnly())
    notice = core.notices.notice("nl")
    times = []
    try:
        for i in range(runs):
            form = SignInForm(f"Bezoeker {i}", "Voorbeeld B.V.", "Anouk de Vries", "Afspraak")
            start = time.perf_counter()
            signed_in = core.visits.sign_in(form, notice)
            core.events.settle()
            times.append((time.perf_counter() - start) * 1000)
            if not core.paths.badge_dir.joinpath(f"{signed_in.visit.visit_id}.pdf").is_file():
                raise AssertionError(f"no badge PDF for visit {signed_in.visit.visit_id}")
    finally:
        core.close()
    return {"median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95)}


@dataclass
class TimedPrinter:
    """The real printer, noting when each job has been handed to the print system."""

    inner: BadgePrinter
    handed: list[float] = field(default_factory=list)
    queue: str = field(init=False)

    def __post_init__(self) -> None:
        self.queue = self.inner.queue

    def ready(self) -> Future[str]:
        return self.inner.ready()

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        job = self.inner.submit(pdf, ready)
        self.handed.append(time.perf_counter())
        return job

    def wait(self, job_id: str) -> None:
        self.inner.wait(job_id)

    def close(self) -> None:
        self.inner.close()


def bench_tap_to_print(data_dir: Path, runs: int = 30) -> dict[str, Any]:
    reason = missing_requirements()
    if reason is not None:
        return {"skipped": reason}
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import build_window

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    server = CupsServer()
    server.start()
    saved_server = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(server.socket)
    try:
        queue, _out = server.add_pdf_queue("bench")
        (data_dir / "kiosk.toml").parent.mkdir(parents=True, exist_ok=True)
        (data_dir / "kiosk.toml").write_text(f'[badge]\nprinter = "{queue}"\n', encoding="utf-8")
        printer = TimedPrinter(CupsPrinter(queue, timeout_s=30))
        core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=printer)
        window = build_window(app, core)  # the window owns the core: shutdown() closes it
        window.resize(1280, 800)
        window.show()
        taps, stalls = [], []
        for i in range(runs):
            window.session.reset()
            window.welcome.sign_in.click()
            window.notice.proceed.click()
            window.details.inputs["visitor_name"].setText(f"Bezoeker {i}")
            window.details.inputs["company"].setText("Voorbeeld B.V.")
            with StallMeter(app) as meter:
                start = time.perf_counter()
                window.details.submit.click()
                _spin(app, lambda n=i + 1: len(printer.handed) == n)
                taps.append((printer.handed[-1] - start) * 1000)
                _spin(app, lambda: not window.done.printing)
            stalls.append(meter.worst_ms)

        # A printer that hangs: the GUI keeps answering while the badge printing waits.
        hanging = server.add_hanging_queue()
        slow_core = assemble(
            data_dir, data_dir / "kiosk.toml", badge_printer=CupsPrinter(hanging, timeout_s=3)
        )
        slow = build_window(app, slow_core)
        slow.show()
        slow.welcome.sign_in.click()
        slow.notice.proceed.click()
        slow.details.inputs["visitor_name"].setText("Bezoeker hangend")
        with StallMeter(app) as hang_meter:
            start = time.perf_counter()
            slow.details.submit.click()
            _spin(app, lambda: not slow.done.printing and slow.current_screen() is slow.done)
            hang_seconds = time.perf_counter() - start
        for each in (window, slow):
            each.shutdown()
            each.deleteLater()
        app.processEvents()
    finally:
        if saved_server is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = saved_server
        server.stop()
    return {
        "runs": runs,
        "median_ms": statistics.median(taps),
        "p95_ms": percentile(taps, 0.95),
        "worst_gui_stall_ms": max(stalls),
        "hanging_printer_s": hang_seconds,
        "hanging_worst_gui_stall_ms": hang_meter.worst_ms,
    }


class StallMeter:
    """The longest gap between two ticks of a 2 ms timer on the GUI thread, less the period:
    how long the event loop was kept from answering input."""

    PERIOD_MS = 2

    def __init__(self, app: Any) -> None:
        from PySide6.QtCore import QTimer

        self._timer = QTimer()
        self._timer.setInterval(self.PERIOD_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.worst_ms = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000 - self.PERIOD_MS)
        self._last = now

    def __enter__(self) -> StallMeter:
        self._last = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        self._tick()


def _spin(app: Any, done: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Run the event loop (as `exec()` would) until `done()`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer()
    check.setInterval(1)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    check.start()
    deadline.start(int(timeout_s * 1000))
    if not done():
        loop.exec()
    check.stop()
    deadline.stop()
    if not done():
        raise TimeoutError("the kiosk did not get there in time")
