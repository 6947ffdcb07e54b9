"""The staff PIN in SQLite: one row holding its salted hash (never the PIN), the count of wrong
PINs in a row and the end of a lock-out, so a restart resets none of them.

Times are stored as UTC text in the fixed-width form of `kiosk.domain.clock.to_db`."""

from __future__ import annotations

import sqlite_utils

from storage.database import transaction

# pin_hash, failed_attempts, locked_until
StaffAuthRow = tuple[str, int, str | None]


class StaffAuthStore:
    """Reads and writes the `staff_auth` row on one connection (and so on one thread)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self) -> StaffAuthRow | None:
        """The stored hash, failure count and lock end; None while no PIN was ever set."""
        row = self.db.execute(
            "SELECT pin_hash, failed_attempts, locked_until FROM staff_auth WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), int(row[1]), None if row[2] is None else str(row[2])

    def set_pin_hash(self, pin_hash: str) -> None:
        """A new PIN: its hash replaces the old one, and failures and any lock are forgotten."""
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO staff_auth (id, pin_hash, failed_attempts, locked_until) "
                "VALUES (1, ?, 0, NULL) "
                "ON CONFLICT (id) DO UPDATE SET pin_hash = excluded.pin_hash, "
                "failed_attempts = 0, locked_until = NULL",
                [pin_hash],
            )

    def record_failure(self, locked_until: str | None) -> int:
        """One more wrong PIN, and the lock end to store (None: no lock). Returns the new count."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE staff_auth SET failed_attempts = failed_attempts + 1, locked_until = ? "
                "WHERE id = 1",
                [locked_until],
            )
            row = self.db.execute("SELECT failed_attempts FROM staff_auth WHERE id = 1").fetchone()
        if row is None:
            raise LookupError("no staff PIN is set")
        return int(row[0])

    def record_success(self) -> None:
        """Failures and any lock forgotten: after the right PIN, and when a lock has run out."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE staff_auth SET failed_attempts = 0, locked_until = NULL WHERE id = 1"
            )

    def set_locked_until(self, locked_until: str) -> None:
        """Move the end of the current lock (the clock went back: the lock is shortened)."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE staff_auth SET locked_until = ? WHERE id = 1 AND locked_until IS NOT NULL",
                [locked_until],
            )
