"""The access log's workbook from SQLite, fast: the sheet's rows come from SQLite itself
(`storage.sqlite.xlsx_rows`), checked a batch at a time, compressed as they come, and a large
export from the command line is split between processes (`storage.sqlite.forked`), each
compressing its own range into a piece of the sheet (`storage.sqlite.zip_pieces`). Memory
stays flat: a batch of rows and a compressor per process.

The sheet's XML is the very bytes `kiosk.domain.workbook.write_xlsx` writes for the same
visits, and the other parts are that module's (a test holds the two together); only the ZIP
around them is this module's own."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import IO

import sqlite_utils

from kiosk.domain.access_log import EXPORT_COLUMNS, Progress, visit_record
from kiosk.domain.workbook import (
    EPOCH,
    MAX_RECORDS,
    SHEET_PART,
    SHEET_TAIL,
    TIME_COLUMNS,
    WorkbookTooLarge,
    sheet_head,
    sheet_row,
    time_flags,
    workbook_parts,
)
from storage.sqlite.csv_lines import (
    offset_periods,
    split_points,
    visits_by_id,
    whole_hours,
)
from storage.sqlite.forked import Write, write_in_parts
from storage.sqlite.times import to_db
from storage.sqlite.visits import SqliteVisits
from storage.sqlite.xlsx_rows import SheetBatch, SheetHour, batch_rows, sheet_batches_between
from storage.sqlite.zip_pieces import Deflater, Piece, ZipWriter, joined

# From this many visits on, a workbook export is worth splitting between processes.
SPLIT_ROWS = 200_000
SHEET_NAME = "Visits"
_TIMES = time_flags(EXPORT_COLUMNS, TIME_COLUMNS)


def export_xlsx(
    db: sqlite_utils.Database,
    path: Path,
    start: datetime,
    end: datetime,
    out: IO[bytes],
    progress: Progress | None = None,
    processes: int = 1,
) -> int:
    """The visits with start <= signed_in_at < end as the access log's workbook, written to
    `out` front to back; returns how many. WorkbookTooLarge, before anything is written, if
    they do not fit one sheet. `progress(done, total)` every few thousand rows and at the
    end, if given; without it a large export may use up to `processes` processes."""
    low, high = to_db(start), to_db(end)
    total = SqliteVisits(db).count_signed_in_between(start, end)
    if total > MAX_RECORDS:
        raise WorkbookTooLarge(total)
    hours = _sheet_hours(db, low, high)
    book = ZipWriter(out.write)
    for name, data in workbook_parts(SHEET_NAME):
        book.add(name, data)
    book.start(SHEET_PART)
    head = Deflater(book.write)
    head.add(sheet_head(EXPORT_COLUMNS))
    pieces = [head.end()]
    if processes > 1 and progress is None and hasattr(os, "fork"):
        count, body = _rows_split(db, path, low, high, hours, book.write, processes)
    else:
        count, piece = _rows(db, low, high, hours, book.write, progress, total)
        body = [piece]
    if count > MAX_RECORDS:  # visits signed in while it ran
        raise WorkbookTooLarge(count)
    tail = Deflater(book.write)
    tail.add(SHEET_TAIL)
    book.finish(joined([*pieces, *body, tail.end(last=True)]))
    book.close()
    return count


# -- the rows ----------------------------------------------------------------------------------


def _rows(
    db: sqlite_utils.Database,
    start: str,
    end: str,
    hours: list[SheetHour],
    write: Write,
    progress: Progress | None = None,
    total: int = 0,
) -> tuple[int, Piece]:
    """The rows of one range as one compressed piece: how many, and the piece."""
    deflater = Deflater(write)
    count = 0
    if progress is not None:
        progress(0, total)
    for batch in sheet_batches_between(db, start, end, hours):
        if _plain(batch.text, batch.rows, batch.open):
            deflater.add(batch.text.replace(b"&", b"&amp;"))
            count += batch.rows
        else:
            rows = _checked(db, batch)
            deflater.add(b"".join(rows))
            count += len(rows)
        if progress is not None:
            progress(count, max(total, count))
    return count, deflater.end()


def _checked(db: sqlite_utils.Database, batch: SheetBatch) -> list[bytes]:
    """The batch's rows, each SQLite's own if it is plain, else written again from its visit
    by the reference's rules (a visit deleted meanwhile is left out)."""
    rows = batch_rows(db, batch)
    redo = [visit_id for visit_id, row, still_open in rows if not _plain(row, 1, still_open)]
    visits = visits_by_id(db, redo) if redo else {}
    checked = []
    for visit_id, row, still_open in rows:
        if visit_id in visits:
            checked.append(sheet_row(visit_record(visits[visit_id]), _TIMES))
        elif _plain(row, 1, still_open):
            checked.append(row.replace(b"&", b"&amp;"))
    return checked


