"""The SQLite file: pragmas, migrations, constraints, transactions and the indexes queries use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from storage.database import SCHEMA_VERSION, StorageError, connect, schema_version, transaction
from storage.visits import VISIT_COLUMNS, VisitStore

NOTICE = "en-0123456789ab"


def visit_row(
    name: str = "Ann Smith",
    signed_in_at: str = "2026-05-13T07:30:00.000000Z",
    signed_out_at: str | None = None,
    method: str | None = None,
    notice: str = NOTICE,
) -> tuple[object, ...]:
    """A row in the order of the columns after visit_id."""
    return (
        name,
        "Acme",
        "Bo Jensen",
        "Meeting",
        signed_in_at,
        signed_out_at,
        method,
        "en",
        notice,
        "lobby-1",
    )


def add_notice(db: sqlite_utils.Database, version: str = NOTICE) -> None:
    db.execute(
        "INSERT INTO notices (notice_version, language, text, first_shown_at) VALUES (?, ?, ?, ?)",
        [version, "en", "# The notice", "2026-05-13T07:00:00.000000Z"],
    )


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "kiosk.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(db_path)
    yield database
    database.close()


def pragma(db: sqlite_utils.Database, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_pragmas(db: sqlite_utils.Database, db_path: Path) -> None:
    assert db_path.is_file()
    assert pragma(db, "journal_mode") == "wal"
    assert pragma(db, "foreign_keys") == 1
    assert pragma(db, "synchronous") == 2  # FULL
    assert pragma(db, "secure_delete") == 1
    assert pragma(db, "user_version") == SCHEMA_VERSION
    assert schema_version(db) == SCHEMA_VERSION >= 1


def test_wal_mode_is_kept_in_the_file(db: sqlite_utils.Database, db_path: Path) -> None:
    plain = sqlite3.connect(db_path)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        plain.close()


def test_schema_has_the_tables_and_indexes(db: sqlite_utils.Database) -> None:
    assert {"visits", "notices"} <= set(db.table_names())
    assert {"visits_on_site", "visits_signed_in_at"} <= {i.name for i in db["visits"].indexes}


def test_opening_again_does_not_rerun_migrations(db_path: Path) -> None:
    first = connect(db_path)
    add_notice(first)
    VisitStore(first).add_visits([visit_row()])
    schema = first.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    first.close()

    again = connect(db_path)
    try:
        assert schema_version(again) == SCHEMA_VERSION
        assert (
            again.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
            == schema
        )
        assert VisitStore(again).count() == 1
        assert pragma(again, "foreign_keys") == 1
        assert pragma(again, "secure_delete") == 1
        assert pragma(again, "synchronous") == 2
    finally:
        again.close()


def test_newer_schema_is_refused(db_path: Path) -> None:
    plain = sqlite3.connect(db_path)
    plain.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    plain.commit()
    plain.close()
    with pytest.raises(StorageError, match="newer"):
        connect(db_path)
    plain = sqlite3.connect(db_path)
    try:  # nothing was created in the newer database
        assert plain.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        assert plain.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    finally:
        plain.close()


def test_a_file_that_is_not_a_database_is_refused(db_path: Path) -> None:
    db_path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    with pytest.raises(StorageError):
        connect(db_path)


def test_unknown_notice_version_violates_the_foreign_key(db: sqlite_utils.Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        VisitStore(db).add_visits([visit_row(notice="en-ffffffffffff")])
    assert VisitStore(db).count() == 0


def test_empty_name_is_refused(db: sqlite_utils.Database) -> None:
    add_notice(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        VisitStore(db).add_visits([visit_row(name="")])
    assert VisitStore(db).count() == 0


def test_unknown_sign_out_method_is_refused(db: sqlite_utils.Database) -> None:
    add_notice(db)
    row = visit_row(signed_out_at="2026-05-13T09:00:00.000000Z", method="teleport")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        VisitStore(db).add_visits([row])
    assert VisitStore(db).count() == 0


@pytest.mark.parametrize(
    ("signed_out_at", "method"), [("2026-05-13T09:00:00.000000Z", None), (None, "kiosk")]
)
def test_sign_out_time_and_method_come_together(
    db: sqlite_utils.Database, signed_out_at: str | None, method: str | None
) -> None:
    add_notice(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        VisitStore(db).add_visits([visit_row(signed_out_at=signed_out_at, method=method)])


def test_valid_methods_are_accepted(db: sqlite_utils.Database) -> None:
    add_notice(db)
    out = "2026-05-13T09:00:00.000000Z"
    rows = [visit_row(signed_out_at=out, method=m) for m in ("kiosk", "staff", "auto")]
    assert VisitStore(db).add_visits(rows) == 3


def test_transaction_rolls_back_everything(db: sqlite_utils.Database) -> None:
    store = VisitStore(db)

    def write_then_fail() -> None:
        with transaction(db):
            add_notice(db)
            db.execute(
                "INSERT INTO visits (visitor_name, signed_in_at, language, notice_version, "
                "kiosk_id) VALUES ('Ann', '2026-05-13T07:30:00.000000Z', 'en', ?, 'lobby-1')",
                [NOTICE],
            )
            assert store.count() == 1  # visible inside the transaction
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        write_then_fail()
    assert store.count() == 0
    assert db.execute("SELECT count(*) FROM notices").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_transaction_commits(db: sqlite_utils.Database, db_path: Path) -> None:
    with transaction(db):
        add_notice(db)
        db.execute(
            "INSERT INTO visits (visitor_name, signed_in_at, language, notice_version, kiosk_id) "
            "VALUES ('Ann', '2026-05-13T07:30:00.000000Z', 'en', ?, 'lobby-1')",
            [NOTICE],
        )
    assert not db.conn.in_transaction
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
    finally:
        other.close()


def test_a_failed_add_visit_stores_no_notice(db: sqlite_utils.Database) -> None:
    values = dict(
        zip(
            VISIT_COLUMNS[1:],
            visit_row(name=""),
            strict=True,
        )
    )
    with pytest.raises(sqlite3.IntegrityError):
        VisitStore(db).add_visit(values, notice_text="# The notice")
    assert db.execute("SELECT count(*) FROM notices").fetchone()[0] == 0


# Query plans: the queries the UI and the export run use their index.


def plan_of_query_run_by(db: sqlite_utils.Database, run: object) -> str:
    """Run a store method, capture the SELECT it sends, and return that query's plan."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        assert callable(run)
        result = run()
        if not isinstance(result, list | int):
            list(result)  # a generator sends its query when first iterated
    finally:
        db.conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements
    rows = db.execute(f"EXPLAIN QUERY PLAN {selects[0]}").fetchall()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.fixture
