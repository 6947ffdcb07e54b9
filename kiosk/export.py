"""The access-log export: one record per visit, in the contract's column order, streamed.

CSV is UTF-8, RFC 4180 (CRLF line ends, fields quoted when needed). A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, the OWASP advice: spreadsheets show it as text, and `'` is easy to strip back off.
JSON is one array with one object per line; its values are exactly what was stored.
Times are ISO 8601 in the kiosk's local time with the UTC offset.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TextIO, TypeVar

from kiosk.clock import from_db, local_day_bounds, to_db, to_local_iso, utc_offsets
from storage.export import csv_lines_between, sign_in_span
from storage.visits import VISIT_COLUMNS, VisitRow, VisitStore

T = TypeVar("T")

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
        writer.writerow(
            ["" if v is None else formula_safe(v) if isinstance(v, str) else v for v in record]
        )
        count += 1
    return count


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
PROGRESS_EVERY = 2000


def export_visits(
    store: VisitStore,
    first: date,
    last: date,
    fmt: ExportFormat,
    out: TextIO,
    progress: Progress | None = None,
) -> int:
    """Write the visits that signed in on the local days first..last (inclusive) to `out`;
    returns how many. `progress(done, total)` is called every few thousand rows and at the
    end, if given."""
    if last < first:
        raise ValueError("the end date is before the start date")
    start, end = local_day_bounds(first, last)
    total = None
    if progress is not None:
        total = store.count_signed_in_between(to_db(start), to_db(end))
    planned = _sql_offsets(store, to_db(start), to_db(end)) if fmt is ExportFormat.CSV else None
    if planned is not None:
        offsets, covered_until = planned
        # SQLite writes each line (storage/export.py): the same bytes as write_csv, faster.
        csv.writer(out, lineterminator="\r\n").writerow(EXPORT_COLUMNS)
        lines: Iterator[str] = csv_lines_between(
            store.db, EXPORT_COLUMNS, to_db(start), to_db(end), offsets, covered_until
        )
        if progress is not None and total is not None:
            lines = _reporting(lines, total, progress)
        count = 0
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) == 2000:
                out.write("\r\n".join(batch))
                out.write("\r\n")
                count += len(batch)
                batch.clear()
        if batch:
            out.write("\r\n".join(batch))
            out.write("\r\n")
            count += len(batch)
        return count
    with closing(store.signed_in_between(to_db(start), to_db(end))) as rows:
        records: Iterator[list[Any]] = export_records(rows)
        if progress is not None and total is not None:
            records = _reporting(records, total, progress)
        if fmt is ExportFormat.CSV:
            return write_csv(records, out)
        return write_json(records, out)


# Offsets are found for the sign-ins' span and this long after it (sign-outs come later);
# a time past that is converted by SQLite itself, one by one.
_SIGN_OUT_MARGIN = timedelta(days=400)


def _sql_offsets(
    store: VisitStore, start: str, end: str
) -> tuple[list[tuple[str, int]], str] | None:
    """The UTC offsets (whole minutes) over the export's times, for SQLite to apply, and
    the stored time until which they hold; None when Python must format the times itself
    (an offset with seconds, as zones had before about 1940, or a span too long to scan)."""
    span = sign_in_span(store.db, start, end)
    if span is None:
        return [("", 0)], "9999"
    first, last = from_db(span[0]), from_db(span[1])
    if last - first > timedelta(days=366 * 200):
        return None
    until = last + _SIGN_OUT_MARGIN
    offsets = []
    for index, (since, offset) in enumerate(utc_offsets(first, until)):
        seconds = int(offset.total_seconds())
        if seconds % 60:
            return None
        offsets.append(("" if index == 0 else to_db(since), seconds // 60))
    return offsets, to_db(until)


def _reporting(records: Iterator[T], total: int, progress: Progress) -> Iterator[T]:
    done = 0
    progress(0, total)
    for record in records:
        yield record
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, max(total, done))
