"""The staff audit log (kiosk.staff.audit): ids and counts, never visitor data; links that go with
their visits; an export; its own retention."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from visitsupport import Clock, WriteConfig

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignInForm
from kiosk.export.visits import ExportFormat
from kiosk.maintenance.retention import Retention
from kiosk.settings.config import RetentionConfig
from kiosk.staff.audit import AuditLog


def record(
    audit: AuditLog,
    core: Core,
    action: AuditAction,
    detail: str = "",
    visit_ids: Iterable[int] = (),
) -> int:
    """One entry, in a transaction of its own."""
    with core.store.transaction() as db:
        return audit.record(db, action, detail, visit_ids)


def test_entries_link_existing_visits_and_keep_the_count_when_they_go(core: Core) -> None:
    visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    record(core.audit, core, AuditAction.ERASURE, "1 visits erased", [visit.visit_id, 999_999])
    (entry,) = core.audit.entries()
    assert entry.visit_ids == (visit.visit_id,)
    assert entry.visit_count == 1  # the id that does not exist is not counted
    with core.store.transaction() as db:
        assert db.visits.delete([visit.visit_id]) == 1
    (entry,) = core.audit.entries()
    assert entry.visit_ids == ()
    assert entry.visit_count == 1


def test_export_is_csv_with_local_times_and_no_visitor_data(core: Core) -> None:
    notice = core.notices.notice("en")
    visit = core.visits.sign_in(SignInForm("Ann Smith", "Acme"), notice).visit
    record(core.audit, core, AuditAction.SIGN_OUT, visit_ids=[visit.visit_id])
    out = io.StringIO()
    today = date.today()
    assert core.exports.audit_log(today, today, ExportFormat.CSV, out) == 1
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["action"] == "sign-out"
    assert row["visit_ids"] == str(visit.visit_id)
    assert datetime.fromisoformat(row["at"]).utcoffset() is not None
    assert "Ann Smith" not in out.getvalue()
    assert "Acme" not in out.getvalue()
    # The export is recorded itself: the range, the count and the format.
    newest = core.audit.entries(limit=1)[0]
    assert (newest.action, newest.detail) == (
        AuditAction.EXPORT,
        f"audit {today}..{today}, 1 rows, csv",
    )


def test_entries_expire_after_their_own_retention(core: Core) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    clock = Clock(now - timedelta(days=400))
    audit = AuditLog(core.store, "lobby-1", clock)
    retention = Retention(core.store, core.personal_data, RetentionConfig(audit_days=365), clock)
    record(audit, core, AuditAction.LOGIN)
    clock.now = now - timedelta(days=364)
    record(audit, core, AuditAction.LOGOUT)
    clock.now = now
    assert retention.run().audit_entries == 1
    assert [e.action for e in audit.entries()] == [AuditAction.LOGOUT]
    assert retention.run().audit_entries == 0


def test_the_cleanup_applies_the_configured_audit_retention(
    write_config: WriteConfig, data_dir: Path
) -> None:
    core = assemble(data_dir, write_config("[retention]\naudit_days = 30\n"))
    try:
        old = AuditLog(core.store, "lobby-1", lambda: datetime.now(UTC) - timedelta(days=31))
        record(old, core, AuditAction.LOGIN)
        record(core.audit, core, AuditAction.LOGOUT)
        assert core.retention.run().audit_entries == 1
        assert [e.action for e in core.audit.entries()] == [AuditAction.LOGOUT]
    finally:
        core.close()
