"""Soak: the kiosk for half an hour of visitors, in its own process.

Every few seconds a visitor signs in through the real widgets (badge PDF written by the
badge-printing subscriber, as with printer = "none"), every third round the oldest one on
site scans their badge to sign out, and every tenth round staff log in with the PIN, search
the list on the staff screen and log out again. Once a minute the run notes the resident
memory, the threads, the widgets and the timers; at the end it reads the log for errors.
Targets: memory flat (the last minutes within a few MB of the first), no widget, timer or
thread leaks, no error in the log."""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from benchmarks.badges import _spin

PIN = "246813"


def bench_soak(minutes: float = 30.0, every_s: float = 3.0) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from kiosk.bootstrap import assemble
    from ui.app import build_window

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        data = Path(tmp)
        (data / "kiosk.toml").write_text('[badge]\nprinter = "none"\n', encoding="utf-8")
        core = assemble(data, data / "kiosk.toml")
        core.staff_auth.set_pin(PIN)
        badges: list[object] = []
        core.events.badge_printed.subscribe("soak", badges.append)
        core.store.close()  # this (the GUI) thread's connection: the window's workers write
        window = build_window(app, core)  # the window owns the core: shutdown() closes it
        window.resize(1280, 800)
        window.show()

        def spin(until: Callable[[], bool]) -> None:
            _spin(app, until, timeout_s=30.0)

        # The kiosk fully up before the first visitor and the first sample: the badge
        # libraries load on the print worker a moment after the welcome screen shows.
        spin(lambda: not window.prepare_timer.isActive() and window.printer.pending == 0)
        samples: list[dict[str, float]] = []
        start = time.monotonic()
        next_sample = start
        rounds = signed_in = signed_out = staff_visits = 0
        while time.monotonic() - start < minutes * 60:
            rounds += 1
            window.welcome.sign_in.click()
            window.notice.proceed.click()
            window.details.inputs["visitor_name"].setText(f"Soak Visitor {rounds}")
            window.details.inputs["company"].setText("Duurzaam Testbedrijf B.V.")
            window.details.submit.click()
            spin(lambda: window.current_screen() is window.done)
            window.done.finish.click()
            signed_in += 1
            if rounds % 3 == 0 and (code := _oldest_badge(core.paths.database)):
                # The scanner types the code and Enter (through the kiosk's scan filter).
                QTest.keyClicks(window, code)
                QTest.keyClick(window, Qt.Key.Key_Return)
                spin(lambda: window.current_screen() is window.sign_out)
                spin(lambda: bool(window.sign_out.message.text()))
                window.session.reset()
                signed_out += 1
            if rounds % 10 == 0:
                window.staff_controller.start_login()
                window.staff_login.pin_entered.emit(PIN)
                spin(lambda: window.current_screen() is window.staff)
                window.staff.search.setText("Soak")
                spin(lambda: window.worker.pending == 0)
                window.staff.exit.click()
                staff_visits += 1
            spin(lambda: window.worker.pending == 0 and window.printer.pending == 0)
            # This round's badge written, before the next visitor (the event loop runs
            # meanwhile: the badge waits for the screen to show the confirmation first).
            spin(lambda n=signed_in: len(badges) == n)
            if time.monotonic() >= next_sample:
                samples.append(_sample(app, window, QTimer, time.monotonic() - start))
                next_sample += 60
            pause_until = time.monotonic() + every_s
            _spin(app, lambda end=pause_until: time.monotonic() >= end, timeout_s=every_s + 1)
        samples.append(_sample(app, window, QTimer, time.monotonic() - start))
        window.shutdown()
        log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    errors = [line for line in log.splitlines() if " ERROR " in line or " CRITICAL " in line]
    # The first minute loads the badge libraries and fonts: memory is compared from there on.
    settled = [s for s in samples if s["at_s"] >= 60] or samples
    first, last = settled[: max(1, len(settled) // 5)], settled[-max(1, len(settled) // 5) :]
    return {
        "minutes": minutes,
        "rounds": rounds,
        "signed_in": signed_in,
        "signed_out": signed_out,
        "staff_visits": staff_visits,
        "rss_first_mb": statistics.median(s["rss_mb"] for s in first),
        "rss_last_mb": statistics.median(s["rss_mb"] for s in last),
        "rss_growth_mb": statistics.median(s["rss_mb"] for s in last)
        - statistics.median(s["rss_mb"] for s in first),
        "threads": [samples[0]["threads"], samples[-1]["threads"]],
        "widgets": [samples[0]["widgets"], samples[-1]["widgets"]],
        "timers": [samples[0]["timers"], samples[-1]["timers"]],
        "log_errors": len(errors),
        "samples": samples,
    }


def _oldest_badge(database: Path) -> str | None:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT token FROM badges JOIN visits USING (visit_id) "
            "WHERE signed_out_at IS NULL ORDER BY signed_in_at LIMIT 1"
        ).fetchone()
    return None if row is None else str(row[0])


def _sample(app: Any, window: Any, timer_type: type, at_s: float) -> dict[str, float]:
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return {
        "at_s": at_s,
        "rss_mb": rss / 1024,
        "threads": threading.active_count(),
        "widgets": len(app.allWidgets()),
        "timers": len(window.findChildren(timer_type)),
    }
