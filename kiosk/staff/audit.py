"""The staff audit log: who did what at the kiosk's staff screen (and the CLI's staff
commands), when, and to which visits. It holds visit ids and counts, never a copy of visitor
data: a name, company or host never goes into `detail`.

Actions: login, failed-login, lock-out, logout, pin-set, sign-out, reprint, export,
evacuation, access-request, correction, erasure. Entries have their own retention
(`retention.audit_days`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TextIO

from kiosk.domain.clock import Clock, from_db, local_day_bounds, to_db, to_local_iso, utc_now
from kiosk.export.visits import ExportFormat, write_csv, write_json
from storage.audit import AUDIT_COLUMNS, AuditRow, AuditStore

log = logging.getLogger(__name__)


class AuditAction(StrEnum):
    LOGIN = "login"
    FAILED_LOGIN = "failed-login"
    LOCK_OUT = "lock-out"
    LOGOUT = "logout"
    PIN_SET = "pin-set"
    SIGN_OUT = "sign-out"
    REPRINT = "reprint"
    EXPORT = "export"
    EVACUATION = "evacuation"
    ACCESS_REQUEST = "access-request"
    CORRECTION = "correction"
    ERASURE = "erasure"


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    action: AuditAction
    detail: str
    visit_count: int
    visit_ids: tuple[int, ...]  # those still stored; erased or purged visits are unlinked
    kiosk_id: str


def entry_from_row(row: AuditRow) -> AuditEntry:
    audit_id, at, action, detail, count, ids, kiosk_id = row
    return AuditEntry(
        audit_id=audit_id,
        at=from_db(at),
        action=AuditAction(action),
        detail=detail,
        visit_count=count,
        visit_ids=tuple(int(i) for i in ids.split()) if ids else (),
        kiosk_id=kiosk_id,
    )


class AuditLog:
    def __init__(self, store: AuditStore, kiosk_id: str, clock: Clock = utc_now) -> None:
        self._store = store
        self._kiosk_id = kiosk_id
        self._clock = clock

    def record(self, action: AuditAction, detail: str = "", visit_ids: Iterable[int] = ()) -> int:
        """Write one entry. `detail` must hold no personal data (ranges, counts, field names)."""
        audit_id = self._store.add(
            to_db(self._clock()), action.value, detail, visit_ids, self._kiosk_id
        )
        log.info("audit %d: %s", audit_id, action.value)
        return audit_id

    def expired(self, keep_days: int) -> int:
        """How many entries are older than `keep_days` (what `expire` would delete)."""
        return self._store.count_before(to_db(self._clock() - timedelta(days=keep_days)))

    def expire(self, keep_days: int) -> int:
        """Delete entries older than `keep_days` (retention.audit_days); returns how many."""
        cutoff = self._clock() - timedelta(days=keep_days)
        removed = self._store.delete_before(to_db(cutoff))
        if removed:
            log.info("%d audit entries older than %d days deleted", removed, keep_days)
        return removed

    def entries(self, limit: int | None = 500) -> list[AuditEntry]:
        """The newest entries first."""
        return [entry_from_row(row) for row in self._store.entries(limit=limit)]

    def export(self, first: date, last: date, fmt: ExportFormat, out: TextIO) -> int:
        """Entries of the local days first..last (inclusive) as CSV or JSON; returns how many."""
        if last < first:
            raise ValueError("the end date is before the start date")
        start, end = local_day_bounds(first, last)
        records = (_record(row) for row in self._store.between(to_db(start), to_db(end)))
        if fmt is ExportFormat.CSV:
            return write_csv(records, out, AUDIT_COLUMNS)
        return write_json(records, out, AUDIT_COLUMNS)


def _record(row: AuditRow) -> list[Any]:
    record = list(row)
    record[1] = to_local_iso(from_db(record[1]))
    record[5] = record[5] or ""
    return record
