"""`visitor-kiosk restore` and the one-kiosk-per-data-folder lock, as real processes."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from clisupport import Cli, kiosk_is_up, ok
from dbsupport import damage_a_table_page, digest, settle

DEMO = ("demo", "--visits", "3000", "--days", "20", "--seed", "7")


def test_a_damaged_database_is_set_aside_and_the_newest_sound_backup_restored(
    cli: Cli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    ok(cli("--data-dir", data, "purge"))  # the cleanup makes the first backup
    (backup,) = (data / "backups").iterdir()
    database = settle(data)
    damage_a_table_page(database)
    damaged = digest(database)
    assert cli("--data-dir", data, "run", "--smoke").returncode == 1

    result = ok(cli("--data-dir", data, "restore"))

    assert backup.name in result.stdout
    assert ok(cli("--data-dir", data, "check")).stdout.strip().endswith(": ok")
    ok(cli("--data-dir", data, "run", "--smoke"))
    aside = [p for p in (data / "damaged").iterdir() if p.suffix == ".db"]
    assert [digest(p) for p in aside] == [damaged]


def test_restore_without_a_backup_says_so_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    before = digest(settle(data))
    result = cli("--data-dir", data, "restore")
    assert result.returncode == 1
    assert "no sound backup" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(data / "kiosk.db") == before


def held_within(lock: Path, seconds: float) -> bool:
    """Whether another process takes the lock on `lock` within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lock.exists():
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            finally:
                os.close(fd)  # also lets go of the lock if this process got it
        time.sleep(0.05)  # another process's start-up, not this one's events
    return False


def test_restore_and_a_second_kiosk_wait_for_the_running_one(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    ok(cli("--data-dir", data, "purge"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    running = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "run", "--windowed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert held_within(data / "kiosk.lock", seconds=30)
        deadline = time.monotonic() + 30
        while not kiosk_is_up(data / "logs" / "kiosk.log") and time.monotonic() < deadline:
            time.sleep(0.1)  # another process's start-up
        for args in (("restore",), ("run", "--smoke")):
            result = cli("--data-dir", data, *args)
            assert result.returncode == 1
            assert "a kiosk is running" in result.stderr
    finally:
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=30) == 0
    ok(cli("--data-dir", data, "restore"))
