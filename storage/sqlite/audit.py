"""The staff audit log in SQLite: the `AuditRepository` of `kiosk.domain.ports`. Entries hold
what was done, when, and to which visits: ids in `audit_visits`, whose rows go with their visit
(retention, erasure), so the log keeps no trace of a deleted visit but its count."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.domain.audit import AuditAction, AuditEntry, AuditParams
from storage.sqlite.times import from_db, to_db

# visit_ids: the ids still linked (a purged or erased visit's link is gone with it).
_SELECT = (
    "SELECT a.audit_id, a.at, a.action, a.detail, a.visit_count, "
    "(SELECT group_concat(visit_id, ' ') FROM "
    "(SELECT visit_id FROM audit_visits v WHERE v.audit_id = a.audit_id ORDER BY visit_id)), "
    "a.kiosk_id, a.params FROM audit_log a"
)


def _entry(row: Sequence[Any]) -> AuditEntry:
    audit_id, at, action, detail, count, ids, kiosk_id, params = row
    return AuditEntry(
        audit_id=audit_id,
        at=from_db(at),
        action=AuditAction(action),
        detail=detail,
        visit_count=count,
        visit_ids=tuple(int(i) for i in ids.split()) if ids else (),
        kiosk_id=kiosk_id,
        params=json.loads(params),
    )


class SqliteAudit:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

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
        ids = sorted(set(visit_ids))
        audit_id = self.db.execute(
            "INSERT INTO audit_log (at, action, detail, visit_count, kiosk_id, params) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [to_db(at), action.value, detail, 0, kiosk_id, json.dumps(dict(params or {}))],
        ).lastrowid
        assert audit_id is not None
        self.db.conn.executemany(
            "INSERT INTO audit_visits (audit_id, visit_id) "
            "SELECT ?, visit_id FROM visits WHERE visit_id = ?",
            [(audit_id, visit_id) for visit_id in ids],
        )
        self.db.execute(
            "UPDATE audit_log SET visit_count = "
            "(SELECT count(*) FROM audit_visits WHERE audit_id = ?) WHERE audit_id = ?",
            [audit_id, audit_id],
        )
        return audit_id

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = f"{_SELECT} ORDER BY a.at DESC, a.audit_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(row) for row in self.db.execute(sql)]

    def between(self, start: datetime, end: datetime) -> Iterator[AuditEntry]:
        cursor = self.db.execute(
            f"{_SELECT} WHERE a.at >= ? AND a.at < ? ORDER BY a.at, a.audit_id",
            [to_db(start), to_db(end)],
        )
        for row in cursor:
            yield _entry(row)

    def count_before(self, at: datetime) -> int:
        return int(
            self.db.execute("SELECT count(*) FROM audit_log WHERE at < ?", [to_db(at)]).fetchone()[
                0
            ]
        )

    def delete_before(self, at: datetime) -> int:
        """Their visit links go with them."""
        return int(self.db.execute("DELETE FROM audit_log WHERE at < ?", [to_db(at)]).rowcount)
