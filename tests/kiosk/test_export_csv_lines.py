"""The CSV export's lines are built by SQLite (storage/export.py) for speed; they must be the
very bytes Python's csv module makes of the same rows (kiosk.export.visits.write_csv), for any text
a visitor can type and any moment, DST changes included."""

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

import kiosk.export.visits as kiosk_export
import storage.export
from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.clock import local_day_bounds, to_db
from kiosk.domain.visit import normalise_text
from kiosk.export.visits import ExportFormat, export_records, export_visits, write_csv
from storage.database import StorageError

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


def add(services: Services, kiosk: Kiosk, rows: list[tuple[str, str, str, str, datetime]]) -> None:
    notice = kiosk.notice("da")
    services.db.execute(
        "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
        "VALUES (?, ?, ?, ?)",
        [notice.version, notice.language, notice.text, "2026-01-01T00:00:00.000000Z"],
    )
    services.store.add_visits(
        (
            name,
            company,
            host,
            purpose,
            to_db(at),
            to_db(at + timedelta(hours=9, minutes=7)) if name else None,
            "staff" if name else None,
            "da",
            notice.version,
            "lobby-1",
        )
        for name, company, host, purpose, at in rows
    )


def both(services: Services, first: date, last: date) -> tuple[str, str]:
    """The export as written to a real file (SQLite's lines go to the file's bytes) and to a
    StringIO (decoded), and what write_csv makes of the same rows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "visits.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            export_visits(services.store, first, last, ExportFormat.CSV, file)
        ours = path.read_bytes().decode()
    in_memory = io.StringIO(newline="")
    export_visits(services.store, first, last, ExportFormat.CSV, in_memory)
    assert in_memory.getvalue() == ours
    start, end = local_day_bounds(first, last)
    reference = io.StringIO(newline="")
    write_csv(export_records(services.store.signed_in_between(to_db(start), to_db(end))), reference)
    return ours, reference.getvalue()


def test_tricky_text_and_dst_days_give_the_same_bytes(kiosk: Kiosk, services: Services) -> None:
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
    add(services, kiosk, rows)
    ours, reference = both(services, date(2026, 1, 1), date(2026, 12, 31))
    assert ours == reference
    assert ours.count("\r\n") == len(rows) + 1


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5),
    offsets=st.lists(st.integers(min_value=0, max_value=365 * 24 * 3600), min_size=1, max_size=5),
)
def test_any_text_and_time_give_the_same_bytes(
    kiosk: Kiosk, services: Services, texts: list[str], offsets: list[int]
) -> None:
    services.db.execute("DELETE FROM visits")
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
    add(services, kiosk, rows)
    ours, reference = both(services, date(2025, 12, 31), date(2027, 1, 1))
    assert ours == reference


def test_a_sign_out_long_after_the_sign_in_is_converted_exactly(
    kiosk: Kiosk, services: Services
) -> None:
    add(services, kiosk, [("Ann Smith", "", "", "", datetime(2026, 2, 1, 9, 0, tzinfo=UTC))])
    # Signed out years later, in summer time: past the span the offsets were found for.
    services.db.execute(
        "UPDATE visits SET signed_out_at = ?", [to_db(datetime(2029, 7, 1, 12, 0, 30, tzinfo=UTC))]
    )
    ours, reference = both(services, date(2026, 1, 1), date(2026, 12, 31))
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
def test_every_kind_of_zone_gives_the_same_bytes(
    kiosk: Kiosk, services: Services, zone: str
) -> None:
    base = datetime(2011, 1, 1, tzinfo=UTC)
    # Every 7 hours 13 minutes 59.9999 seconds for about two years: every hour of the day,
    # both DST changes of each year, and Apia's missing day.
    step = timedelta(hours=7, minutes=13, seconds=59, microseconds=999900)
    rows = [("Ann Smith", "", "", "", base + index * step) for index in range(2400)]
    add(services, kiosk, rows)
    ours, reference = both(services, date(2010, 12, 30), date(2013, 1, 2))
    assert ours == reference
    assert ours.count("\r\n") == len(rows) + 1


def test_small_batches_and_many_visits_at_one_moment_give_the_same_bytes(
    kiosk: Kiosk, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.export, "BATCH", 3)
    moment = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    rows = [(f"Visitor {n}", "", "", "", moment) for n in range(10)]  # more than a batch
    rows += [
        (TRICKY[n % len(TRICKY)] or "x", "a,b", "", "", moment + timedelta(minutes=n))
        for n in range(1, 8)
    ]
    add(services, kiosk, rows)
    ours, reference = both(services, date(2026, 5, 1), date(2026, 5, 31))
    assert ours == reference
    assert ours.count("Visitor ") == 10


def test_an_export_split_between_processes_gives_the_same_bytes(
    kiosk: Kiosk, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.export, "BATCH", 7)
    monkeypatch.setattr(kiosk_export, "SPLIT_ROWS", 10)
    base = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # over the change to summer time
    rows = [
        (TRICKY[n % len(TRICKY)] or f"Visitor {n}", "", "", "", base + n * timedelta(minutes=7))
        for n in range(120)
    ]
    add(services, kiosk, rows)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    _, reference = both(services, first, last)
    for processes in (2, 3, 4):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "visits.csv"
            with path.open("w", encoding="utf-8", newline="") as file:
                count = export_visits(
                    services.store, first, last, ExportFormat.CSV, file, processes=processes
                )
            assert path.read_bytes().decode() == reference
        assert count == len(rows)


def test_a_failing_helper_process_fails_the_export(
    kiosk: Kiosk, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk_export, "SPLIT_ROWS", 10)
    add(
        services,
        kiosk,
        [("Ann Smith", "", "", "", datetime(2026, 3, 2, 9, n, tzinfo=UTC)) for n in range(40)],
    )
    parent = os.getpid()
    real = kiosk_export.connect

    def connect_only_in_parent(path: Path) -> object:
        if os.getpid() != parent:
            raise OSError("disk gone")
        return real(path)

    monkeypatch.setattr(kiosk_export, "connect", connect_only_in_parent)
    out = io.StringIO()
    with pytest.raises(StorageError):
        export_visits(
            services.store, date(2026, 3, 1), date(2026, 3, 31), ExportFormat.CSV, out, processes=2
        )
