"""Backups (kiosk.backups): whole SQLite files made beside the running kiosk, seven kept, purged
of expired visits like the database itself, and the newest sound one put back by restore."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from visitsupport import Clock

from kiosk.bootstrap import Kiosk, Services, start_kiosk
from kiosk.domain.visit import SignInForm
from kiosk.maintenance.backups import KEPT, NoSoundBackup
from kiosk.settings.files import LEFTOVER_AFTER_S
from storage.integrity import check

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OLD_NAME = "Quirina Vlasbloem-Ødegård"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW - timedelta(days=100))


@pytest.fixture
def kiosk(data_dir: Path, clock: Clock) -> Kiosk:
    return start_kiosk(data_dir, data_dir / "kiosk.toml", clock=clock)


def names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT visitor_name FROM visits ORDER BY visit_id")]


def test_a_backup_is_one_whole_private_file_with_the_visits(
    kiosk: Kiosk, services: Services
) -> None:
    services.visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    backup = kiosk.backups().make()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert check(backup) == []
    assert names(backup) == ["Ann Smith"]
    with closing(sqlite3.connect(backup)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]  # no WAL, no leftovers


def test_one_backup_a_day_and_the_newest_seven_are_kept(
    kiosk: Kiosk, services: Services, clock: Clock
) -> None:
    services.visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    backups = kiosk.backups()
    made = []
    for _ in range(10):
        assert backups.due()
        backups.maintain(clock() - timedelta(days=90))
        made.append(backups.files()[0])
        assert not backups.due()
        clock.now += timedelta(hours=23)
        assert not backups.due()
        clock.now += timedelta(hours=1)
    assert backups.files() == sorted(made[-KEPT:], reverse=True)


def test_backups_hold_no_visit_past_the_retention_period(
    kiosk: Kiosk, services: Services, clock: Clock
) -> None:
    services.visits.sign_in(SignInForm(OLD_NAME), kiosk.notice("nl"))
    kiosk.backups().make()  # the old visitor is in this backup
    clock.now += timedelta(days=95)
    services.visits.sign_in(SignInForm("Recent Visitor"), kiosk.notice("en"))

    report = services.retention.run()
    kiosk.backups().maintain(report.cutoff)

    backups = kiosk.backups().files()
    assert len(backups) == 2
    assert all(names(b) in ([], ["Recent Visitor"]) for b in backups)
    needles = [OLD_NAME.encode(), b"Vlasbloem", "Ødegård".encode()]
    for path in kiosk.paths.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} still in {path}"


def test_restore_sets_the_damaged_file_aside_and_puts_the_newest_sound_backup_back(
    kiosk: Kiosk, services: Services, clock: Clock
) -> None:
    services.visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    backups = kiosk.backups()
    older = backups.make()
    clock.now += timedelta(days=1)
    services.visits.sign_in(SignInForm("Bob Jones"), kiosk.notice("en"))
    newest = backups.make()
    newest.write_bytes(b"torn" * 1024)  # the newest backup is damaged too
    services.close()
    database = kiosk.paths.database
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    assert backups.restore() == older

    assert names(database) == ["Ann Smith"]
    assert check(database) == []
    (aside,) = [p for p in (kiosk.paths.data_dir / "damaged").iterdir() if p.suffix == ".db"]
    assert hashlib.sha256(aside.read_bytes()).hexdigest() == before
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_restore_without_a_sound_backup_changes_nothing(kiosk: Kiosk, services: Services) -> None:
    services.close()
    before = kiosk.paths.database.read_bytes()
    with pytest.raises(NoSoundBackup):
        kiosk.backups().restore()
    assert kiosk.paths.database.read_bytes() == before
    assert not (kiosk.paths.data_dir / "damaged").exists()


def test_a_set_aside_file_is_deleted_after_a_week(kiosk: Kiosk, clock: Clock) -> None:
    backups = kiosk.backups()
    backups.damaged_folder.mkdir()
    aside = backups.damaged_folder / f"kiosk-{clock().strftime('%Y%m%dT%H%M%SZ')}.db"
    aside.write_bytes(b"damaged")
    backups.purge(clock() - timedelta(days=90))
    assert aside.exists()
    clock.now += timedelta(days=7)
    backups.purge(clock() - timedelta(days=90))
    assert not aside.exists()


def test_what_an_interrupted_backup_or_restore_left_is_deleted(
    kiosk: Kiosk, services: Services
) -> None:
    services.visits.sign_in(SignInForm(OLD_NAME), kiosk.notice("en"))
    backups = kiosk.backups()
    backups.make()
    old = time.time() - LEFTOVER_AFTER_S - 60
    lefts = [
        backups.folder / ".kiosk-20261122T120000Z.db.k3j4.part",  # killed mid-backup
        kiosk.paths.data_dir / ".kiosk.db.p9q8.part",  # killed mid-restore
    ]
    for left in lefts:
        left.write_bytes(OLD_NAME.encode())
        os.utime(left, (old, old))
    backups.purge(NOW - timedelta(days=400))
    assert not any(left.exists() for left in lefts)
    assert len(backups.files()) == 1
