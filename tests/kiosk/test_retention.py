"""Retention (kiosk.maintenance.retention): visits older than retention.visit_days are deleted
for real, from every holder of personal data, with their badge codes, files and audit links;
--dry-run deletes nothing; one setting drives both the notice and the cleanup."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import WriteConfig
from visitsupport import Clock, dump

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import NewVisit, SignInForm, SignOutMethod
from kiosk.settings.files import LEFTOVER_AFTER_S

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAYS = 400
# Distinctive names, so their bytes can be looked for in every file afterwards.
OLD_NAME = "Quirina Vlasbloem-Ødegård"
NEEDLES = (OLD_NAME.encode(), b"Vlasbloem", "Ødegård".encode())


def add_visits_over_400_days(core: Core) -> dict[int, int]:
    """One visit a day for 400 days before NOW (its age in days -> visit id); the ones over
    90 days old carry OLD_NAME, the others an ordinary name."""
    notice = core.notices.notice("nl")
    visits = []
    for age in range(DAYS, 0, -1):
        signed_in = NOW - timedelta(days=age, hours=-1)
        visits.append(
            NewVisit(
                visitor_name=OLD_NAME if age > 90 else f"Recent Visitor {age}",
                company="Acme",
                host="Jens",
                purpose="Meeting",
                signed_in_at=signed_in,
                language="nl",
                notice_version=notice.version,
                kiosk_id="lobby-1",
                signed_out_at=signed_in + timedelta(hours=2),
                sign_out_method=SignOutMethod.KIOSK,
            )
        )
    with core.store.transaction() as db:
        db.visits.add_notice(notice.stored, NOW - timedelta(days=DAYS))
        assert db.visits.add_many(visits) == DAYS
    with core.store.reading() as db:
        stored = db.visits.signed_in_between(NOW - timedelta(days=DAYS + 1), NOW)
        ids = [visit.visit_id for visit in stored]
    return dict(zip(range(DAYS, 0, -1), ids, strict=True))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def core(data_dir: Path, clock: Clock) -> Iterator[Core]:
    """The core on the test's clock, closed afterwards."""
    made = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    yield made
    made.close()


def stored_ages(core: Core, by_age: dict[int, int]) -> set[int]:
    with core.store.reading() as db:
        stored = set(db.visits.existing(by_age.values()))
    return {age for age, visit_id in by_age.items() if visit_id in stored}


