"""Backup files of the kiosk database: made with SQLite's online backup API, each one file
(rollback journal, not WAL), and kept within the retention period like the database itself.

A backup is written to a temporary name, flushed and renamed, so a backup file is always
whole. Visits past retention are deleted from every kept backup with secure_delete, so their
bytes are overwritten there too."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from storage.files import whole_file


def write_backup(database: Path, target: Path) -> None:
    """Copy the database to `target` through a connection of its own: one consistent
    snapshot, in one step, while the kiosk goes on writing (in WAL mode a reader holds up no
    writer). `target` is readable by this user only and appears only once complete."""
    with (
        whole_file(target) as part,
        closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as live,
        closing(sqlite3.connect(part, isolation_level=None)) as copy,
    ):
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file


def purge_backup(path: Path, cutoff: str) -> int:
    """Delete the visits that signed in before `cutoff` (with their badge codes and audit
    links) from a backup file, overwriting their bytes; returns how many went."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            deleted = conn.execute("DELETE FROM visits WHERE signed_in_at < ?", [cutoff]).rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return int(deleted)


def restore_backup(backup: Path, target: Path) -> None:
    """Copy `backup` to `target` (absent) through SQLite's backup API, readable by this user
    only; `target` appears only once complete."""
    with (
        whole_file(target) as part,
        closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(part, isolation_level=None)) as copy,
    ):
        source.backup(copy)
