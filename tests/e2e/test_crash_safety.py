"""Power cuts and crashes: a kiosk signing visitors in through its real window is killed with
SIGKILL at random moments, 50 times over two data folders. After every kill, SQLite's
integrity_check says ok and every visitor who saw the done screen is in the database."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

SIGNER = Path(__file__).resolve().parent.parent / "crash_signer.py"
KILLS = 50
FOLDERS = 2  # killed side by side, to use two cores


def start(data: Path, run: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(SIGNER), str(data), str(data.parent / "confirmed.txt"), str(run)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stored_names(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {row[0] for row in db.execute("SELECT visitor_name FROM visits")}


@pytest.mark.slow
def test_every_confirmed_visit_survives_sigkill_at_random_moments(tmp_path: Path) -> None:
    chance = random.Random(20261122)
    folders = [tmp_path / f"kiosk{n}" / "data" for n in range(FOLDERS)]
    for folder in folders:
        folder.mkdir(parents=True)
    confirmed_total = 0
    for round_ in range(KILLS // FOLDERS):
        running = [start(folder, round_) for folder in folders]
        # From the middle of start-up to several sign-ins in.
        time.sleep(chance.uniform(0.3, 2.5))
        for process in running:
            process.send_signal(signal.SIGKILL)
        for process, folder in zip(running, folders, strict=True):
            process.wait(timeout=30)
            _, errors = process.communicate()
            assert process.returncode == -signal.SIGKILL, errors.decode(errors="replace")
            confirmed = set((folder.parent / "confirmed.txt").read_text().split("\n")) - {""}
            missing = confirmed - stored_names(folder / "kiosk.db")
            assert not missing, f"confirmed but lost after kill {round_}: {sorted(missing)}"
            confirmed_total = max(confirmed_total, len(confirmed))
    assert confirmed_total > 20  # the kills came after real sign-ins, not only during start-up