def count(core: Core, sql: str) -> int:
    """A look at the database file."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return int(db.execute(sql).fetchone()[0])


def files_holding(core: Core, needles: tuple[bytes, ...]) -> list[tuple[Path, bytes]]:
    """Which files hold which of `needles` in their raw bytes: every file of the data dir, and
    every place the list of holders of personal data names (should one lie elsewhere)."""
    roots = [core.paths.data_dir, *core.personal_data.locations()]
    files = {p for root in roots for p in [root, *root.rglob("*")] if p.is_file()}
    return [(f, n) for f in sorted(files) for n in needles if n in f.read_bytes()]


def test_dry_run_counts_and_deletes_nothing(core: Core) -> None:
    by_age = add_visits_over_400_days(core)
    before = dump(core)
    report = core.retention.run(dry_run=True)
    assert report.dry_run
    assert report.visits == DAYS - 90
    assert dump(core) == before
    assert stored_ages(core, by_age) == set(range(1, DAYS + 1))


def test_purge_deletes_what_is_older_than_the_setting_and_records_counts(core: Core) -> None:
    by_age = add_visits_over_400_days(core)
    old, recent = by_age[91], by_age[90]
    core.visits.badge_code(old)
    with core.store.transaction() as db:
        core.audit.record(db, AuditAction.SIGN_OUT, visit_ids=[old, recent])
    badge_dir = core.paths.badge_dir
    badge_dir.mkdir(parents=True)
    (badge_dir / f"{old}.pdf").write_bytes(b"%PDF old badge")
    (badge_dir / f"{recent}.pdf").write_bytes(b"%PDF recent badge")

    report = core.retention.run(chunk=37)  # several chunks

    assert report.visits == DAYS - 90
    assert stored_ages(core, by_age) == set(range(1, 91))
    assert count(core, "SELECT count(*) FROM badges") == 0
    (entry,) = core.audit.entries()
    assert entry.visit_ids == (recent,)
    assert entry.visit_count == 2
    assert not (badge_dir / f"{old}.pdf").exists()
    assert (badge_dir / f"{recent}.pdf").exists()
    assert report.files == 1  # the old badge, by the badge PDFs' own expiry after the chunks
    with core.store.reading() as db:
        (record,) = db.purges.records()
    assert (record.at, record.rule, record.visits, record.audit_entries, record.files) == (
        NOW,
        "visits older than 90 days; audit entries older than 365 days",
        310,
        0,
        1,
    )
    assert core.retention.run().visits == 0
    with core.store.reading() as db:
        assert len(db.purges.records()) == 1


def test_nothing_of_a_purged_visitor_is_left_in_any_file(core: Core) -> None:
    add_visits_over_400_days(core)
    backup = core.backups.make()  # the old visitors are in this backup too
    with closing(sqlite3.connect(core.paths.database)) as db:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # some pages in the file, some in WAL
    core.visits.sign_in(SignInForm("Recent Visitor 0"), core.notices.notice("en"))
    core.events.settle()
    assert any(n in core.paths.database.read_bytes() + _wal(core) for n in NEEDLES)
    assert any(n in backup.read_bytes() for n in NEEDLES)

    core.retention.run()

    assert files_holding(core, NEEDLES) == []
    assert _wal(core) == b""
    assert backup.exists()  # purged, not deleted: the recent visits are still in it
    assert {path for path, _ in files_holding(core, (b"Recent Visitor 90",))} == {
        core.paths.database,
        backup,
    }


def _wal(core: Core) -> bytes:
    wal = core.paths.database.with_name("kiosk.db-wal")
    return wal.read_bytes() if wal.exists() else b""


def test_stray_badge_files_are_swept(core: Core) -> None:
    badge_dir = core.paths.badge_dir
    badge_dir.mkdir(parents=True)
    (badge_dir / "424242.pdf").write_bytes(b"%PDF of a visit that no longer exists")
    assert core.retention.run(dry_run=True).files == 1
    assert core.retention.run().files == 1
    assert list(badge_dir.iterdir()) == []


def test_what_an_interrupted_badge_or_report_write_left_is_swept(core: Core) -> None:
    badge_dir, report_dir = core.paths.badge_dir, core.paths.report_dir
    badge_dir.mkdir(parents=True)
    report_dir.mkdir(parents=True)
    left = badge_dir / ".7.pdf.x1y2.part"  # a kill between writing and renaming
    left.write_bytes(b"%PDF with a visitor's name")
    old = time.time() - LEFTOVER_AFTER_S - 60
    os.utime(left, (old, old))
    report_left = report_dir / ".roll-call.pdf.a1b2.part"
    report_left.write_bytes(b"%PDF roll call")
    os.utime(report_left, (old, old))
    in_progress = badge_dir / ".8.pdf.c3d4.part"  # a badge being written right now
    in_progress.write_bytes(b"%PDF")
    assert core.retention.run(dry_run=True).files == 2
    assert core.retention.run().files == 2
    assert list(badge_dir.iterdir()) == [in_progress]
    assert list(report_dir.iterdir()) == []


def test_audit_entries_have_their_own_retention(core: Core, clock: Clock) -> None:
    clock.now = NOW - timedelta(days=366)
    with core.store.transaction() as db:
        core.audit.record(db, AuditAction.LOGIN)
    clock.now = NOW
    with core.store.transaction() as db:
        core.audit.record(db, AuditAction.LOGOUT)
    assert core.retention.run(dry_run=True).audit_entries == 1
    assert core.retention.run().audit_entries == 1
    assert [e.action for e in core.audit.entries()] == [AuditAction.LOGOUT]


@pytest.mark.parametrize("days", [30, 180])
def test_one_setting_drives_the_notice_and_the_cleanup(
    write_config: WriteConfig, data_dir: Path, clock: Clock, days: int
) -> None:
    core = assemble(data_dir, write_config(f"[retention]\nvisit_days = {days}\n"), clock)
    try:
        words = {"en": f"**{days} days**", "nl": f"**{days} dagen**", "da": f"**{days} dage**"}
        for language, promise in words.items():
            assert promise in core.notices.notice(language).text
        by_age = add_visits_over_400_days(core)
        assert core.retention.run().visits == DAYS - days
        assert stored_ages(core, by_age) == set(range(1, days + 1))
    finally:
        core.close()
