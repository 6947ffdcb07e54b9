"""The access log's sheet rows built by SQLite itself, a batch at a time, so a workbook of a
million visits costs little more than reading them (as `csv_lines` does for the CSV).

Each row is the XML `kiosk.domain.workbook.sheet_row` writes for the visit, but with its text
as stored: SQLite joins the fields into the row's markup with format(), and gives a text cell
the quote-prefix style when it starts with =, +, - or @ (plain comparisons first: a million
rows cost next to nothing). Times become Excel serial numbers of local time through a table of
hours (`SheetHour`: this UTC hour begins on that local day, Excel's day number, at that second
of the day) filled by the caller from Python's own time zone rules, for every hour that lies
whole inside one local day; the minutes and seconds are the stored ones, and the seconds'
fraction is cut, as Python's isoformat(timespec="seconds") cuts it.

What SQLite does not do is left for the caller to find, a batch at a time: an & is escaped in
the whole batch (no markup holds one); a < or > or a control character in a value shows in
the count of those bytes; a value that starts with a space carries a control character from
SQLite (one that ends with one shows as " </t>"); a time outside the hours table carries one
too. In a batch with any of these, the rows that have one are written again from their
visits (`batch_rows`, `csv_lines.visits_by_id`). Restricted visits are left out, as from the
CSV."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import sqlite_utils

from kiosk.domain.workbook import FRACTION_DIGITS, STYLE_QUOTED, STYLE_TIME
from storage.sqlite.csv_lines import batch_end, hours_table
from storage.sqlite.visits import NOT_RESTRICTED

# ("2026-03-29T01", 46110, 10800): UTC hour, Excel day of its local date, its local second.
SheetHour = tuple[str, int, int]
# The mark SQLite leaves where Python must write the row itself (a control character, which
# no row of SQLite's holds otherwise).
MARK = "char(1)"

_HOURS = "temp.sheet_hours"
_TEXT = '<c t="inlineStr"%s><is><t>%s</t></is></c>'
_TIME = f'<c s="{STYLE_TIME}"><v>%s.%0{FRACTION_DIGITS}d</v></c>'
_ROW = "<row><c><v>%d</v></c>" + _TEXT * 4 + _TIME + "%s%s" + _TEXT * 3 + "</row>"
_QUOTED = f"' s=\"{STYLE_QUOTED}\"'"


def _style(column: str) -> str:
    """The style attribute a text cell's value asks for: quote-prefixed if it starts like a
    formula (tab and carriage return are control characters, found by the caller), the mark
    if it starts with a space (it needs xml:space)."""
    firsts = " ".join(f"WHEN '{c}' THEN {_QUOTED}" for c in "=+-@")
    return (
        f"CASE WHEN {column} < 'A' THEN CASE substr({column}, 1, 1) {firsts} "
        f"WHEN ' ' THEN {MARK} ELSE '' END ELSE '' END"
    )


def _text(column: str) -> str:
    return f"{_style(column)}, {column}"


def _time(column: str, hour: str) -> str:
    """The two arguments of _TIME: the local day (or the mark), the day's fraction."""
    seconds = f"({hour}.secs + substr({column}, 15, 2) * 60 + substr({column}, 18, 2))"
    return f"coalesce({hour}.day, {MARK}), ({seconds} * {10**FRACTION_DIGITS} + 43200) / 86400"


_SIGNED_OUT = (
    f"CASE WHEN signed_out_at IS NULL THEN '<c/>' "
    f"ELSE format('{_TIME}', {_time('signed_out_at', 'o')}) END"
)
_METHOD = (
    "CASE WHEN sign_out_method IS NULL THEN '<c/>' "
    f"ELSE format('{_TEXT}', {_text('sign_out_method')}) END"
)
_LINE = (
    f"format('{_ROW}', visit_id, "
    + ", ".join(_text(c) for c in ("visitor_name", "company", "host", "purpose"))
    + f", {_time('signed_in_at', 'i')}, {_SIGNED_OUT}, {_METHOD}, "
    + ", ".join(_text(c) for c in ("language", "notice_version", "kiosk_id"))
    + ")"
)
_FROM = (
    f"FROM visits "
    f"LEFT JOIN {_HOURS} AS i ON i.utc = substr(signed_in_at, 1, 13) "
    f"LEFT JOIN {_HOURS} AS o ON o.utc = substr(signed_out_at, 1, 13) "
    f"WHERE signed_in_at >= :start AND signed_in_at < :end AND {NOT_RESTRICTED} "
    "ORDER BY signed_in_at"
)
# One batch of rows in one result, with how many and how many are open (their sign-out cells
# are empty): no Python object per row. The order as in csv_lines.
_ORDER = " ORDER BY signed_in_at" if sqlite3.sqlite_version_info >= (3, 44) else ""
_BATCH = (
    f"SELECT CAST(group_concat(line, ''{_ORDER}) AS BLOB), count(*), total(open) "
    f"FROM (SELECT {_LINE} AS line, signed_out_at IS NULL AS open, signed_in_at {_FROM})"
)
# The same rows one by one, each with its visit's id and whether it is open.
_ROWS = f"SELECT visit_id, CAST({_LINE} AS BLOB), signed_out_at IS NULL {_FROM}"


class SheetBatch(NamedTuple):
    """The rows of the visits with start <= signed_in_at < end, one after the other."""

    text: bytes
    rows: int
    open: int  # rows of visits still on site
    start: str
    end: str


def sheet_batches_between(
    db: sqlite_utils.Database, start: str, end: str, hours: Iterable[SheetHour]
) -> Iterator[SheetBatch]:
    """The sheet rows in UTF-8 of the visits with start <= signed_in_at < end, oldest first,
    in batches of about csv_lines.BATCH, as the module says."""
    columns = "utc TEXT PRIMARY KEY, day INTEGER NOT NULL, secs INTEGER NOT NULL"
    with hours_table(db, _HOURS, columns, hours):
        while start < end:
            until = batch_end(db, start, end)
            text, rows, still_open = db.execute(_BATCH, {"start": start, "end": until}).fetchone()
            if rows:
                yield SheetBatch(text, rows, int(still_open), start, until)
            start = until


def batch_rows(db: sqlite_utils.Database, batch: SheetBatch) -> list[tuple[int, bytes, bool]]:
    """The batch's rows one by one (only while sheet_batches_between has it out): each with
    its visit's id and whether the visit is open."""
    cursor = db.execute(_ROWS, {"start": batch.start, "end": batch.end})
    return [(visit_id, row, bool(still_open)) for visit_id, row, still_open in cursor]
