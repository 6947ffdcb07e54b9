"""Which kiosk does the site's upkeep, in PostgreSQL (`leases`): the `LeaseRepository` of
`kiosk.domain.ports`. Kiosks claiming at once: one row wins, the others see it held (the
upsert waits for the winner's row and then finds its lease running)."""

from __future__ import annotations

from datetime import datetime

import psycopg


class PostgresLeases:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def claim(self, job: str, holder: str, now: datetime, until: datetime) -> bool:
        """The holder's own lease is renewed only once half of it has run: the minutely auto
        sign-out writes nothing most minutes."""
        row = self.conn.execute("SELECT holder, until FROM leases WHERE job = %s", [job]).fetchone()
        if row is not None and row[0] == holder:
            held_until = row[1]
            if held_until - now > (until - now) / 2:
                return True
        cursor = self.conn.execute(
            "INSERT INTO leases (job, holder, until) VALUES (%s, %s, %s) "
            "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until "
            "WHERE leases.until <= %s OR leases.holder = excluded.holder",
            [job, holder, until, now],
        )
        return cursor.rowcount == 1
