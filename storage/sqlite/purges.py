"""The record of each retention cleanup in SQLite (`purges`): when, under which rule, how many
visits, audit entries and files; never what. The `PurgeRepository` of `kiosk.domain.ports`."""

from __future__ import annotations

import sqlite_utils

from kiosk.domain.ports import PurgeRecord
from storage.sqlite.times import from_db, to_db


class SqlitePurges:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, purge: PurgeRecord) -> None:
        self.db.execute(
            "INSERT INTO purges (at, rule, visits, audit_entries, files) VALUES (?, ?, ?, ?, ?)",
            [to_db(purge.at), purge.rule, purge.visits, purge.audit_entries, purge.files],
        )

    def records(self) -> list[PurgeRecord]:
        cursor = self.db.execute(
            "SELECT at, rule, visits, audit_entries, files FROM purges ORDER BY purge_id"
        )
        return [PurgeRecord(from_db(row[0]), row[1], row[2], row[3], row[4]) for row in cursor]
