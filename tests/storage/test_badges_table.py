"""The badges table (migration 2): one random code per visit, unique, gone with its visit.

The table's own rules are tried with plain INSERTs: they hold whatever code writes to it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from sqlitesupport import NOTICE, SIGNED_IN_AT, new_visit

from kiosk.domain.visit import Visit
from storage.sqlite.database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    connect,
    schema_version,
    transaction,
)
from storage.sqlite.visits import VISIT_COLUMNS, SqliteVisits

TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWX27"
OTHER = "ZYXWVUTSRQPONMLKJIHGFEDC72"


def add_notice(db: sqlite_utils.Database) -> None:
    with transaction(db):
        SqliteVisits(db).add_notice(NOTICE, datetime(2026, 5, 13, 7, tzinfo=UTC))


def add_visits(db: sqlite_utils.Database, *names: str) -> list[int]:
    """Visits without badge codes (as demo data is stored); their ids."""
    visits = SqliteVisits(db)
    with transaction(db):
        return [visits.add(new_visit(name), NOTICE, None).visit_id for name in names]


def badge_rows(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    return db.execute("SELECT visit_id, token FROM badges ORDER BY visit_id").fetchall()


def make_version_1_database(path: Path) -> list[tuple[Any, ...]]:
    """A database as the kiosk left it before badges existed, with one visit; returns its rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        with transaction(db):
            MIGRATIONS[0](db)
            db.execute("PRAGMA user_version = 1")
        add_notice(db)
        # As that version wrote them: the columns of migration 1 only.
        columns = VISIT_COLUMNS[1:]
        db.execute(
            f"INSERT INTO visits ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [
                "Ann Smith",
                "Acme",
                "Bo Jensen",
                "A site survey",
                "2026-05-13T07:30:00.000000Z",
                None,
                None,
                "en",
                NOTICE.version,
                "lobby-1",
            ],
        )
        return db.execute(f"SELECT {', '.join(VISIT_COLUMNS)} FROM visits").fetchall()
    finally:
        conn.close()


def test_migration_2_upgrades_a_version_1_database_keeping_its_visits(db_path: Path) -> None:
    rows = make_version_1_database(db_path)
    plain = sqlite3.connect(db_path)
    try:
        assert plain.execute("PRAGMA user_version").fetchone()[0] == 1
        assert (
            plain.execute("SELECT name FROM sqlite_master WHERE name = 'badges'").fetchall() == []
        )
    finally:
        plain.close()

    db = connect(db_path)
    try:
        assert SCHEMA_VERSION >= 2
        assert schema_version(db) == SCHEMA_VERSION
        assert "badges" in db.table_names()
        assert db.execute(f"SELECT {', '.join(VISIT_COLUMNS)} FROM visits").fetchall() == rows
        # Later migrations fill in what they add: the search text staff look through.
        assert db.execute("SELECT search_text FROM visits").fetchall() == [
            ("ann smith\nacme\nbo jensen",)
        ]
        assert badge_rows(db) == []
        foreign_keys = db.execute("PRAGMA foreign_key_list(badges)").fetchall()
        # (id, seq, table, from, to, on_update, on_delete, match)
        assert [(fk[2], fk[3], fk[4], fk[6]) for fk in foreign_keys] == [
            ("visits", "visit_id", "visit_id", "CASCADE")
        ]
        # The visit from before badges existed can be given a code and found by it.
        visits = SqliteVisits(db)
        (visit_id,) = (row[0] for row in rows)
        with transaction(db):
            assert visits.give_badge_code(visit_id, TOKEN) == TOKEN
        assert visits.by_badge(TOKEN) == Visit(
            visit_id=visit_id,
            visitor_name="Ann Smith",
            company="Acme",
            host="Bo Jensen",
            purpose="A site survey",
            signed_in_at=SIGNED_IN_AT,
            signed_out_at=None,
            sign_out_method=None,
            language="en",
            notice_version=NOTICE.version,
            kiosk_id="lobby-1",
        )
    finally:
        db.close()


def test_a_token_belongs_to_one_visit_only(db: sqlite_utils.Database) -> None:
    ann, bob = add_visits(db, "Ann Smith", "Bob Jones")
    db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, TOKEN])
    with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE.*badges\.token"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [bob, TOKEN])
    assert badge_rows(db) == [(ann, TOKEN)]
    visit = SqliteVisits(db).by_badge(TOKEN)
    assert visit is not None
    assert visit.visit_id == ann


