"""Files that must never be seen half-written, and what an interrupted write leaves behind.

A file is written under a private temporary name beside its target (readable by this user
only: these files hold personal data), flushed to disk, then renamed over the target, and the
folder is flushed too so the rename survives a power cut. A crash in the middle leaves only
the temporary `.part` file; `remove_leftovers` deletes those once no write can still own
them."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PART_SUFFIX = ".part"
# A temporary file this old belongs to a write that was interrupted, not one under way.
LEFTOVER_AFTER_S = 3600


@contextlib.contextmanager
def whole_file(target: Path) -> Iterator[Path]:
    """A private, empty temporary file beside `target`, to write to; it becomes `target` only
    when the block completes, and is removed if the block fails."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX, dir=target.parent)
    os.close(fd)
    part = Path(name)
    try:
        yield part
        with part.open("rb+") as file:
            os.fsync(file.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def leftovers(folder: Path, now: float | None = None) -> list[Path]:
    """The temporary files of interrupted writes in `folder`."""
    limit = (time.time() if now is None else now) - LEFTOVER_AFTER_S
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        if name.startswith(".") and name.endswith(PART_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                if (folder / name).stat().st_mtime < limit:
                    found.append(folder / name)
    return found


def remove_leftovers(folder: Path, now: float | None = None) -> int:
    """Delete the temporary files of interrupted writes in `folder`; returns how many."""
    found = leftovers(folder, now)
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)
