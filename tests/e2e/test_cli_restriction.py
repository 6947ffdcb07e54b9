"""A restricted visit (GDPR Art. 18) through the command line, as real subprocesses: `present`
and `export` (every format) leave it out; `evacuation` lists the visitor, marked, because the
roll call is how everyone in the building is found (see the README, "Visitors' rights
requests")."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from clisupport import Cli, ok
from cupssupport import pdf_text

from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm
from kiosk.settings.i18n import catalog

NAMES = ("Anna de Vries", "Bo Kristiansen", "Siobhán O'Sullivan")
TODAY = date.today().isoformat()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Three visitors on site; Bo Kristiansen's visit restricted, Siobhán O'Sullivan's under
    objection."""
    data = tmp_path / "data"
    core = assemble(data, data / "kiosk.toml")
    try:
        notice = core.notices.notice("en")
        ids = [core.visits.sign_in(SignInForm(name), notice).visit.visit_id for name in NAMES]
        core.events.settle()
        core.rights.restrict(ids[1:2])
        core.rights.record_objection(ids[2:])
    finally:
        core.close()
    return data


def test_present_leaves_restricted_visits_out(cli: Cli, data_dir: Path) -> None:
    table = ok(cli("--data-dir", data_dir, "present")).stdout
    as_json = json.loads(ok(cli("--data-dir", data_dir, "present", "--format", "json")).stdout)
    as_csv = ok(cli("--data-dir", data_dir, "present", "--format", "csv")).stdout

    assert [record["visitor_name"] for record in as_json] == ["Anna de Vries"]
    assert [row["visitor_name"] for row in csv.DictReader(io.StringIO(as_csv))] == ["Anna de Vries"]
    assert "Anna de Vries" in table
    for name in NAMES[1:]:
        assert name not in table + as_csv


def test_export_leaves_restricted_visits_out_in_every_format(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    span = ("--from", TODAY, "--to", TODAY)
    as_csv = ok(cli("--data-dir", data_dir, "export", *span)).stdout
    as_json = ok(cli("--data-dir", data_dir, "export", *span, "--format", "json")).stdout
    book = tmp_path / "visits.xlsx"
    ok(cli("--data-dir", data_dir, "export", *span, "--format", "xlsx", "--out", book))

    assert [row["visitor_name"] for row in csv.DictReader(io.StringIO(as_csv))] == ["Anna de Vries"]
    assert [record["visitor_name"] for record in json.loads(as_json)] == ["Anna de Vries"]
    sheet = openpyxl.load_workbook(book, read_only=True).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Anna de Vries"]


def test_the_roll_call_lists_restricted_visitors_marked(
    cli: Cli, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "roll-call.pdf"

    result = ok(cli("--data-dir", data_dir, "evacuation", "--out", out))

    assert result.stdout.startswith("3 people on site")
    text = " ".join(pdf_text(out).split())
    for name in NAMES:
        assert name in text
    assert text.count(catalog("en").text("roll_call.restricted_mark")) == 2
