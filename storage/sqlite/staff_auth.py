"""The staff PIN in SQLite: one row holding its salted hash (never the PIN), the count of wrong
PINs in a row and the end of a lock-out, so a restart resets none of them. The
`StaffAuthRepository` of `kiosk.domain.ports`."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from kiosk.domain.ports import StaffPin
from storage.sqlite.times import from_db, to_db


class SqliteStaffAuth:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self) -> StaffPin | None:
        row = self.db.execute(
            "SELECT pin_hash, failed_attempts, locked_until FROM staff_auth WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        return StaffPin(str(row[0]), int(row[1]), None if row[2] is None else from_db(row[2]))

    def set_pin_hash(self, pin_hash: str) -> None:
        self.db.execute(
            "INSERT INTO staff_auth (id, pin_hash, failed_attempts, locked_until) "
            "VALUES (1, ?, 0, NULL) "
            "ON CONFLICT (id) DO UPDATE SET pin_hash = excluded.pin_hash, "
            "failed_attempts = 0, locked_until = NULL",
            [pin_hash],
        )

    def record_failure(self, lock_at: int, locked_until: datetime) -> int:
        self.db.execute(
            "UPDATE staff_auth SET failed_attempts = failed_attempts + 1, locked_until = "
            "CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END WHERE id = 1",
            [lock_at, to_db(locked_until)],
        )
        row = self.db.execute("SELECT failed_attempts FROM staff_auth WHERE id = 1").fetchone()
        if row is None:
            raise LookupError("no staff PIN is set")
        return int(row[0])

    def record_success(self) -> None:
        self.db.execute(
            "UPDATE staff_auth SET failed_attempts = 0, locked_until = NULL WHERE id = 1"
        )

    def set_locked_until(self, locked_until: datetime) -> None:
        self.db.execute(
            "UPDATE staff_auth SET locked_until = ? WHERE id = 1 AND locked_until IS NOT NULL",
            [to_db(locked_until)],
        )
