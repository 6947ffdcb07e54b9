"""Which kiosk does the upkeep, in SQLite (`leases`): the `LeaseRepository` of
`kiosk.domain.ports`. One kiosk runs on a data dir, so it always holds them; the table keeps
the engines alike."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.sqlite.times import from_db, to_db


class SqliteLeases:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def claim(self, job: str, holder: str, now: datetime, until: datetime) -> bool:
        """The holder's own lease is renewed only once half of it has run: the minutely auto
        sign-out writes nothing most minutes."""
        row = self.db.execute("SELECT holder, until FROM leases WHERE job = ?", [job]).fetchone()
        if row is not None and row[0] == holder:
            held_until = from_db(row[1])
            if held_until - now > (until - now) / 2:
                return True
        cursor = self.db.execute(
            "INSERT INTO leases (job, holder, until) VALUES (?, ?, ?) "
            "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until "
            "WHERE leases.until <= ? OR leases.holder = excluded.holder",
            [job, holder, to_db(until), to_db(now)],
        )
        return cursor.rowcount == 1
