"""`run` where the kiosk cannot show: one line that says why and what to do, exit 1, before
Qt is asked (Qt aborts the process, exit 134, with a line in the log that blames a library)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_no_display_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    for display in (None, ":97"):
        if display is not None:
            env["DISPLAY"] = display  # nothing listens there
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, (display, done.returncode, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "display" in lines[0]
        assert "DISPLAY" in lines[0]
        assert "libxcb" not in done.stderr


# The machine without libpulse: the kiosk is told the library has another name.
WITHOUT_LIBPULSE = """
import sys
import ui.keyboard
from kiosk.cli.main import main

ui.keyboard.KEYBOARD_LIBRARIES = {"libpulse-not-here.so.0": "libpulse0"}
main(sys.argv[1:])
"""


def test_the_on_screen_keyboard_without_its_library_is_one_clear_line_not_a_black_screen(
    tmp_path: Path,
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[kiosk]\nvirtual_keyboard = true\n", encoding="utf-8")
    script = tmp_path / "without_libpulse.py"
    script.write_text(WITHOUT_LIBPULSE, encoding="utf-8")
    argv = ["--data-dir", str(tmp_path / "data"), "--config", str(config), "run", "--smoke"]
    done = subprocess.run(
        [sys.executable, str(script), *argv],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "on-screen keyboard" in line
    assert "apt install libpulse0" in line
    # With the library there (the real machine), the same settings start.
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_qt_messages_go_to_the_log_not_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "run", "--smoke"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # The offscreen platform says it cannot size windows to their hints: a Qt warning.
    log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert " WARNING qt [kiosk-qt-log] " in log
    assert "propagateSizeHints" in log
    assert "propagateSizeHints" not in done.stderr
