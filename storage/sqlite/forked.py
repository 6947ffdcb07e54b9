"""A large export split between processes: SQLite builds an export's text on one core per
connection (threads would queue on its allocator's lock), so each range of sign-ins but the
first goes to a helper process forked from this one, with a connection of its own, writing to
a private temporary file in the database's folder (deleted from the folder while it is
written, so nothing is left behind if the export is stopped), while this process writes the
first range; the helpers' files follow, in order. A helper that fails fails the export."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, NoReturn

import sqlite_utils

from kiosk.domain.errors import StorageError
from storage.sqlite.database import connect

log = logging.getLogger(__name__)

Write = Callable[[bytes], object]
# One range of an export: (db, start, end, write) writes the range's bytes and returns a short
# report of what it wrote (a count, sizes), as text.
Part = Callable[[sqlite_utils.Database, str, str, Write], str]
_REPORT_BYTES = 256


def write_in_parts(
    db: sqlite_utils.Database, database: Path, bounds: Sequence[str], part: Part, write: Write
) -> list[str]:
    """`part` over each range bounds[k] <= signed_in_at < bounds[k + 1]: the first here on
    `db`, the others in helper processes; every range's bytes to `write`, in order. Returns
    the parts' reports, in order."""
    with contextlib.ExitStack() as stack:
        running: list[int] = []
        stack.callback(_stop, running)
        helpers: list[tuple[int, IO[bytes], int]] = []
        for low, high in itertools.pairwise(bounds[1:]):
            spool = stack.enter_context(tempfile.TemporaryFile(dir=database.parent))
            report, reported = os.pipe()
            stack.callback(os.close, report)
            pid = os.fork()
            if pid == 0:
                _helper(database, low, high, part, spool, reported)  # never returns
            os.close(reported)
            running.append(pid)
            helpers.append((pid, spool, report))
        reports = [part(db, bounds[0], bounds[1], write)]
        for pid, part_file, report in helpers:
            status = os.waitpid(pid, 0)[1]
            running.remove(pid)
            said = os.read(report, _REPORT_BYTES)
            if os.waitstatus_to_exitcode(status) != 0 or not said:
                raise StorageError("the export could not read the database (see the log)")
            reports.append(said.decode())
            part_file.seek(0)
            while chunk := part_file.read(1 << 20):
                write(chunk)
        return reports


def _stop(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _helper(
    database: Path, start: str, end: str, part: Part, spool: IO[bytes], reported: int
) -> NoReturn:
    """In a forked helper: one range into `spool`, its report into the pipe. Leaves by
    os._exit, so nothing of the parent's (buffers, atexit) runs twice."""
    code = 1
    try:
        db = connect(database)
        said = part(db, start, end, spool.write)
        spool.flush()
        os.write(reported, said.encode())
        code = 0
    except BaseException as exc:  # the parent sees the exit code and fails the export
        log.error("export helper failed: %s", type(exc).__name__)
    finally:
        os._exit(code)
