"""The kiosk's database in one SQLite file in the data dir: the `Store` of `kiosk.domain.ports`.

Each thread that uses the store gets its own connection (SQLite connections belong to the
thread that opened them), opened on first use and again after `close()`, so a thread whose
job failed starts afresh and the kiosk recovers by itself once a fault clears. In WAL mode a
long read on one thread (an export) holds up no writer on another; writers queue for the lock
(`BUSY_TIMEOUT_S`), which is never held longer than one short transaction.

When the kiosk starts, SQLite's check of the file runs beside the start-up (`check`); the
first connection waits for its verdict, so nothing opens, migrates or writes to a damaged file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TextIO

import sqlite_utils

from kiosk.domain.errors import DamagedDatabase
from kiosk.domain.ports import Progress
from storage.sqlite.audit import SqliteAudit
from storage.sqlite.database import PERSONAL_TABLES, SIDE_FILES, connect, transaction
from storage.sqlite.export import export_csv
from storage.sqlite.leases import SqliteLeases
from storage.sqlite.outbox import SqliteOutbox
from storage.sqlite.purges import SqlitePurges
from storage.sqlite.staff_auth import SqliteStaffAuth
from storage.sqlite.visits import SqliteVisits

log = logging.getLogger(__name__)

# How long emptying the write-ahead log may wait for readers (it holds up writers meanwhile).
CHECKPOINT_WAIT_MS = 100


def _nothing() -> None:
    pass


class SqliteRepositories:
    """The repositories on one connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.visits = SqliteVisits(db)
        self.audit = SqliteAudit(db)
        self.staff_auth = SqliteStaffAuth(db)
        self.purges = SqlitePurges(db)
        self.outbox = SqliteOutbox(db)
        self.leases = SqliteLeases(db)


class _Connection(threading.local):
    db: sqlite_utils.Database | None = None
    repositories: SqliteRepositories | None = None


class SqliteStore:
    personal_tables = PERSONAL_TABLES
    purge_chunk = 2000

    def __init__(self, path: Path, check: Future[list[str]] | None = None) -> None:
        self.path = path
        self._check = check
        self._gate = threading.Lock()
        self._opened_once = False
        self._damaged: DamagedDatabase | None = None
        self._local = _Connection()

    # -- the calling thread's connection -----------------------------------------------------
    def _repositories(self) -> SqliteRepositories:
        local = self._local
        if local.repositories is None:
            self._open_first()
            local.db = connect(self.path)
            local.repositories = SqliteRepositories(local.db)
        return local.repositories

    def _db(self) -> sqlite_utils.Database:
        self._repositories()
        assert self._local.db is not None
        return self._local.db

    def _open_first(self) -> None:
        """Once per store: wait for the check's verdict, then open the database first."""
        with self._gate:
            if self._opened_once:
                return
            if self._damaged is None and self._check is not None:
                problems = self._check.result()
                if problems:
                    log.error("the database is damaged: %s", "; ".join(problems))
                    self._damaged = DamagedDatabase(
                        f"the database {self.path} is damaged ({problems[0]}). "
                        "The kiosk will not run on it and has not changed it. "
                        "`visitor-kiosk check` shows what SQLite found; with the kiosk "
                        "stopped, `visitor-kiosk restore` puts the newest sound backup back."
                    )
            if self._damaged is not None:
                raise self._damaged
            # The first opening creates the file, switches it to WAL and migrates it: one
            # thread at a time, before any other thread's connection (SQLite refuses a second
            # connection's switch to WAL while the first one makes the file).
            connect(self.path).close()
            self._opened_once = True

    def ready(self) -> None:
        """Wait for the check of the file, then create or upgrade the database. DamagedDatabase,
        and nothing written, if the check found damage."""
        self._open_first()

    def close(self) -> None:
        db, self._local.db, self._local.repositories = self._local.db, None, None
        if db is not None:
            db.close()

    # -- the Store port ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[SqliteRepositories]:
        repositories = self._repositories()
        with transaction(self._db()):
            yield repositories

    @contextmanager
    def reading(self) -> Iterator[SqliteRepositories]:
        repositories = self._repositories()
        db = self._db()
        if db.conn.in_transaction:
            yield repositories
            return
        db.execute("BEGIN")
        try:
            yield repositories
        finally:
            if db.conn.in_transaction:
                db.execute("COMMIT")

    def export_csv(
        self,
        start: datetime,
        end: datetime,
        out: TextIO,
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        return export_csv(self._db(), self.path, start, end, out, progress, processes)

    def export_xlsx(
        self,
        start: datetime,
        end: datetime,
        out: IO[bytes],
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        # Loaded here, not when the kiosk starts: few exports are workbooks.
        from storage.sqlite.export_xlsx import export_xlsx

        return export_xlsx(self._db(), self.path, start, end, out, progress, processes)

    def forget_deleted(self) -> bool:
        """Copy the write-ahead log into the database file and truncate it to zero bytes.

        secure_delete zeroes deleted and overwritten content in the database file, but the
        log keeps earlier copies of the pages, and a log that is only reset (not truncated)
        keeps them readable past its logical end. False if another connection's reader kept
        the log from being emptied; the next call finishes the job.

        While a checkpoint waits for readers it holds up every writer, so it waits only a
        moment (CHECKPOINT_WAIT_MS): a long read beside it (an export) must not hold up a
        sign-in for the whole busy time-out."""
        db = self._db()
        waits = int(db.execute("PRAGMA busy_timeout").fetchone()[0])
        db.execute(f"PRAGMA busy_timeout = {min(waits, CHECKPOINT_WAIT_MS)}")
        try:
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            db.execute(f"PRAGMA busy_timeout = {waits}")
        if busy:
            log.warning("the write-ahead log could not be emptied: the database is in use")
        return not busy

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Nothing to watch: one kiosk runs on a data dir, and it knows what it changes (the
        front end's slow poll covers the command line's changes)."""
        return _nothing

    def local_files(self) -> list[Path]:
        return [self.path, *(self.path.with_name(self.path.name + s) for s in SIDE_FILES)]
