"""The access-log export: one record per visit, in the contract's column order, streamed.

CSV is UTF-8, RFC 4180 (CRLF line ends, fields quoted when needed). A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, the OWASP advice: spreadsheets show it as text, and `'` is easy to strip back off.
JSON is one array with one object per line; its values are exactly what was stored.
Times are ISO 8601 in the kiosk's local time with the UTC offset.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import logging
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO, TypeVar

from kiosk.domain.clock import from_db, local_day_bounds, to_db, to_local_iso, utc_offsets
from storage.database import connect
from storage.export import (
    LocalHour,
    batch_lines,
    csv_batches_between,
    database_file,
    rows_by_id,
    sign_in_span,
    split_points,
)
from storage.integrity import StorageError
from storage.visits import VISIT_COLUMNS, VisitRow, VisitStore

T = TypeVar("T")
log = logging.getLogger(__name__)

EXPORT_COLUMNS = VISIT_COLUMNS
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TIME_COLUMNS = (VISIT_COLUMNS.index("signed_in_at"), VISIT_COLUMNS.index("signed_out_at"))


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def formula_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_records(rows: Iterable[VisitRow]) -> Iterator[list[Any]]:
    """Stored rows as export records: times in local ISO 8601, None for an open visit."""
    for row in rows:
        record = list(row)
        for index in _TIME_COLUMNS:
            if record[index] is not None:
                record[index] = to_local_iso(from_db(record[index]))
        yield record


def write_csv(
    records: Iterable[list[Any]], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS
) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow(_csv_cells(record))
        count += 1
    return count


def _csv_cells(record: list[Any]) -> list[Any]:
    return ["" if v is None else formula_safe(v) if isinstance(v, str) else v for v in record]


def write_json(
    records: Iterable[list[Any]], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS
) -> int:
    out.write("[")
    count = 0
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(dict(zip(columns, record, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


Progress = Callable[[int, int], None]  # rows written so far, rows in all
Write = Callable[[bytes], object]
PROGRESS_EVERY = 2000


def export_visits(
    store: VisitStore,
    first: date,
    last: date,
    fmt: ExportFormat,
    out: TextIO,
    progress: Progress | None = None,
    processes: int = 1,
) -> int:
    """Write the visits that signed in on the local days first..last (inclusive) to `out`;
    returns how many. `progress(done, total)` is called every few thousand rows and at the
    end, if given. A large CSV export without progress may use up to `processes` processes
    (see _write_split)."""
    if last < first:
        raise ValueError("the end date is before the start date")
    start, end = local_day_bounds(first, last)
    total = None
    if progress is not None:
        total = store.count_signed_in_between(to_db(start), to_db(end))
    hours = _local_hours(store, to_db(start), to_db(end)) if fmt is ExportFormat.CSV else None
    if hours is not None:
        csv.writer(out, lineterminator="\r\n").writerow(EXPORT_COLUMNS)
        write = _utf8_writer(out)
        if processes > 1 and progress is None and hasattr(os, "fork"):
            return _write_split(store, to_db(start), to_db(end), hours, write, processes)
        return _write_sql_lines(store, to_db(start), to_db(end), hours, write, progress, total)
    with closing(store.signed_in_between(to_db(start), to_db(end))) as rows:
        records: Iterator[list[Any]] = export_records(rows)
        if progress is not None and total is not None:
            records = _reporting(records, total, progress)
        if fmt is ExportFormat.CSV:
            return write_csv(records, out)
        return write_json(records, out)


# The hours table covers the sign-ins' span and this long after it, for the sign-outs; a
# time past it is converted by SQLite itself, exactly but more slowly.
_SIGN_OUT_MARGIN = timedelta(days=2)
_MOST_HOURS = 24 * 366 * 10
_HOUR = timedelta(hours=1)


def _local_hours(store: VisitStore, start: str, end: str) -> list[LocalHour] | None:
    """For SQLite's lines (storage/export.py): each UTC hour over the export's times whose
    offset is whole hours and the same all hour long, with its local hour and offset. None
    when Python must format the times itself: an offset with seconds, as zones had before
    about 1940, which SQLite cannot write."""
    span = sign_in_span(store.db, start, end)
    if span is None:
        return []
    first = from_db(span[0]).replace(minute=0, second=0, microsecond=0)
    last = min(from_db(span[1]) + _SIGN_OUT_MARGIN, first + _MOST_HOURS * _HOUR)
    changes = utc_offsets(first, last)
    hours: list[LocalHour] = []
    for (since, offset), (until, _) in zip(
        changes, [*changes[1:], (last + _HOUR, None)], strict=True
    ):
        seconds = int(offset.total_seconds())
        if seconds % 60:
            return None
        if seconds % 3600:
            continue
        text = _offset_text(seconds // 60)
        # The whole hours inside [since, until).
        hour = since.replace(minute=0, second=0, microsecond=0)
        if hour < since:
            hour += _HOUR
        while hour + _HOUR <= until:
            hours.append((hour.isoformat()[:13], (hour + offset).isoformat()[:13], text))
            hour += _HOUR
    return hours


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# A line as SQLite joins it (storage/export.py) is the CSV line itself when it has exactly
# one comma between each two fields and no quote mark (SQLite's sign of a possible formula),
# carriage return or line feed in it.
_NOT_PLAIN = (b'"', b"\r", b"\n")
_COMMAS = len(EXPORT_COLUMNS) - 1


def _plain(line: bytes) -> bool:
    return line.count(b",") == _COMMAS and not any(mark in line for mark in _NOT_PLAIN)


def _write_sql_lines(
    store: VisitStore,
    start: str,
    end: str,
    hours: list[LocalHour],
    write: Write,
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """The CSV body from SQLite's lines: each batch is checked as one text (a few scans in
    C); in a batch that is not plain, the lines that need quoting or a formula guard are
    written again from their rows by write_csv's rules."""
    count = 0
    if progress is not None and total is not None:
        progress(0, total)
    for batch in csv_batches_between(store.db, start, end, hours):
        text = batch.text
        if not _plain_batch(text, batch.lines):
            text = b"\r\n".join(_checked(store, batch_lines(store.db, batch)))
        write(text + b"\r\n")
        count += batch.lines
        if progress is not None and total is not None:
            progress(count, max(total, count))
    return count


