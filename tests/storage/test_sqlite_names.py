"""What rights requests rely on in the SQLite store: the name search's prefilter
(`SqliteVisits.named`) never loses a match, over all of Unicode; only the four correctable
fields can be written; and deleting visits, then `forget_deleted`, leaves the write-ahead log
empty."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from sqlitesupport import NOTICE, new_visit

from kiosk.domain.visit import CORRECTABLE_FIELDS
from storage.sqlite import database
from storage.sqlite.database import transaction
from storage.sqlite.store import SqliteStore
from storage.sqlite.visits import SqliteVisits

# ASCII names that other names casefold to, and characters whose case folding changes the
# length (ß, ligatures, the Kelvin sign, İ).
TRICKY = (
    "Strasse", "Straße", "STRAẞE", "Straſse", "Kai", "\u212aai", "Fine", "ﬁne", "Ffi", "ﬃ",
    "ffi", "Iris", "İris", "i̇ris", "ıris", "Ærø", "ærø", "Ann", "ANN", "Anne", "Ann ",
)  # fmt: skip


def add_visits(db: sqlite_utils.Database, *names: str) -> list[int]:
    visits = SqliteVisits(db)
    with transaction(db):
        return [visits.add(new_visit(name), NOTICE, None).visit_id for name in names]


def test_the_name_search_agrees_with_casefolding_every_name(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    stored = list(zip(add_visits(db, *TRICKY), TRICKY, strict=True))

    for name in TRICKY:
        wanted = name.casefold()
        expected = [visit_id for visit_id, other in stored if other.casefold() == wanted]
        assert [visit.visit_id for visit in visits.named(wanted)] == expected, name
    assert len(visits.named("strasse")) == 4
    assert visits.named("") == []


def test_the_prefilter_holds_for_all_of_unicode() -> None:
    """What storage.sqlite.visits relies on to skip rows without calling casefold."""
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = char.casefold()
        assert len(folded) >= 1, hex(code)  # casefolding never makes text shorter
        if char.isascii():
            assert folded == char.lower(), hex(code)  # = what COLLATE NOCASE compares


def test_a_field_is_corrected_only_from_the_list(db: sqlite_utils.Database) -> None:
    visits = SqliteVisits(db)
    (visit_id,) = add_visits(db, "Ann Smith")

    for field in CORRECTABLE_FIELDS:
        assert visits.correct(visit_id, field, f"new {field}") is True
    for field in ("kiosk_id", "visit_id", "company = 'x', host", "company;"):
        with pytest.raises(ValueError, match="not a field that can be corrected"):
            visits.correct(visit_id, field, "x")

    visit = visits.get(visit_id)
    assert visit is not None
    assert tuple(getattr(visit, field) for field in CORRECTABLE_FIELDS) == tuple(
        f"new {field}" for field in CORRECTABLE_FIELDS
    )
    assert visit.kiosk_id == "lobby-1"
    assert visits.correct(visit_id + 1, "company", "x") is False


@pytest.fixture
def sqlite_store(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqliteStore]:
    """The store, whose connections give up at once on a lock (so a blocked checkpoint
    reports at once rather than after the busy timeout)."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.0)
    opened = SqliteStore(db_path)
    opened.ready()
    yield opened
    opened.close()


def wal_size(db_path: Path) -> int:
    return Path(f"{db_path}-wal").stat().st_size


def test_deleting_visits_counts_them_and_forget_deleted_empties_the_log(
    sqlite_store: SqliteStore, db_path: Path
) -> None:
    with sqlite_store.transaction() as db:
        ann, bob, eva = (
            db.visits.add(new_visit(name), NOTICE, None).visit_id
            for name in ("Ann Smith", "Bob Jones", "Eva Berg")
        )
        db.visits.give_badge_code(ann, "A" * 26)

    with sqlite_store.transaction() as db:
        assert db.visits.delete([ann, eva, eva, 999]) == 2

    with sqlite_store.reading() as db:
        assert db.visits.existing([ann, bob, eva]) == [bob]
    with closing(sqlite3.connect(db_path)) as look:
        assert look.execute("SELECT count(*) FROM badges").fetchone() == (0,)
    assert wal_size(db_path) > 0
    assert sqlite_store.forget_deleted() is True
    assert wal_size(db_path) == 0


def test_a_reader_keeps_the_log_until_the_next_forget_deleted(
    sqlite_store: SqliteStore, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite_store.transaction() as db:
        ann = db.visits.add(new_visit("Ann Smith"), NOTICE, None).visit_id
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM visits").fetchone()
        with sqlite_store.transaction() as db:
            assert db.visits.delete([ann]) == 1
        with caplog.at_level(logging.WARNING, logger="storage.sqlite.store"):
            assert sqlite_store.forget_deleted() is False
        assert wal_size(db_path) > 0
        assert "could not be emptied" in caplog.text
        reader.execute("COMMIT")
    finally:
        reader.close()

    assert sqlite_store.forget_deleted() is True
    assert wal_size(db_path) == 0
