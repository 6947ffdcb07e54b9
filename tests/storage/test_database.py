"""The SQLite file: pragmas, migrations, constraints, transactions, the indexes queries use, and
which tables hold visitors' personal data."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlite_utils
from sqlitesupport import NOTICE, new_visit

from kiosk.domain.audit import AuditAction
from kiosk.domain.errors import StorageError
from kiosk.domain.outbox import Channel, OutboxMessage, Reason
from kiosk.domain.ports import NoticeText
from kiosk.domain.visit import NewVisit, SignOutMethod
from storage.sqlite.audit import SqliteAudit
from storage.sqlite.database import (
    MIGRATIONS,
    PERSONAL_TABLES,
    SCHEMA_VERSION,
    TABLES_WITHOUT_VISITOR_DATA,
    connect,
    schema_version,
    transaction,
)
from storage.sqlite.outbox import SqliteOutbox
from storage.sqlite.visits import SqliteVisits

SIGNED_OUT_AT = datetime(2026, 5, 13, 9, 0, tzinfo=UTC)


def add_notice(db: sqlite_utils.Database, notice: NoticeText = NOTICE) -> None:
    SqliteVisits(db).add_notice(notice, datetime(2026, 5, 13, 7, tzinfo=UTC))


def outbox_message(
    visit_id: int, message_id: str, next_try_at: datetime = SIGNED_OUT_AT
) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id,
        visit_id=visit_id,
        channel=Channel.EMAIL,
        reason=Reason.ARRIVED,
        address="host@example.com",
        language="en",
        created_at=SIGNED_OUT_AT,
        not_after=SIGNED_OUT_AT + timedelta(minutes=15),
        next_try_at=next_try_at,
    )


def add_many(db: sqlite_utils.Database, visits: list[NewVisit]) -> int:
    with transaction(db):
        return SqliteVisits(db).add_many(visits)


def count_notices(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM notices").fetchone()[0])


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
    assert {"visits_on_site", "visits_signed_in_at"} <= {i.name for i in db.table("visits").indexes}


def test_opening_again_does_not_rerun_migrations(db_path: Path) -> None:
    first = connect(db_path)
    add_notice(first)
    add_many(first, [new_visit()])
    schema = first.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    first.close()

    again = connect(db_path)
    try:
        assert schema_version(again) == SCHEMA_VERSION
        assert (
            again.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
            == schema
        )
        assert SqliteVisits(again).count() == 1
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


# Constraints: the table refuses what no code should ever write.


def test_unknown_notice_version_violates_the_foreign_key(db: sqlite_utils.Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        add_many(db, [new_visit(notice="en-ffffffffffff")])
    assert SqliteVisits(db).count() == 0


def test_empty_name_is_refused(db: sqlite_utils.Database) -> None:
    add_notice(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_many(db, [new_visit(name="")])
    assert SqliteVisits(db).count() == 0


def test_unknown_sign_out_method_is_refused(db: sqlite_utils.Database) -> None:
    add_notice(db)
    # A method SignOutMethod does not have: only the table's CHECK stands in its way.
    teleport = SimpleNamespace(value="teleport")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_many(db, [new_visit(signed_out_at=SIGNED_OUT_AT, method=teleport)])
    assert SqliteVisits(db).count() == 0


@pytest.mark.parametrize(
    ("signed_out_at", "method"), [(SIGNED_OUT_AT, None), (None, SignOutMethod.KIOSK)]
)
def test_sign_out_time_and_method_come_together(
    db: sqlite_utils.Database, signed_out_at: datetime | None, method: SignOutMethod | None
) -> None:
    add_notice(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_many(db, [new_visit(signed_out_at=signed_out_at, method=method)])


def test_valid_methods_are_accepted(db: sqlite_utils.Database) -> None:
    add_notice(db)
    visits = [new_visit(signed_out_at=SIGNED_OUT_AT, method=m) for m in SignOutMethod]
    assert len(visits) == 3
    assert add_many(db, visits) == 3


# Transactions.


def write_then_fail(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    with transaction(db):
        visits.add(new_visit("Ann"), NOTICE, None)
        assert visits.count() == 1  # visible inside the transaction
        raise RuntimeError("power cut")


def test_transaction_rolls_back_everything(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError, match="power cut"):
        write_then_fail(db)
    assert SqliteVisits(db).count() == 0
    assert count_notices(db) == 0
    assert not db.conn.in_transaction


def test_transaction_commits(db: sqlite_utils.Database, db_path: Path) -> None:
    with transaction(db):
        SqliteVisits(db).add(new_visit("Ann"), NOTICE, None)
    assert not db.conn.in_transaction
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
        assert other.execute("SELECT count(*) FROM notices").fetchone()[0] == 1
    finally:
        other.close()


def nested_step_that_fails(db: sqlite_utils.Database) -> None:
    with transaction(db):
        SqliteVisits(db).add(new_visit("Bob"), NOTICE, None)
        raise RuntimeError("this step fails")


def test_a_transaction_inside_another_is_a_step_of_it(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    with transaction(db):
        visits.add(new_visit("Ann"), NOTICE, None)
        with pytest.raises(RuntimeError, match="this step fails"):
            nested_step_that_fails(db)
        assert db.conn.in_transaction  # the outer transaction goes on
        visits.add(new_visit("Cy"), NOTICE, None)
    assert not db.conn.in_transaction
    assert [v.visitor_name for v in visits.on_site()] == ["Ann", "Cy"]


def test_a_failed_add_stores_no_notice(db: sqlite_utils.Database) -> None:
    with pytest.raises(sqlite3.IntegrityError), transaction(db):
        SqliteVisits(db).add(new_visit(name=""), NOTICE, None)
    assert count_notices(db) == 0


# Which tables hold visitors' personal data.


def test_every_table_is_listed_as_personal_or_not(db: sqlite_utils.Database) -> None:
    """A new table must be put in one list: one with visitor data in PERSONAL_TABLES is
    deleted with its visit by retention, erasure and the backups' purge."""
    tables = set(db.table_names())
    personal, other = set(PERSONAL_TABLES), set(TABLES_WITHOUT_VISITOR_DATA)
    assert not personal & other
    assert len(personal) == len(PERSONAL_TABLES)
    assert len(other) == len(TABLES_WITHOUT_VISITOR_DATA)
    assert tables - personal - other == set(), "tables in neither list"
    assert (personal | other) - tables == set(), "listed tables that do not exist"


