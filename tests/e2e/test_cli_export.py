"""`visitor-kiosk export` end to end, as real subprocesses: the date window, CSV, JSON and
Excel workbooks, `--out` files, bad input, formula-safe cells, local days, a log without
visitor names (see the contract, "Export records"), and each export recorded in the staff
audit log, as an export from the staff screen is:
"Access log from FIRST to LAST, N rows, FORMAT"."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from clisupport import CONTRACT_COLUMNS, Cli, Result, UsageError, ok

from kiosk.bootstrap import assemble
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import NewVisit

DEMO_VISITS = 300  # what conftest's demo_dir holds, over the last 10 days
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def window(today: date | None = None) -> tuple[str, str]:
    """--from and --to covering every day of `demo --days 10`."""
    last = today or date.today()
    return (last - timedelta(days=10)).isoformat(), last.isoformat()


def export(cli: Cli, data_dir: Path, first: str, last: str, *more: str, **kw: Any) -> Result:
    return cli("--data-dir", data_dir, "export", "--from", first, "--to", last, *more, **kw)


def export_json(cli: Cli, data_dir: Path, first: str, last: str, **kw: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        ok(export(cli, data_dir, first, last, "--format", "json", **kw)).stdout
    )
    return records


def audited_exports(data_dir: Path) -> list[str]:
    """The details of the export entries in the data dir's staff audit log, oldest first."""
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        entries = core.audit.entries(limit=None)
    finally:
        core.close()
    return [e.detail for e in reversed(entries) if e.action is AuditAction.EXPORT]


def new_exports(data_dir: Path, before: list[str]) -> list[str]:
    """The export entries recorded since `before` was read."""
    after = audited_exports(data_dir)
    assert after[: len(before)] == before
    return after[len(before) :]


def assert_same_records(csv_rows: list[list[str]], records: list[dict[str, Any]]) -> None:
    """The CSV says what the JSON says: None is an empty cell, and a cell that could run as a
    formula carries one leading apostrophe."""
    assert csv_rows[0] == CONTRACT_COLUMNS
    assert len(csv_rows) - 1 == len(records)
    for row, record in zip(csv_rows[1:], records, strict=True):
        assert list(record) == CONTRACT_COLUMNS
        for cell, value in zip(row, record.values(), strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, str) and value.startswith(FORMULA_START):
                assert cell == "'" + value
            else:
                assert cell == str(value)


# --- the date window --------------------------------------------------------------------------


def test_export_csv_to_stdout_holds_every_visit_of_the_window(cli: Cli, demo_dir: Path) -> None:
    first, last = window()
    before = audited_exports(demo_dir)

    result = ok(export(cli, demo_dir, first, last))

    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == CONTRACT_COLUMNS
    assert len(rows) - 1 == DEMO_VISITS
    assert result.stderr == ""
    assert all(first <= row[5][:10] <= last for row in rows[1:])
    assert new_exports(demo_dir, before) == [
        f"Access log from {first} to {last}, {DEMO_VISITS} rows, csv"
    ]


def test_export_json_to_stdout_holds_every_visit_of_the_window(cli: Cli, demo_dir: Path) -> None:
    first, last = window()
    before = audited_exports(demo_dir)

    records = export_json(cli, demo_dir, first, last)

    assert len(records) == DEMO_VISITS
    assert all(list(r) == CONTRACT_COLUMNS for r in records)
    assert len({r["visit_id"] for r in records}) == DEMO_VISITS
    times = [datetime.fromisoformat(r["signed_in_at"]) for r in records]
    assert all(t.utcoffset() is not None for t in times)
    assert times == sorted(times)
    assert new_exports(demo_dir, before) == [
        f"Access log from {first} to {last}, {DEMO_VISITS} rows, json"
    ]


