"""The staff PIN in PostgreSQL, shared by every kiosk of the site: one row holding its salted
hash (never the PIN), the count of wrong PINs in a row and the end of a lock-out. The
`StaffAuthRepository` of `kiosk.domain.ports`."""

from __future__ import annotations

from datetime import datetime

import psycopg

from kiosk.domain.ports import StaffPin


class PostgresStaffAuth:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def get(self) -> StaffPin | None:
        row = self.conn.execute(
            "SELECT pin_hash, failed_attempts, locked_until FROM staff_auth WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        return StaffPin(str(row[0]), int(row[1]), row[2])

    def set_pin_hash(self, pin_hash: str) -> None:
        self.conn.execute(
            "INSERT INTO staff_auth (id, pin_hash, failed_attempts, locked_until) "
            "VALUES (1, %s, 0, NULL) "
            "ON CONFLICT (id) DO UPDATE SET pin_hash = excluded.pin_hash, "
            "failed_attempts = 0, locked_until = NULL",
            [pin_hash],
        )

    def record_failure(self, lock_at: int, locked_until: datetime) -> int:
        """One statement: two kiosks' wrong PINs at once both count, and the count decides
        the lock (never a count read before the slow PIN check)."""
        row = self.conn.execute(
            "UPDATE staff_auth SET failed_attempts = failed_attempts + 1, locked_until = "
            "CASE WHEN failed_attempts + 1 >= %s THEN %s ELSE locked_until END "
            "WHERE id = 1 RETURNING failed_attempts",
            [lock_at, locked_until],
        ).fetchone()
        if row is None:
            raise LookupError("no staff PIN is set")
        return int(row[0])

    def record_success(self) -> None:
        self.conn.execute(
            "UPDATE staff_auth SET failed_attempts = 0, locked_until = NULL WHERE id = 1"
        )

    def set_locked_until(self, locked_until: datetime) -> None:
        self.conn.execute(
            "UPDATE staff_auth SET locked_until = %s WHERE id = 1 AND locked_until IS NOT NULL",
            [locked_until],
        )
