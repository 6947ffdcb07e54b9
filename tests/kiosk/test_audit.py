"""The staff audit log (kiosk.staff.audit): ids and counts, never visitor data; links that go with
their visits; an export; its own retention."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from visitsupport import Clock, WriteConfig

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignInForm
from kiosk.export.visits import ExportFormat
from kiosk.maintenance.retention import Retention
from kiosk.settings.config import SUPPORTED_LANGUAGES, RetentionConfig
from kiosk.settings.i18n import catalog
from kiosk.staff.audit import AuditLog, entry_detail, worded_action, worded_detail


def record(
    audit: AuditLog,
    core: Core,
    action: AuditAction,
    visit_ids: Iterable[int] = (),
    **params: str | int,
) -> int:
    """One entry, in a transaction of its own."""
    with core.store.transaction() as db:
        return audit.record(db, action, visit_ids, **params)


def test_entries_link_existing_visits_and_keep_the_count_when_they_go(core: Core) -> None:
    visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    record(core.audit, core, AuditAction.ERASURE, [visit.visit_id, 999_999], count=1)
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
    assert (newest.action, newest.detail, newest.params) == (
        AuditAction.EXPORT,
        f"Audit log from {today} to {today}, 1 row, csv",
        {"what": "audit", "first": str(today), "last": str(today), "count": 1, "format": "csv"},
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


def test_every_action_is_worded_in_every_language() -> None:
    for language in SUPPORTED_LANGUAGES:
        words = catalog(language)
        names = {worded_action(words, action) for action in AuditAction}
        assert len(names) == len(AuditAction), language  # no two actions read alike


def test_an_entry_reads_in_the_readers_language_and_is_stored_with_its_parts(core: Core) -> None:
    """The log keeps what a detail is made of; each reader sees it in their own language, with
    their own date format and field names, and the export's detail is the English."""
    visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    record(core.audit, core, AuditAction.FAILED_LOGIN, count=2)
    record(core.audit, core, AuditAction.CORRECTION, [visit.visit_id], field="host")
    record(
        core.audit, core, AuditAction.EXPORT,
        what="visits", first="2026-11-01", last="2026-11-21", count=1843, format="csv",
    )  # fmt: skip
    export, correction, failed = core.audit.entries()

    assert failed.params == {"count": 2}
    assert failed.detail == "Wrong PIN (2 in a row)"
    shown = {
        language: [
            (worded_action(catalog(language), e.action), entry_detail(catalog(language), e))
            for e in (failed, correction, export)
        ]
        for language in ("nl", "da")
    }
    assert shown["nl"] == [
        ("Mislukte inlogpoging", "Verkeerde pincode (2 keer achter elkaar)"),
        ("Correctie", "Gecorrigeerd: Contactpersoon"),
        ("Export", "Bezoekerslog van 01-11-2026 t/m 21-11-2026, 1843 rijen, csv"),
    ]
    assert shown["da"] == [
        ("Mislykket login", "Forkert pinkode (2 i træk)"),
        ("Berigtigelse", "Rettet: Vært"),
        ("Eksport", "Adgangslog fra 01.11.2026 til 21.11.2026, 1843 rækker, csv"),
    ]


def test_an_entry_from_before_the_log_kept_its_parts_shows_its_stored_text(core: Core) -> None:
    with core.store.transaction() as db:
        db.audit.add(datetime.now(UTC), AuditAction.FAILED_LOGIN, "wrong PIN 1 in a row", [], "k")
    (entry,) = core.audit.entries()
    assert entry.params == {}
    assert entry_detail(catalog("nl"), entry) == "wrong PIN 1 in a row"


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "Wrong PIN", "Wrong PIN (2 in a row)"),
        ("nl", "Verkeerde pincode", "Verkeerde pincode (2 keer achter elkaar)"),
        ("da", "Forkert pinkode", "Forkert pinkode (2 i træk)"),
    ],
)
def test_one_of_a_thing_is_worded_as_one(language: str, one: str, two: str) -> None:
    """ "Wrong PIN (1 in a row)" and "1 visit(s)" read as a machine wrote them."""
    words = catalog(language)
    assert worded_detail(words, AuditAction.FAILED_LOGIN, {"count": 1}) == one
    assert worded_detail(words, AuditAction.FAILED_LOGIN, {"count": 2}) == two
    erased = worded_detail(catalog("en"), AuditAction.ERASURE, {"count": 1})
    assert erased == "1 visit erased"
    assert worded_detail(catalog("en"), AuditAction.ERASURE, {"count": 3}) == "3 visits erased"
    assert worded_detail(catalog("nl"), AuditAction.ERASURE, {"count": 1}) == "1 bezoek gewist"
