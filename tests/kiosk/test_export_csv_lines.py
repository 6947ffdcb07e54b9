"""The CSV export's lines are built by SQLite (storage/sqlite/export.py, csv_lines.py) for speed;
they must be the very bytes Python's csv module makes of the same visits
(kiosk.domain.access_log.write_csv of visit_record), for any text a visitor can type and any
moment, DST changes included."""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage.sqlite.csv_lines
import storage.sqlite.export
import storage.sqlite.forked
from kiosk.bootstrap import Core
from kiosk.domain.access_log import visit_record, write_csv
from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.errors import StorageError
from kiosk.domain.visit import NewVisit, SignOutMethod, normalise_text
from kiosk.export.visits import ExportFormat

pytestmark = pytest.mark.usefixtures("amsterdam")

TRICKY = [
    "",
    "plain",
    'Smith, "Bob"',
    "=SUM(A1:A9)",
    "+31 6 1234",
    "-minus",
    "@at",
    "\tTab",
    "line\nbreak",
    "cr\rreturn",
    "'quoted already",
    "  spaces  kept? no: normalised",
    "tab\tinside",
    "Zoë Ødegård",
    "عبد الله",
    "中村",
    "a,b",
    '"',
    ",",
]


Row = tuple[str, str, str, str, datetime]


def new_visit(core: Core, row: Row, signed_out_at: datetime | None = None) -> NewVisit:
    """A Danish visit, signed out by staff 9 h 7 min after it began (unless told otherwise)."""
    name, company, host, purpose, at = row
    return NewVisit(
        visitor_name=name,
        company=company,
        host=host,
        purpose=purpose,
        signed_in_at=at,
        language="da",
        notice_version=core.notices.notice("da").version,
        kiosk_id="lobby-1",
        signed_out_at=signed_out_at or at + timedelta(hours=9, minutes=7),
        sign_out_method=SignOutMethod.STAFF,
    )


def add(core: Core, visits: list[NewVisit]) -> None:
    notice = core.notices.notice("da")
    with core.store.transaction() as db:
        db.visits.add_notice(notice.stored, datetime(2026, 1, 1, tzinfo=UTC))
        assert db.visits.add_many(visits) == len(visits)


def add_rows(core: Core, rows: list[Row]) -> None:
    add(core, [new_visit(core, row) for row in rows])


def both(core: Core, first: date, last: date) -> tuple[str, str]:
    """The export as written to a real file by the export operation (SQLite's lines go to the
    file's bytes) and by the store to a StringIO (decoded), and what write_csv makes of the
    same visits."""
    start, end = local_day_bounds(first, last)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "visits.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            count = core.exports.visits(first, last, ExportFormat.CSV, file)
        ours = path.read_bytes().decode()
    in_memory = io.StringIO(newline="")
    assert core.store.export_csv(start, end, in_memory) == count
    assert in_memory.getvalue() == ours
    reference = io.StringIO(newline="")
    with core.store.reading() as db:
        records = (visit_record(v) for v in db.visits.signed_in_between(start, end))
        assert write_csv(records, reference) == count
    return ours, reference.getvalue()


def test_tricky_text_and_dst_days_give_the_same_bytes(core: Core) -> None:
    moments = [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # just before CET -> CEST
        datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, before the clock goes back
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the second time
        datetime(2026, 6, 30, 21, 30, tzinfo=UTC),  # 23:30 local on the last day of June
        datetime(2026, 12, 31, 22, 59, 59, 999999, tzinfo=UTC),
    ]
    rows = [
        (
            TRICKY[(i + 1) % len(TRICKY)] or "x",
            TRICKY[i % len(TRICKY)],
            TRICKY[(i + 3) % len(TRICKY)],
            TRICKY[(i + 5) % len(TRICKY)],
            moments[i % len(moments)],
        )
        for i in range(len(TRICKY) * 2)
    ]
    add_rows(core, rows)
    ours, reference = both(core, date(2026, 1, 1), date(2026, 12, 31))
    assert ours == reference
    assert ours.count("\r\n") == len(rows) + 1
    (entry,) = core.audit.entries(limit=None)
    assert (entry.action, entry.detail) == (
        AuditAction.EXPORT,
        f"Access log from 2026-01-01 to 2026-12-31, {len(rows)} rows, csv",
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5),
    offsets=st.lists(st.integers(min_value=0, max_value=365 * 24 * 3600), min_size=1, max_size=5),
)
def test_any_text_and_time_give_the_same_bytes(
    core: Core, texts: list[str], offsets: list[int]
) -> None:
    with core.store.transaction() as db:  # the visits of the previous example
        db.visits.delete_signed_in_before(datetime(9999, 1, 1, tzinfo=UTC), limit=1000)
        assert db.visits.count() == 0
    # What can be stored: every field goes through the sign-in normalisation first (no
    # control characters, so no NUL, which SQLite's text functions would stop at).
    texts = [normalise_text(text) or "x" for text in texts]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        (
            text,
            text[::-1],
            text.upper(),
            text.lower(),
            base + timedelta(seconds=offsets[i % len(offsets)]),
        )
        for i, text in enumerate(texts)
    ]
    add_rows(core, rows)
    ours, reference = both(core, date(2025, 12, 31), date(2027, 1, 1))
    assert ours == reference


