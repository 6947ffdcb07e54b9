"""The access-log export (contract: "Export records"), through the export operation
(kiosk.export.visits.Exports), which also records each export in the audit log. Local time is
Europe/Amsterdam here."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from clisupport import CONTRACT_COLUMNS as COLUMNS
from visitsupport import Clock

from kiosk.bootstrap import Core
from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.visit import NewVisit, SignInForm, Visit
from kiosk.export.visits import ExportFormat
from kiosk.visits.service import Visits

pytestmark = pytest.mark.usefixtures("amsterdam")

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
FORMULAS = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"]
SignIn = Callable[..., Visit]  # (at, name, **fields): a sign-in at the kiosk at that moment


@pytest.fixture
def sign_in(visits: Visits, clock: Clock, core: Core) -> SignIn:
    def sign_in(at: datetime, name: str, **fields: str) -> Visit:
        clock.now = at
        return visits.sign_in(SignInForm(name, **fields), core.notices.notice("en")).visit

    return sign_in


def export(core: Core, fmt: ExportFormat, first: date, last: date) -> str:
    out = io.StringIO(newline="")
    core.exports.visits(first, last, fmt, out)
    return out.getvalue()


def export_entries(core: Core) -> list[tuple[str, int, tuple[int, ...]]]:
    """The audit log's export entries, oldest first: (detail, visit count, visit ids)."""
    return [
        (entry.detail, entry.visit_count, entry.visit_ids)
        for entry in reversed(core.audit.entries(limit=None))
        if entry.action is AuditAction.EXPORT
    ]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def json_records(text: str) -> list[dict[str, Any]]:
    records = json.loads(text)
    assert isinstance(records, list)
    return records


def stored(core: Core, visit_id: int) -> Visit:
    with core.store.reading() as db:
        visit = db.visits.get(visit_id)
    assert visit is not None
    return visit


@pytest.fixture
def june_visits(core: Core, visits: Visits, sign_in: SignIn, clock: Clock) -> list[Visit]:
    """Three visits in June 2026 (CEST, UTC+2); the last one is still on site."""
    first = sign_in(datetime(2026, 6, 2, 7, 15, tzinfo=UTC), "Ann Smith", company="Acme")
    clock.now = datetime(2026, 6, 2, 9, 45, tzinfo=UTC)
    visits.sign_out(first.visit_id)
    second = sign_in(datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "Bo Jensen")
    clock.now = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)
    visits.sign_out(second.visit_id)
    third = sign_in(datetime(2026, 6, 20, 8, 0, tzinfo=UTC), "Zoë van Dijk")
    return [visits.get(v.visit_id) for v in (first, second, third)]


def test_csv_header_is_the_contract(june_visits: list[Visit], core: Core) -> None:
    assert csv_rows(export(core, ExportFormat.CSV, *JUNE))[0] == COLUMNS


def test_json_keys_are_the_contract(june_visits: list[Visit], core: Core) -> None:
    for record in json_records(export(core, ExportFormat.JSON, *JUNE)):
        assert list(record) == COLUMNS


def test_one_record_per_visit(june_visits: list[Visit], core: Core) -> None:
    ids = [v.visit_id for v in june_visits]
    rows = csv_rows(export(core, ExportFormat.CSV, *JUNE))[1:]
    assert [int(row[0]) for row in rows] == ids
    records = json_records(export(core, ExportFormat.JSON, *JUNE))
    assert [r["visit_id"] for r in records] == ids
    assert [r["visitor_name"] for r in records] == ["Ann Smith", "Bo Jensen", "Zoë van Dijk"]
    assert records[0]["company"] == "Acme"
    assert {r["language"] for r in records} == {"en"}
    assert {r["kiosk_id"] for r in records} == {"lobby-1"}


def test_times_are_iso_8601_with_offset(june_visits: list[Visit], core: Core) -> None:
    records = json_records(export(core, ExportFormat.JSON, *JUNE))
    rows = csv_rows(export(core, ExportFormat.CSV, *JUNE))[1:]
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


def test_open_visit_has_no_sign_out(june_visits: list[Visit], core: Core) -> None:
    open_record = json_records(export(core, ExportFormat.JSON, *JUNE))[2]
    assert open_record["signed_out_at"] is None
    assert open_record["sign_out_method"] is None
    open_row = csv_rows(export(core, ExportFormat.CSV, *JUNE))[3]
    assert open_row[COLUMNS.index("signed_out_at")] == ""
    assert open_row[COLUMNS.index("sign_out_method")] == ""
    closed_row = csv_rows(export(core, ExportFormat.CSV, *JUNE))[1]
    assert closed_row[COLUMNS.index("sign_out_method")] == "kiosk"


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_never_start_a_formula(core: Core, sign_in: SignIn, formula: str) -> None:
    at = datetime(2026, 6, 3, 10, tzinfo=UTC)
    sign_in(at, formula, company=formula, host=formula, purpose=formula)
    row = csv_rows(export(core, ExportFormat.CSV, *JUNE))[1]
    for column in ("visitor_name", "company", "host", "purpose"):
        assert row[COLUMNS.index(column)] == "'" + formula
    record = json_records(export(core, ExportFormat.JSON, *JUNE))[0]
    for column in ("visitor_name", "company", "host", "purpose"):
        assert record[column] == formula


def test_csv_uses_crlf(june_visits: list[Visit], core: Core) -> None:
    text = export(core, ExportFormat.CSV, *JUNE)
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 1 + len(june_visits)
    assert "\n" not in text.replace("\r\n", "")


