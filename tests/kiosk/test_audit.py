"""The staff audit log (kiosk.staff.audit): ids and counts, never visitor data; links that go with
their visits; an export; its own retention."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from visitsupport import Clock, WriteConfig

from kiosk.bootstrap import Kiosk, Services, start_kiosk
from kiosk.domain.visit import SignInForm
from kiosk.export.visits import ExportFormat
from kiosk.staff.audit import AuditAction, AuditLog
from storage.audit import AuditStore


def test_entries_link_existing_visits_and_keep_the_count_when_they_go(
    kiosk: Kiosk, services: Services
) -> None:
    visit = services.visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    services.audit.record(AuditAction.ERASURE, "1 visits erased", [visit.visit_id, 999_999])
    (entry,) = services.audit.entries()
    assert entry.visit_ids == (visit.visit_id,)
    assert entry.visit_count == 1  # the id that does not exist is not counted
    services.db.execute("DELETE FROM visits WHERE visit_id = ?", [visit.visit_id])
    (entry,) = services.audit.entries()
    assert entry.visit_ids == ()
    assert entry.visit_count == 1


def test_export_is_csv_with_local_times_and_no_visitor_data(
    kiosk: Kiosk, services: Services
) -> None:
    visit = services.visits.sign_in(SignInForm("Ann Smith", "Acme"), kiosk.notice("en"))
    services.audit.record(AuditAction.SIGN_OUT, visit_ids=[visit.visit_id])
    out = io.StringIO()
    assert services.audit.export(date.today(), date.today(), ExportFormat.CSV, out) == 1
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["action"] == "sign-out"
    assert row["visit_ids"] == str(visit.visit_id)
    assert datetime.fromisoformat(row["at"]).utcoffset() is not None
    assert "Ann Smith" not in out.getvalue()
    assert "Acme" not in out.getvalue()


def test_entries_expire_after_their_own_retention(services: Services) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    clock = Clock(now - timedelta(days=400))
    audit = AuditLog(AuditStore(services.db), "lobby-1", clock)
    audit.record(AuditAction.LOGIN)
    clock.now = now - timedelta(days=364)
    audit.record(AuditAction.LOGOUT)
    clock.now = now
    assert audit.expire(365) == 1
    assert [e.action for e in audit.entries()] == [AuditAction.LOGOUT]
    assert audit.expire(365) == 0


def test_the_cleanup_applies_the_configured_audit_retention(
    write_config: WriteConfig, data_dir: Path
) -> None:
    kiosk = start_kiosk(data_dir, write_config("[retention]\naudit_days = 30\n"))
    services = kiosk.open_services()
    try:
        old = AuditLog(
            AuditStore(services.db), "lobby-1", lambda: datetime.now(UTC) - timedelta(days=31)
        )
        old.record(AuditAction.LOGIN)
        services.audit.record(AuditAction.LOGOUT)
        assert services.retention.run().audit_entries == 1
        assert [e.action for e in services.audit.entries()] == [AuditAction.LOGOUT]
    finally:
        services.close()
