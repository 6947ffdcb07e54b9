"""The access log as an Excel workbook (kiosk.domain.workbook), through the export operation:
read back with openpyxl it says what the JSON export says, cell by cell, with numbers as
numbers, times as date-time cells in local time and text as text; no cell is a formula; the
export is audited as the others are; a workbook too large for one sheet is refused; memory
does not grow with the number of visits. Local time is Europe/Amsterdam here."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from clisupport import CONTRACT_COLUMNS as COLUMNS

import kiosk.domain.workbook
import storage.sqlite.export_xlsx
from kiosk.bootstrap import Core
from kiosk.domain.access_log import AUDIT_COLUMNS
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import NewVisit, SignOutMethod
from kiosk.domain.workbook import SHEET_PART, WorkbookTooLarge
from kiosk.export.visits import ExportFormat
from kiosk.settings.files import atomic_binary_file

pytestmark = pytest.mark.usefixtures("amsterdam")

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","click")', "+1", "-2"]
FORMULAS += ["@SUM(A1)"]
LONG = (
    "Ø" + "lang tekst, " * 400
)  # far past what a sign-in takes (100), as an older database may hold
# (visitor_name, company, host, purpose): Danish and Dutch letters, emoji, formulas, quotes,
# markup, a leading apostrophe, very long text and empty fields.
HOSTILE = [
    ("Søren Ørsted", "Ærø Æbleskiver ApS", "Åse Kjær", "Møde om æbler"),
    ("Zoë van IJsselstein", "Ĳzerhandel Één B.V.", "Anouk de Vries", "Overleg café"),
    ("Ada 👩🏽‍💻", "🚀 Rockets & Co <Ltd>", "Mette 😀", "demo ✓ 中文"),
    (FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[3]),
    (FORMULAS[4], "'quoted already", "'=1+1", "a & b < c > d \"double\" 'single'"),
    ("Lang Navn", LONG, LONG[:100], "x" * 100),
    ("No Company", "", "", ""),
]


def new_visit(
    core: Core,
    fields: tuple[str, str, str, str],
    signed_in_at: datetime,
    signed_out_at: datetime | None,
) -> NewVisit:
    name, company, host, purpose = fields
    return NewVisit(
        visitor_name=name,
        company=company,
        host=host,
        purpose=purpose,
        signed_in_at=signed_in_at,
        language="da",
        notice_version=core.notices.notice("da").version,
        kiosk_id="lobby-1",
        signed_out_at=signed_out_at,
        sign_out_method=None if signed_out_at is None else SignOutMethod.KIOSK,
    )


def add(core: Core, visits: list[NewVisit]) -> None:
    notice = core.notices.notice("da")
    with core.store.transaction() as db:
        db.visits.add_notice(notice.stored, datetime(2026, 1, 1, tzinfo=UTC))
        assert db.visits.add_many(visits) == len(visits)


@pytest.fixture
def hostile(core: Core) -> int:
    """The hostile visits in June, each signed out 9 hours 7 minutes later, one still on
    site, and one visit over each DST change: in at 02:30 CEST on 25 October, out at 02:30
    CET an hour later; in at 01:30 CET on 29 March, out at 03:30 CEST an hour later."""
    june = datetime(2026, 6, 2, 7, 15, 42, 987654, tzinfo=UTC)
    visits = [
        new_visit(core, fields, june + n * timedelta(hours=1), june + timedelta(hours=9 + n))
        for n, fields in enumerate(HOSTILE)
    ]
    visits.append(new_visit(core, ("Still Here", "Acme", "", ""), june + timedelta(days=1), None))
    autumn = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    visits.append(
        new_visit(core, ("Autumn Night", "", "", ""), autumn, autumn + timedelta(hours=1))
    )
    spring = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    visits.append(
        new_visit(core, ("Spring Night", "", "", ""), spring, spring + timedelta(hours=1))
    )
    add(core, visits)
    return len(visits)


def export(core: Core, fmt: ExportFormat, first: date, last: date) -> bytes | str:
    if fmt.binary:
        data = io.BytesIO()
        core.exports.visits(first, last, fmt, data)
        return data.getvalue()
    text = io.StringIO(newline="")
    core.exports.visits(first, last, fmt, text)
    return text.getvalue()


def workbook_sheet(data: bytes | str) -> Any:
    assert isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Visits"]
    return book.active


def sheet_records(data: bytes | str) -> list[dict[str, Any]]:
    rows = [[cell.value for cell in row] for row in workbook_sheet(data).iter_rows()]
    assert rows[0] == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def json_records(data: bytes | str) -> list[dict[str, Any]]:
    assert isinstance(data, str)
    records: list[dict[str, Any]] = json.loads(data)
    return records


def as_in_a_workbook(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as a workbook holds it: times in their own wall-clock time, no offset."""
    times = ("signed_in_at", "signed_out_at")
    return {
        key: datetime.fromisoformat(value).replace(tzinfo=None)
        if key in times and value is not None
        else value
        for key, value in record.items()
    }


