"""Deleting expired visits in chunks, and the record of each cleanup (counts only).

Each chunk is one transaction, so the kiosk's other work (a sign-in, a badge scan) gets the
database between chunks, and a crash leaves every chunk either done or not. Badge codes
and audit links go with their visits (ON DELETE CASCADE); secure_delete overwrites the
freed bytes, and `checkpoint()` then empties the write-ahead log, so nothing of a deleted
visit stays readable in the database's files."""

from __future__ import annotations

import logging

import sqlite_utils

from storage.database import transaction

log = logging.getLogger(__name__)


class RetentionStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def count_before(self, cutoff: str) -> int:
        """Visits that signed in before `cutoff` (uses the signed_in_at index)."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM visits WHERE signed_in_at < ?", [cutoff]
            ).fetchone()[0]
        )

    def delete_chunk(self, cutoff: str, limit: int) -> list[int]:
        """Delete up to `limit` of the oldest visits that signed in before `cutoff`, in one
        transaction; returns their ids."""
        with transaction(self.db):
            ids = [
                row[0]
                for row in self.db.execute(
                    "SELECT visit_id FROM visits WHERE signed_in_at < ? "
                    "ORDER BY signed_in_at LIMIT ?",
                    [cutoff, limit],
                )
            ]
            if ids:
                self.db.execute(
                    "DELETE FROM visits WHERE visit_id IN (SELECT value FROM json_each(?))",
                    [f"[{','.join(str(i) for i in ids)}]"],
                )
        return ids

    def kept(self, visit_ids: list[int], cutoff: str) -> set[int]:
        """Those of `visit_ids` that are stored and signed in at or after `cutoff`."""
        if not visit_ids:
            return set()
        return {
            row[0]
            for row in self.db.execute(
                "SELECT visit_id FROM visits WHERE signed_in_at >= ? "
                "AND visit_id IN (SELECT value FROM json_each(?))",
                [cutoff, f"[{','.join(str(i) for i in visit_ids)}]"],
            )
        }

    def record(self, at: str, rule: str, visits: int, audit_entries: int, files: int) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO purges (at, rule, visits, audit_entries, files) "
                "VALUES (?, ?, ?, ?, ?)",
                [at, rule, visits, audit_entries, files],
            )

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database and truncate it to nothing; False if a
        reader in another process kept part of it (the next cleanup tries again)."""
        busy, _log_frames, _done = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the write-ahead log could not be emptied: another process is reading")
        return not busy
