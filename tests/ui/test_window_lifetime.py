"""The window owns its workers, timers and filters: a window destroyed like any other widget
(`deleteLater()`, as pytest-qt and any program embedding it do), without `shutdown()`,
stops them all, finishes what they hold, and leaves nothing running into freed objects."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from leaksupport import PROCESS_THREADS
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit

from kiosk.bootstrap import assemble
from ui import create_main_window

# The window's workers (kiosk-db, kiosk-export, kiosk-upkeep, kiosk-print) and its core's
# (the event subscribers kiosk-on-*, the printers' kiosk-print-check).
KIOSK_THREADS = "kiosk-"


def kiosk_threads() -> set[threading.Thread]:
    return {
        t
        for t in threading.enumerate()
        if t.name.startswith(KIOSK_THREADS) and not t.name.startswith(PROCESS_THREADS)
    }


def test_a_window_deleted_without_shutdown_stops_its_workers(qtbot: QtBot, data_dir: Path) -> None:
    before = kiosk_threads()  # (other tests' idle pools may still be about)
    window = create_main_window(data_dir)
    window.show()
    qtbot.waitUntil(lambda: window.worker.pending == 0, timeout=10_000)
    assert kiosk_threads() - before
    # A sign-in still on its way when the window goes is committed all the same.
    fill_and_submit(qtbot, window, "Anna de Vries")
    assert window.worker.pending == 1
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert [t.name for t in kiosk_threads() - before] == []
    # The application goes on: nothing of the old window is still filtering its events.
    QApplication.processEvents()
    core = assemble(data_dir)
    try:
        assert [v.visitor_name for v in core.visits.present()] == ["Anna de Vries"]
    finally:
        core.close()


def test_shutdown_stops_every_timer_of_the_window(qtbot: QtBot, make_window: MakeWindow) -> None:
    """Nothing the window started goes off after it shut down: not its inactivity timers, its
    upkeep, nor a key the scanner was holding back at that moment."""
    window = make_window()
    window.welcome.sign_in.click()  # the visitors' inactivity timer runs
    qtbot.keyClick(window.notice.text, Qt.Key.Key_A)  # held a moment: it may start a scan
    assert window.idle_timer.isActive()
    window.shutdown()
    running = [
        t.objectName() or type(t.parent()).__name__
        for t in window.findChildren(QTimer)
        if t.isActive()
    ]
    assert running == []
    assert not window.maintenance.sign_out_timer.isActive()
    assert not window.maintenance.purge_timer.isActive()


SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm
from ui import create_main_window

data = Path(sys.argv[1])
app = QApplication([])
first = create_main_window(data)
first.show()
first.session.reset()  # a screen with the inactivity filter on, then gone
first.welcome.sign_in.click()
first.deleteLater()
QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

core = assemble(data)
signed_in = core.visits.sign_in(SignInForm("Lars Holm"), core.notices.notice("en"))
visit_id, code = signed_in.visit.visit_id, signed_in.badge_code
second = create_main_window(data)
second.show()
for _ in range(3):  # scans, taps and timers after the first window is gone
    QTest.keyClicks(second, code)
    QTest.keyClick(second, Qt.Key.Key_Return)
    deadline = 200
    while core.visits.get(visit_id).on_site and deadline:
        QTest.qWait(25)
        deadline -= 1
assert not core.visits.get(visit_id).on_site
second.shutdown()
core.close()
print("ok")
"""


def test_after_a_window_is_deleted_the_process_goes_on_without_a_crash(tmp_path: Path) -> None:
    script = tmp_path / "delete_window.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "data")],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
