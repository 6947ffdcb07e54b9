"""The staff audit log in PostgreSQL: the `AuditRepository` of `kiosk.domain.ports`. Entries
hold what was done, when, and to which visits: ids in `audit_visits`, whose rows go with their
visit (retention, erasure), so the log keeps no trace of a deleted visit but its count."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg

from kiosk.domain.audit import AuditAction, AuditEntry, AuditParams

# visit_ids: the ids still linked (a purged or erased visit's link is gone with it).
_SELECT = (
    "SELECT a.audit_id, a.at, a.action, a.detail, a.visit_count, "
    "ARRAY(SELECT visit_id FROM audit_visits v WHERE v.audit_id = a.audit_id "
    "ORDER BY visit_id), a.kiosk_id, a.params FROM audit_log a"
)


def _entry(row: Sequence[Any]) -> AuditEntry:
    audit_id, at, action, detail, count, ids, kiosk_id, params = row
    return AuditEntry(
        audit_id=audit_id,
        at=at,
        action=AuditAction(action),
        detail=detail,
        visit_count=count,
        visit_ids=tuple(int(i) for i in ids),
        kiosk_id=kiosk_id,
        params=json.loads(params),
    )


class PostgresAudit:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def add(
        self,
        at: datetime,
        action: AuditAction,
        detail: str,
        visit_ids: Iterable[int],
        kiosk_id: str,
        params: AuditParams | None = None,
    ) -> int:
        """The count is of the visits that existed when the entry was made; it stays when they
        are deleted later (an erasure is recorded just before it happens)."""
        ids = sorted({int(visit_id) for visit_id in visit_ids})
        row = self.conn.execute(
            "INSERT INTO audit_log (at, action, detail, visit_count, kiosk_id, params) "
            "VALUES (%s, %s, %s, 0, %s, %s) RETURNING audit_id",
            [at, action.value, detail, kiosk_id, json.dumps(dict(params or {}))],
        ).fetchone()
        assert row is not None
        audit_id = int(row[0])
        linked = self.conn.execute(
            "INSERT INTO audit_visits (audit_id, visit_id) "
            "SELECT %s, visit_id FROM visits WHERE visit_id = ANY(%s)",
            [audit_id, ids],
        ).rowcount
        self.conn.execute(
            "UPDATE audit_log SET visit_count = %s WHERE audit_id = %s", [linked, audit_id]
        )
        return audit_id

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = f"{_SELECT} ORDER BY a.at DESC, a.audit_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(row) for row in self.conn.execute(sql)]

    def between(self, start: datetime, end: datetime) -> Iterator[AuditEntry]:
        cursor = self.conn.execute(
            f"{_SELECT} WHERE a.at >= %s AND a.at < %s ORDER BY a.at, a.audit_id", [start, end]
        )
        for row in cursor:
            yield _entry(row)

    def count_before(self, at: datetime) -> int:
        row = self.conn.execute("SELECT count(*) FROM audit_log WHERE at < %s", [at]).fetchone()
        return int(row[0]) if row else 0

    def delete_before(self, at: datetime) -> int:
        """Their visit links go with them."""
        return int(self.conn.execute("DELETE FROM audit_log WHERE at < %s", [at]).rowcount)
