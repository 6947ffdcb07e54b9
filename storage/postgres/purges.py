"""The record of each retention cleanup in PostgreSQL (`purges`): when, under which rule, how
many visits, audit entries and files; never what. The `PurgeRepository` of
`kiosk.domain.ports`."""

from __future__ import annotations

import psycopg

from kiosk.domain.ports import PurgeRecord


class PostgresPurges:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def record(self, purge: PurgeRecord) -> None:
        self.conn.execute(
            "INSERT INTO purges (at, rule, visits, audit_entries, files) "
            "VALUES (%s, %s, %s, %s, %s)",
            [purge.at, purge.rule, purge.visits, purge.audit_entries, purge.files],
        )

    def records(self) -> list[PurgeRecord]:
        cursor = self.conn.execute(
            "SELECT at, rule, visits, audit_entries, files FROM purges ORDER BY purge_id"
        )
        return [PurgeRecord(row[0], row[1], row[2], row[3], row[4]) for row in cursor]
