"""The kiosk's database on the site's PostgreSQL server: the `Store` of `kiosk.domain.ports`,
for a site whose kiosks share one list of who is inside.

Each thread that uses the store gets its own connection (as with SQLite), opened on first use
and again after `close()` or after the server dropped it, so a thread whose job failed starts
afresh and the kiosk recovers by itself once the server is back. A write transaction is
PostgreSQL's default (read committed: each statement sees what others committed before it);
a read is one repeatable-read, read-only transaction, so a list and its count agree. A
transaction inside another is a savepoint of it, as on SQLite."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TextIO

import psycopg

from kiosk.domain.access_log import Progress, visit_record, with_progress, write_csv
from kiosk.domain.errors import StorageError
from storage.postgres.audit import PostgresAudit
from storage.postgres.database import PERSONAL_TABLES, _reason, connect
from storage.postgres.export import export_csv_copy
from storage.postgres.leases import PostgresLeases
from storage.postgres.outbox import PostgresOutbox
from storage.postgres.purges import PostgresPurges
from storage.postgres.staff_auth import PostgresStaffAuth
from storage.postgres.visits import PostgresVisits

log = logging.getLogger(__name__)


class PostgresRepositories:
    """The repositories on one connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.visits = PostgresVisits(conn)
        self.audit = PostgresAudit(conn)
        self.staff_auth = PostgresStaffAuth(conn)
        self.purges = PostgresPurges(conn)
        self.outbox = PostgresOutbox(conn)
        self.leases = PostgresLeases(conn)


class _Connection(threading.local):
    conn: psycopg.Connection | None = None
    repositories: PostgresRepositories | None = None
    used = 0.0  # when it was last handed out (time.monotonic)


# A connection idle longer than this is asked whether the server still answers before it is
# used (one round trip), so a server restarted meanwhile costs no visitor a failed sign-in.
IDLE_CHECK_S = 10.0


def _answers(conn: psycopg.Connection) -> bool:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return True  # inside a transaction of its own: not idle
    try:
        conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


