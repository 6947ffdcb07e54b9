"""The access log's CSV from PostgreSQL, fast: the server formats every cell (the local time
with its UTC offset, the formula guard, empty for nothing) and streams the rows with COPY; the
kiosk only turns COPY's line ends into CSV's CRLF on the way out. The bytes are the ones
`kiosk.domain.access_log.write_csv` writes for the same visits (a test holds the two together);
where the local offset has seconds (a zone's times before about 1940) that writer is used.

A cell holding a line break stays quoted, as COPY and the csv module both quote it, and keeps
its own line break: only the line ends outside quotes become CRLF."""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TextIO

import psycopg
from psycopg import sql

from kiosk.domain.access_log import (
    FORMULA_START,
    PROGRESS_EVERY,
    Progress,
    csv_header,
)
from kiosk.domain.clock import utc_offsets

Write = Callable[[bytes], object]
EVERY = PROGRESS_EVERY
# Rows turned and written together (a few hundred kB).
BATCH_ROWS = 2000
# Sign-outs come after their sign-in: the offsets are worked out this far past the last one.
SIGN_OUT_MARGIN = timedelta(days=2)


def _guarded(column: str) -> str:
    """A text column as write_csv writes it: the formula guard (by the first character's code,
    cheaper than comparing text), and NULL (an empty cell, where COPY would write "" for an
    empty text) for empty. Nearly every name starts with a letter, whose code is above those of
    all the characters that start a formula: one comparison decides it."""
    codes = [ord(start) for start in FORMULA_START]
    return (
        f"CASE WHEN ascii({column}) > {max(codes)} THEN {column} "
        f"WHEN {column} = '' THEN NULL "
        f"WHEN ascii({column}) IN ({', '.join(map(str, codes))}) THEN '''' || {column} "
        f"ELSE {column} END"
    )


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _local_time(column: str, periods: list[tuple[datetime, timedelta]]) -> str:
    """`column` as ISO 8601 local time with its offset, to the second: one CASE branch per
    period of one UTC offset."""

    def formatted(offset: timedelta) -> str:
        # The local wall time cut to the second ("2026-05-13 09:30:15"), its space made a T:
        # cheaper than to_char.
        seconds = int(offset.total_seconds())
        local = f"date_trunc('second', ({column} AT TIME ZONE 'UTC') + interval '{seconds} s')"
        return f"replace({local}::text, ' ', 'T') || '{_offset_text(offset)}'"

    branches = [
        f"WHEN {column} < '{until.isoformat()}'::timestamptz THEN {formatted(offset)}"
        for (_since, offset), (until, _next) in itertools.pairwise(periods)
    ]
    last = formatted(periods[-1][1])
    if not branches:
        return last
    return f"CASE {' '.join(branches)} ELSE {last} END"


def _periods(
    conn: psycopg.Connection, start: datetime, end: datetime
) -> list[tuple[datetime, timedelta]] | None:
    """The local offsets over the visits' times; None when one has seconds (write_csv
    writes those), [] when no visit is in the range."""
    row = conn.execute(
        "SELECT min(signed_in_at), greatest(max(signed_in_at), max(signed_out_at)) FROM visits "
        "WHERE signed_in_at >= %s AND signed_in_at < %s",
        [start, end],
    ).fetchone()
    if row is None or row[0] is None:
        return []
    first = row[0].replace(minute=0, second=0, microsecond=0)
    # To the latest sign-out too: one long after its sign-in may fall past a DST change.
    periods = utc_offsets(first, row[1] + SIGN_OUT_MARGIN)
    if any(offset.total_seconds() % 60 for _since, offset in periods):
        return None
    return periods


class _CrlfRows:
    """COPY's bytes with its LF line ends (outside quotes) as CRLF; counted when `counting`
    (for the progress shown; otherwise COPY's own count is read at the end)."""

    def __init__(self, write: Write, counting: bool) -> None:
        self._write = write
        self._counting = counting
        self._quoted = False
        self.rows = 0

    def feed(self, data: bytes) -> None:
        if b'"' not in data and not self._quoted:
            if self._counting:
                self.rows += data.count(b"\n")
            self._write(data.replace(b"\n", b"\r\n"))
            return
        parts = data.split(b'"')
        for index, part in enumerate(parts):
            if index:
                self._quoted = not self._quoted  # each quote mark; "" toggles twice
            if not self._quoted:
                self.rows += part.count(b"\n")
                parts[index] = part.replace(b"\n", b"\r\n")
        self._write(b'"'.join(parts))


def export_csv_copy(
    conn: psycopg.Connection,
    start: datetime,
    end: datetime,
    out: TextIO,
    progress: Progress | None,
    total: int | None,
) -> int | None:
    """The CSV by COPY, in the caller's transaction; None (nothing written) when write_csv must
    write it instead."""
    periods = _periods(conn, start, end)
    if periods is None:
        return None
    csv_header(out)
    if not periods:
        return 0
    cells = [
        "visit_id",
        *(_guarded(c) for c in ("visitor_name", "company", "host", "purpose")),
        _local_time("signed_in_at", periods),
        f"CASE WHEN signed_out_at IS NULL THEN NULL ELSE "
        f"{_local_time('signed_out_at', periods)} END",
        # Written by the kiosk itself (a sign-out method, a language, a notice version), as
        # the SQLite export has it: nothing there starts like a formula or is empty text.
        "sign_out_method",
        "language",
        "notice_version",
        _guarded("kiosk_id"),  # the site's setting
    ]
    query = (
        f"COPY (SELECT {', '.join(cells)} FROM visits "
        "WHERE signed_in_at >= {start} AND signed_in_at < {end} AND restricted_at IS NULL "
        "ORDER BY signed_in_at, visit_id) TO STDOUT (FORMAT csv)"
    )
    write = _utf8_writer(out)
    counting = progress is not None and total is not None
    rows = _CrlfRows(write, counting)
    reported = 0
    if progress is not None and total is not None:
        progress(0, total)
    statement = sql.SQL(query).format(start=sql.Literal(start), end=sql.Literal(end))
    with conn.cursor() as cursor:
        with cursor.copy(statement) as copy:
            # COPY hands over a row at a time: the rows go on in batches, so the line ends are
            # turned and written once per batch, not once per row.
            pending: list[bytes] = []
            for data in copy:
                pending.append(bytes(data))
                if len(pending) < BATCH_ROWS:
                    continue
                rows.feed(b"".join(pending))
                pending.clear()
                if progress is not None and total is not None and rows.rows >= reported + EVERY:
                    reported = rows.rows
                    progress(rows.rows, max(total, rows.rows))
            if pending:
                rows.feed(b"".join(pending))
        written = rows.rows if counting else cursor.rowcount
    if progress is not None and total is not None:
        progress(written, max(total, written))
    return written


def _utf8_writer(out: TextIO) -> Write:
    """UTF-8 bytes to `out`: straight to its byte stream when it has one that takes UTF-8 (a
    file, stdout), else decoded as they come (a StringIO), a character split between two
    pieces waiting for the next."""
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name == "utf-8":
        out.flush()
        return out.buffer.write
    decoder = codecs.getincrementaldecoder("utf-8")()
    return lambda data: out.write(decoder.decode(data))
