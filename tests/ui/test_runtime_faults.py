"""Faults while the kiosk runs: the disk fills up, the data folder turns read-only, another
process holds the database locked. Each time the visitor gets the calm "please register at
reception" in their own language and keeps what they typed, the cause is logged, no visit is
half-written, and the next try works by itself once the fault has cleared.

The disk is a small tmpfs mounted for the test, so the faults are the real ones (ENOSPC,
EROFS). Mounting needs root, as `make test` under CI runs; elsewhere these two skip."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, drop_worker_connection, fill_and_submit, wait_for_screen

from kiosk.bootstrap import read_settings
from storage.sqlite.database import BUSY_TIMEOUT_S
from ui.main_window import KioskWindow

NAME = "Maartje van den Heuvel"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs of the test's own."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("these tests mount a small disk: run make test as root under CI")
        pytest.skip("mounting a small disk needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.fixture
def data_dir(disk: Path) -> Path:
    path = disk / "data"
    path.mkdir()
    return path


def stored(data_dir: Path) -> list[str]:
    """The names in the database file, looked at from outside the kiosk."""
    paths, _config = read_settings(data_dir)
    with closing(sqlite3.connect(paths.database)) as db:
        return [row[0] for row in db.execute("SELECT visitor_name FROM visits")]


def refused_in_dutch(qtbot: QtBot, window: KioskWindow) -> None:
    window.welcome.language_buttons["nl"].click()
    fill_and_submit(qtbot, window, NAME, "Heuvel Installatietechniek")
    timeout = int(BUSY_TIMEOUT_S * 1000) + 10_000
    qtbot.waitUntil(lambda: bool(window.details.error.text()), timeout=timeout)
    assert window.session.language == "nl"
    assert window.details.error.text() == window.catalog.text("error.storage")
    assert "receptie" in window.details.error.text()
    assert window.details.inputs["visitor_name"].text() == NAME
    assert window.details.submit.isEnabled()


def logged(caplog: pytest.LogCaptureFixture, *causes: str) -> bool:
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    return any(cause in str(r.exc_info[1]) for r in failures for cause in causes)


def fill_up(path: Path) -> int:
    """Write to `path` until the disk is full; returns the error number that stopped it."""
    with path.open("wb") as file:
        try:
            while True:
                file.write(b"\0" * 65536)
                file.flush()
        except OSError as exc:
            return exc.errno or 0


def accepted_on_retry(qtbot: QtBot, window: KioskWindow, data_dir: Path) -> None:
    window.details.submit.click()
    wait_for_screen(qtbot, window, "done")
    qtbot.waitUntil(lambda: window.worker.pending == 0)
    assert stored(data_dir) == [NAME]  # once: the failed try left nothing behind


def test_a_full_disk(
    qtbot: QtBot,
    make_window: MakeWindow,
    disk: Path,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window()
    filler = disk / "filler"
    assert fill_up(filler) == errno.ENOSPC
    refused_in_dutch(qtbot, window)
    assert logged(caplog, "database or disk is full", "disk I/O error")

    filler.unlink()  # space again
    accepted_on_retry(qtbot, window, data_dir)


def test_a_read_only_data_folder(
    qtbot: QtBot,
    make_window: MakeWindow,
    disk: Path,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window()
    # The system turns a file system read-only under running programs (errors=remount-ro);
    # a test can only remount one with no file open for writing: the kiosk's connection
    # and its log file are closed first, and are opened again when next needed.
    drop_worker_connection(qtbot, window)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.close()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    try:
        refused_in_dutch(qtbot, window)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    assert logged(caplog, "readonly", "read-only", "disk I/O error", "unable to open")
    accepted_on_retry(qtbot, window, data_dir)


LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_database_locked_by_another_process(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.worker.pending == 0)
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(data_dir / "kiosk.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"
        refused_in_dutch(qtbot, window)
    finally:
        locker.communicate("")  # the other process lets go
    assert logged(caplog, "database is locked")
    accepted_on_retry(qtbot, window, data_dir)