def test_export_json_values_equal_the_csv_values(cli: Cli, demo_dir: Path) -> None:
    first, last = window()
    as_csv = ok(export(cli, demo_dir, first, last, "--format", "csv")).stdout

    assert_same_records(
        list(csv.reader(io.StringIO(as_csv))), export_json(cli, demo_dir, *window())
    )


def test_export_days_are_inclusive_at_both_ends(cli: Cli, demo_dir: Path) -> None:
    everything = export_json(cli, demo_dir, *window())
    days = sorted({r["signed_in_at"][:10] for r in everything})
    assert len(days) >= 3

    for first, last in [(days[1], days[1]), (days[1], days[2])]:
        got = export_json(cli, demo_dir, first, last)
        wanted = [r for r in everything if first <= r["signed_in_at"][:10] <= last]
        assert got == wanted
        assert got


def test_open_visits_in_the_export_are_the_ones_present(cli: Cli, demo_dir: Path) -> None:
    present = json.loads(ok(cli("--data-dir", demo_dir, "present", "--format", "json")).stdout)

    exported = export_json(cli, demo_dir, *window())

    assert present
    assert [r for r in exported if r["signed_out_at"] is None] == present
    assert {r["sign_out_method"] for r in exported} <= {"kiosk", "staff", "auto", None}


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/St_Johns"])
def test_export_days_and_times_are_local(cli: Cli, tmp_path: Path, zone: str) -> None:
    data_dir, env = tmp_path / "data", {"TZ": zone}
    ok(
        cli(
            "--data-dir",
            data_dir,
            "demo",
            "--visits",
            "100",
            "--days",
            "10",
            "--seed",
            "5",
            env=env,
        )
    )
    first, last = window(datetime.now(ZoneInfo(zone)).date())

    records = export_json(cli, data_dir, first, last, env=env)

    assert len(records) == 100
    for record in records:
        signed_in = datetime.fromisoformat(record["signed_in_at"])
        assert signed_in.utcoffset() == signed_in.astimezone(ZoneInfo(zone)).utcoffset()
        assert first <= record["signed_in_at"][:10] <= last
    day = records[len(records) // 2]["signed_in_at"][:10]
    one_day = export_json(cli, data_dir, day, day, env=env)
    assert one_day == [r for r in records if r["signed_in_at"][:10] == day]


# --- --out ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_out_writes_the_file_and_nothing_else(
    cli: Cli, demo_dir: Path, tmp_path: Path, fmt: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / f"visits.{fmt}"
    first, last = window()
    before = audited_exports(demo_dir)

    result = ok(export(cli, demo_dir, first, last, "--format", fmt, "--out", out))

    assert result.stdout == ""
    assert str(DEMO_VISITS) in result.stderr
    assert new_exports(demo_dir, before) == [
        f"Access log from {first} to {last}, {DEMO_VISITS} rows, {fmt}"
    ]
    assert [p.name for p in folder.iterdir()] == [out.name]  # no .part file left behind
    if fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8")) == export_json(cli, demo_dir, *window())
    else:
        raw = out.read_bytes()
        assert raw.startswith(b"visit_id,visitor_name,")
        assert raw.count(b"\r\n") == DEMO_VISITS + 1  # RFC 4180 line ends
        assert b"\n" not in raw.replace(b"\r\n", b"")
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert_same_records(rows, export_json(cli, demo_dir, *window()))


def workbook_records(path: Path) -> list[dict[str, Any]]:
    """The rows of an exported workbook, by the contract's columns, as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert not [
        cell.coordinate for row in book.active.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert rows[0] == CONTRACT_COLUMNS
    return [dict(zip(CONTRACT_COLUMNS, row, strict=True)) for row in rows[1:]]


def as_in_a_workbook(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as a workbook holds it: times as local wall-clock times, no offset."""
    return {
        key: datetime.fromisoformat(value).replace(tzinfo=None)
        if key in ("signed_in_at", "signed_out_at") and value is not None
        else value
        for key, value in record.items()
    }


def test_export_xlsx_out_writes_a_workbook_that_says_what_the_json_says(
    cli: Cli, demo_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "visits.xlsx"
    first, last = window()
    before = audited_exports(demo_dir)

    result = ok(export(cli, demo_dir, first, last, "--format", "xlsx", "--out", out))

    assert result.stdout == ""
    assert f"exported {DEMO_VISITS} visits to {out}" in result.stderr
    assert new_exports(demo_dir, before) == [
        f"Access log from {first} to {last}, {DEMO_VISITS} rows, xlsx"
    ]
    assert [p.name for p in folder.iterdir()] == [out.name]  # no .part file left behind
    assert out.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    assert out.read_bytes().startswith(b"PK\x03\x04")
    records = workbook_records(out)
    assert len(records) == DEMO_VISITS
    assert records == [as_in_a_workbook(r) for r in export_json(cli, demo_dir, first, last)]


def test_export_xlsx_without_out_is_bad_input(
    cli: Cli, usage_error: UsageError, demo_dir: Path
) -> None:
    """A workbook is a binary file: never written to a terminal or a pipe."""
    before = audited_exports(demo_dir)

    line = usage_error(export(cli, demo_dir, *window(), "--format", "xlsx"))

    assert "--out" in line
    assert new_exports(demo_dir, before) == []  # nothing was exported


def test_export_out_replaces_an_existing_file(cli: Cli, demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "visits.json"
    out.write_text("old export, much longer than nothing " * 10_000, encoding="utf-8")

    ok(export(cli, demo_dir, *window(), "--format", "json", "--out", out))

    assert len(json.loads(out.read_text(encoding="utf-8"))) == DEMO_VISITS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visits.json"]


def test_export_out_relative_to_the_working_dir(cli: Cli, demo_dir: Path, tmp_path: Path) -> None:
    ok(export(cli, demo_dir, *window(), "--out", "visits.csv", cwd=tmp_path))

    with (tmp_path / "visits.csv").open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == DEMO_VISITS + 1


def test_export_to_before_from_is_bad_input(
    cli: Cli, usage_error: UsageError, demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "visits.csv"
    before = audited_exports(demo_dir)

    line = usage_error(export(cli, demo_dir, "2026-03-02", "2026-03-01", "--out", out))

    assert "--to" in line
    assert list(tmp_path.iterdir()) == []
    assert new_exports(demo_dir, before) == []  # nothing was exported


def test_export_out_into_a_missing_folder_is_bad_input(
    cli: Cli, usage_error: UsageError, demo_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder"
    before = audited_exports(demo_dir)

    line = usage_error(export(cli, demo_dir, *window(), "--out", missing / "visits.csv"))

    assert str(missing) in line
    assert not missing.exists()
    assert new_exports(demo_dir, before) == []


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param("2000-01-01", "9999-12-31", id="to-the-last-date"),
        pytest.param("0001-01-01", "2100-12-31", id="from-the-first-date"),
        pytest.param("0001-01-01", "9999-12-31", id="whole-calendar"),
    ],
)
def test_export_from_and_to_the_ends_of_the_calendar(
    cli: Cli, demo_dir: Path, first: str, last: str, zone: str
) -> None:
    """Any date the option accepts works, in any time zone: 0001-01-01 means from the
    beginning, 9999-12-31 to the end (no "unexpected error", exit 1)."""
    before = audited_exports(demo_dir)

    result = export(cli, demo_dir, first, last, "--format", "json", env={"TZ": zone})

    assert ok(result).stderr == ""
    assert len(json.loads(result.stdout)) == DEMO_VISITS
    assert new_exports(demo_dir, before) == [
        f"Access log from {first} to {last}, {DEMO_VISITS} rows, json"
    ]


def test_an_export_of_days_without_visits_is_recorded_too(cli: Cli, demo_dir: Path) -> None:
    before = audited_exports(demo_dir)

    result = ok(export(cli, demo_dir, "2001-02-03", "2001-02-04"))

    assert list(csv.reader(io.StringIO(result.stdout))) == [CONTRACT_COLUMNS]
    assert new_exports(demo_dir, before) == [
        "Access log from 2001-02-03 to 2001-02-04, 0 rows, csv"
    ]


# --- formula-safe CSV -------------------------------------------------------------------------

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+31 6 1234 5678",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturn",
]


def test_no_csv_cell_can_run_as_a_formula(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ok(cli("--data-dir", data_dir, "demo", "--visits", "1", "--days", "1", "--seed", "1"))
    # Stored as they are: a sign-in would have turned the tab and the line break into spaces,
    # but a database from elsewhere (or an older version) may hold them.
    signed_in = datetime.now(UTC) - timedelta(minutes=5)
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        notice = core.notices.notice("en")
        with core.store.transaction() as db:
            for text in DANGEROUS:
                visit = NewVisit(
                    visitor_name=text,
                    company=text,
                    host=text,
                    purpose=text,
                    signed_in_at=signed_in,
                    language="en",
                    notice_version=notice.version,
                    kiosk_id=core.config.site.kiosk_id,
                )
                db.visits.add(visit, notice.stored, badge_code=None)
    finally:
        core.close()
    # From yesterday: five minutes ago may be yesterday when the test runs just after midnight.
    first, today = (date.today() - timedelta(days=1)).isoformat(), date.today().isoformat()
    out = tmp_path / "visits.csv"

    ok(export(cli, data_dir, first, today, "--out", out))

    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]
    assert {f"'{text}" for text in DANGEROUS} <= set(cells)
    records = export_json(cli, data_dir, first, today)
    assert {r["visitor_name"] for r in records} >= set(DANGEROUS)
    assert_same_records(rows, records)


def test_no_workbook_cell_is_a_formula_and_values_are_as_stored(cli: Cli, tmp_path: Path) -> None:
    """In a workbook text is text: no guard needed, so the values are the JSON export's."""
    data_dir = tmp_path / "data"
    ok(cli("--data-dir", data_dir, "demo", "--visits", "1", "--days", "1", "--seed", "1"))
    signed_in = datetime.now(UTC) - timedelta(minutes=5)
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        notice = core.notices.notice("en")
        with core.store.transaction() as db:
            for text in DANGEROUS:
                visit = NewVisit(
                    visitor_name=text,
                    company=text,
                    host=text,
                    purpose=text,
                    signed_in_at=signed_in,
                    language="en",
                    notice_version=notice.version,
                    kiosk_id=core.config.site.kiosk_id,
                )
                db.visits.add(visit, notice.stored, badge_code=None)
    finally:
        core.close()
    first, today = (date.today() - timedelta(days=1)).isoformat(), date.today().isoformat()
    out = tmp_path / "visits.xlsx"

    ok(export(cli, data_dir, first, today, "--format", "xlsx", "--out", out))

    records = workbook_records(out)
    assert {r["visitor_name"] for r in records} >= set(DANGEROUS)
    assert records == [as_in_a_workbook(r) for r in export_json(cli, data_dir, first, today)]


# --- the log ----------------------------------------------------------------------------------


def test_the_log_never_holds_a_visitor_name(cli: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ok(cli("--data-dir", data_dir, "demo", "--visits", "50", "--seed", "3"))
    first, last = (date.today() - timedelta(days=31)).isoformat(), date.today().isoformat()
    ok(export(cli, data_dir, first, last, "--out", tmp_path / "visits.csv"))
    ok(cli("--data-dir", data_dir, "present"))
    ok(cli("--data-dir", data_dir, "run", "--smoke"))

    names = {r["visitor_name"] for r in export_json(cli, data_dir, first, last)}

    assert len(names) > 10
    logs = "".join(
        path.read_text(encoding="utf-8") for path in sorted((data_dir / "logs").glob("kiosk.log*"))
    )
    assert [name for name in names if name in logs] == []
