"""`make profile`: where the kiosk's start-up goes, by pyinstrument (a sampling profiler that
sees every thread's Python stack and the time spent in C below it).

Profiles `visitor-kiosk run --smoke` in a fresh process on a copy of the kept million-visit
database (the first start on the copy, not profiled, does the auto sign-out), and prints the
call tree, so a start-up figure over its target in `make bench` can be looked into."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.startup import as_installed
from benchmarks.workload import copy_database, keeping_everything, kept_kiosk


def main() -> None:
    as_installed()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("KIOSK_CONFIG", None)
    with tempfile.TemporaryDirectory(prefix="profile-startup-") as tmp:
        data = Path(tmp)
        copy_database(kept_kiosk() / "kiosk.db", data / "kiosk.db")
        (data / "kiosk.toml").write_text(keeping_everything(), encoding="utf-8")
        args = ["-m", "kiosk", "--data-dir", str(data), "run", "--smoke"]
        # The first start does the auto sign-out and reads the file into the page cache.
        subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
        # A fresh process, as the kiosk starts: imports included.
        subprocess.run(
            [sys.executable, "-m", "pyinstrument", "--interval", "0.001", *args],
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
