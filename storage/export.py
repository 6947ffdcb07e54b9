"""The access-log CSV built by SQLite itself, one finished line per row, so exporting a
million visits costs little more than reading them.

Each line is exactly what kiosk.export.write_csv makes of the same row (a test compares them
over any text and any moment): RFC 4180 quoting (a field with a comma, a quote, CR or LF is
quoted, quotes doubled), a leading apostrophe on a text cell that a spreadsheet would run as
a formula, and times in ISO 8601 local time with the UTC offset, to the second.

Local time: the caller passes the UTC offsets in force over the export's span (`Offsets`,
from Python's own time zone rules), and SQLite shifts each time by the offset of its
period: a few string comparisons per cell instead of a time zone lookup."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlite_utils

# (from this stored UTC time on, the offset in minutes); the first entry's time is "".
Offsets = Sequence[tuple[str, int]]

# Text that visitors typed, or a site typed in the config: checked for quoting and formulas.
_TEXT_COLUMNS = frozenset({"visitor_name", "company", "host", "purpose", "kiosk_id"})
# Text the kiosk writes itself from a fixed alphabet (kiosk, staff, auto, ""; en/nl/da;
# "<lang>-<hex>"): never a comma, quote, line break or formula start, so written as stored.
_CODE_COLUMNS = frozenset({"sign_out_method", "language", "notice_version"})
# A GLOB pattern, bound as a parameter: a cell that needs quotes.
NEEDS_QUOTES = '*[,"\n\r]*'
# The first characters that make a spreadsheet run a cell: = + - @ tab CR.
_FORMULA = "unicode({v}) IN (61, 43, 45, 64, 9, 13)"


def _text_cell(column: str) -> str:
    v = column  # NOT NULL columns
    formula = _FORMULA.format(v=v)
    guarded = f"(CASE WHEN {formula} THEN '''' || {v} ELSE {v} END)"
    careful = (
        f"(CASE WHEN {v} GLOB :quotes "
        f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END)"
    )
    # Nearly every cell is plain: one look at its first character and one scan decide it.
    return f"(CASE WHEN {formula} OR {v} GLOB :quotes THEN {careful} ELSE {v} END)"


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _time_cell(column: str, offsets: Offsets, covered_until: str) -> str:
    # Whole seconds, cut as Python's isoformat(timespec="seconds") cuts (SQLite would round
    # .999999 up).
    seconds = f"substr({column}, 1, 19)"

    def by_period(values: list[str]) -> str:
        branches = "".join(
            f"WHEN {column} >= '{since}' THEN {value} "
            for (since, _), value in reversed(list(zip(offsets, values, strict=True)))
        )
        return f"(CASE {branches}END)"

    shift = by_period([f"'{minutes:+d} minutes'" for _, minutes in offsets])
    text = by_period([f"'{_offset_text(minutes)}'" for _, minutes in offsets])
    local = f"replace(datetime({seconds}, {shift}), ' ', 'T')"
    # Past the span the offsets were found for (a sign-out long after its sign-in), the
    # C library's own rules: slower, exact.
    minutes = (
        f"CAST(round((julianday({seconds}, 'localtime') - julianday({seconds})) * 1440) AS INTEGER)"
    )
    exact = (
        f"replace(datetime({seconds}, 'localtime'), ' ', 'T') || "
        f"(CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END) || "
        f"printf('%02d:%02d', abs({minutes}) / 60, abs({minutes}) % 60)"
    )
    return (
        f"(CASE WHEN {column} IS NULL THEN '' "
        f"WHEN {column} >= '{covered_until}' THEN {exact} "
        f"ELSE {local} || {text} END)"
    )


def csv_lines_between(
    db: sqlite_utils.Database,
    columns: Sequence[str],
    start: str,
    end: str,
    offsets: Offsets,
    covered_until: str,
) -> Iterator[str]:
    """The CSV line (without line end) of each visit with start <= signed_in_at < end, in
    `columns` order, oldest first. `offsets` must hold for every time before
    `covered_until`; later times are converted one by one."""
    cells = []
    for column in columns:
        if column in _TEXT_COLUMNS:
            cells.append(_text_cell(column))
        elif column in _CODE_COLUMNS:
            cells.append(f"coalesce({column}, '')")
        elif column in ("signed_in_at", "signed_out_at"):
            cells.append(_time_cell(column, offsets, covered_until))
        else:
            cells.append(column)
    line = " || ',' || ".join(cells)
    cursor = db.execute(
        f"SELECT {line} FROM visits "
        "WHERE signed_in_at >= :start AND signed_in_at < :end ORDER BY signed_in_at",
        {"start": start, "end": end, "quotes": NEEDS_QUOTES},
    )
    while rows := cursor.fetchmany(2000):
        yield from (text for (text,) in rows)


def sign_in_span(db: sqlite_utils.Database, start: str, end: str) -> tuple[str, str] | None:
    """The earliest and latest sign-in in the range (two lookups in the signed_in_at index)."""
    in_range = "FROM visits WHERE signed_in_at >= :s AND signed_in_at < :e"
    row = db.execute(
        f"SELECT (SELECT min(signed_in_at) {in_range}), (SELECT max(signed_in_at) {in_range})",
        {"s": start, "e": end},
    ).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])
