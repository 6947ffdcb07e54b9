"""The access log's record, as the contract fixes it: one record per visit, in
`EXPORT_COLUMNS` order, the same in CSV and JSON, from every engine and every front end.

CSV is UTF-8, RFC 4180 (CRLF line ends, fields quoted when needed). A cell that a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe, the OWASP advice: spreadsheets show it as text, and `'` is easy to strip back off.
JSON is one array with one object per line; its values are exactly what was stored. Times are
ISO 8601 in the kiosk's local time with the UTC offset; None (empty in CSV) for what is not
(yet) there."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO, TypeVar

from kiosk.domain.audit import AuditEntry
from kiosk.domain.clock import to_local_iso
from kiosk.domain.visit import Visit

EXPORT_COLUMNS = (
    "visit_id",
    "visitor_name",
    "company",
    "host",
    "purpose",
    "signed_in_at",
    "signed_out_at",
    "sign_out_method",
    "language",
    "notice_version",
    "kiosk_id",
)
T = TypeVar("T")
Progress = Callable[[int, int], None]  # records written so far, records in all
PROGRESS_EVERY = 2000
AUDIT_COLUMNS = ("audit_id", "at", "action", "detail", "visit_count", "visit_ids", "kiosk_id")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def visit_record(visit: Visit) -> list[Any]:
    """A visit as an export record, in `EXPORT_COLUMNS` order."""
    return [
        visit.visit_id,
        visit.visitor_name,
        visit.company,
        visit.host,
        visit.purpose,
        to_local_iso(visit.signed_in_at),
        None if visit.signed_out_at is None else to_local_iso(visit.signed_out_at),
        None if visit.sign_out_method is None else visit.sign_out_method.value,
        visit.language,
        visit.notice_version,
        visit.kiosk_id,
    ]


def audit_record(entry: AuditEntry) -> list[Any]:
    """An audit entry as an export record, in `AUDIT_COLUMNS` order (visit ids space-separated)."""
    return [
        entry.audit_id,
        to_local_iso(entry.at),
        entry.action.value,
        entry.detail,
        entry.visit_count,
        " ".join(str(visit_id) for visit_id in entry.visit_ids),
        entry.kiosk_id,
    ]


def csv_cells(record: Sequence[Any]) -> list[Any]:
    """A record's CSV cells: None empty, text guarded against running as a formula."""
    return ["" if v is None else formula_safe(v) if isinstance(v, str) else v for v in record]


def csv_header(out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS) -> None:
    csv.writer(out, lineterminator="\r\n").writerow(columns)


def write_csv(
    records: Iterable[Sequence[Any]], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS
) -> int:
    """The header and one line per record; returns how many records."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow(csv_cells(record))
        count += 1
    return count


def write_json(
    records: Iterable[Sequence[Any]], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS
) -> int:
    """One JSON array, one object per line; returns how many records."""
    out.write("[")
    count = 0
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(dict(zip(columns, record, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def with_progress(records: Iterable[T], total: int, progress: Progress) -> Iterator[T]:
    """`records`, calling `progress(done, total)` at the start, every PROGRESS_EVERY records
    and at the end (with the true count, should more have come than `total` said)."""
    done = 0
    progress(0, total)
    for record in records:
        yield record
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, max(total, done))
