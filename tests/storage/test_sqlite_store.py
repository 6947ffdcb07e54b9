"""What the SQLite store does beside the ports: emptying the write-ahead log without holding
up the kiosk's writes for long."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.domain.ports import NoticeText
from kiosk.domain.visit import NewVisit
from storage.sqlite.database import BUSY_TIMEOUT_S
from storage.sqlite.store import CHECKPOINT_WAIT_MS, SqliteStore

NOTICE = NoticeText("en-000000000001", "en", "The notice.")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    made = SqliteStore(tmp_path / "kiosk.db")
    made.ready()
    yield made
    made.close()


def add(store: SqliteStore, name: str) -> int:
    visit = NewVisit(name, "", "", "", datetime.now(UTC), "en", NOTICE.version, "lobby-1")
    with store.transaction() as db:
        return db.visits.add(visit, NOTICE, None).visit_id


def test_a_reader_keeps_the_log_and_holds_up_the_emptying_only_a_moment(
    store: SqliteStore,
) -> None:
    """An export reads on its own connection for seconds: emptying the log beside it fails at
    once (the next cleanup finishes it) instead of waiting, and holding up every writer, for
    the whole busy time-out."""
    visit_id = add(store, "Ann Smith")
    with closing(sqlite3.connect(store.path)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM visits").fetchone()  # a snapshot, held
        with store.transaction() as db:
            db.visits.delete([visit_id])
        start = time.monotonic()
        assert not store.forget_deleted()
        assert time.monotonic() - start < 10 * CHECKPOINT_WAIT_MS / 1000
        reader.execute("COMMIT")
    assert store.forget_deleted()
    assert Path(f"{store.path}-wal").stat().st_size == 0
    # The store's connection waits for a lock as long as before, for everything else.
    waits = store._db().execute("PRAGMA busy_timeout").fetchone()[0]
    assert waits == int(BUSY_TIMEOUT_S * 1000)