# Bytes that mark a batch to look at again: control characters (SQLite's mark among them),
# < and > (counted: the markup's own are known), and 0xEF, which begins U+F000..U+FFFF in
# UTF-8 (U+FFFE and U+FFFF among them, which XML cannot hold).
_CONTROLS = bytes(range(0x20)) + b"<>"
_UNUSUAL = _CONTROLS + b"\xef"
_NOT_XML = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# A value that ends with a space (it needs xml:space). (A pattern: faster than `in` here.)
_SPACE_AT_END = re.compile(rb" </t>")


def _angles(signed_out: str | None) -> int:
    """How many < and > a row of plain values holds (each cell's markup is fixed)."""
    time = "2026-01-01T00:00:00+00:00"
    method = None if signed_out is None else "kiosk"
    record = [1, "a", "a", "a", "a", time, signed_out, method, "a", "a", "a"]
    row = sheet_row(record, _TIMES)
    return row.count(b"<") + row.count(b">")


_ANGLES_CLOSED = _angles("2026-01-01T00:00:00+00:00")
_ANGLES_OPEN = _angles(None)


def _plain(text: bytes, rows: int, still_open: int) -> bool:
    """Whether SQLite's `rows` rows (`still_open` of them open visits) are the rows
    themselves, once their & are escaped."""
    markup = rows * _ANGLES_CLOSED - still_open * (_ANGLES_CLOSED - _ANGLES_OPEN)
    unusual = len(text) - len(text.translate(None, _UNUSUAL))
    if unusual != markup:
        if len(text) - len(text.translate(None, _CONTROLS)) != markup:
            return False
        if any(character in text for character in _NOT_XML):
            return False
    return _SPACE_AT_END.search(text) is None


# -- several processes -------------------------------------------------------------------------


def _rows_split(
    db: sqlite_utils.Database,
    database: Path,
    start: str,
    end: str,
    hours: list[SheetHour],
    write: Write,
    processes: int,
) -> tuple[int, list[Piece]]:
    """The rows of a large export from several processes, one piece each, in order."""
    points = split_points(db, start, end, processes, SPLIT_ROWS)
    if not points:
        count, piece = _rows(db, start, end, hours, write)
        return count, [piece]

    def part(db: sqlite_utils.Database, low: str, high: str, write: Write) -> str:
        count, piece = _rows(db, low, high, hours, write)
        return f"{count} {piece.report()}"

    reports = write_in_parts(db, database, [start, *points, end], part, write)
    counts_and_pieces = [said.split(" ", 1) for said in reports]
    return (
        sum(int(count) for count, _ in counts_and_pieces),
        [Piece.from_report(piece) for _, piece in counts_and_pieces],
    )


# -- local time --------------------------------------------------------------------------------

_DAY_SECONDS = 86400


def _sheet_hours(db: sqlite_utils.Database, start: str, end: str) -> list[SheetHour]:
    """Each UTC hour over the export's times whose UTC offset is the same all hour long and
    that lies whole inside one local day, with that day (Excel's number) and the local second
    of the day it begins at. (A time past them is written by Python, with its batch.)"""
    hours: list[SheetHour] = []
    for since, until, offset in offset_periods(db, start, end):
        for hour in whole_hours(since, until):
            local = hour + offset
            second = local.hour * 3600 + local.minute * 60 + local.second
            if second + 3600 <= _DAY_SECONDS:
                hours.append((hour.isoformat()[:13], (local.date() - EPOCH).days, second))
    return hours
