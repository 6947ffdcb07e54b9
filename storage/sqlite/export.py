"""The access log's CSV from SQLite, fast: the lines come from SQLite itself
(`storage.sqlite.csv_lines`), checked a batch at a time, and a large export from the command
line is split between processes. The bytes are the ones `kiosk.domain.access_log.write_csv`
writes for the same visits (a test holds the two together for any text); where SQLite cannot
write the times (a zone whose offset has seconds, as before about 1940) that writer is used."""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

import sqlite_utils

from kiosk.domain.access_log import (
    EXPORT_COLUMNS,
    Progress,
    csv_cells,
    csv_header,
    visit_record,
    with_progress,
    write_csv,
)
from storage.sqlite.csv_lines import (
    LocalHour,
    batch_lines,
    csv_batches_between,
    offset_periods,
    split_points,
    visits_by_id,
    whole_hours,
)
from storage.sqlite.forked import write_in_parts
from storage.sqlite.times import to_db
from storage.sqlite.visits import SqliteVisits

Write = Callable[[bytes], object]
# From this many visits on, a CSV export is worth splitting between processes.
SPLIT_ROWS = 200_000


def export_csv(
    db: sqlite_utils.Database,
    path: Path,
    start: datetime,
    end: datetime,
    out: TextIO,
    progress: Progress | None = None,
    processes: int = 1,
) -> int:
    """The visits with start <= signed_in_at < end as CSV, header first; returns how many.
    `progress(done, total)` every few thousand rows and at the end, if given. Without
    progress, a large export may use up to `processes` processes (see _write_split)."""
    low, high = to_db(start), to_db(end)
    total = None
    if progress is not None:
        total = SqliteVisits(db).count_signed_in_between(start, end)
    hours = _local_hours(db, low, high)
    if hours is None:
        records: Iterator[list[object]] = (
            visit_record(v) for v in SqliteVisits(db).signed_in_between(start, end)
        )
        if progress is not None and total is not None:
            records = with_progress(records, total, progress)
        return write_csv(records, out)
    csv_header(out)
    write = _utf8_writer(out)
    if processes > 1 and progress is None and hasattr(os, "fork"):
        return _write_split(db, path, low, high, hours, write, processes)
    return _write_sql_lines(db, low, high, hours, write, progress, total)


def _local_hours(db: sqlite_utils.Database, start: str, end: str) -> list[LocalHour] | None:
    """For SQLite's lines: each UTC hour over the export's times whose offset is whole hours
    and the same all hour long, with its local hour and offset. None when Python must format
    the times itself: an offset with seconds, which SQLite cannot write."""
    hours: list[LocalHour] = []
    for since, until, offset in offset_periods(db, start, end):
        seconds = int(offset.total_seconds())
        if seconds % 60:
            return None
        if seconds % 3600:
            continue
        text = _offset_text(seconds // 60)
        hours.extend(
            (hour.isoformat()[:13], (hour + offset).isoformat()[:13], text)
            for hour in whole_hours(since, until)
        )
    return hours


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# A line as SQLite joins it is the CSV line itself when it has exactly one comma between each
# two fields and no quote mark (SQLite's sign of a possible formula), carriage return or line
# feed in it.
_NOT_PLAIN = (b'"', b"\r", b"\n")
_COMMAS = len(EXPORT_COLUMNS) - 1


def _plain(line: bytes) -> bool:
    return line.count(b",") == _COMMAS and not any(mark in line for mark in _NOT_PLAIN)


def _write_sql_lines(
    db: sqlite_utils.Database,
    start: str,
    end: str,
    hours: list[LocalHour],
    write: Write,
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """The CSV body from SQLite's lines: each batch is checked as one text (a few scans in
    C); in a batch that is not plain, the lines that need quoting or a formula guard are
    written again from their visits by write_csv's rules."""
    count = 0
    if progress is not None and total is not None:
        progress(0, total)
    for batch in csv_batches_between(db, start, end, hours):
        text = batch.text
        if not _plain_batch(text, batch.lines):
            text = b"\r\n".join(_checked(db, batch_lines(db, batch)))
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


def _checked(db: sqlite_utils.Database, lines: list[bytes]) -> list[bytes]:
    # Line index -> visit id, the line's first field (after SQLite's quote mark, if any).
    redo = {
        index: int(line.removeprefix(b'"').partition(b",")[0])
        for index, line in enumerate(lines)
        if not _plain(line)
    }
    visits = visits_by_id(db, list(redo.values()))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # also what makes CR and LF quoted
    for index, visit_id in redo.items():
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_cells(visit_record(visits[visit_id])))
        lines[index] = buffer.getvalue().removesuffix("\r\n").encode()
    return lines


def _utf8_writer(out: TextIO) -> Write:
    """Writes UTF-8 bytes to `out`: straight to its byte stream when it has one that takes
    UTF-8 (a file or stdout), else decoded (a StringIO)."""
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name == "utf-8":
        out.flush()
        return out.buffer.write
    return lambda data: out.write(data.decode())


def _write_split(
    db: sqlite_utils.Database,
    database: Path,
    start: str,
    end: str,
    hours: list[LocalHour],
    write: Write,
    processes: int,
) -> int:
    """The CSV body from several processes, for a large export (storage.sqlite.forked)."""
    points = split_points(db, start, end, processes, SPLIT_ROWS)
    if not points:
        return _write_sql_lines(db, start, end, hours, write)

    def part(db: sqlite_utils.Database, low: str, high: str, write: Write) -> str:
        return str(_write_sql_lines(db, low, high, hours, write))

    reports = write_in_parts(db, database, [start, *points, end], part, write)
    return sum(int(said) for said in reports)