class PostgresStore:
    personal_tables = PERSONAL_TABLES
    # A purge's DELETE locks only the rows it deletes: sign-ins at the kiosks go on beside it.
    purge_chunk = 50_000

    def __init__(self, url: str) -> None:
        self._url = url
        self._gate = threading.Lock()
        self._migrated = False
        self._local = _Connection()

    # -- the calling thread's connection -----------------------------------------------------
    def _connection(self) -> tuple[psycopg.Connection, PostgresRepositories]:
        local = self._local
        if local.conn is not None and local.conn.closed:
            local.conn, local.repositories = None, None  # the server dropped it
        if (
            local.conn is not None
            and time.monotonic() - local.used > IDLE_CHECK_S
            and not _answers(local.conn)
        ):
            self.close()  # idle while the server restarted: a new one, not a failed sign-in
        if local.conn is None or local.repositories is None:
            self.ready()
            conn = connect(self._url, migrate_schema=False)
            local.conn, local.repositories = conn, PostgresRepositories(conn)
        local.used = time.monotonic()
        return local.conn, local.repositories

    def ready(self) -> None:
        """Reach the server and create or upgrade the schema (once per store)."""
        with self._gate:
            if self._migrated:
                return
            connect(self._url).close()
            self._migrated = True

    def close(self) -> None:
        conn, self._local.conn, self._local.repositories = self._local.conn, None, None
        if conn is not None:
            conn.close()

    # -- the Store port ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[PostgresRepositories]:
        conn, repositories = self._connection()
        with _faults(self), conn.transaction():
            yield repositories

    @contextmanager
    def reading(self) -> Iterator[PostgresRepositories]:
        conn, repositories = self._connection()
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            yield repositories  # inside the caller's transaction: it sees what that one does
            return
        with _faults(self), conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield repositories

    def export_csv(
        self,
        start: datetime,
        end: datetime,
        out: TextIO,
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        """The access log's CSV, in the bytes `write_csv` gives on every engine: by COPY
        (storage.postgres.export), or by write_csv where the server cannot format the times."""
        with self.reading() as db:
            conn, _repositories = self._connection()
            total = db.visits.count_signed_in_between(start, end) if progress else None
            written = export_csv_copy(conn, start, end, out, progress, total)
            if written is not None:
                return written
            return write_csv(_access_log(db, start, end, progress, total), out)

    def export_xlsx(
        self,
        start: datetime,
        end: datetime,
        out: IO[bytes],
        progress: Progress | None = None,
        processes: int = 1,
    ) -> int:
        from kiosk.domain.workbook import write_xlsx

        with self.reading() as db:
            return write_xlsx(_access_log(db, start, end, progress), out)

    def forget_deleted(self) -> bool:
        """VACUUM the tables that hold visitors' data, after a purge or an erasure: the dead
        rows' space is reclaimed now rather than when autovacuum comes by, and their index
        entries go. (PostgreSQL does not zero the freed bytes; they are overwritten as the
        space is reused. The README says what stays in the server's WAL and backups.) False
        if the server could not be reached; a role that does not own the tables gets a warning
        from the server and the job is left to autovacuum."""
        try:
            conn, _repositories = self._connection()
        except StorageError:
            return False
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return False  # (VACUUM cannot run inside a transaction)
        try:
            # INDEX_CLEANUP ON: with few rows deleted, VACUUM would skip the indexes, and an
            # erased name would stay in the name index until a later one.
            conn.execute(f"VACUUM (INDEX_CLEANUP ON) {', '.join(PERSONAL_TABLES)}")
        except psycopg.Error as exc:
            log.warning("the visitors' tables could not be vacuumed: %s", _reason(exc))
            if isinstance(exc, psycopg.OperationalError):
                self.close()
            return False
        return True

    def local_files(self) -> list[Path]:
        """None: the database is on the server."""
        return []

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """LISTEN for the other kiosks' changes (storage.postgres.watch); returns the stop."""
        from storage.postgres.watch import VisitWatcher

        watcher = VisitWatcher(self._url, changed)
        watcher.start()
        return watcher.stop


def _access_log(
    db: PostgresRepositories,
    start: datetime,
    end: datetime,
    progress: Progress | None,
    total: int | None = None,
) -> Iterator[list[Any]]:
    """The access log's records of the visits signed in between start and end, streamed, with
    `progress` called as they go (counted first unless `total` is known)."""
    records: Iterator[list[Any]] = (
        visit_record(v) for v in db.visits.signed_in_between(start, end)
    )
    if progress is None:
        return records
    if total is None:
        total = db.visits.count_signed_in_between(start, end)
    return with_progress(records, total, progress)


# SQLSTATE classes of a connection that is gone: connection exceptions, and the server
# shutting down or restarting.
_GONE = ("08", "57P01", "57P02", "57P03")


@contextmanager
def _faults(store: PostgresStore) -> Iterator[None]:
    """A lost connection closes this thread's (the next use opens a new one) and is a
    StorageError, as a full disk is on SQLite; so is a lock waited for too long. Any other
    error keeps its class but not the server's DETAIL, which may quote a visitor's row."""
    try:
        yield
    except psycopg.Error as exc:
        state = exc.sqlstate or ""
        conn = store._local.conn
        if (conn is not None and conn.closed) or not state or state.startswith(_GONE):
            log.warning("the database could not be reached: %s", _reason(exc))
            store.close()
            raise StorageError(f"the database could not be reached: {_reason(exc)}") from None
        primary = exc.diag.message_primary or type(exc).__name__
        if isinstance(exc, psycopg.OperationalError):  # a lock timeout, a cancel, a deadlock
            raise StorageError(f"the database was busy: {primary}") from None
        raise type(exc)(primary) from None
