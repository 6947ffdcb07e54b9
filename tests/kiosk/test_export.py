"""The access-log export (contract: "Export records"). Local time is Europe/Amsterdam here."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from clisupport import CONTRACT_COLUMNS as COLUMNS

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.visit import SignInForm, SignOutMethod, Visit
from kiosk.export.visits import ExportFormat, export_visits
from kiosk.visits.service import VisitService

pytestmark = pytest.mark.usefixtures("amsterdam")

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
FORMULAS = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"]


def sign_in(kiosk: Kiosk, services: Services, at: datetime, name: str, **fields: str) -> Visit:
    visits = VisitService(services.store, kiosk.config.site.kiosk_id, clock=lambda: at)
    return visits.sign_in(SignInForm(name, **fields), kiosk.notice("en"))


def sign_out(kiosk: Kiosk, services: Services, visit: Visit, at: datetime) -> Visit:
    visits = VisitService(services.store, kiosk.config.site.kiosk_id, clock=lambda: at)
    return visits.sign_out(visit.visit_id, SignOutMethod.KIOSK)


def export(services: Services, fmt: ExportFormat, first: date, last: date) -> str:
    out = io.StringIO(newline="")
    export_visits(services.store, first, last, fmt, out)
    return out.getvalue()


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def json_records(text: str) -> list[dict[str, Any]]:
    records = json.loads(text)
    assert isinstance(records, list)
    return records


@pytest.fixture
def june_visits(kiosk: Kiosk, services: Services) -> list[Visit]:
    """Three visits in June 2026 (CEST, UTC+2); the last one is still on site."""
    first = sign_in(
        kiosk, services, datetime(2026, 6, 2, 7, 15, tzinfo=UTC), "Ann Smith", company="Acme"
    )
    sign_out(kiosk, services, first, datetime(2026, 6, 2, 9, 45, tzinfo=UTC))
    second = sign_in(kiosk, services, datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "Bo Jensen")
    sign_out(kiosk, services, second, datetime(2026, 6, 10, 13, 0, tzinfo=UTC))
    third = sign_in(kiosk, services, datetime(2026, 6, 20, 8, 0, tzinfo=UTC), "Zoë van Dijk")
    return [services.visits.get(v.visit_id) for v in (first, second, third)]


def test_csv_header_is_the_contract(june_visits: list[Visit], services: Services) -> None:
    assert csv_rows(export(services, ExportFormat.CSV, *JUNE))[0] == COLUMNS


def test_json_keys_are_the_contract(june_visits: list[Visit], services: Services) -> None:
    for record in json_records(export(services, ExportFormat.JSON, *JUNE)):
        assert list(record) == COLUMNS


def test_one_record_per_visit(june_visits: list[Visit], services: Services) -> None:
    ids = [v.visit_id for v in june_visits]
    rows = csv_rows(export(services, ExportFormat.CSV, *JUNE))[1:]
    assert [int(row[0]) for row in rows] == ids
    records = json_records(export(services, ExportFormat.JSON, *JUNE))
    assert [r["visit_id"] for r in records] == ids
    assert [r["visitor_name"] for r in records] == ["Ann Smith", "Bo Jensen", "Zoë van Dijk"]
    assert records[0]["company"] == "Acme"
    assert {r["language"] for r in records} == {"en"}
    assert {r["kiosk_id"] for r in records} == {"lobby-1"}


def test_times_are_iso_8601_with_offset(june_visits: list[Visit], services: Services) -> None:
    records = json_records(export(services, ExportFormat.JSON, *JUNE))
    rows = csv_rows(export(services, ExportFormat.CSV, *JUNE))[1:]
    first = records[0]
    assert first["signed_in_at"] == "2026-06-02T09:15:00+02:00"  # local time, with the offset
    for visit, record, row in zip(june_visits, records, rows, strict=True):
        signed_in = datetime.fromisoformat(record["signed_in_at"])
        assert signed_in.tzinfo is not None
        assert signed_in == visit.signed_in_at
        assert row[COLUMNS.index("signed_in_at")] == record["signed_in_at"]
        if visit.signed_out_at is not None:
            signed_out = datetime.fromisoformat(record["signed_out_at"])
            assert signed_out.tzinfo is not None
            assert signed_out == visit.signed_out_at


def test_open_visit_has_no_sign_out(june_visits: list[Visit], services: Services) -> None:
    open_record = json_records(export(services, ExportFormat.JSON, *JUNE))[2]
    assert open_record["signed_out_at"] is None
    assert open_record["sign_out_method"] is None
    open_row = csv_rows(export(services, ExportFormat.CSV, *JUNE))[3]
    assert open_row[COLUMNS.index("signed_out_at")] == ""
    assert open_row[COLUMNS.index("sign_out_method")] == ""
    closed_row = csv_rows(export(services, ExportFormat.CSV, *JUNE))[1]
    assert closed_row[COLUMNS.index("sign_out_method")] == "kiosk"


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_never_start_a_formula(kiosk: Kiosk, services: Services, formula: str) -> None:
    at = datetime(2026, 6, 3, 10, tzinfo=UTC)
    sign_in(kiosk, services, at, formula, company=formula, host=formula, purpose=formula)
    row = csv_rows(export(services, ExportFormat.CSV, *JUNE))[1]
    for column in ("visitor_name", "company", "host", "purpose"):
        assert row[COLUMNS.index(column)] == "'" + formula
    record = json_records(export(services, ExportFormat.JSON, *JUNE))[0]
    for column in ("visitor_name", "company", "host", "purpose"):
        assert record[column] == formula


def test_csv_uses_crlf(june_visits: list[Visit], services: Services) -> None:
    text = export(services, ExportFormat.CSV, *JUNE)
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 1 + len(june_visits)
    assert "\n" not in text.replace("\r\n", "")


def test_csv_quotes_commas_quotes_and_newlines(kiosk: Kiosk, services: Services) -> None:
    at = datetime(2026, 6, 3, 10, tzinfo=UTC)
    visit = sign_in(kiosk, services, at, 'Smith, "Bob"', company='=Evil, "Corp"', purpose="a, b")
    # A stored value with a line break (say, from an older version) must stay one cell.
    row = list(services.store.get(visit.visit_id) or ())
    row[4] = "line one\nline two"
    services.store.add_visits([tuple(row[1:])])

    text = export(services, ExportFormat.CSV, *JUNE)
    assert '"Smith, ""Bob"""' in text
    assert '"line one\nline two"' in text
    rows = csv_rows(text)
    assert len(rows) == 3
    for exported in rows[1:]:
        assert len(exported) == len(COLUMNS)
    stored = [services.store.get(int(r[0])) for r in rows[1:]]
    for exported, original in zip(rows[1:], stored, strict=True):
        assert original is not None
        for column in ("visitor_name", "company", "host", "purpose"):
            value = exported[COLUMNS.index(column)]
            if value.startswith("'"):
                value = value[1:]
            assert value == original[COLUMNS.index(column)]
    assert rows[2][COLUMNS.index("purpose")] == "line one\nline two"