@pytest.mark.parametrize("table", [t for t in PERSONAL_TABLES if t != "visits"])
def test_each_personal_table_goes_with_its_visit(db: sqlite_utils.Database, table: str) -> None:
    assert "visits" in PERSONAL_TABLES
    to_visits = [
        (fk.column, fk.on_delete)
        for fk in db.table(table).foreign_keys
        if fk.other_table == "visits" and fk.other_column == "visit_id"
    ]
    assert to_visits == [("visit_id", "CASCADE")]


def test_deleting_a_visit_leaves_nothing_of_it_in_the_personal_tables(
    db: sqlite_utils.Database,
) -> None:
    visits = SqliteVisits(db)
    with transaction(db):
        ann = visits.add(new_visit("Ann"), NOTICE, "ABCDEFGHIJKLMNOPQRSTUVWX27")
        bob = visits.add(new_visit("Bob"), NOTICE, "ZYXWVUTSRQPONMLKJIHGFEDC72")
        SqliteAudit(db).add(
            SIGNED_OUT_AT, AuditAction.SIGN_OUT, "", [ann.visit_id, bob.visit_id], "lobby-1"
        )
        for visit in (ann, bob):
            SqliteOutbox(db).add(outbox_message(visit.visit_id, f"to-host-of-{visit.visit_id}"))
    assert {table: db[table].count for table in PERSONAL_TABLES} == dict.fromkeys(
        PERSONAL_TABLES, 2
    )

    with transaction(db):
        assert visits.delete([ann.visit_id]) == 1

    for table in PERSONAL_TABLES:
        rows = db.execute(f"SELECT visit_id FROM {table}").fetchall()
        assert rows == [(bob.visit_id,)], table


