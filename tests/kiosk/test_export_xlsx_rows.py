"""The workbook export's sheet is built by SQLite (storage/sqlite/export_xlsx.py, xlsx_rows.py)
and zipped in pieces (zip_pieces.py) for speed; unzipped, every part must be the very bytes the
reference writer (kiosk.domain.workbook.write_xlsx of visit_record) makes of the same visits,
for any text a visitor can type (and text only an older database could hold), any moment,
DST changes included, in one process or several."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage.sqlite.csv_lines
import storage.sqlite.export_xlsx
import storage.sqlite.forked
from kiosk.bootstrap import Core
from kiosk.domain.access_log import visit_record
from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.errors import StorageError
from kiosk.domain.visit import NewVisit, SignOutMethod, normalise_text
from kiosk.domain.workbook import SHEET_PART, write_xlsx
from kiosk.export.visits import ExportFormat

pytestmark = pytest.mark.usefixtures("amsterdam")

TRICKY = [
    "",
    "plain",
    "Søren Ørsted",
    "Zoë van IJsselstein",
    "👩🏽‍💻 emoji",
    "=SUM(A1:A9)",
    "+31 6 1234",
    "-minus",
    "@at",
    "'quoted already",
    "0800 digits first",
    "a & b",
    "<b>bold</b>",
    "x > y",
    'Smith, "Bob"',
    "عبد الله",
    "中村",
    "Ｆｕｌｌｗｉｄｔｈ",  # U+FF..: 0xEF in UTF-8, and nothing wrong with it
]
# What the sign-in normalisation never stores, but an older database might hold: the sheet
# must still be right (these batches are written by Python).
RAW = [
    "\tTab",
    "line\nbreak",
    "cr\rreturn",
    " leading space",
    "trailing space ",
    "bell\x07",
    "not\ufffe xml\uffff",
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


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of a workbook, unzipped (zipfile checks each part's CRC-32 as it reads)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.testzip() is None
        return {name: book.read(name) for name in book.namelist()}


def export_file(core: Core, first: date, last: date, processes: int = 1) -> tuple[bytes, int]:
    """The workbook as the export operation writes it to a real file, and the count."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "visits.xlsx"
        with path.open("wb") as file:
            count = core.exports.visits(first, last, ExportFormat.XLSX, file, processes=processes)
        return path.read_bytes(), count


def both(core: Core, first: date, last: date) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The parts of the workbook as the export operation writes it, and of what write_xlsx
    makes of the same visits."""
    ours, count = export_file(core, first, last)
    start, end = local_day_bounds(first, last)
    reference = io.BytesIO()
    with core.store.reading() as db:
        records = (visit_record(v) for v in db.visits.signed_in_between(start, end))
        assert write_xlsx(records, reference) == count
    return parts(ours), parts(reference.getvalue())


def test_tricky_text_and_dst_days_give_the_same_bytes(core: Core) -> None:
    moments = [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # just before CET -> CEST
        datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, before the clock goes back
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the second time
        datetime(2026, 6, 30, 21, 30, tzinfo=UTC),  # 23:30 local on the last day of June
        datetime(2026, 12, 31, 22, 59, 59, 999999, tzinfo=UTC),
    ]
    texts = TRICKY + RAW
    rows = [
        (
            texts[(i + 1) % len(texts)] or "x",
            texts[i % len(texts)],
            texts[(i + 3) % len(texts)],
            texts[(i + 5) % len(texts)],
            moments[i % len(moments)],
        )
        for i in range(len(texts) * 2)
    ]
    add_rows(core, rows)
    ours, reference = both(core, date(2026, 1, 1), date(2026, 12, 31))
    assert ours == reference
    assert list(ours) == [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        SHEET_PART,
    ]
    assert ours[SHEET_PART].count(b"<row>") == len(rows) + 1
    (entry,) = core.audit.entries(limit=None)
    assert (entry.action, entry.detail) == (
        AuditAction.EXPORT,
        f"Access log from 2026-01-01 to 2026-12-31, {len(rows)} rows, xlsx",
    )


def test_only_rows_that_need_it_are_written_by_python(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path is the path: ordinary visits are SQLite's rows, and in a batch with an
    odd value only that visit's row is written again."""
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 5)
    written_again: list[int] = []
    real = storage.sqlite.export_xlsx.visits_by_id

    def visits_by_id(db: object, visit_ids: list[int]) -> object:
        written_again.extend(visit_ids)
        return real(db, visit_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.sqlite.export_xlsx, "visits_by_id", visits_by_id)
    base = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    plain = [t for t in TRICKY if "<" not in t and ">" not in t]
    add_rows(
        core, [(t or "x", t, t, t, base + n * timedelta(hours=1)) for n, t in enumerate(plain)]
    )
    ours, reference = both(core, date(2026, 5, 1), date(2026, 5, 31))
    assert ours == reference
    assert written_again == []
    odd = len(plain) + 1  # the next visit's id
    add_rows(core, [("a < b", "", "", "", base + timedelta(minutes=90))])
    add_rows(core, [("trailing ", "", "", "", base + timedelta(minutes=150))])
    ours, reference = both(core, date(2026, 5, 1), date(2026, 5, 31))
    assert ours == reference
    assert written_again == [odd, odd + 1]


