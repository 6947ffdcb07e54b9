"""The window owns its workers, timers and filters: a window destroyed like any other widget
(`deleteLater()`, as pytest-qt and any program embedding it do), without `shutdown()`,
stops them all, finishes what they hold, and leaves nothing running into freed objects."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import start_kiosk
from kiosk.domain.visit import SignInForm
from ui import create_main_window

WORKER_THREADS = ("kiosk-db", "kiosk-print", "kiosk-backup")


def kiosk_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(WORKER_THREADS)}


def test_a_window_deleted_without_shutdown_stops_its_workers(qtbot: QtBot, data_dir: Path) -> None:
    before = kiosk_threads()  # (other tests' idle pools may still be about)
    window = create_main_window(data_dir)
    window.show()
    qtbot.waitUntil(lambda: window.worker.pending == 0, timeout=10_000)
    assert kiosk_threads() - before
    # A sign-in still on its way when the window goes is committed all the same.
    form = SignInForm("Anna de Vries")
    notice = window.kiosk.notice("en")
    window.worker.submit(lambda s: s.visits.sign_in(form, notice), lambda _v: None, print)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert [t.name for t in kiosk_threads() - before] == []
    # The application goes on: nothing of the old window is still filtering its events.
    QApplication.processEvents()
    services = start_kiosk(data_dir).open_services()
    try:
        assert [v.visitor_name for v in services.visits.present_visitors()] == ["Anna de Vries"]
    finally:
        services.close()


SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kiosk.domain.visit import SignInForm
from kiosk.bootstrap import start_kiosk
from ui import create_main_window

data = Path(sys.argv[1])
app = QApplication([])
first = create_main_window(data)
first.show()
first.reset()  # a screen with the inactivity filter on, then gone
first.welcome.sign_in.click()
first.deleteLater()
QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

services = start_kiosk(data).open_services()
visit = services.visits.sign_in(SignInForm("Lars Holm"), start_kiosk(data).notice("en"))
code = services.visits.badge_code(visit.visit_id)
second = create_main_window(data)
second.show()
for _ in range(3):  # scans, taps and timers after the first window is gone
    QTest.keyClicks(second, code)
    QTest.keyClick(second, Qt.Key.Key_Return)
    deadline = 200
    while services.visits.get(visit.visit_id).on_site and deadline:
        QTest.qWait(25)
        deadline -= 1
assert not services.visits.get(visit.visit_id).on_site
second.shutdown()
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
