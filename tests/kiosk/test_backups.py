"""Backups (storage.sqlite.backups): whole SQLite files made beside the running kiosk, seven kept,
purged of expired visits like the database itself (they are a holder of personal data, expired
by the retention cleanup), and the newest sound one put back by restore."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dbsupport import digest, settle
from visitsupport import Clock

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm
from kiosk.settings.files import LEFTOVER_AFTER_S
from storage.sqlite.backups import KEPT, NoSoundBackup, SqliteBackups
from storage.sqlite.integrity import check

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OLD_NAME = "Quirina Vlasbloem-Ødegård"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW - timedelta(days=100))


@pytest.fixture
def core(data_dir: Path, clock: Clock) -> Iterator[Core]:
    """The core on the test's clock, closed afterwards."""
    made = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    yield made
    made.close()


def backups_of(core: Core) -> SqliteBackups:
    """The core's backups, with the SQLite engine's own calls (make, files, restore)."""
    assert isinstance(core.backups, SqliteBackups)
    return core.backups


def sign_in(core: Core, name: str, language: str = "en") -> None:
    core.visits.sign_in(SignInForm(name), core.notices.notice(language))
    core.events.settle()  # the badge (written, then removed: no printer) is done


def names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT visitor_name FROM visits ORDER BY visit_id")]


def test_a_backup_is_one_whole_private_file_with_the_visits(core: Core) -> None:
    sign_in(core, "Ann Smith")
    backup = backups_of(core).make()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert check(backup) == []
    assert names(backup) == ["Ann Smith"]
    with closing(sqlite3.connect(backup)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]  # no WAL, no leftovers


def test_one_backup_a_day_and_the_newest_seven_are_kept(core: Core, clock: Clock) -> None:
    sign_in(core, "Ann Smith")
    backups = backups_of(core)
    made = []
    for _ in range(10):
        assert backups.due()
        made.append(backups.make_if_due())
        assert made[-1] == backups.files()[0]
        assert not backups.due()
        assert backups.make_if_due() is None
        clock.now += timedelta(hours=23)
        assert not backups.due()
        assert backups.make_if_due() is None
        clock.now += timedelta(hours=1)
    assert backups.files() == sorted(made[-KEPT:], reverse=True)


def test_backups_hold_no_visit_past_the_retention_period(core: Core, clock: Clock) -> None:
    sign_in(core, OLD_NAME, "nl")
    backups_of(core).make()  # the old visitor is in this backup
    clock.now += timedelta(days=95)
    sign_in(core, "Recent Visitor")

    # What `visitor-kiosk purge` does: the cleanup (backups are one of the holders it expires),
    # then a backup if one is due.
    core.retention.run()
    assert core.backups.make_if_due() is not None

    backups = backups_of(core).files()
    assert len(backups) == 2
    assert sorted(names(b) for b in backups) == [[], ["Recent Visitor"]]
    needles = [OLD_NAME.encode(), b"Vlasbloem", "Ødegård".encode()]
    for path in core.paths.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} still in {path}"


def test_restore_sets_the_damaged_file_aside_and_puts_the_newest_sound_backup_back(
    core: Core, clock: Clock
) -> None:
    sign_in(core, "Ann Smith")
    backups = backups_of(core)
    older = backups.make()
    clock.now += timedelta(days=1)
    sign_in(core, "Bob Jones")
    newest = backups.make()
    newest.write_bytes(b"torn" * 1024)  # the newest backup is damaged too
    core.store.close()
    database = settle(core.paths.data_dir)
    before = digest(database)

    assert backups.restore() == older

    assert names(database) == ["Ann Smith"]
    assert check(database) == []
    (aside,) = [p for p in (core.paths.data_dir / "damaged").iterdir() if p.suffix == ".db"]
    assert digest(aside) == before
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_restore_without_a_sound_backup_changes_nothing(core: Core) -> None:
    core.store.close()
    before = core.paths.database.read_bytes()
    with pytest.raises(NoSoundBackup):
        backups_of(core).restore()
    assert core.paths.database.read_bytes() == before
    assert not (core.paths.data_dir / "damaged").exists()


def test_a_set_aside_file_is_deleted_after_a_week(core: Core, clock: Clock) -> None:
    backups = backups_of(core)
    backups.damaged_folder.mkdir()
    aside = backups.damaged_folder / f"kiosk-{clock().strftime('%Y%m%dT%H%M%SZ')}.db"
    aside.write_bytes(b"damaged")
    assert core.retention.run().files == 0
    assert aside.exists()
    clock.now += timedelta(days=7)
    assert core.retention.run(dry_run=True).files == 1
    assert aside.exists()
    assert core.retention.run().files == 1
    assert not aside.exists()


def test_what_an_interrupted_backup_or_restore_left_is_deleted(core: Core) -> None:
    sign_in(core, OLD_NAME)
    backups = backups_of(core)
    backups.make()
    old = time.time() - LEFTOVER_AFTER_S - 60
    lefts = [
        backups.folder / ".kiosk-20261122T120000Z.db.k3j4.part",  # killed mid-backup
        core.paths.data_dir / ".kiosk.db.p9q8.part",  # killed mid-restore
    ]
    for left in lefts:
        left.write_bytes(OLD_NAME.encode())
        os.utime(left, (old, old))
    assert core.retention.run().files == 2
    assert not any(left.exists() for left in lefts)
    assert len(backups.files()) == 1
    assert names(backups.files()[0]) == [OLD_NAME]  # not expired: kept in the backup
