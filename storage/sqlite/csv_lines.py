"""The access-log CSV built by SQLite itself, one line per visit, so exporting a million
visits costs little more than reading them.

SQLite joins each visit's fields as stored with commas, in the contract's column order, and
turns its times into local time: a table of hours (`LocalHour`: this UTC hour is that local
hour at that offset), filled by the caller from Python's own time zone rules, gives the local
date and hour, and the minutes and seconds are the stored ones. A time outside that table (an
hour with a DST change inside it, a zone whose offset is not whole hours, a sign-out long
after its sign-in) is converted by SQLite's 'localtime', the C library's rules: slower, exact.
Seconds are cut, as Python's isoformat(timespec="seconds") cuts them.

The lines come as SQLite made them, with no quoting and no formula guard: the caller checks
each batch and writes a line again from its visit (`visits_by_id`) when a field needs either. A
line whose text may start like a formula begins with a quote mark, which no plain line holds,
so the caller's check finds it with the others.

Restricted visits are not in the access log: the lines leave them out, and a batch is cut by
sign-ins counted in the index alone, so it may hold fewer lines (or none, and is skipped)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlite_utils

from kiosk.domain.clock import utc_offsets
from kiosk.domain.visit import Visit
from storage.sqlite.times import from_db
from storage.sqlite.visits import NOT_RESTRICTED, READ_COLUMNS, visit_from_row

# ("2026-03-29T00", "2026-03-29T01", "+01:00"): UTC hour, local hour, offset.
LocalHour = tuple[str, str, str]
BATCH = 2000

_HOURS = "temp.export_hours"


def _exact(column: str) -> str:
    seconds = f"substr({column}, 1, 19)"  # whole seconds (SQLite would round .9995 up)
    minutes = (
        f"CAST(round((julianday({seconds}, 'localtime') - julianday({seconds})) * 1440) AS INTEGER)"
    )
    return (
        f"(CASE WHEN {column} IS NOT NULL THEN "
        f"strftime('%Y-%m-%dT%H:%M:%S', {seconds}, 'localtime') || "
        f"(CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END) || "
        f"printf('%02d:%02d', abs({minutes}) / 60, abs({minutes}) % 60) END)"
    )


def _time(column: str, hour: str) -> str:
    return f"coalesce({hour}.local || substr({column}, 14, 6) || {hour}.offset, {_exact(column)})"


# Text typed by visitors (or a site's kiosk_id) that starts below "A": digits, punctuation and
# every character that makes a spreadsheet run a cell as a formula (= + - @ tab CR). Plain
# comparisons, no function calls: a million rows cost next to nothing.
_MAY_BE_FORMULA = " OR ".join(
    f"({column} > '' AND {column} < 'A')"
    for column in ("visitor_name", "company", "host", "purpose", "kiosk_id")
)
_LINE = (
    "CAST(format('%s%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s', "
    f"CASE WHEN {_MAY_BE_FORMULA} THEN '\"' ELSE '' END, "
    "visit_id, visitor_name, company, host, purpose, "
    f"{_time('signed_in_at', 'i')}, {_time('signed_out_at', 'o')}, "
    "sign_out_method, language, notice_version, kiosk_id) AS BLOB)"
)
_FROM = (
    f"FROM visits "
    f"LEFT JOIN {_HOURS} AS i ON i.utc = substr(signed_in_at, 1, 13) "
    f"LEFT JOIN {_HOURS} AS o ON o.utc = substr(signed_out_at, 1, 13) "
    f"WHERE signed_in_at >= :start AND signed_in_at < :end AND {NOT_RESTRICTED} "
    "ORDER BY signed_in_at"
)
_LINES = f"SELECT {_LINE} {_FROM}"
# One batch of lines in one result: no Python object per line. The subquery hands its rows
# to group_concat in its ORDER BY order (an ordered subquery is never flattened into an
# aggregate; from SQLite 3.44 on the order is also spelled out in the call).
_ORDER = " ORDER BY signed_in_at" if sqlite3.sqlite_version_info >= (3, 44) else ""
_BATCH_TEXT = (
    f"SELECT CAST(group_concat(line, x'0d0a'{_ORDER}) AS BLOB), count(*) "
    f"FROM (SELECT {_LINE} AS line, signed_in_at {_FROM})"
)
# Where the next batch begins: BATCH sign-ins on, read from the index alone.
_NEXT_START = (
    "SELECT signed_in_at FROM visits WHERE signed_in_at >= :start AND signed_in_at < :end "
    "ORDER BY signed_in_at LIMIT 1 OFFSET :rows"
)
_AFTER = "SELECT min(signed_in_at) FROM visits WHERE signed_in_at > :start AND signed_in_at < :end"


class Batch(NamedTuple):
    """The lines of the visits with start <= signed_in_at < end, joined by CRLF."""

    text: bytes
    lines: int
    start: str
    end: str


def csv_batches_between(
    db: sqlite_utils.Database, start: str, end: str, hours: Iterable[LocalHour]
) -> Iterator[Batch]:
    """The CSV lines in UTF-8 of the visits with start <= signed_in_at < end, oldest first,
    in batches of about BATCH: each line the fields as stored (NULL as empty) joined by
    commas, times in local ISO 8601 with the offset. While a batch is out, `batch_lines`
    gives its lines one by one. (Bytes: a million lines are never decoded and encoded.)"""
    columns = "utc TEXT PRIMARY KEY, local TEXT NOT NULL, offset TEXT NOT NULL"
    with hours_table(db, _HOURS, columns, hours):
        while start < end:
            until = batch_end(db, start, end)
            text, lines = db.execute(_BATCH_TEXT, {"start": start, "end": until}).fetchone()
            if lines:
                yield Batch(text, lines, start, until)
            start = until


def batch_end(db: sqlite_utils.Database, start: str, end: str) -> str:
    """Where the batch that begins at `start` ends: BATCH sign-ins on (or more, when more sign
    in at that very moment), or `end`."""
    bounds = {"start": start, "end": end, "rows": BATCH}
    row = db.execute(_NEXT_START, bounds).fetchone()
    if row is None:
        return end
    if row[0] == start:  # more than BATCH sign-ins at the very same moment
        after = db.execute(_AFTER, bounds).fetchone()[0]
        return end if after is None else str(after)
    return str(row[0])


def batch_lines(db: sqlite_utils.Database, batch: Batch) -> list[bytes]:
    """The batch's lines one by one (only while csv_batches_between has it out)."""
    cursor = db.execute(_LINES, {"start": batch.start, "end": batch.end})
    return [line for (line,) in cursor]


