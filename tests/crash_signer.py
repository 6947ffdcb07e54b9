"""A kiosk that signs visitors in through its real widgets, one after another, for ever (run
by tests/e2e/test_crash_safety.py, which kills it with SIGKILL at random moments).

Usage: python crash_signer.py DATA_DIR CONFIRMED_FILE RUN

Each time the done screen shows, the visitor's name is appended to CONFIRMED_FILE and
flushed to disk: what the kiosk has confirmed to a visitor, which must survive the kill."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtWidgets import QApplication

from ui.app import create_main_window


def main() -> None:
    data_dir, confirmed, run = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    app = QApplication([])
    window = create_main_window(data_dir)
    window.show()
    with confirmed.open("a", encoding="utf-8") as log:
        number = 0
        while True:
            number += 1
            name = f"Crash Visitor {run}-{number}"
            window.welcome.sign_in.click()
            window.notice.proceed.click()
            window.details.inputs["visitor_name"].setText(name)
            window.details.inputs["company"].setText("Acme")
            window.details.submit.click()
            deadline = time.monotonic() + 10
            while window.current_screen() is not window.done:
                app.processEvents()
                if time.monotonic() > deadline:
                    raise SystemExit(f"no done screen for {name}")
                time.sleep(0.001)
            log.write(name + "\n")
            log.flush()
            os.fsync(log.fileno())
            window.done.finish.click()
            app.processEvents()


if __name__ == "__main__":
    main()
