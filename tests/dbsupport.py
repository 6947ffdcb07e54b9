"""Database files for the tests of damage: folded into one file, damaged, fingerprinted."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settle(data: Path) -> Path:
    """The database folded into its file (WAL emptied), as after a clean shutdown."""
    database = data / "kiosk.db"
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


def damage_a_table_page(database: Path) -> None:
    """Overwrite the middle of one of the visits table's pages, as a failing disk would."""
    with closing(sqlite3.connect(database)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (page,) = db.execute(
            "SELECT max(pageno) FROM dbstat WHERE name = 'visits' AND pagetype = 'leaf'"
        ).fetchone()
    with database.open("r+b") as file:
        file.seek((page - 1) * page_size + 16)
        file.write(b"\xa5" * (page_size - 32))
