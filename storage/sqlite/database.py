"""Opening the kiosk's SQLite database: pragmas for durability and real deletion, migrations,
and which tables hold visitors' personal data.

Each numbered migration runs in one transaction together with the `user_version` bump, so a
crash leaves the schema either before or after a step, never half-way.

sqlite-utils wraps each connection (`sqlite_utils.Database`): the SQL is ours, and it gives the
tests and `sqlite-utils` on the command line one way to look at a kiosk database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.domain.errors import StorageError
from kiosk.settings.files import private_file, private_folder, tighten

# What SQLite keeps beside the database file. It gives each the database file's permissions
# when it makes it, but leaves one that exists (after a crash) as it is.
SIDE_FILES = ("-wal", "-shm", "-journal")


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE visits (
            visit_id INTEGER PRIMARY KEY AUTOINCREMENT,
            visitor_name TEXT NOT NULL CHECK (visitor_name <> ''),
            company TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            signed_in_at TEXT NOT NULL,
            signed_out_at TEXT,
            sign_out_method TEXT
                CHECK (sign_out_method IN ('kiosk', 'staff', 'auto')),
            language TEXT NOT NULL,
            notice_version TEXT NOT NULL REFERENCES notices (notice_version),
            kiosk_id TEXT NOT NULL,
            CHECK ((signed_out_at IS NULL) = (sign_out_method IS NULL))
        )
        """
    )
    # Every notice text ever shown, so each visit can be matched to the words it was given.
    # Holds no visitor data.
    db.execute(
        """
        CREATE TABLE notices (
            notice_version TEXT PRIMARY KEY,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            first_shown_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX visits_signed_in_at ON visits (signed_in_at)")
    # "Who is on site now": a partial index holding only open visits stays tiny.
    db.execute("CREATE INDEX visits_on_site ON visits (signed_in_at) WHERE signed_out_at IS NULL")


def _migration_2(db: sqlite_utils.Database) -> None:
    # The code printed on a visit's badge: random, so it says nothing about the visitor.
    # It goes when its visit goes.
    db.execute(
        """
        CREATE TABLE badges (
            visit_id INTEGER PRIMARY KEY REFERENCES visits (visit_id) ON DELETE CASCADE,
            token TEXT NOT NULL UNIQUE CHECK (length(token) >= 26)
        )
        """
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    # The staff PIN as a salted scrypt hash (never the PIN), and the failed-login count and
    # lock-out, kept here so a restart does not reset them. One row at most.
    db.execute(
        """
        CREATE TABLE staff_auth (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pin_hash TEXT NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
            locked_until TEXT
        )
        """
    )
    # What staff did, and to which visits: ids only, never a copy of visitor data. The links
    # to visits go when the visits go (retention, erasure), so the log keeps no trace of them.
    db.execute(
        """
        CREATE TABLE audit_log (
            audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            visit_count INTEGER NOT NULL DEFAULT 0,
            kiosk_id TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX audit_log_at ON audit_log (at)")
    db.execute(
        """
        CREATE TABLE audit_visits (
            audit_id INTEGER NOT NULL REFERENCES audit_log (audit_id) ON DELETE CASCADE,
            visit_id INTEGER NOT NULL REFERENCES visits (visit_id) ON DELETE CASCADE,
            PRIMARY KEY (audit_id, visit_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX audit_visits_visit ON audit_visits (visit_id)")


# What staff search as they type: name, company and host, casefolded, kept beside the visit
# (and deleted with it) so the search runs in SQLite's C code on every keystroke.
SEARCH_TEXT = "kiosk_casefold(visitor_name || char(10) || company || char(10) || host)"


def _migration_4(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE visits ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    db.execute(f"UPDATE visits SET search_text = {SEARCH_TEXT}")


def _migration_5(db: sqlite_utils.Database) -> None:
    # One row per retention cleanup that deleted something: when, under which rule, how
    # many. Counts only, never what was deleted.
    db.execute(
        """
        CREATE TABLE purges (
            purge_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            rule TEXT NOT NULL,
            visits INTEGER NOT NULL,
            audit_entries INTEGER NOT NULL,
            files INTEGER NOT NULL
        )
        """
    )


def _migration_6(db: sqlite_utils.Database) -> None:
    # Where telling the visit's host of the arrival stands (kiosk.domain.visit.HostNotice);
    # NULL while nobody is told.
    db.execute(
        "ALTER TABLE visits ADD COLUMN host_notice TEXT "
        "CHECK (host_notice IN ('pending', 'told', 'not_reached'))"
    )
    # Messages about a visit waiting to be handed to a server (kiosk.domain.outbox): written
    # in the visit's transaction, deleted once sent, and with their visit.
    db.execute(
        """
        CREATE TABLE outbox (
            message_id TEXT PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits (visit_id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
            reason TEXT NOT NULL
                CHECK (reason IN ('arrived', 'host_unknown', 'host_not_reached', 'host_refused')),
            address TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL,
            created_at TEXT NOT NULL,
            not_after TEXT NOT NULL,
            next_try_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            last_error TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX outbox_due ON outbox (next_try_at)")
    db.execute("CREATE INDEX outbox_visit ON outbox (visit_id)")


def _migration_7(db: sqlite_utils.Database) -> None:
    # A restricted visit (GDPR Art. 18) is kept but left out of the on-site list and the
    # exports; one under objection (Art. 21) is restricted until the objection is decided.
    # Columns of the visit, so they go with it; the on-site index stays as it is (the lists
    # filter on restricted_at as they read each row).
    db.execute("ALTER TABLE visits ADD COLUMN restricted_at TEXT")
    db.execute(
        "ALTER TABLE visits ADD COLUMN objection_at TEXT "
        "CHECK (objection_at IS NULL OR restricted_at IS NOT NULL)"
    )
    # The few restricted visits by sign-in time, so an export counts what it leaves out from
    # an index as small as they are few.
    db.execute(
        "CREATE INDEX visits_restricted ON visits (signed_in_at, restricted_at) "
        "WHERE restricted_at IS NOT NULL"
    )


# The words the purpose list put in `purpose` before it stored keys, in every language and
# wording it ever had: (key, word).
_PURPOSE_WORDS = (
    ("meeting", "Meeting"),
    ("meeting", "Afspraak"),
    ("meeting", "Møde"),
    ("interview", "Job interview"),
    ("interview", "Sollicitatiegesprek"),
    ("interview", "Jobsamtale"),
    ("delivery", "Delivery"),
    ("delivery", "Bezorging"),
    ("delivery", "Levering"),
    ("maintenance", "Maintenance or repair"),
    ("maintenance", "Onderhoud of reparatie"),
    ("maintenance", "Service eller reparation"),
    ("maintenance", "Vedligeholdelse eller reparation"),
    ("training", "Training or event"),
    ("training", "Training of evenement"),
    ("training", "Kursus eller arrangement"),
)


def _migration_8(db: sqlite_utils.Database) -> None:
    # A purpose picked from the list is stored as its key (kiosk.domain.visit.PURPOSES) and
    # shown in each reader's language; visits stored before keep their meaning. A purpose
    # typed with exactly a list word meant the same thing, so it becomes the key too.
    db.conn.executemany("UPDATE visits SET purpose = ? WHERE purpose = ?", list(_PURPOSE_WORDS))


def _migration_9(db: sqlite_utils.Database) -> None:
    # What an audit entry's detail is made of (JSON: counts, a field's name, dates), so the
    # staff screen words it in the reader's language; '{}' for entries made before.
    db.execute("ALTER TABLE audit_log ADD COLUMN params TEXT NOT NULL DEFAULT '{}'")


# The tables that hold visitors' personal data: `visits`, and those whose rows belong to a visit
# and are deleted with it (ON DELETE CASCADE), so deleting a visit (retention, erasure, a
# backup's purge) deletes all of it. The others hold none; a test checks that every table is
# in one list or the other, and that each personal table cascades from `visits`.
PERSONAL_TABLES: tuple[str, ...] = ("visits", "badges", "audit_visits", "outbox")
TABLES_WITHOUT_VISITOR_DATA = (
    "notices",  # the notice texts shown
    "staff_auth",  # the staff PIN's hash and lock-out
    "audit_log",  # staff actions: ids and counts only (the links are audit_visits)
    "purges",  # counts of what each cleanup deleted
    "leases",  # which kiosk does the upkeep
    "sqlite_sequence",  # SQLite's own AUTOINCREMENT counters
)


def _migration_10(db: sqlite_utils.Database) -> None:
    # Which kiosk's sender holds a message it is handing over (kiosk.domain.ports
    # OutboxRepository.claim): a kiosk that starts again makes its own claims due at once.
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT ''")


def _migration_11(db: sqlite_utils.Database) -> None:
    # Which kiosk does the upkeep (kiosk.domain.ports.LeaseRepository); on SQLite always the
    # one kiosk of the data dir. No visitor data.
    db.execute(
        "CREATE TABLE leases (job TEXT PRIMARY KEY, holder TEXT NOT NULL, until TEXT NOT NULL)"
    )


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
    _migration_10,
    _migration_11,
)
SCHEMA_VERSION = len(MIGRATIONS)


# How long a write waits for another process's lock (a CLI purge holds it for one chunk,
# tens of ms) before it fails and the visitor is sent to reception instead of waiting on.
BUSY_TIMEOUT_S = 5.0


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`.

    The connection is in autocommit mode: writes that belong together go through
    `transaction()`. It may only be used on the thread that opened it.

    The folder and the file are for this user only, made so before SQLite opens the file (its
    `-wal` and `-shm` files then get the same), and tightened if an older version left them
    readable by others."""
    private_folder(path.parent)
    private_file(path)
    for suffix in SIDE_FILES:
        tighten(path.with_name(path.name + suffix))
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StorageError(f"cannot switch the database to WAL mode (got {mode})")
        # FULL: a visit reported as committed survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        # Unicode case folding for searches (SQLite's own only folds ASCII).
        conn.create_function("kiosk_casefold", 1, _casefold, deterministic=True)
        # No sqlite-utils plugins: nothing installed elsewhere gets a hook into the visitor
        # database (and the entry-point scan costs 20 ms at start).
        db = sqlite_utils.Database(conn, execute_plugins=False)
        migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(f"cannot open the database {path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return db


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: everything inside is committed together or not at all. Inside
    another one it is a savepoint of it, so steps that each keep themselves whole can also be
    made whole together (an erasure and its audit entry)."""
    if db.conn.in_transaction:
        db.execute("SAVEPOINT step")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK TO step")
            db.execute("RELEASE step")
            raise
        db.execute("RELEASE step")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the schema up to date, one numbered step per transaction.

    The version is read again inside each transaction, so two processes starting at once
    never run the same step twice."""
    while True:
        with transaction(db):
            current = schema_version(db)
            if current > SCHEMA_VERSION:
                raise StorageError(
                    f"the database has schema version {current}, newer than this program's "
                    f"{SCHEMA_VERSION}: upgrade the kiosk software"
                )
            if current == SCHEMA_VERSION:
                return
            MIGRATIONS[current](db)
            db.execute(f"PRAGMA user_version = {current + 1}")