def test_the_workbook_says_what_the_json_export_says(core: Core, hostile: int) -> None:
    from_json = json_records(export(core, ExportFormat.JSON, *YEAR))
    from_sheet = sheet_records(export(core, ExportFormat.XLSX, *YEAR))

    assert len(from_sheet) == len(from_json) == hostile
    assert from_sheet == [as_in_a_workbook(record) for record in from_json]
    values = {v for record in from_sheet for v in record.values() if isinstance(v, str)}
    assert {*FORMULAS, "'quoted already", "'=1+1", LONG, "🚀 Rockets & Co <Ltd>", ""} <= values


def test_times_are_local_wall_clock_times_across_dst(core: Core, hostile: int) -> None:
    records = {r["visitor_name"]: r for r in sheet_records(export(core, ExportFormat.XLSX, *YEAR))}

    assert records["Søren Ørsted"]["signed_in_at"] == datetime(2026, 6, 2, 9, 15, 42)  # CEST
    assert records["Søren Ørsted"]["signed_out_at"] == datetime(2026, 6, 2, 18, 15, 42)
    # 02:30 summer time, then 02:30 winter time an hour later: the clock went back.
    autumn = records["Autumn Night"]
    assert (autumn["signed_in_at"], autumn["signed_out_at"]) == (
        datetime(2026, 10, 25, 2, 30),
        datetime(2026, 10, 25, 2, 30),
    )
    # 01:30 winter time, then 03:30 summer time an hour later: the clock went forward.
    spring = records["Spring Night"]
    assert (spring["signed_in_at"], spring["signed_out_at"]) == (
        datetime(2026, 3, 29, 1, 30),
        datetime(2026, 3, 29, 3, 30),
    )
    still_here = records["Still Here"]
    assert (still_here["signed_out_at"], still_here["sign_out_method"]) == (None, None)