def busy_db(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """A few hundred visits, most of them signed out."""
    add_notice(db)
    rows = []
    for n in range(300):
        day, hour, minute = 1 + n % 28, 8 + n % 9, n % 60
        closed = n % 10 != 0
        rows.append(
            visit_row(
                name=f"Visitor {n}",
                signed_in_at=f"2026-05-{day:02d}T{hour:02d}:{minute:02d}:00.000000Z",
                signed_out_at=f"2026-05-{day:02d}T{hour + 1:02d}:00:00.000000Z" if closed else None,
                method="kiosk" if closed else None,
            )
        )
    VisitStore(db).add_visits(rows)
    return db


def test_on_site_query_uses_the_partial_index(busy_db: sqlite_utils.Database) -> None:
    store = VisitStore(busy_db)
    plan = plan_of_query_run_by(busy_db, store.on_site)
    assert "visits_on_site" in plan
    assert len(store.on_site()) == 30


def test_date_range_query_uses_the_sign_in_index(busy_db: sqlite_utils.Database) -> None:
    store = VisitStore(busy_db)
    start, end = "2026-05-03T00:00:00.000000Z", "2026-05-05T00:00:00.000000Z"
    plan = plan_of_query_run_by(busy_db, lambda: store.signed_in_between(start, end))
    assert "visits_signed_in_at" in plan
    assert "SEARCH" in plan
    rows = list(store.signed_in_between(start, end))
    assert rows
    assert all(start <= row[5] < end for row in rows)
