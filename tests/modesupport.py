"""Looking at who may open what the kiosk wrote: every folder 0700 and every file 0600.
Import with `from modesupport import ...`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """The process's umask is `mask` inside the block, and what it was afterwards."""
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def not_private(root: Path, *, besides: frozenset[Path] = frozenset()) -> list[str]:
    """Each folder under `root` (itself included) that is not 0700 and each file that is
    not 0600, as "path 0o755"; `besides` are left out (files that are not the kiosk's)."""
    found = []
    for folder, _, files in os.walk(root):
        where = Path(folder)
        if mode(where) != 0o700:
            found.append(f"{where} {mode(where):#o}")
        for name in files:
            path = where / name
            if path not in besides and mode(path) != 0o600:
                found.append(f"{path} {mode(path):#o}")
    return found


def all_paths(root: Path) -> set[str]:
    """Every folder and file under `root`, relative to it."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# A process that writes to the database and dies without closing it, so its -wal and -shm
# stay beside the file, as after a crash or a power cut.
_CRASH = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("INSERT INTO notices VALUES ('crashed', 'en', 'text', '2026-01-01T00:00:00Z')")
os._exit(0)
"""


def crash_leaving_wal(database: Path) -> None:
    subprocess.run([sys.executable, "-c", _CRASH, str(database)], check=True, timeout=60)
    assert database.with_name(database.name + "-wal").exists()