def test_a_visit_has_one_badge_only(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, TOKEN])
    with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE.*badges\.visit_id"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, OTHER])
    assert SqliteVisits(db).give_badge_code(ann, OTHER) == TOKEN  # the first code stays
    assert badge_rows(db) == [(ann, TOKEN)]


@pytest.mark.parametrize("token", ["", "A", TOKEN[:-1]], ids=["empty", "one", "25-chars"])
def test_a_short_token_is_refused(db: sqlite_utils.Database, token: str) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, token])
    assert badge_rows(db) == []


def test_a_26_character_token_is_accepted(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, TOKEN])
    assert badge_rows(db) == [(ann, TOKEN)]


def test_a_missing_token_is_refused(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, NULL)", [ann])


def test_a_badge_needs_a_visit(db: sqlite_utils.Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [4242, TOKEN])
    assert SqliteVisits(db).give_badge_code(4242, TOKEN) is None  # no such visit
    assert badge_rows(db) == []


def add_with_a_taken_token(db: sqlite_utils.Database) -> None:
    with transaction(db):
        SqliteVisits(db).add(new_visit("Bob Jones"), NOTICE, TOKEN)


def test_add_stores_visit_and_badge_together_or_not_at_all(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    with transaction(db):
        ann = visits.add(new_visit(), NOTICE, TOKEN).visit_id
    assert badge_rows(db) == [(ann, TOKEN)]
    assert visits.badge_code(ann) == TOKEN
    assert visits.by_badge(TOKEN) == visits.get(ann)

    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        add_with_a_taken_token(db)
    assert visits.count() == 1
    assert badge_rows(db) == [(ann, TOKEN)]
    assert not db.conn.in_transaction


def test_add_without_a_token_stores_no_badge(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    with transaction(db):
        ann = visits.add(new_visit(), NOTICE, None).visit_id
    assert visits.badge_code(ann) is None
    assert badge_rows(db) == []


def test_visit_for_an_unknown_token_is_none(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    SqliteVisits(db).give_badge_code(ann, TOKEN)
    assert SqliteVisits(db).by_badge(OTHER) is None
    assert SqliteVisits(db).by_badge(TOKEN.lower()) is None  # the store does not fold case


def test_deleting_a_visit_deletes_its_badge(db: sqlite_utils.Database) -> None:
    ann, bob = add_visits(db, "Ann Smith", "Bob Jones")
    visits = SqliteVisits(db)
    visits.give_badge_code(ann, TOKEN)
    visits.give_badge_code(bob, OTHER)

    with transaction(db):
        assert visits.delete([ann]) == 1

    assert badge_rows(db) == [(bob, OTHER)]
    assert visits.by_badge(TOKEN) is None
    assert visits.badge_code(ann) is None
    assert visits.by_badge(OTHER) == visits.get(bob)


def test_by_badge_uses_the_unique_index_on_the_token(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    ids = add_visits(db, *(f"Visitor {n}" for n in range(300)))
    tokens = {visit_id: f"VISIT{visit_id:021d}" for visit_id in ids}
    with transaction(db):
        for visit_id, token in tokens.items():
            visits.give_badge_code(visit_id, token)
    (index,) = (
        row[1] for row in db.execute("PRAGMA index_list(badges)") if row[2] == 1 and row[3] == "u"
    )
    assert [row[2] for row in db.execute(f"PRAGMA index_info({index})")] == ["token"]

    wanted = ids[150]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        visit = visits.by_badge(tokens[wanted])
    finally:
        db.conn.set_trace_callback(None)

    assert visit is not None
    assert visit.visit_id == wanted
    (select,) = (s for s in statements if s.lstrip().upper().startswith("SELECT"))
    plan = "\n".join(str(r[-1]) for r in db.execute(f"EXPLAIN QUERY PLAN {select}"))
    assert f"SEARCH badges USING COVERING INDEX {index} (token=?)" in plan
    assert "SEARCH visits USING INTEGER PRIMARY KEY" in plan
    assert "SCAN" not in plan
