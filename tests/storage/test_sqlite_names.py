"""The rights requests' storage (storage.rights): the name search's prefilter never loses a
match, only four fields can be written, and deletions leave the write-ahead log empty."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from storage.database import connect
from storage.rights import CORRECTABLE_FIELDS, RightsStore
from storage.visits import VisitStore

NOTICE = "en-0123456789ab"

# ASCII names that other names casefold to, and characters whose case folding changes the
# length (ß, ligatures, the Kelvin sign, İ).
TRICKY = (
    "Strasse", "Straße", "STRAẞE", "Straſse", "Kai", "\u212aai", "Fine", "ﬁne", "Ffi", "ﬃ",
    "ffi", "Iris", "İris", "i̇ris", "ıris", "Ærø", "ærø", "Ann", "ANN", "Anne", "Ann ",
)  # fmt: skip


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "kiosk.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    opened = connect(db_path)
    opened.execute(
        "INSERT INTO notices VALUES (?, 'en', 'text', '2026-05-13T07:00:00.000000Z')", [NOTICE]
    )
    yield opened
    opened.close()


def add_visits(db: sqlite_utils.Database, *names: str) -> list[int]:
    row = ("Acme", "Bo Jensen", "Meeting", "2026-05-13T07:30:00.000000Z", None, None)
    VisitStore(db).add_visits([(name, *row, "en", NOTICE, "lobby-1") for name in names])
    return [r[0] for r in db.execute("SELECT visit_id FROM visits ORDER BY visit_id")]


def test_the_name_search_agrees_with_casefolding_every_name(db: sqlite_utils.Database) -> None:
    store = RightsStore(db)
    stored = list(zip(add_visits(db, *TRICKY), TRICKY, strict=True))

    for name in TRICKY:
        wanted = name.casefold()
        expected = [visit_id for visit_id, other in stored if other.casefold() == wanted]
        assert [row[0] for row in store.visits_named(wanted)] == expected, name
    assert len(store.visits_named("strasse")) == 4
    assert store.visits_named("") == []


def test_the_prefilter_holds_for_all_of_unicode() -> None:
    """What storage.rights relies on to skip rows without calling casefold."""
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = char.casefold()
        assert len(folded) >= 1, hex(code)  # casefolding never makes text shorter
        if char.isascii():
            assert folded == char.lower(), hex(code)  # = what COLLATE NOCASE compares


def test_a_field_is_updated_only_from_the_list(db: sqlite_utils.Database) -> None:
    store = RightsStore(db)
    (visit_id,) = add_visits(db, "Ann Smith")

    for field in CORRECTABLE_FIELDS:
        assert store.update_field(visit_id, field, f"new {field}") is True
    for field in ("kiosk_id", "visit_id", "company = 'x', host", "company;"):
        with pytest.raises(ValueError, match="not a field that can be corrected"):
            store.update_field(visit_id, field, "x")

    assert store.get(visit_id)[1:5] == tuple(f"new {field}" for field in CORRECTABLE_FIELDS)
    assert store.update_field(visit_id + 1, "company", "x") is False


def test_deleting_visits_counts_them_and_the_checkpoint_empties_the_log(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    store = RightsStore(db)
    ann, bob, eva = add_visits(db, "Ann Smith", "Bob Jones", "Eva Berg")
    db.execute("INSERT INTO badges VALUES (?, ?)", [ann, "A" * 26])

    assert store.delete_visits([ann, eva, eva, 999]) == 2

    assert store.existing([ann, bob, eva]) == [bob]
    assert db.execute("SELECT count(*) FROM badges").fetchone() == (0,)
    assert store.checkpoint() is True
    assert Path(f"{db_path}-wal").stat().st_size == 0


def test_a_reader_keeps_the_log_until_the_next_checkpoint(
    db: sqlite_utils.Database, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = RightsStore(db)
    (ann,) = add_visits(db, "Ann Smith")
    db.execute("PRAGMA busy_timeout = 0")
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM visits").fetchone()
        assert store.delete_visits([ann]) == 1
        with caplog.at_level(logging.WARNING, logger="storage.rights"):
            assert store.checkpoint() is False
        assert Path(f"{db_path}-wal").stat().st_size > 0
        assert "could not be emptied" in caplog.text
        reader.execute("COMMIT")
    finally:
        reader.close()

    assert store.checkpoint() is True
    assert Path(f"{db_path}-wal").stat().st_size == 0
