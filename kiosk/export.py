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
from datetime import date
from enum import StrEnum
from typing import Any, TextIO

from kiosk.clock import from_db, local_day_bounds, to_db, to_local_iso
from storage.visits import VISIT_COLUMNS, VisitRow, VisitStore

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
    with closing(store.signed_in_between(to_db(start), to_db(end))) as rows:
        records = export_records(rows)
        if progress is not None:
            total = store.count_signed_in_between(to_db(start), to_db(end))
            records = _reporting(records, total, progress)
        if fmt is ExportFormat.CSV:
            return write_csv(records, out)
        return write_json(records, out)


def _reporting(records: Iterator[list[Any]], total: int, progress: Progress) -> Iterator[list[Any]]:
    done = 0
    progress(0, total)
    for record in records:
        yield record
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, max(total, done))
