"""Messages waiting to be sent, in SQLite (`outbox`): the `OutboxRepository` of
`kiosk.domain.ports`. Rows go with their visit (ON DELETE CASCADE) and are deleted once sent;
secure_delete zeroes them in the file, and `forget_deleted` empties the write-ahead log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.domain.outbox import Channel, OutboxMessage, Reason
from storage.sqlite.times import from_db, to_db

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
        created_at=from_db(row[6]),
        not_after=from_db(row[7]),
        next_try_at=from_db(row[8]),
        attempts=row[9],
        last_error=row[10],
    )


class SqliteOutbox:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, message: OutboxMessage) -> None:
        self.db.execute(
            f"INSERT INTO outbox ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            [
                message.message_id,
                message.visit_id,
                message.channel.value,
                message.reason.value,
                message.address,
                message.language,
                to_db(message.created_at),
                to_db(message.not_after),
                to_db(message.next_try_at),
                message.attempts,
                message.last_error,
            ],
        )

    def get(self, message_id: str) -> OutboxMessage | None:
        row = self.db.execute(f"{_SELECT} WHERE message_id = ?", [message_id]).fetchone()
        return None if row is None else _message(row)

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Uses the index outbox_due."""
        cursor = self.db.execute(
            f"{_SELECT} WHERE next_try_at <= ? ORDER BY next_try_at LIMIT ?", [to_db(now), limit]
        )
        return [_message(row) for row in cursor]

    def claim(self, now: datetime, until: datetime, claimer: str) -> OutboxMessage | None:
        """Read and moved in the caller's write transaction, which SQLite runs one at a time."""
        due = self.due(now, 1)
        if not due:
            return None
        self.db.execute(
            "UPDATE outbox SET next_try_at = ?, claimed_by = ? WHERE message_id = ?",
            [to_db(until), claimer, due[0].message_id],
        )
        return due[0]

    def release(self, claimer: str, now: datetime) -> int:
        cursor = self.db.execute(
            "UPDATE outbox SET next_try_at = ?, claimed_by = '' WHERE claimed_by = ?",
            [to_db(now), claimer],
        )
        return int(cursor.rowcount)

    def next_try_at(self) -> datetime | None:
        row = self.db.execute("SELECT min(next_try_at) FROM outbox").fetchone()
        return None if row[0] is None else from_db(row[0])

    def retry_later(
        self, message_id: str, attempts: int, next_try_at: datetime, last_error: str
    ) -> bool:
        cursor = self.db.execute(
            "UPDATE outbox SET attempts = ?, next_try_at = ?, last_error = ?, claimed_by = '' "
            "WHERE message_id = ?",
            [attempts, to_db(next_try_at), last_error, message_id],
        )
        return cursor.rowcount == 1

    def remove(self, message_id: str) -> bool:
        return (
            self.db.execute("DELETE FROM outbox WHERE message_id = ?", [message_id]).rowcount == 1
        )

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])