# Text as a database may hold it: anything but NUL (which SQLite's text functions stop at) and
# lone surrogates (which cannot be stored as UTF-8).
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(ANY_TEXT, min_size=1, max_size=5),
    offsets=st.lists(st.integers(min_value=0, max_value=365 * 24 * 3600), min_size=1, max_size=5),
    normalised=st.booleans(),
)
def test_any_text_and_time_give_the_same_bytes(
    core: Core, texts: list[str], offsets: list[int], normalised: bool
) -> None:
    with core.store.transaction() as db:  # the visits of the previous example
        db.visits.delete_signed_in_before(datetime(9999, 1, 1, tzinfo=UTC), limit=1000)
        assert db.visits.count() == 0
    if normalised:  # what a sign-in stores
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
    # Signed out years later, in summer time: past the span the hours were found for.
    row = ("Ann Smith", "", "", "", datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    add(core, [new_visit(core, row, datetime(2029, 7, 1, 12, 0, 30, tzinfo=UTC))])
    ours, reference = both(core, date(2026, 1, 1), date(2026, 12, 31))
    assert ours == reference
    # 1 July 2029 14:00:30 local: day 47300 since 1899-12-30, 50430 s into it.
    assert f"<v>47300.{(50430 * 10**10 + 43200) // 86400:010d}</v>".encode() in ours[SHEET_PART]


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
        "Asia/Kolkata",  # +05:30: an hour of UTC can straddle local midnight
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
    assert ours[SHEET_PART].count(b"<row>") == len(rows) + 1


def test_small_batches_and_many_visits_at_one_moment_give_the_same_bytes(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 3)
    moment = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    rows = [(f"Visitor {n}", "", "", "", moment) for n in range(10)]  # more than a batch
    rows += [
        (TRICKY[n % len(TRICKY)] or "x", "a&b", "", "", moment + timedelta(minutes=n))
        for n in range(1, 8)
    ]
    add_rows(core, rows)
    ours, reference = both(core, date(2026, 5, 1), date(2026, 5, 31))
    assert ours == reference
    assert ours[SHEET_PART].count(b"Visitor ") == 10


def test_an_export_split_between_processes_gives_the_same_bytes(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 7)
    monkeypatch.setattr(storage.sqlite.export_xlsx, "SPLIT_ROWS", 10)
    base = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # over the change to summer time
    texts = TRICKY + RAW
    rows = [
        (texts[n % len(texts)] or f"Visitor {n}", "", "", "", base + n * timedelta(minutes=7))
        for n in range(120)
    ]
    add_rows(core, rows)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    _, reference = both(core, first, last)
    for processes in (2, 3, 4):
        data, count = export_file(core, first, last, processes)
        assert parts(data) == reference
        assert count == len(rows)


def test_a_failing_helper_process_fails_the_export(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.sqlite.export_xlsx, "SPLIT_ROWS", 10)
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
    out = io.BytesIO()
    with pytest.raises(StorageError):
        core.exports.visits(
            date(2026, 3, 1), date(2026, 3, 31), ExportFormat.XLSX, out, processes=2
        )
    assert core.audit.entries(limit=None) == []  # an export that failed is not recorded