# Query plans: the queries the UI and the export run use their index.


def plan_of_query_run_by(db: sqlite_utils.Database, run: Callable[[], Any]) -> str:
    """Run a store method, capture the SELECT it sends, and return that query's plan."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
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
    visits = []
    for n in range(300):
        signed_in = datetime(2026, 5, 1 + n % 28, 8 + n % 9, n % 60, tzinfo=UTC)
        closed = n % 10 != 0
        visits.append(
            new_visit(
                name=f"Visitor {n}",
                signed_in_at=signed_in,
                signed_out_at=signed_in.replace(minute=0) + timedelta(hours=1) if closed else None,
                method=SignOutMethod.KIOSK if closed else None,
            )
        )
    add_many(db, visits)
    return db


def test_on_site_query_uses_the_partial_index(busy_db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(busy_db)
    plan = plan_of_query_run_by(busy_db, visits.on_site)
    assert "visits_on_site" in plan
    assert len(visits.on_site()) == 30
    before = datetime(2026, 5, 10, tzinfo=UTC)
    plan = plan_of_query_run_by(busy_db, lambda: visits.on_site(signed_in_before=before))
    assert "visits_on_site" in plan
    assert visits.on_site(signed_in_before=before)


def test_the_staff_search_reads_only_open_visits_through_the_partial_index(
    busy_db: sqlite_utils.Database,
) -> None:
    visits = SqliteVisits(busy_db)
    plan = plan_of_query_run_by(busy_db, lambda: visits.search_on_site(["visitor", "1"], 500))
    assert "visits_on_site" in plan
    assert len(visits.search_on_site(["visitor"], 500)) == 30


def test_the_outbox_finds_what_is_due_through_its_index(busy_db: sqlite_utils.Database) -> None:
    outbox = SqliteOutbox(busy_db)
    with transaction(busy_db):
        for n in range(1, 200):
            outbox.add(outbox_message(n, f"m-{n}", SIGNED_OUT_AT + timedelta(seconds=n)))
    now = SIGNED_OUT_AT + timedelta(seconds=10)
    plan = plan_of_query_run_by(busy_db, lambda: outbox.due(now, 50))
    assert "outbox_due" in plan
    assert "SEARCH" in plan
    assert len(outbox.due(now, 50)) == 10


def test_date_range_query_uses_the_sign_in_index(busy_db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(busy_db)
    start, end = datetime(2026, 5, 3, tzinfo=UTC), datetime(2026, 5, 5, tzinfo=UTC)
    plan = plan_of_query_run_by(busy_db, lambda: visits.signed_in_between(start, end))
    assert "visits_signed_in_at" in plan
    assert "SEARCH" in plan
    found = list(visits.signed_in_between(start, end))
    assert found
    assert all(start <= visit.signed_in_at < end for visit in found)


# Restricted visits (GDPR Art. 18): two columns of the visit, and a small index of their own.


def test_the_on_site_lists_keep_their_plans_with_restricted_visits(
    busy_db: sqlite_utils.Database,
) -> None:
    visits = SqliteVisits(busy_db)
    open_ids = [visit.visit_id for visit in visits.on_site()]
    with transaction(busy_db):
        assert visits.restrict(open_ids[::3], SIGNED_OUT_AT) == sorted(open_ids[::3])
    kept = len(open_ids) - len(open_ids[::3])

    plan = plan_of_query_run_by(busy_db, lambda: visits.on_site(with_restricted=True))
    assert "visits_on_site" in plan
    assert len(visits.on_site(with_restricted=True)) == len(open_ids)
    plan = plan_of_query_run_by(busy_db, lambda: visits.search_on_site(["visitor"], 500))
    assert "visits_on_site" in plan
    assert len(visits.search_on_site(["visitor"], 500)) == len(visits.on_site()) == kept


def test_counting_the_access_log_reads_indexes_only(busy_db: sqlite_utils.Database) -> None:
    """An export's count (the progress bar's total, the workbook's limit) leaves restricted
    visits out without reading a row of the table."""
    visits = SqliteVisits(busy_db)
    start, end = datetime(2026, 5, 3, tzinfo=UTC), datetime(2026, 5, 10, tzinfo=UTC)
    in_range = [visit.visit_id for visit in visits.signed_in_between(start, end)]
    with transaction(busy_db):
        visits.restrict(in_range[:5], SIGNED_OUT_AT)
        visits.record_objection(in_range[-2:], SIGNED_OUT_AT)

    plan = plan_of_query_run_by(busy_db, lambda: visits.count_signed_in_between(start, end))

    assert "COVERING INDEX visits_signed_in_at" in plan
    assert "visits_restricted" in plan
    assert "SCAN visits" not in plan
    assert "COVERING INDEX visits_restricted" in plan
    assert visits.count_signed_in_between(start, end) == len(in_range) - 7
    assert len(list(visits.signed_in_between(start, end))) == len(in_range) - 7


def test_an_objection_is_only_ever_stored_on_a_restricted_visit(
    db: sqlite_utils.Database,
) -> None:
    add_notice(db)
    add_many(db, [new_visit()])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("UPDATE visits SET objection_at = '2026-05-13T09:00:00.000000'")


def test_a_database_from_before_restrictions_is_upgraded_with_every_visit_unrestricted(
    db_path: Path,
) -> None:
    old = sqlite_utils.Database(sqlite3.connect(db_path, isolation_level=None))
    old.conn.create_function("kiosk_casefold", 1, str.casefold)
    for step in MIGRATIONS[:6]:
        step(old)
    old.execute("PRAGMA user_version = 6")
    add_notice(old)
    add_many(old, [new_visit(), new_visit(name="Bob Jones")])
    old.close()

    upgraded = connect(db_path)
    try:
        assert schema_version(upgraded) == SCHEMA_VERSION >= 7
        visits = SqliteVisits(upgraded)
        assert [v.restricted_at for v in visits.on_site()] == [None, None]
        assert "visits_restricted" in {i.name for i in upgraded.table("visits").indexes}
    finally:
        upgraded.close()


def test_purposes_stored_as_list_words_become_keys_and_typed_ones_stay(db_path: Path) -> None:
    """Before keys, the purpose list stored its word in the visitor's language: after the
    upgrade "Afspraak", "Møde" and "Meeting" are one purpose, shown in each reader's language;
    what a visitor typed is kept as typed."""
    old = sqlite_utils.Database(sqlite3.connect(db_path, isolation_level=None))
    old.conn.create_function("kiosk_casefold", 1, str.casefold)
    for step in MIGRATIONS[:7]:
        step(old)
    old.execute("PRAGMA user_version = 7")
    add_notice(old)
    words = [
        "Afspraak",
        "Møde",
        "Meeting",
        "Vedligeholdelse eller reparation",
        "Kursus eller arrangement",
        "Audit of the warehouse",
        "",
    ]
    visits = [new_visit(name=f"Visitor {i}") for i in range(len(words))]
    for visit, word in zip(visits, words, strict=True):
        visit.purpose = word
    add_many(old, visits)
    old.close()

    upgraded = connect(db_path)
    try:
        stored = [
            row[0] for row in upgraded.execute("SELECT purpose FROM visits ORDER BY visit_id")
        ]
    finally:
        upgraded.close()
    assert stored == [
        "meeting",
        "meeting",
        "meeting",
        "maintenance",
        "training",
        "Audit of the warehouse",
        "",
    ]