def test_cells_are_typed_and_none_is_a_formula(core: Core, hostile: int) -> None:
    data = export(core, ExportFormat.XLSX, *YEAR)
    sheet = workbook_sheet(data)
    rows = list(sheet.iter_rows())

    assert all(cell.font.b for cell in rows[0])  # the header, in bold
    assert sheet.freeze_panes == "A2"
    for row in rows[1:]:
        cells = dict(zip(COLUMNS, row, strict=True))
        assert cells["visit_id"].data_type == "n"
        assert type(cells["visit_id"].value) is int
        assert cells["signed_in_at"].data_type == "d"
        assert isinstance(cells["signed_in_at"].value, datetime)
        assert cells["signed_in_at"].number_format == "yyyy-mm-dd hh:mm:ss"
        for column in ("visitor_name", "company", "host", "purpose", "language", "kiosk_id"):
            assert cells[column].data_type == "s"
    every_cell = [cell for row in rows for cell in row]
    assert not [cell.coordinate for cell in every_cell if cell.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as book:  # no formula element anywhere
        assert not [name for name in book.namelist() if b"<f>" in book.read(name)]
        assert b"<f " not in book.read(SHEET_PART)
    # Text that would run as a formula if someone edited it keeps Excel's quote prefix, which
    # is a style, not part of the value.
    quoted = {cell.value for cell in every_cell if cell.quotePrefix}
    assert quoted == set(FORMULAS)
    assert sheet.column_dimensions["B"].width > 20


def test_values_the_csv_guards_are_values_in_the_workbook(core: Core, hostile: int) -> None:
    """The CSV's apostrophe guard is for CSV only: the workbook holds each value as it is."""
    text = export(core, ExportFormat.CSV, *YEAR)
    assert isinstance(text, str)
    assert "'=cmd|' /C calc'!A0" in text
    names = [r["visitor_name"] for r in sheet_records(export(core, ExportFormat.XLSX, *YEAR))]
    assert "=cmd|' /C calc'!A0" in names
    assert "'=cmd|' /C calc'!A0" not in names


def test_characters_xml_cannot_hold_are_left_out(core: Core) -> None:
    """The kiosk's normalisation never stores them; a database from elsewhere might."""
    at = datetime(2026, 5, 4, 8, tzinfo=UTC)
    odd = ("Bell\x07 Ann", "Null\ufffe Co\uffff", "tab\there\nand line", "cr\rkept")
    add(core, [new_visit(core, odd, at, None)])

    (record,) = sheet_records(export(core, ExportFormat.XLSX, *YEAR))

    assert (record["visitor_name"], record["company"]) == ("Bell Ann", "Null Co")
    assert (record["host"], record["purpose"]) == ("tab\there\nand line", "cr\rkept")


def test_the_workbook_export_is_audited_with_range_count_and_format(
    core: Core, hostile: int
) -> None:
    export(core, ExportFormat.XLSX, *YEAR)
    export(core, ExportFormat.XLSX, date(2025, 1, 1), date(2025, 1, 31))

    entries = [e for e in reversed(core.audit.entries()) if e.action is AuditAction.EXPORT]
    assert [(e.detail, e.visit_count) for e in entries] == [
        (f"Access log from 2026-01-01 to 2026-12-31, {hostile} rows, xlsx", 0),
        ("Access log from 2025-01-01 to 2025-01-31, 0 rows, xlsx", 0),
    ]
    assert "Ørsted" not in " ".join(e.detail for e in core.audit.entries())


def test_an_empty_range_is_the_header_alone(core: Core, hostile: int) -> None:
    assert sheet_records(export(core, ExportFormat.XLSX, date(2025, 1, 1), date(2025, 1, 31))) == []


def test_a_workbook_goes_to_a_binary_stream(core: Core) -> None:
    with pytest.raises(TypeError, match="binary"):
        core.exports.visits(*YEAR, ExportFormat.XLSX, io.StringIO())
    with pytest.raises(TypeError, match="text"):
        core.exports.visits(*YEAR, ExportFormat.CSV, io.BytesIO())
    assert core.audit.entries() == []


def test_more_than_a_sheet_holds_is_refused_before_anything_is_written(
    core: Core, hostile: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(storage.sqlite.export_xlsx, "MAX_RECORDS", hostile - 1)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "visits.xlsx"

    with (
        pytest.raises(WorkbookTooLarge, match="at most") as refused,
        atomic_binary_file(target) as out,
    ):
        core.exports.visits(*YEAR, ExportFormat.XLSX, out)

    assert refused.value.count == hostile
    assert list(folder.iterdir()) == []
    assert core.audit.entries() == []


def test_a_failed_export_leaves_no_file_and_no_audit_entry(
    core: Core, hostile: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The workbook is written to a temporary file renamed over the target once complete."""
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "visits.xlsx"
    target.write_bytes(b"last month's export")

    def fail_half_way(*batch: Any) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.sqlite.export_xlsx, "_plain", fail_half_way)
    with pytest.raises(OSError, match="space"), atomic_binary_file(target) as out:
        core.exports.visits(*YEAR, ExportFormat.XLSX, out)

    assert [p.name for p in folder.iterdir()] == ["visits.xlsx"]
    assert target.read_bytes() == b"last month's export"
    assert core.audit.entries() == []


def test_the_audit_log_exports_as_a_workbook_too(core: Core, hostile: int) -> None:
    export(core, ExportFormat.JSON, *YEAR)
    data = io.BytesIO()
    assert core.exports.audit_log(*YEAR, ExportFormat.XLSX, data) == 1
    book = openpyxl.load_workbook(io.BytesIO(data.getvalue()))
    assert book.sheetnames == ["Audit log"]
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert rows[0] == list(AUDIT_COLUMNS)
    (entry,) = rows[1:]
    record = dict(zip(AUDIT_COLUMNS, entry, strict=True))
    assert record["action"] == "export"
    assert isinstance(record["at"], datetime)
    assert record["detail"] == f"Access log from 2026-01-01 to 2026-12-31, {hostile} rows, json"
    (kept,) = [e for e in core.audit.entries() if e.audit_id == record["audit_id"]]
    assert record["at"] == kept.at.astimezone().replace(tzinfo=None, microsecond=0)


def test_the_reference_writer_refuses_more_than_a_sheet_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kiosk.domain.workbook, "MAX_RECORDS", 2)
    records = [[n, "a", None] for n in range(3)]
    with pytest.raises(WorkbookTooLarge):
        kiosk.domain.workbook.write_xlsx(records, io.BytesIO(), ["id", "name", "at"], ["at"])


@pytest.mark.parametrize("processes", [1, 2])
def test_memory_does_not_grow_with_the_number_of_visits(
    core: Core, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    """The export streams: four times the visits, the same memory (Python's allocations,
    zlib's included; SQLite's page cache is bounded by its own settings)."""
    monkeypatch.setattr(storage.sqlite.export_xlsx, "SPLIT_ROWS", 1000)
    at = datetime(2026, 2, 1, tzinfo=UTC)
    peaks = []
    for count in (4000, 16000):
        with core.store.transaction() as db:
            db.visits.delete_signed_in_before(datetime(2100, 1, 1, tzinfo=UTC), limit=100_000)
        add(
            core,
            [
                new_visit(core, HOSTILE[n % 2], signed_in, signed_in + timedelta(hours=n % 9))
                for n in range(count)
                for signed_in in [at + timedelta(minutes=n)]
            ],
        )
        start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        with open(core.paths.data_dir / "visits.xlsx", "wb") as out:
            tracemalloc.start()
            try:
                assert core.store.export_xlsx(start, end, out, processes=processes) == count
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    small, large = peaks
    assert large < small * 1.25 + 256 * 1024, peaks
    assert large < 8 * 1024 * 1024, peaks
