"""Start-up and idle memory of the kiosk at one million visits, each against a bare PySide6
program in the same run.

- start-up: the whole `visitor-kiosk run --smoke` process (config, the database check,
  migrations, cleanup and auto sign-out, the window built and painted once, the workers
  stopped), alternating with the baseline: a bare PySide6 script showing one full-screen
  label, then SQLite's `PRAGMA quick_check` on the same database (target: at most 1.3x);
- idle memory: the resident memory of `visitor-kiosk run` a few seconds after its window is
  up, against the bare script left running (target: at most 60 MB more).

Both run on a copy of the kept million-visit database of a conference day
(benchmarks/workload.py). The kiosk runs on the wall clock, months after that day, with a
retention period that keeps those visits; so its first start signs the 30,000 still on site
out automatically, as a kiosk switched on again after a long break would. That first start is
not timed, and changes the copy, not the kept database. Qt draws offscreen, for both, so the
machine needs no display.

The kiosk is timed as installed: `pip install` byte-compiles the packages it installs, so
`as_installed()` compiles the kiosk's own packages first. A checkout run with
PYTHONDONTWRITEBYTECODE would otherwise compile every module from source at each start
(about 0.1 s on the benchmark machine), which no installed kiosk does."""

from __future__ import annotations

import compileall
import importlib.util
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.workload import copy_database, keeping_everything, kept_kiosk

BARE = """
import sqlite3, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("Welkom")
label.showFullScreen()
app.processEvents()
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
conn.close()
if sys.argv[2:] == ["--stay"]:
    import signal
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    ticker = QTimer()
    ticker.start(250)  # lets Python see the signal
    app.exec()
"""
IDLE_AFTER_S = 5.0


# The kiosk's own packages.
PACKAGES = ("kiosk", "storage", "ui")


def as_installed() -> None:
    """Byte-compile the kiosk's packages, as `pip install` does when it installs them."""
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{package} is not installed")
        for folder in spec.submodule_search_locations:  # where the kiosk imports it from
            if not compileall.compile_dir(folder, quiet=1):
                raise RuntimeError(f"{package} does not compile")


def bench_startup(runs: int = 5) -> dict[str, Any]:
    as_installed()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data = Path(tmp)
        copy_database(kept_kiosk() / "kiosk.db", data / "kiosk.db")
        (data / "kiosk.toml").write_text(keeping_everything(), encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("KIOSK_CONFIG", None)  # the defaults
        ours = [sys.executable, "-m", "kiosk", "--data-dir", str(data), "run", "--smoke"]
        bare = [sys.executable, "-c", BARE, str(data / "kiosk.db")]
        subprocess.run(ours, env=env, check=True, capture_output=True)  # auto sign-out, caches
        kiosk_s: list[float] = []
        bare_s: list[float] = []
        for run in range(runs):
            for which in ("bare", "ours") if run % 2 else ("ours", "bare"):
                command, times = (ours, kiosk_s) if which == "ours" else (bare, bare_s)
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - start)
        kiosk_rss = _idle_rss([*ours[:-1], "--windowed"], env)
        bare_rss = _idle_rss([*bare, "--stay"], env)
    median, baseline = statistics.median(kiosk_s), statistics.median(bare_s)
    return {
        "runs": runs,
        "median_s": median,
        "baseline_median_s": baseline,
        "ratio": median / baseline,
        "times_s": kiosk_s,
        "baseline_times_s": bare_s,
        "idle_rss_mb": kiosk_rss,
        "baseline_idle_rss_mb": bare_rss,
        "idle_extra_mb": kiosk_rss - bare_rss,
    }


def _idle_rss(command: list[str], env: dict[str, str]) -> float:
    """Resident memory (MB) of a process IDLE_AFTER_S after it started, then stopped with
    SIGTERM (the kiosk closes cleanly on it)."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(IDLE_AFTER_S)
        if process.poll() is not None:
            raise AssertionError(f"{command[:4]} ended early with {process.returncode}")
        with open(f"/proc/{process.pid}/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return kib / 1024
