"""The staff audit log in SQLite: what was done, when, and to which visits (ids only)."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

import sqlite_utils

from storage.database import transaction

AUDIT_COLUMNS = ("audit_id", "at", "action", "detail", "visit_count", "visit_ids", "kiosk_id")
# visit_ids: the ids still linked (a purged or erased visit's link is gone with it).
_SELECT = (
    "SELECT a.audit_id, a.at, a.action, a.detail, a.visit_count, "
    "(SELECT group_concat(visit_id, ' ') FROM "
    "(SELECT visit_id FROM audit_visits v WHERE v.audit_id = a.audit_id ORDER BY visit_id)), "
    "a.kiosk_id FROM audit_log a"
)

AuditRow = tuple[Any, ...]


class AuditStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(
        self, at: str, action: str, detail: str, visit_ids: Iterable[int], kiosk_id: str
    ) -> int:
        """One entry and its links to visits (those that exist), in one transaction."""
        ids = sorted(set(visit_ids))
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO audit_log (at, action, detail, visit_count, kiosk_id) "
                "VALUES (?, ?, ?, ?, ?)",
                [at, action, detail, 0, kiosk_id],
            )
            audit_id = cursor.lastrowid
            assert audit_id is not None
            self.db.conn.executemany(
                "INSERT INTO audit_visits (audit_id, visit_id) "
                "SELECT ?, visit_id FROM visits WHERE visit_id = ?",
                [(audit_id, visit_id) for visit_id in ids],
            )
            # The count is of visits that existed when the entry was made; it stays when
            # they are deleted later (an erasure is logged just before it happens).
            self.db.execute(
                "UPDATE audit_log SET visit_count = "
                "(SELECT count(*) FROM audit_visits WHERE audit_id = ?) WHERE audit_id = ?",
                [audit_id, audit_id],
            )
        return audit_id

    def count_before(self, at: str) -> int:
        return int(
            self.db.execute("SELECT count(*) FROM audit_log WHERE at < ?", [at]).fetchone()[0]
        )

    def delete_before(self, at: str) -> int:
        """Delete entries made before `at` (their visit links go with them)."""
        with transaction(self.db):
            return self.db.execute("DELETE FROM audit_log WHERE at < ?", [at]).rowcount

    def entries(self, newest_first: bool = True, limit: int | None = None) -> list[AuditRow]:
        order = "DESC" if newest_first else "ASC"
        sql = f"{_SELECT} ORDER BY a.at {order}, a.audit_id {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return list(self.db.execute(sql))

    def between(self, start: str, end: str) -> Generator[AuditRow, None, None]:
        """Entries with start <= at < end, oldest first, streamed."""
        yield from self.db.execute(
            f"{_SELECT} WHERE a.at >= ? AND a.at < ? ORDER BY a.at, a.audit_id", [start, end]
        )
