"""SQLite's own check of the database file. Standard library only, so the kiosk can start the
check before it loads anything else."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def check(path: Path, thorough: bool = False) -> list[str]:
    """SQLite's check of the database file: `quick_check` (every page and record readable and
    well formed, every index entry of the right form), or with `thorough` the slower
    `integrity_check` (also that every index matches its table). [] when sound, else what
    SQLite found (page numbers and table names, never stored values). The file is opened
    read-only and not changed; a file that does not exist yet is sound."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        pragma = "integrity_check" if thorough else "quick_check"
        found = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}(20)")]
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if found == ["ok"] else found
