"""Writing files that must never be seen half-written, as text or bytes (storage.files:
a private temporary file beside the target, flushed, then renamed over it). Exports and
reports hold personal data: the file is readable by the kiosk's user only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from storage.files import whole_file


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
    with whole_file(path) as part, part.open(mode, **options) as stream:
        yield stream
