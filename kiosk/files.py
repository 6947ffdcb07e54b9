"""Writing files that must never be seen half-written: a temporary file beside the target,
fsynced, then renamed over it. The file is readable by the kiosk's user only (mkstemp's
0600): exports and reports hold personal data."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO


@contextlib.contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content appears at `path` only once complete."""
    with _atomic(path, "w", encoding="utf-8", newline="") as stream:
        yield stream


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with _atomic(path, "wb") as stream:
        stream.write(data)


@contextlib.contextmanager
def _atomic(path: Path, mode: str, **options: Any) -> Iterator[Any]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **options) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
