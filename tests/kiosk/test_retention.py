"""Retention (kiosk.maintenance.retention): visits older than retention.visit_days are deleted
for real, with their badge codes, files and audit links; --dry-run deletes nothing; one setting
drives both the notice and the cleanup."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import WriteConfig
from visitsupport import Clock

from kiosk.bootstrap import Kiosk, Services, start_kiosk
from kiosk.domain.clock import to_db
from kiosk.domain.visit import SignInForm
from kiosk.staff.audit import AuditAction
from kiosk.settings.files import LEFTOVER_AFTER_S

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAYS = 400
# Distinctive names, so their bytes can be looked for in every file afterwards.
OLD_NAME = "Quirina Vlasbloem-Ødegård"


def add_visits_over_400_days(kiosk: Kiosk, services: Services) -> dict[int, int]:
    """One visit a day for 400 days before NOW (its age in days -> visit id); the ones over
    90 days old carry OLD_NAME, the others an ordinary name."""
    notice = kiosk.notice("nl")
    services.db.execute(
        "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
        "VALUES (?, ?, ?, ?)",
        [notice.version, notice.language, notice.text, to_db(NOW - timedelta(days=DAYS))],
    )
    rows = []
    for age in range(DAYS, 0, -1):
        signed_in = NOW - timedelta(days=age, hours=-1)
        name = OLD_NAME if age > 90 else f"Recent Visitor {age}"
        out = signed_in + timedelta(hours=2)
        rows.append(
            (
                name,
                "Acme",
                "Jens",
                "Meeting",
                to_db(signed_in),
                to_db(out),
                "kiosk",
                "nl",
                notice.version,
                "lobby-1",
            )
        )
    services.store.add_visits(rows)
    ids = [row[0] for row in services.db.execute("SELECT visit_id FROM visits ORDER BY visit_id")]
    return dict(zip(range(DAYS, 0, -1), ids, strict=True))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def kiosk(data_dir: Path, clock: Clock) -> Kiosk:
    return start_kiosk(data_dir, data_dir / "kiosk.toml", clock=clock)


def stored_ages(services: Services, by_age: dict[int, int]) -> set[int]:
    stored = {row[0] for row in services.db.execute("SELECT visit_id FROM visits")}
    return {age for age, visit_id in by_age.items() if visit_id in stored}


def test_dry_run_counts_and_deletes_nothing(kiosk: Kiosk, services: Services) -> None:
    by_age = add_visits_over_400_days(kiosk, services)
    before = list(services.db.conn.iterdump())
    report = services.retention.run(dry_run=True)
    assert report.dry_run
    assert report.visits == DAYS - 90
    assert list(services.db.conn.iterdump()) == before
    assert stored_ages(services, by_age) == set(range(1, DAYS + 1))


def test_purge_deletes_what_is_older_than_the_setting_and_records_counts(
    kiosk: Kiosk, services: Services
) -> None:
    by_age = add_visits_over_400_days(kiosk, services)
    old, recent = by_age[91], by_age[90]
    services.visits.badge_code(old)
    services.audit.record(AuditAction.SIGN_OUT, visit_ids=[old, recent])
    badge_dir = kiosk.paths.badge_dir
    badge_dir.mkdir(parents=True)
    (badge_dir / f"{old}.pdf").write_bytes(b"%PDF old badge")
    (badge_dir / f"{recent}.pdf").write_bytes(b"%PDF recent badge")

    report = services.retention.run(chunk=37)  # several chunks

    assert report.visits == DAYS - 90
    assert stored_ages(services, by_age) == set(range(1, 91))
    assert services.db.execute("SELECT count(*) FROM badges").fetchone()[0] == 0
    (entry,) = services.audit.entries()
    assert entry.visit_ids == (recent,)
    assert entry.visit_count == 2
    assert not (badge_dir / f"{old}.pdf").exists()
    assert (badge_dir / f"{recent}.pdf").exists()
    assert report.files == 0  # the old badge went with its chunk, before the sweep
    (record,) = services.db.execute("SELECT rule, visits, audit_entries, files FROM purges")
    assert record == ("visits older than 90 days; audit entries older than 365 days", 310, 0, 0)
    assert services.retention.run().visits == 0
    assert services.db.execute("SELECT count(*) FROM purges").fetchone()[0] == 1


def test_nothing_of_a_purged_visitor_is_left_in_any_file(kiosk: Kiosk, services: Services) -> None:
    add_visits_over_400_days(kiosk, services)
    services.db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # some pages in the file, some in WAL
    services.visits.sign_in(SignInForm("Recent Visitor 0"), kiosk.notice("en"))
    needles = [OLD_NAME.encode(), b"Vlasbloem", "Ødegård".encode()]
    assert any(n in kiosk.paths.database.read_bytes() + _wal(kiosk) for n in needles)

    services.retention.run()

    for path in kiosk.paths.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} still in {path}"
    assert _wal(kiosk) == b""


def _wal(kiosk: Kiosk) -> bytes:
    wal = kiosk.paths.database.with_name("kiosk.db-wal")
    return wal.read_bytes() if wal.exists() else b""


def test_stray_badge_files_are_swept(kiosk: Kiosk, services: Services) -> None:
    badge_dir = kiosk.paths.badge_dir
    badge_dir.mkdir(parents=True)
    (badge_dir / "424242.pdf").write_bytes(b"%PDF of a visit that no longer exists")
    assert services.retention.run(dry_run=True).files == 1
    assert services.retention.run().files == 1
    assert list(badge_dir.iterdir()) == []


def test_what_an_interrupted_badge_or_report_write_left_is_swept(
    kiosk: Kiosk, services: Services
) -> None:
    badge_dir, report_dir = kiosk.paths.badge_dir, kiosk.paths.report_dir
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
    assert services.retention.run(dry_run=True).files == 2
    assert services.retention.run().files == 2
    assert list(badge_dir.iterdir()) == [in_progress]
    assert list(report_dir.iterdir()) == []


def test_audit_entries_have_their_own_retention(
    kiosk: Kiosk, services: Services, clock: Clock
) -> None:
    clock.now = NOW - timedelta(days=366)
    services.audit.record(AuditAction.LOGIN)
    clock.now = NOW
    services.audit.record(AuditAction.LOGOUT)
    assert services.retention.run(dry_run=True).audit_entries == 1
    assert services.retention.run().audit_entries == 1
    assert [e.action for e in services.audit.entries()] == [AuditAction.LOGOUT]


@pytest.mark.parametrize("days", [30, 180])
def test_one_setting_drives_the_notice_and_the_cleanup(
    write_config: WriteConfig, data_dir: Path, clock: Clock, days: int
) -> None:
    kiosk = start_kiosk(data_dir, write_config(f"[retention]\nvisit_days = {days}\n"), clock)
    words = {"en": f"**{days} days**", "nl": f"**{days} dagen**", "da": f"**{days} dage**"}
    for language, promise in words.items():
        assert promise in kiosk.notice(language).text
    services = kiosk.open_services()
    try:
        by_age = add_visits_over_400_days(kiosk, services)
        assert services.retention.run().visits == DAYS - days
        assert stored_ages(services, by_age) == set(range(1, days + 1))
    finally:
        services.close()
