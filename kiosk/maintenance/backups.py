"""Daily backups of the database, and putting the newest good one back.

The kiosk's cleanup (kiosk.maintenance.retention) makes a backup when the newest is a day
old, keeps the last KEPT, and deletes expired visits from every backup it keeps: a backup never
holds a visit past the retention period either. Backups live in `<data dir>/backups/` (only
this user can read them) as `kiosk-<UTC time>.db`, each one whole SQLite file.

`visitor-kiosk restore` (with the kiosk stopped) checks the backups newest first with SQLite's
quick_check, moves the current database aside untouched into `<data dir>/damaged/`, and puts
the newest sound backup in its place. A file set aside there is deleted by the cleanup after
DAMAGED_KEEP, as it may hold visits that nothing else can purge."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.domain.clock import Clock, to_db, utc_now
from storage.backups import purge_backup, restore_backup, write_backup
from storage.files import private_folder, remove_leftovers, tighten
from storage.integrity import check

log = logging.getLogger(__name__)

KEPT = 7
EVERY = timedelta(days=1)
DAMAGED_KEEP = timedelta(days=7)
_PREFIX = "kiosk-"
_STAMP = "%Y%m%dT%H%M%SZ"


class NoSoundBackup(RuntimeError):
    pass


class Backups:
    def __init__(self, data_dir: Path, clock: Clock = utc_now) -> None:
        self.folder = data_dir / "backups"
        self.damaged_folder = data_dir / "damaged"
        self.database = data_dir / "kiosk.db"
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

    def due(self) -> bool:
        newest = self.files()[:1]
        if not newest:
            return True
        made = _made_at(newest[0])
        return made is None or self._clock() - made >= EVERY or made > self._clock()

    def maintain(self, cutoff: datetime) -> None:
        """What the cleanup does with backups: purge them, then make one if due. Opens its
        own connections, so it may run on any thread, beside the kiosk's database work."""
        self.purge(cutoff)
        if self.database.exists() and self.due():
            self.make()

    def make(self) -> Path:
        """A backup of the database now, then only the newest KEPT are kept."""
        private_folder(self.folder)
        target = self.folder / f"{_PREFIX}{self._clock().strftime(_STAMP)}.db"
        write_backup(self.database, target)
        for old in self.files()[KEPT:]:
            old.unlink(missing_ok=True)
        log.info("database backed up (%d kept)", min(len(self.files()), KEPT))
        return target

    def purge(self, cutoff: datetime) -> int:
        """Delete visits that signed in before `cutoff` from every backup; returns how many
        went in all. A backup that cannot be read is deleted (it could not be purged)."""
        deleted = 0
        for path in self.files():
            try:
                deleted += purge_backup(path, to_db(cutoff))
            except Exception as exc:  # a damaged backup: useless, and it cannot be purged
                log.warning("backup %s unreadable (%s); deleted", path.name, type(exc).__name__)
                path.unlink(missing_ok=True)
        # An interrupted backup or restore leaves a temporary copy of the database behind.
        remove_leftovers(self.folder)
        remove_leftovers(self.database.parent)
        for path in _files(self.damaged_folder):
            set_aside = _made_at(path)
            if set_aside is None or self._clock() - set_aside >= DAMAGED_KEEP:
                path.unlink(missing_ok=True)
        return deleted

    def restore(self) -> Path:
        """Put the newest backup that passes quick_check in place of the database, which is
        moved aside untouched (with its WAL) into the damaged folder. Returns the backup
        used. The kiosk must not be running."""
        for backup in self.files():
            if check(backup):
                log.warning("backup %s fails SQLite's check; skipped", backup.name)
                continue
            self._set_aside()
            restore_backup(backup, self.database)
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
