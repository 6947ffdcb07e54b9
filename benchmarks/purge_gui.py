"""The screen while the kiosk's own cleanup deletes a million expired visits: the longest
time the GUI thread went without handling events (target: no stall over 50 ms), and how long
a visitor's sign-in waited behind the cleanup."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.badges import StallMeter, _spin
from benchmarks.workload import copy_database, fixed_clock, kept_kiosk
from storage.sqlite.times import to_db


def bench_purge_gui() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.bootstrap import assemble
    from ui.app import apply_stylesheet, build_window

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_stylesheet(app)
    source = kept_kiosk() / "kiosk.db"
    with tempfile.TemporaryDirectory(prefix="bench-purge-gui-") as tmp:
        data = Path(tmp)
        copy_database(source, data / "kiosk.db")
        # Everything older than a day is expired: nearly the whole million.
        (data / "kiosk.toml").write_text(
            '[retention]\nvisit_days = 1\n[badge]\nprinter = "none"\n', encoding="utf-8"
        )
        # At the workload's moment: the day before it is kept, the rest expired.
        core = assemble(data, data / "kiosk.toml", clock=fixed_clock)
        with sqlite3.connect(data / "kiosk.db") as db:
            expired = db.execute(
                "SELECT count(*) FROM visits WHERE signed_in_at < ?",
                [to_db(fixed_clock() - timedelta(days=1))],
            ).fetchone()[0]
        start = time.perf_counter()
        # Starts the cleanup on the window's workers; the window owns the core from here on.
        window = build_window(app, core)
        window.resize(1280, 800)
        window.show()
        app.processEvents()  # building and first painting the window is not the purge's
        with StallMeter(app) as meter:
            # A visitor signs in while the cleanup runs.
            window.welcome.sign_in.click()
            window.notice.proceed.click()
            window.details.inputs["visitor_name"].setText("Bezoeker tijdens opschonen")
            tapped = time.perf_counter()
            window.details.submit.click()
            _spin(app, lambda: window.current_screen() is window.done, timeout_s=120)
            sign_in_s = time.perf_counter() - tapped
            _spin(app, lambda: not window.maintenance.purging, timeout_s=900)
            purge_s = time.perf_counter() - start
        window.shutdown()
        window.deleteLater()
        app.processEvents()
    return {
        "expired": expired,
        "purge_s": purge_s,
        "worst_gui_stall_ms": meter.worst_ms,
        "sign_in_during_purge_ms": sign_in_s * 1000,
    }