def visits_by_id(db: sqlite_utils.Database, visit_ids: Sequence[int]) -> dict[int, Visit]:
    """These visits, by id."""
    cursor = db.execute(
        f"SELECT {', '.join(READ_COLUMNS)} FROM visits "
        "WHERE visit_id IN (SELECT value FROM json_each(?))",
        ["[" + ",".join(str(int(visit_id)) for visit_id in visit_ids) + "]"],
    )
    return {row[0]: visit_from_row(row) for row in cursor}


def split_points(
    db: sqlite_utils.Database, start: str, end: str, parts: int, least: int
) -> list[str]:
    """Sign-in moments that cut the visits with start <= signed_in_at < end into `parts`
    ranges of about the same size, read from the index; none when there are fewer than
    `least` visits."""
    total = db.execute(
        "SELECT count(*) FROM visits WHERE signed_in_at >= ? AND signed_in_at < ?", [start, end]
    ).fetchone()[0]
    if total < least or parts < 2:
        return []
    points: list[str] = []
    for part in range(1, parts):
        row = db.execute(
            "SELECT signed_in_at FROM visits WHERE signed_in_at >= ? AND signed_in_at < ? "
            "ORDER BY signed_in_at LIMIT 1 OFFSET ?",
            [start, end, total * part // parts],
        ).fetchone()
        if row is not None and row[0] > (points[-1] if points else start):
            points.append(str(row[0]))
    return points


def sign_in_span(db: sqlite_utils.Database, start: str, end: str) -> tuple[str, str] | None:
    """The earliest and latest sign-in in the range (two lookups in the signed_in_at index)."""
    in_range = "FROM visits WHERE signed_in_at >= :s AND signed_in_at < :e"
    row = db.execute(
        f"SELECT (SELECT min(signed_in_at) {in_range}), (SELECT max(signed_in_at) {in_range})",
        {"s": start, "e": end},
    ).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


# The hours tables of the CSV and the sheet cover the sign-ins' span and this long after it,
# for the sign-outs (ten years at most); a time past them is converted the slow way, exactly.
SIGN_OUT_MARGIN = timedelta(days=2)
_MOST_HOURS = 24 * 366 * 10
HOUR = timedelta(hours=1)


def offset_periods(
    db: sqlite_utils.Database, start: str, end: str
) -> list[tuple[datetime, datetime, timedelta]]:
    """The export's times cut where the local UTC offset changes: (since, until, offset) for
    each period, `until` being where the next begins; none when no visit is in the range."""
    span = sign_in_span(db, start, end)
    if span is None:
        return []
    first = from_db(span[0]).replace(minute=0, second=0, microsecond=0)
    last = min(from_db(span[1]) + SIGN_OUT_MARGIN, first + _MOST_HOURS * HOUR)
    changes = utc_offsets(first, last)
    ends = [*changes[1:], (last + HOUR, None)]
    return [
        (since, until, offset) for (since, offset), (until, _) in zip(changes, ends, strict=True)
    ]


def whole_hours(since: datetime, until: datetime) -> Iterator[datetime]:
    """The whole UTC hours that lie inside [since, until)."""
    hour = since.replace(minute=0, second=0, microsecond=0)
    if hour < since:
        hour += HOUR
    while hour + HOUR <= until:
        yield hour
        hour += HOUR


@contextmanager
def hours_table(
    db: sqlite_utils.Database, table: str, columns: str, hours: Iterable[tuple[Any, ...]]
) -> Iterator[None]:
    """A temporary table of hours (`columns`: its SQL column list) for the batches' SQL, dropped
    afterwards."""
    db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(f"CREATE TABLE {table} ({columns}) WITHOUT ROWID")
    try:
        places = ", ".join("?" * (columns.count(",") + 1))  # one per column
        db.conn.executemany(f"INSERT INTO {table} VALUES ({places})", hours)
        yield
    finally:
        db.execute(f"DROP TABLE IF EXISTS {table}")
