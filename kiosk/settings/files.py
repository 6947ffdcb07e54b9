"""Files that must never be seen half-written, what an interrupted write leaves behind, and
folders and files only the kiosk's user can open. Exports, reports, badges, backups and the
database itself hold personal data.

A file is written under a private temporary name beside its target (readable by this user
only: these files hold personal data), flushed to disk, then renamed over the target, and the
folder is flushed too so the rename survives a power cut. A crash in the middle leaves only
the temporary `.part` file; `remove_leftovers` deletes those once no write can still own
them.

Everything the kiosk keeps is for its own user only (0700 folders, 0600 files), whatever the
umask: `private_folder` and `private_file` make a folder or file with that mode (never the
defaults, 0777 and 0666 less the umask), and tighten one that exists wider (an older version
left the data dir 0755 and the database 0644), which making it again would leave as it is."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

PART_SUFFIX = ".part"
# A temporary file this old belongs to a write that was interrupted, not one under way.
LEFTOVER_AFTER_S = 3600
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """`path` as a folder only this user can open: made if missing (missing parents as
    usual: they are not the kiosk's), tightened if it exists wider."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    tighten(path, PRIVATE_FOLDER)
    return path


def private_file(path: Path) -> Path:
    """`path` as a file only this user can read and write: made empty if missing, tightened
    if it exists wider. An existing file is never opened: closing any descriptor of a SQLite
    database would drop the locks this process's connections hold on it."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    tighten(path, PRIVATE_FILE)
    return path


def tighten(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Give `path` exactly `mode` if it exists (one an older version left 0644, say);
    nothing if it does not."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(os.stat(path).st_mode) != mode:
            os.chmod(path, mode)


def tighten_tree(path: Path) -> None:
    """A folder and everything in it for this user only (folders 0700, files 0600), or one
    file; nothing if it does not exist. For what an older version left readable by others."""
    if not path.is_dir():
        tighten(path)
        return
    tighten(path, PRIVATE_FOLDER)
    for folder, folders, files in os.walk(path):
        for name in folders:
            tighten(Path(folder, name), PRIVATE_FOLDER)
        for name in files:
            tighten(Path(folder, name))


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


@contextlib.contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content appears at `path` only once complete."""
    with _atomic(path, "w", encoding="utf-8", newline="") as stream:
        yield stream


@contextlib.contextmanager
def atomic_binary_file(path: Path) -> Iterator[BinaryIO]:
    """A byte stream whose content appears at `path` only once complete."""
    with _atomic(path, "wb") as stream:
        yield stream


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with _atomic(path, "wb") as stream:
        stream.write(data)


@contextlib.contextmanager
def _atomic(path: Path, mode: str, **options: Any) -> Iterator[Any]:
    with whole_file(path) as part, part.open(mode, **options) as stream:
        yield stream
