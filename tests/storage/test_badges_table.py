"""The badges table (migration 2): one random code per visit, unique, gone with its visit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from storage.database import MIGRATIONS, SCHEMA_VERSION, connect, schema_version, transaction
from storage.visits import VISIT_COLUMNS, VisitStore

NOTICE = "en-0123456789ab"
TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWX27"
OTHER = "ZYXWVUTSRQPONMLKJIHGFEDC72"


def visit_row(
    name: str = "Ann Smith", signed_in_at: str = "2026-05-13T07:30:00.000000Z"
) -> tuple[Any, ...]:
    """A row in the order of the columns after visit_id."""
    return (name, "Acme", "Bo Jensen", "Meeting", signed_in_at, None, None, "en", NOTICE, "lobby-1")


def add_notice(db: sqlite_utils.Database) -> None:
    db.execute(
        "INSERT INTO notices (notice_version, language, text, first_shown_at) VALUES (?, ?, ?, ?)",
        [NOTICE, "en", "# The notice", "2026-05-13T07:00:00.000000Z"],
    )


def add_visits(db: sqlite_utils.Database, *names: str) -> list[int]:
    VisitStore(db).add_visits([visit_row(name) for name in names])
    rows = db.execute(
        f"SELECT visit_id FROM visits ORDER BY visit_id DESC LIMIT {len(names)}"
    ).fetchall()
    return sorted(row[0] for row in rows)


def badge_rows(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    return db.execute("SELECT visit_id, token FROM badges ORDER BY visit_id").fetchall()


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "kiosk.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(db_path)
    add_notice(database)
    yield database
    database.close()


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
        columns = ", ".join(VISIT_COLUMNS[1:])
        db.execute(
            f"INSERT INTO visits ({columns}) VALUES ({', '.join('?' * len(VISIT_COLUMNS[1:]))})",
            list(visit_row("Ann Smith")),
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
        store = VisitStore(db)
        (visit_id,) = (row[0] for row in rows)
        assert store.give_badge_token(visit_id, TOKEN) == TOKEN
        assert store.visit_for_badge(TOKEN) == rows[0]
    finally:
        db.close()


def test_a_token_belongs_to_one_visit_only(db: sqlite_utils.Database) -> None:
    ann, bob = add_visits(db, "Ann Smith", "Bob Jones")
    db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, TOKEN])
    with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE.*badges\.token"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [bob, TOKEN])
    assert badge_rows(db) == [(ann, TOKEN)]
    row = VisitStore(db).visit_for_badge(TOKEN)
    assert row is not None
    assert row[0] == ann


def test_a_visit_has_one_badge_only(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, TOKEN])
    with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE.*badges\.visit_id"):
        db.execute("INSERT INTO badges (visit_id, token) VALUES (?, ?)", [ann, OTHER])
    assert VisitStore(db).give_badge_token(ann, OTHER) == TOKEN  # the first code stays
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
    with pytest.raises(LookupError):
        VisitStore(db).give_badge_token(4242, TOKEN)
    assert badge_rows(db) == []


def test_add_visit_stores_visit_and_badge_together_or_not_at_all(
    db: sqlite_utils.Database,
) -> None:
    store = VisitStore(db)
    values = dict(zip(VISIT_COLUMNS[1:], visit_row(), strict=True))
    ann = store.add_visit(values, notice_text="# The notice", badge_token=TOKEN)
    assert badge_rows(db) == [(ann, TOKEN)]
    assert store.badge_token(ann) == TOKEN
    assert store.visit_for_badge(TOKEN) == store.get(ann)

    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        store.add_visit(
            dict(values, visitor_name="Bob Jones"), notice_text="# The notice", badge_token=TOKEN
        )
    assert store.count() == 1
    assert badge_rows(db) == [(ann, TOKEN)]
    assert not db.conn.in_transaction


def test_add_visit_without_a_token_stores_no_badge(db: sqlite_utils.Database) -> None:
    store = VisitStore(db)
    values = dict(zip(VISIT_COLUMNS[1:], visit_row(), strict=True))
    ann = store.add_visit(values, notice_text="# The notice")
    assert store.badge_token(ann) is None
    assert badge_rows(db) == []


def test_visit_for_an_unknown_token_is_none(db: sqlite_utils.Database) -> None:
    (ann,) = add_visits(db, "Ann Smith")
    VisitStore(db).give_badge_token(ann, TOKEN)
    assert VisitStore(db).visit_for_badge(OTHER) is None
    assert VisitStore(db).visit_for_badge(TOKEN.lower()) is None  # the store does not fold case


def test_deleting_a_visit_deletes_its_badge(db: sqlite_utils.Database) -> None:
    ann, bob = add_visits(db, "Ann Smith", "Bob Jones")
    store = VisitStore(db)
    store.give_badge_token(ann, TOKEN)
    store.give_badge_token(bob, OTHER)

    db.execute("DELETE FROM visits WHERE visit_id = ?", [ann])

    assert badge_rows(db) == [(bob, OTHER)]
    assert store.visit_for_badge(TOKEN) is None
    assert store.badge_token(ann) is None
    assert store.visit_for_badge(OTHER) == store.get(bob)


def test_visit_for_badge_uses_the_unique_index_on_the_token(db: sqlite_utils.Database) -> None:
    store = VisitStore(db)
    ids = add_visits(db, *(f"Visitor {n}" for n in range(300)))
    tokens = {visit_id: f"VISIT{visit_id:021d}" for visit_id in ids}
    for visit_id, token in tokens.items():
        store.give_badge_token(visit_id, token)
    (index,) = (
        row[1] for row in db.execute("PRAGMA index_list(badges)") if row[2] == 1 and row[3] == "u"
    )
    assert [row[2] for row in db.execute(f"PRAGMA index_info({index})")] == ["token"]

    wanted = ids[150]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        row = store.visit_for_badge(tokens[wanted])
    finally:
        db.conn.set_trace_callback(None)

    assert row is not None
    assert row[0] == wanted
    (select,) = (s for s in statements if s.lstrip().upper().startswith("SELECT"))
    plan = "\n".join(str(r[-1]) for r in db.execute(f"EXPLAIN QUERY PLAN {select}"))
    assert f"SEARCH badges USING COVERING INDEX {index} (token=?)" in plan
    assert "SEARCH visits USING INTEGER PRIMARY KEY" in plan
    assert "SCAN" not in plan
