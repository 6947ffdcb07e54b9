"""Exporting the access log (and the staff audit log) for a range of days, as CSV, JSON or an
Excel workbook: the same records from the staff screen and from `visitor-kiosk export`, each
export recorded in the audit log (the range, the count and the format; never what was
exported).

The records are the contract's (`kiosk.domain.access_log`, `kiosk.domain.workbook`); the
access log's CSV and workbook come from the store, which may build them faster itself (SQLite
does). A long export reads on a connection of its own, so the kiosk's other work goes on
meanwhile. CSV and JSON are text, written to a text stream; a workbook is bytes, written to a
binary one (`ExportFormat.binary`)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import IO, Any, BinaryIO, TextIO, cast

from kiosk.domain.access_log import (
    AUDIT_COLUMNS,
    Progress,
    audit_record,
    visit_record,
    with_progress,
    write_csv,
    write_json,
)
from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.ports import Store
from kiosk.domain.workbook import write_xlsx
from kiosk.staff.audit import AuditLog

log = logging.getLogger(__name__)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"

    @property
    def binary(self) -> bool:
        """Written as bytes (a workbook), not text."""
        return self is ExportFormat.XLSX


class Exports:
    def __init__(self, store: Store, audit: AuditLog) -> None:
        self._store = store
        self._audit = audit

    def visits(
        self,
        first: date,
        last: date,
        fmt: ExportFormat,
        out: TextIO | BinaryIO,
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        """Write the visits that signed in on the local days first..last (inclusive) to `out`
        (a binary stream for a workbook, else a text stream); returns how many.
        `progress(done, total)` is called every few thousand records and at the end, if
        given; without it a large CSV or workbook export may use up to `processes` processes.
        WorkbookTooLarge, with nothing recorded, if the visits do not fit one sheet."""
        if last < first:
            raise ValueError("the end date is before the start date")
        start, end = local_day_bounds(first, last)
        if fmt is ExportFormat.XLSX:
            count = self._store.export_xlsx(start, end, _binary(out), progress, processes)
        elif fmt is ExportFormat.CSV:
            count = self._store.export_csv(start, end, _text(out), progress, processes)
        else:
            with self._store.reading() as db:
                records: Iterator[list[Any]] = (
                    visit_record(v) for v in db.visits.signed_in_between(start, end)
                )
                if progress is not None:
                    total = db.visits.count_signed_in_between(start, end)
                    records = with_progress(records, total, progress)
                count = write_json(records, _text(out))
        self._record("visits", first, last, count, fmt)
        return count

    def audit_log(self, first: date, last: date, fmt: ExportFormat, out: TextIO | BinaryIO) -> int:
        """The audit entries of the local days first..last (inclusive); returns how many."""
        if last < first:
            raise ValueError("the end date is before the start date")
        start, end = local_day_bounds(first, last)
        with self._store.reading() as db:
            records = (audit_record(entry) for entry in db.audit.between(start, end))
            if fmt is ExportFormat.XLSX:
                count = write_xlsx(records, _binary(out), AUDIT_COLUMNS, ("at",), "Audit log")
            else:
                write = write_csv if fmt is ExportFormat.CSV else write_json
                count = write(records, _text(out), AUDIT_COLUMNS)
        self._record("audit", first, last, count, fmt)
        return count

    def _record(self, what: str, first: date, last: date, count: int, fmt: ExportFormat) -> None:
        with self._store.transaction() as db:
            self._audit.record(
                db,
                AuditAction.EXPORT,
                what=what,
                first=first.isoformat(),
                last=last.isoformat(),
                count=count,
                format=fmt.value,
            )


def _binary(out: IO[Any]) -> BinaryIO:
    if isinstance(out, io.TextIOBase):
        raise TypeError("a workbook is written to a binary stream, not a text stream")
    return cast(BinaryIO, out)


def _text(out: IO[Any]) -> TextIO:
    if isinstance(out, io.BufferedIOBase | io.RawIOBase):
        raise TypeError("CSV and JSON are written to a text stream, not a binary stream")
    return cast(TextIO, out)
