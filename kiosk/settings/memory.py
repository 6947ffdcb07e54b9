"""Giving memory that big jobs freed back to the system.

glibc's malloc keeps what a thread frees in that thread's arena for its next use. After the
daily backup of a million visits, or a purge, on a worker thread, an idle kiosk would hold on to
megabytes it no longer uses: 4 MB after the backup at start-up, measured by `make bench`.
`malloc_trim(0)` hands the free pages of every arena back. On a C library without it (musl,
macOS) there is nothing to do."""

from __future__ import annotations

import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # only once a big job is done, never at start-up

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already uses
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> None:
    """After a job that allocated much and freed it (a backup, a purge): the freed memory goes
    back to the system instead of staying with the process while it idles."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
