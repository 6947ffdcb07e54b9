"""Daily backups of the SQLite database, kept within the retention period like the database
itself, and putting the newest sound one back.

The kiosk's cleanup makes a backup when the newest is a day old (`make_if_due`), keeps the
last KEPT, and, as one of the holders of personal data (`kiosk.domain.ports`), deletes from
every backup what the retention rules delete from the database and what an erasure deletes:
a backup never holds a visit longer than the database does. Backups live in
`<data dir>/backups/` (only this user can read them) as `kiosk-<UTC time>.db`, each one whole
SQLite file (rollback journal, not WAL), made with SQLite's online backup API on a connection
of its own, so the kiosk goes on writing meanwhile; a backup file appears only once complete.
Deleted rows are overwritten (`secure_delete`).

`restore()` (with the kiosk stopped) checks the backups newest first with SQLite's
quick_check, moves the current database aside untouched into `<data dir>/damaged/`, and puts
the newest sound backup in its place. A file set aside there is deleted after DAMAGED_KEEP, as
it may hold visits that nothing else can purge."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Erasure, Expiry
from kiosk.settings.files import leftovers, private_folder, tighten, whole_file
from kiosk.settings.memory import release_freed_memory
from storage.sqlite.integrity import check
from storage.sqlite.times import to_db

log = logging.getLogger(__name__)

KEPT = 7
EVERY = timedelta(days=1)
DAMAGED_KEEP = timedelta(days=7)
_PREFIX = "kiosk-"
_STAMP = "%Y%m%dT%H%M%SZ"


class NoSoundBackup(RuntimeError):
    pass


class SqliteBackups:
    name = "database backups"

    def __init__(self, database: Path, clock: Clock = utc_now) -> None:
        self.database = database
        self.folder = database.parent / "backups"
        self.damaged_folder = database.parent / "damaged"
        self._clock = clock

    def files(self) -> list[Path]:
        """The backups, newest first."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(
            (self.folder / n for n in names if n.startswith(_PREFIX) and n.endswith(".db")),
            reverse=True,
        )

    # -- a holder of personal data -----------------------------------------------------------
    def locations(self) -> list[Path]:
        return [self.folder, self.damaged_folder]

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        """Delete expired visits and audit entries from every backup (a backup that cannot be
        read is deleted: it could not be purged), files set aside more than DAMAGED_KEEP ago,
        and what an interrupted backup or restore left. Returns how many files went."""
        gone = leftovers(self.folder) + leftovers(self.database.parent)
        for path in _files(self.damaged_folder):
            set_aside = _made_at(path)
            if set_aside is None or expiry.now - set_aside >= DAMAGED_KEEP:
                gone.append(path)
        if dry_run:
            return len(gone)
        removed = 0
        for path in self.files():
            if self._change(path, _expire, expiry.visits_before, expiry.audit_before) is False:
                removed += 1
        for path in gone:
            path.unlink(missing_ok=True)
        return removed + len(gone)

    def erase(self, erasure: Erasure) -> int:
        """Delete the erased visits from every backup; returns how many backups held any.
        (A file set aside as damaged cannot be changed: it goes after DAMAGED_KEEP.)"""
        return sum(self._change(path, _erase, erasure.visit_ids) is True for path in self.files())

    def _change(self, path: Path, change: Callable[..., int], *args: object) -> bool | None:
        """Run `change(conn, *args)` on a backup in one transaction with secure_delete; True
        if it deleted anything, None if nothing; a backup that cannot be read is deleted
        (False)."""
        try:
            with closing(sqlite3.connect(path, isolation_level=None)) as conn:
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    deleted = change(conn, *args)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:  # a damaged backup: useless, and it cannot be purged
            log.warning("backup %s unreadable (%s); deleted", path.name, type(exc).__name__)
            path.unlink(missing_ok=True)
            return False
        return True if deleted else None

    # -- making and restoring ------------------------------------------------------------------
    def due(self) -> bool:
        newest = self.files()[:1]
        if not newest:
            return True
        made = _made_at(newest[0])
        return made is None or self._clock() - made >= EVERY or made > self._clock()

    def make_if_due(self) -> Path | None:
        if self.database.exists() and self.due():
            return self.make()
        return None

    def make(self) -> Path:
        """A backup of the database now, then only the newest KEPT are kept."""
        private_folder(self.folder)
        target = self.folder / f"{_PREFIX}{self._clock().strftime(_STAMP)}.db"
        with (
            whole_file(target) as part,
            closing(_read_only(self.database)) as live,
            closing(sqlite3.connect(part, isolation_level=None)) as copy,
        ):
            live.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        for old in self.files()[KEPT:]:
            old.unlink(missing_ok=True)
        log.info("database backed up (%d kept)", min(len(self.files()), KEPT))
        release_freed_memory()  # the pages the copy went through
        return target

    def restore(self) -> Path:
        """Put the newest backup that passes quick_check in place of the database, which is
        moved aside untouched (with its WAL) into the damaged folder. Returns the backup
        used. The kiosk must not be running."""
        for backup in self.files():
            if check(backup):
                log.warning("backup %s fails SQLite's check; skipped", backup.name)
                continue
            self._set_aside()
            with (
                whole_file(self.database) as part,
                closing(_read_only(backup)) as source,
                closing(sqlite3.connect(part, isolation_level=None)) as copy,
            ):
                source.backup(copy)
            log.info("database restored from backup %s", backup.name)
            return backup
        raise NoSoundBackup("there is no sound backup to restore")

    def _set_aside(self) -> None:
        if not self.database.exists():
            return
        private_folder(self.damaged_folder)
        stamp = self._clock().strftime(_STAMP)
        for suffix in ("", "-wal", "-shm"):
            current = self.database.with_name(self.database.name + suffix)
            if current.exists():
                moved = self.damaged_folder / f"kiosk-{stamp}.db{suffix}"
                os.replace(current, moved)
                tighten(moved)  # 0644 from an older version; only the mode changes


def _expire(conn: sqlite3.Connection, visits_before: datetime, audit_before: datetime) -> int:
    """What retention deletes, in a backup: its visits (with their badge codes and audit
    links) and its audit entries."""
    visits = conn.execute(
        "DELETE FROM visits WHERE signed_in_at < ?", [to_db(visits_before)]
    ).rowcount
    entries = conn.execute("DELETE FROM audit_log WHERE at < ?", [to_db(audit_before)]).rowcount
    return int(visits) + int(entries)


def _erase(conn: sqlite3.Connection, visit_ids: Sequence[int]) -> int:
    return sum(
        int(conn.execute("DELETE FROM visits WHERE visit_id = ?", [visit_id]).rowcount)
        for visit_id in visit_ids
    )


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _made_at(path: Path) -> datetime | None:
    """The UTC time in a backup's or a set-aside file's name (kiosk-<time>.db[-wal|-shm])."""
    stamp = path.name.removeprefix(_PREFIX).split(".", 1)[0]
    try:
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def _files(folder: Path) -> list[Path]:
    try:
        return [folder / n for n in os.listdir(folder)]
    except FileNotFoundError:
        return []
