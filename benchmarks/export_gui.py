"""A visitor signing in while reception's export of the million-visit access log runs
(target: the sign-in within 50 ms): the export runs on a database worker and connection of its
own, so the sign-in does not wait for it. The baseline, in the same run, is the export on the
kiosk's database worker, as exports ran before they had their own, where the sign-in waits
for the whole export.

Each measure: staff start the export from the staff screen's dialog (a year of visits, CSV)
and leave the staff screen; then visitors sign in through the visitor screens one after
another while the export runs, each timed from the tap on submit to the confirmation. Runs on
a copy of the kept million-visit database."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.badges import _spin
from benchmarks.workload import copy_database, fixed_clock, kept_kiosk, percentile

SIGN_INS = 15


def bench_sign_in_during_export() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import apply_stylesheet

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_stylesheet(app)
    source = kept_kiosk() / "kiosk.db"
    with tempfile.TemporaryDirectory(prefix="bench-export-gui-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        copy_database(source, data / "kiosk.db")
        (data / "kiosk.toml").write_text('[badge]\nprinter = "none"\n', encoding="utf-8")
        return {
            "baseline_db_worker": _measure(app, data, Path(tmp) / "a.csv", own_worker=False),
            "own_worker": _measure(app, data, Path(tmp) / "b.csv", own_worker=True),
        }


def _measure(app: Any, data: Path, out: Path, *, own_worker: bool) -> dict[str, Any]:
    from PySide6.QtCore import QDate

    from kiosk.bootstrap import assemble
    from ui.app import build_window

    window = build_window(app, assemble(data, data / "kiosk.toml", clock=fixed_clock))
    window.resize(1280, 800)
    window.show()
    _spin(app, lambda: not window.maintenance.purging, timeout_s=600)
    controller = window.export_controller
    if not own_worker:
        controller._worker = window.worker  # the one worker of before
    worker = controller._worker
    controller.open("visits")
    dialog = controller.dialog
    assert dialog is not None
    dialog.first.setDate(QDate.currentDate().addDays(-365))
    dialog.path.setText(str(out))
    started = time.perf_counter()
    dialog.start.click()
    _spin(app, lambda: dialog.progress.value() > 0, timeout_s=60)
    window.session.reset()  # staff leave the staff screen; the export goes on
    times: list[float] = []
    during = 0
    for n in range(SIGN_INS if own_worker else 1):  # before, one waited for the whole export
        window.welcome.sign_in.click()
        window.notice.proceed.click()
        window.details.inputs["visitor_name"].setText(f"Bezoeker {n}")
        tapped = time.perf_counter()
        window.details.submit.click()
        _spin(app, lambda: window.current_screen() is window.done, timeout_s=300)
        times.append((time.perf_counter() - tapped) * 1000)
        during += worker.pending > 0  # the export was still running
        window.session.reset()
    _spin(app, lambda: worker.pending == 0 and out.exists(), timeout_s=600)
    export_s = time.perf_counter() - started
    window.shutdown()
    window.deleteLater()
    app.processEvents()
    return {
        "sign_ins": len(times),
        "during_export": during,
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "worst_ms": max(times),
        "export_s": export_s,
    }
