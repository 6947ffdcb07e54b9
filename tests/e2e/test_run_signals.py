"""The real `run` process: full screen and locked down, yet a SIGTERM from the system (shutdown,
`systemctl stop`) closes it cleanly with exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from clisupport import kiosk_is_up


def test_sigterm_closes_the_locked_down_kiosk_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        log = data / "logs" / "kiosk.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None and not kiosk_is_up(log):
            time.sleep(0.2)  # another process's start-up
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "closing the kiosk" in log.read_text(encoding="utf-8")