def test_dates_are_inclusive_local_days(kiosk: Kiosk, services: Services) -> None:
    # 23:30 local on 30 June (CEST) is 21:30 UTC; 00:30 local on 1 July is 22:30 UTC on 30 June.
    before = sign_in(kiosk, services, datetime(2026, 5, 31, 21, 30, tzinfo=UTC), "Before")
    first = sign_in(kiosk, services, datetime(2026, 5, 31, 22, 30, tzinfo=UTC), "First")
    last = sign_in(kiosk, services, datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "Last")
    after = sign_in(kiosk, services, datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "After")

    ids = [r["visit_id"] for r in json_records(export(services, ExportFormat.JSON, *JUNE))]
    assert ids == [first.visit_id, last.visit_id]
    assert before.visit_id not in ids
    assert after.visit_id not in ids
    one_day = json_records(export(services, ExportFormat.JSON, date(2026, 7, 1), date(2026, 7, 1)))
    assert [r["visit_id"] for r in one_day] == [after.visit_id]


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 15), 24)],
)
def test_local_day_length_follows_dst(day: date, hours: int) -> None:
    start, end = local_day_bounds(day, day)
    assert end - start == timedelta(hours=hours)
    assert start.utcoffset() == timedelta(0)
    assert start.astimezone().date() == day
    assert (start.astimezone().hour, end.astimezone().hour) == (0, 0)


def test_visit_in_the_dst_gap_day_is_exported(kiosk: Kiosk, services: Services) -> None:
    # 29 March 2026: local midnight is 23:00 UTC the day before, the next one 22:00 UTC.
    early = sign_in(kiosk, services, datetime(2026, 3, 28, 23, 5, tzinfo=UTC), "Early")
    sign_in(kiosk, services, datetime(2026, 3, 29, 22, 5, tzinfo=UTC), "Next day")
    day = date(2026, 3, 29)
    ids = [r["visit_id"] for r in json_records(export(services, ExportFormat.JSON, day, day))]
    assert ids == [early.visit_id]


def test_to_before_from_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="before"):
        export(services, ExportFormat.CSV, date(2026, 6, 2), date(2026, 6, 1))


def test_empty_range_csv_is_just_the_header(june_visits: list[Visit], services: Services) -> None:
    text = export(services, ExportFormat.CSV, date(2026, 1, 1), date(2026, 1, 31))
    assert text == ",".join(COLUMNS) + "\r\n"


def test_empty_range_json_is_an_empty_list(june_visits: list[Visit], services: Services) -> None:
    text = export(services, ExportFormat.JSON, date(2026, 1, 1), date(2026, 1, 31))
    assert json.loads(text) == []
    assert text.strip() == "[]"


def test_export_returns_the_count(june_visits: list[Visit], services: Services) -> None:
    for fmt in ExportFormat:
        assert export_visits(services.store, *JUNE, fmt, io.StringIO()) == len(june_visits)