def _plain_batch(text: bytes, lines: int) -> bool:
    return (
        text.count(b",") == _COMMAS * lines
        and text.count(b"\r") == text.count(b"\n") == lines - 1
        and b'"' not in text
    )


def _checked(store: VisitStore, lines: list[bytes]) -> list[bytes]:
    # Line index -> visit id, the line's first field (after SQLite's quote mark, if any).
    redo = {
        index: int(line.removeprefix(b'"').partition(b",")[0])
        for index, line in enumerate(lines)
        if not _plain(line)
    }
    rows = rows_by_id(store.db, list(redo.values()))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # also what makes CR and LF quoted
    for index, visit_id in redo.items():
        (record,) = export_records([rows[visit_id]])
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_csv_cells(record))
        lines[index] = buffer.getvalue().removesuffix("\r\n").encode()
    return lines


def _utf8_writer(out: TextIO) -> Write:
    """Writes UTF-8 bytes to `out`: straight to its byte stream when it has one that takes
    UTF-8 (a file or stdout), else decoded (a StringIO)."""
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name == "utf-8":
        out.flush()
        return out.buffer.write
    return lambda data: out.write(data.decode())


# From this many visits on, a CSV export is worth splitting between processes.
SPLIT_ROWS = 200_000


def _write_split(
    store: VisitStore, start: str, end: str, hours: list[LocalHour], write: Write, processes: int
) -> int:
    """The CSV body from several processes, for a large export: SQLite builds lines on one
    core per connection (threads would queue on its allocator's lock), so each helper
    process, forked from this one, writes one range of sign-ins to a private temporary file
    in the data folder, while this process writes the first range; their files follow, in
    order. A helper that fails fails the export."""
    database = database_file(store.db)
    points = split_points(store.db, start, end, processes, SPLIT_ROWS)
    if database is None or not points:
        return _write_sql_lines(store, start, end, hours, write)
    bounds = [start, *points, end]
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
                _helper(database, low, high, hours, spool, reported)  # never returns
            os.close(reported)
            running.append(pid)
            helpers.append((pid, spool, report))
        count = _write_sql_lines(store, bounds[0], bounds[1], hours, write)
        for pid, part, report in helpers:
            status = os.waitpid(pid, 0)[1]
            running.remove(pid)
            rows = os.read(report, 32)
            if os.waitstatus_to_exitcode(status) != 0 or not rows:
                raise StorageError("the export could not read the database (see the log)")
            count += int(rows)
            part.seek(0)
            while chunk := part.read(1 << 20):
                write(chunk)
        return count


def _stop(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _helper(
    database: Path, start: str, end: str, hours: list[LocalHour], spool: IO[bytes], reported: int
) -> NoReturn:
    """In a forked helper: the CSV body of one range into `spool`, its row count into the
    pipe. Leaves by os._exit, so nothing of the parent's (buffers, atexit) runs twice."""
    code = 1
    try:
        db = connect(database)
        count = _write_sql_lines(VisitStore(db), start, end, hours, spool.write)
        spool.flush()
        os.write(reported, str(count).encode())
        code = 0
    except BaseException as exc:  # the parent sees the exit code and fails the export
        log.error("export helper failed: %s", type(exc).__name__)
    finally:
        os._exit(code)


def _reporting(records: Iterator[T], total: int, progress: Progress) -> Iterator[T]:
    done = 0
    progress(0, total)
    for record in records:
        yield record
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, max(total, done))
