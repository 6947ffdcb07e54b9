"""One kiosk per data folder: `run` holds an advisory lock on `<data dir>/kiosk.lock` for as
long as it runs (the system releases it when the process ends, however it ends), and
`restore`, which replaces the database file, takes the same lock first."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.settings.files import PRIVATE_FILE, private_folder, tighten


class KioskRunning(RuntimeError):
    pass


@contextmanager
def only_instance(data_dir: Path) -> Iterator[None]:
    private_folder(data_dir)
    lock = data_dir / "kiosk.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        tighten(lock)  # under umask 000, or left 0644 by an older version
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KioskRunning(f"a kiosk is running on {data_dir}: stop it first") from None
        yield
    finally:
        os.close(fd)