def test_csv_quotes_commas_quotes_and_newlines(core: Core, sign_in: SignIn) -> None:
    at = datetime(2026, 6, 3, 10, tzinfo=UTC)
    visit = sign_in(at, 'Smith, "Bob"', company='=Evil, "Corp"', purpose="a, b")
    # A stored value with a line break (say, from an older version) must stay one cell.
    fields = {f.name: getattr(visit, f.name) for f in dataclasses.fields(NewVisit)}
    with core.store.transaction() as db:
        db.visits.add_many([NewVisit(**{**fields, "purpose": "line one\nline two"})])

    text = export(core, ExportFormat.CSV, *JUNE)
    assert '"Smith, ""Bob"""' in text
    assert '"line one\nline two"' in text
    rows = csv_rows(text)
    assert len(rows) == 3
    for exported in rows[1:]:
        assert len(exported) == len(COLUMNS)
    originals = [stored(core, int(r[0])) for r in rows[1:]]
    for exported, original in zip(rows[1:], originals, strict=True):
        for column in ("visitor_name", "company", "host", "purpose"):
            value = exported[COLUMNS.index(column)]
            if value.startswith("'"):
                value = value[1:]
            assert value == getattr(original, column)
    assert rows[2][COLUMNS.index("purpose")] == "line one\nline two"


def test_dates_are_inclusive_local_days(core: Core, sign_in: SignIn) -> None:
    # 23:30 local on 30 June (CEST) is 21:30 UTC; 00:30 local on 1 July is 22:30 UTC on 30 June.
    before = sign_in(datetime(2026, 5, 31, 21, 30, tzinfo=UTC), "Before")
    first = sign_in(datetime(2026, 5, 31, 22, 30, tzinfo=UTC), "First")
    last = sign_in(datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "Last")
    after = sign_in(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "After")

    ids = [r["visit_id"] for r in json_records(export(core, ExportFormat.JSON, *JUNE))]
    assert ids == [first.visit_id, last.visit_id]
    assert before.visit_id not in ids
    assert after.visit_id not in ids
    one_day = json_records(export(core, ExportFormat.JSON, date(2026, 7, 1), date(2026, 7, 1)))
    assert [r["visit_id"] for r in one_day] == [after.visit_id]
    assert [csv_rows(export(core, ExportFormat.CSV, *JUNE))[i][0] for i in (1, 2)] == [
        str(first.visit_id),
        str(last.visit_id),
    ]


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


def test_visit_in_the_dst_gap_day_is_exported(core: Core, sign_in: SignIn) -> None:
    # 29 March 2026: local midnight is 23:00 UTC the day before, the next one 22:00 UTC.
    early = sign_in(datetime(2026, 3, 28, 23, 5, tzinfo=UTC), "Early")
    sign_in(datetime(2026, 3, 29, 22, 5, tzinfo=UTC), "Next day")
    day = date(2026, 3, 29)
    ids = [r["visit_id"] for r in json_records(export(core, ExportFormat.JSON, day, day))]
    assert ids == [early.visit_id]


def test_to_before_from_is_refused(core: Core) -> None:
    for fmt in ExportFormat:
        with pytest.raises(ValueError, match="before"):
            export(core, fmt, date(2026, 6, 2), date(2026, 6, 1))
    assert export_entries(core) == []  # nothing was exported, so nothing is recorded


def test_empty_range_csv_is_just_the_header(june_visits: list[Visit], core: Core) -> None:
    text = export(core, ExportFormat.CSV, date(2026, 1, 1), date(2026, 1, 31))
    assert text == ",".join(COLUMNS) + "\r\n"


def test_empty_range_json_is_an_empty_list(june_visits: list[Visit], core: Core) -> None:
    text = export(core, ExportFormat.JSON, date(2026, 1, 1), date(2026, 1, 31))
    assert json.loads(text) == []
    assert text.strip() == "[]"


def test_export_returns_the_count(june_visits: list[Visit], core: Core) -> None:
    for fmt in ExportFormat:
        out = io.BytesIO() if fmt.binary else io.StringIO()
        assert core.exports.visits(*JUNE, fmt, out) == len(june_visits)
    assert [detail for detail, _, _ in export_entries(core)] == [
        "Access log from 2026-06-01 to 2026-06-30, 3 rows, csv",
        "Access log from 2026-06-01 to 2026-06-30, 3 rows, json",
        "Access log from 2026-06-01 to 2026-06-30, 3 rows, xlsx",
    ]


def test_each_export_is_audited_with_range_count_and_format(
    june_visits: list[Visit], core: Core
) -> None:
    """The range, the count and the format; never a visit: the entry links none."""
    export(core, ExportFormat.CSV, *JUNE)
    export(core, ExportFormat.JSON, *JUNE)
    export(core, ExportFormat.CSV, date(2026, 1, 1), date(2026, 1, 31))
    assert export_entries(core) == [
        ("Access log from 2026-06-01 to 2026-06-30, 3 rows, csv", 0, ()),
        ("Access log from 2026-06-01 to 2026-06-30, 3 rows, json", 0, ()),
        ("Access log from 2026-01-01 to 2026-01-31, 0 rows, csv", 0, ()),
    ]
    (entry,) = core.audit.entries(limit=1)
    assert entry.action is AuditAction.EXPORT
    assert entry.kiosk_id == "lobby-1"
    assert "Smith" not in " ".join(e.detail for e in core.audit.entries(limit=None))
