"""Messages waiting to be sent, in PostgreSQL (`outbox`): the `OutboxRepository` of
`kiosk.domain.ports`. Rows go with their visit (ON DELETE CASCADE) and are deleted once sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from kiosk.domain.outbox import Channel, OutboxMessage, Reason

_COLUMNS = (
    "message_id",
    "visit_id",
    "channel",
    "reason",
    "address",
    "language",
    "created_at",
    "not_after",
    "next_try_at",
    "attempts",
    "last_error",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM outbox"


def _message(row: Sequence[Any]) -> OutboxMessage:
    return OutboxMessage(
        message_id=row[0],
        visit_id=row[1],
        channel=Channel(row[2]),
        reason=Reason(row[3]),
        address=row[4],
        language=row[5],
        created_at=row[6],
        not_after=row[7],
        next_try_at=row[8],
        attempts=row[9],
        last_error=row[10],
    )


class PostgresOutbox:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def add(self, message: OutboxMessage) -> None:
        self.conn.execute(
            f"INSERT INTO outbox ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
            [
                message.message_id,
                message.visit_id,
                message.channel.value,
                message.reason.value,
                message.address,
                message.language,
                message.created_at,
                message.not_after,
                message.next_try_at,
                message.attempts,
                message.last_error,
            ],
        )

    def get(self, message_id: str) -> OutboxMessage | None:
        row = self.conn.execute(f"{_SELECT} WHERE message_id = %s", [message_id]).fetchone()
        return None if row is None else _message(row)

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        cursor = self.conn.execute(
            f"{_SELECT} WHERE next_try_at <= %s ORDER BY next_try_at, message_id LIMIT %s",
            [now, limit],
        )
        return [_message(row) for row in cursor]

    def claim(self, now: datetime, until: datetime, claimer: str) -> OutboxMessage | None:
        """FOR UPDATE SKIP LOCKED: kiosks claiming at the same moment each take a different
        message, and none waits for another."""
        row = self.conn.execute(
            f"WITH taken AS (SELECT {', '.join(_COLUMNS)} FROM outbox "
            "WHERE next_try_at <= %s ORDER BY next_try_at, message_id LIMIT 1 "
            "FOR UPDATE SKIP LOCKED), "
            "moved AS (UPDATE outbox SET next_try_at = %s, claimed_by = %s "
            "WHERE message_id = (SELECT message_id FROM taken)) "
            f"SELECT {', '.join(_COLUMNS)} FROM taken",
            [now, until, claimer],
        ).fetchone()
        return None if row is None else _message(row)

    def release(self, claimer: str, now: datetime) -> int:
        cursor = self.conn.execute(
            "UPDATE outbox SET next_try_at = %s, claimed_by = '' WHERE claimed_by = %s",
            [now, claimer],
        )
        return int(cursor.rowcount)

    def next_try_at(self) -> datetime | None:
        row = self.conn.execute("SELECT min(next_try_at) FROM outbox").fetchone()
        return None if row is None else row[0]

    def retry_later(
        self, message_id: str, attempts: int, next_try_at: datetime, last_error: str
    ) -> bool:
        cursor = self.conn.execute(
            "UPDATE outbox SET attempts = %s, next_try_at = %s, last_error = %s, "
            "claimed_by = '' WHERE message_id = %s",
            [attempts, next_try_at, last_error, message_id],
        )
        return cursor.rowcount == 1

    def remove(self, message_id: str) -> bool:
        cursor = self.conn.execute("DELETE FROM outbox WHERE message_id = %s", [message_id])
        return cursor.rowcount == 1

    def count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM outbox").fetchone()
        return int(row[0]) if row else 0