def test_a_sign_out_long_after_the_sign_in_is_converted_exactly(core: Core) -> None:
    # Signed out years later, in summer time: past the span the offsets were found for.
    row = ("Ann Smith", "", "", "", datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    add(core, [new_visit(core, row, datetime(2029, 7, 1, 12, 0, 30, tzinfo=UTC))])
    ours, reference = both(core, date(2026, 1, 1), date(2026, 12, 31))
    assert ours == reference
    assert "2029-07-01T14:00:30+02:00" in ours


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",  # DST at 02:00 local, whole hours
        "Asia/Kolkata",  # +05:30: no hour maps to an hour, every time converted one by one
        "America/St_Johns",  # -03:30 with DST
        "Australia/Lord_Howe",  # DST moves the clock by 30 minutes
        "Pacific/Chatham",  # +12:45 / +13:45
        "Pacific/Apia",  # skipped a whole day (30 December 2011)
        "UTC",
    ],
    indirect=True,
)
def test_every_kind_of_zone_gives_the_same_bytes(core: Core, zone: str) -> None:
    base = datetime(2011, 1, 1, tzinfo=UTC)
    # Every 7 hours 13 minutes 59.9999 seconds for about two years: every hour of the day,
    # both DST changes of each year, and Apia's missing day.
    step = timedelta(hours=7, minutes=13, seconds=59, microseconds=999900)
    rows = [("Ann Smith", "", "", "", base + index * step) for index in range(2400)]
    add_rows(core, rows)
    ours, reference = both(core, date(2010, 12, 30), date(2013, 1, 2))
    assert ours == reference
    assert ours.count("\r\n") == len(rows) + 1


def test_small_batches_and_many_visits_at_one_moment_give_the_same_bytes(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 3)
    moment = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    rows = [(f"Visitor {n}", "", "", "", moment) for n in range(10)]  # more than a batch
    rows += [
        (TRICKY[n % len(TRICKY)] or "x", "a,b", "", "", moment + timedelta(minutes=n))
        for n in range(1, 8)
    ]
    add_rows(core, rows)
    ours, reference = both(core, date(2026, 5, 1), date(2026, 5, 31))
    assert ours == reference
    assert ours.count("Visitor ") == 10


def test_an_export_split_between_processes_gives_the_same_bytes(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 7)
    monkeypatch.setattr(storage.sqlite.export, "SPLIT_ROWS", 10)
    base = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # over the change to summer time
    rows = [
        (TRICKY[n % len(TRICKY)] or f"Visitor {n}", "", "", "", base + n * timedelta(minutes=7))
        for n in range(120)
    ]
    add_rows(core, rows)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    _, reference = both(core, first, last)
    for processes in (2, 3, 4):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "visits.csv"
            with path.open("w", encoding="utf-8", newline="") as file:
                count = core.exports.visits(
                    first, last, ExportFormat.CSV, file, processes=processes
                )
            assert path.read_bytes().decode() == reference
        assert count == len(rows)


def test_a_failing_helper_process_fails_the_export(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.export, "SPLIT_ROWS", 10)
    add_rows(
        core,
        [("Ann Smith", "", "", "", datetime(2026, 3, 2, 9, n, tzinfo=UTC)) for n in range(40)],
    )
    parent = os.getpid()
    real = storage.sqlite.forked.connect

    def connect_only_in_parent(path: Path) -> object:
        if os.getpid() != parent:
            raise OSError("disk gone")
        return real(path)

    monkeypatch.setattr(storage.sqlite.forked, "connect", connect_only_in_parent)
    out = io.StringIO()
    with pytest.raises(StorageError):
        core.exports.visits(date(2026, 3, 1), date(2026, 3, 31), ExportFormat.CSV, out, processes=2)
    assert core.audit.entries(limit=None) == []  # an export that failed is not recorded
