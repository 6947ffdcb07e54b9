"""Who is on site, at the three sizes of the workload (benchmarks/workload.py: an ordinary day,
a big day, a conference, each among one million visits), each measure against the same work in
raw SQL in the same run where there is one:

- staff search: each keystroke of a few typed queries through the service the staff screen
  calls (`Visits.search_present`: SQL plus the rows as the table holds them, at most the 500 it
  shows), alternating with the same filter as plain LIKE with the same limit on a connection
  opened as the store opens its own (target: within a frame, 16 ms p95);
- the staff list: the on-site list read as the staff screen reads it and shown in its table,
  drawn (`StaffScreen.show_present` and a repaint), against reading the same rows in raw SQL
  (target: 100 ms p95, what a tap's answer may take; the drawing, on the GUI thread, within
  the 50 ms a stall may last);
- the evacuation roll call: everyone on site read and audited, then the A4 PDF rendered and
  written (`RollCall.take` and `make`, the printer left out) (target: 2 s at an ordinary day;
  measured at each size);
- sign-out by name: a visitor without their badge types their name, taps sign out
  (`Visits.match_name`), confirms (`Visits.sign_out_named`), against the same lookup and
  UPDATE in raw SQL (target: each tap 50 ms p95, as a sign-in).

The roll call and the sign-outs change the database, so they run on a copy; the kept databases
are checked to still hold their number on site afterwards. Everything runs at the workload's
fixed clock. Runs in a process of its own (Qt offscreen)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from benchmarks.workload import (
    SIZES,
    check_unchanged,
    copy_database,
    fixed_clock,
    kept_kiosk,
    percentile,
    workload,
)
from kiosk.bootstrap import Core, assemble
from kiosk.settings.i18n import catalog
from kiosk.visits.service import SEARCH_LIMIT
from storage.sqlite.database import connect
from storage.sqlite.times import to_db

QUERIES = ("jens kristensen", "de vries", "nordisk", "kjær", "o'sullivan harbour")
SEARCH_ROUNDS = 5
LIST_RUNS = 40
ROLL_CALL_RUNS = 3
NAMES = 40  # sign-outs by name at each size, as many again in raw SQL

_SEARCH_SQL = (
    "SELECT visit_id, visitor_name, company, host, signed_in_at FROM visits "
    # Restricted visits (GDPR Art. 18) are left out of the staff list, here as there.
    "WHERE signed_out_at IS NULL AND restricted_at IS NULL "
    "AND (visitor_name LIKE ? OR company LIKE ? OR host LIKE ?) "
    "ORDER BY signed_in_at LIMIT ?"
)
_LIST_SQL = (
    "SELECT visit_id, visitor_name, company, host, signed_in_at, host_notice FROM visits "
    "WHERE signed_out_at IS NULL AND restricted_at IS NULL ORDER BY signed_in_at LIMIT ?"
)
_NAMED_SQL = (
    "SELECT visit_id FROM visits WHERE signed_out_at IS NULL AND visitor_name = ? COLLATE NOCASE"
)
_SIGN_OUT_SQL = "UPDATE visits SET signed_out_at = ?, sign_out_method = 'kiosk' WHERE visit_id = ?"


def bench_on_site() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import apply_stylesheet

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_stylesheet(app)
    results: dict[str, Any] = {}
    for label, size in SIZES.items():
        folder = kept_kiosk(size)
        core = assemble(folder, clock=fixed_clock)
        baseline = connect(core.paths.database)  # the same pragmas as the store's connections
        try:
            measured = {
                "workload": workload(size),
                "on_site": len(core.visits.search_present("", limit=-1)),
                "search": _search(core, baseline),
                "staff_list": _staff_list(app, core, baseline),
            }
        finally:
            baseline.close()
            core.close()
        with tempfile.TemporaryDirectory(prefix="bench-on-site-") as tmp:
            copy = Path(tmp)
            copy_database(folder / "kiosk.db", copy / "kiosk.db")
            (copy / "kiosk.toml").write_text('[badge]\nprinter = "none"\n', encoding="utf-8")
            core = assemble(copy, copy / "kiosk.toml", clock=fixed_clock)
            try:
                measured["roll_call"] = _roll_call(core, copy / "roll-call.pdf")
                measured["sign_out_by_name"] = _sign_out_by_name(core)
            finally:
                core.close()
        check_unchanged(folder, size)
        results[label] = measured
    return results


def _search(core: Core, baseline: Database) -> dict[str, Any]:
    ours: list[float] = []
    raw: list[float] = []
    for _ in range(SEARCH_ROUNDS):
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                typed = query[:end]
                start = time.perf_counter()
                core.visits.search_present(typed, SEARCH_LIMIT + 1)
                ours.append((time.perf_counter() - start) * 1000)
                pattern = f"%{typed}%"
                start = time.perf_counter()
                baseline.execute(_SEARCH_SQL, [*[pattern] * 3, SEARCH_LIMIT + 1]).fetchall()
                raw.append((time.perf_counter() - start) * 1000)
    return {
        "keystrokes": len(ours),
        "p95_ms": percentile(ours, 0.95),
        "median_ms": statistics.median(ours),
        "raw_p95_ms": percentile(raw, 0.95),
        "raw_median_ms": statistics.median(raw),
    }


def _staff_list(app: Any, core: Core, baseline: Database) -> dict[str, Any]:
    from ui.screens.staff import StaffScreen

    screen = StaffScreen()
    screen.retranslate_ui(catalog(core.config.kiosk.languages[0]))
    screen.resize(1280, 800)
    screen.show()
    app.processEvents()
    total: list[float] = []
    drawn: list[float] = []
    raw: list[float] = []
    rows = 0
    try:
        for _ in range(LIST_RUNS):
            start = time.perf_counter()
            found = core.visits.search_present("", SEARCH_LIMIT + 1)
            read = time.perf_counter()
            screen.show_present(found)
            screen.present_table.viewport().repaint()
            done = time.perf_counter()
            total.append((done - start) * 1000)
            drawn.append((done - read) * 1000)
            rows = screen.present_model.rowCount()
            start = time.perf_counter()
            baseline.execute(_LIST_SQL, [SEARCH_LIMIT + 1]).fetchall()
            raw.append((time.perf_counter() - start) * 1000)
    finally:
        screen.close()
        screen.deleteLater()
        app.processEvents()
    return {
        "runs": LIST_RUNS,
        "rows_shown": rows,
        "p95_ms": percentile(total, 0.95),
        "median_ms": statistics.median(total),
        "drawn_p95_ms": percentile(drawn, 0.95),
        "raw_p95_ms": percentile(raw, 0.95),
    }


def _roll_call(core: Core, out: Path) -> dict[str, Any]:
    times: list[float] = []
    people = pages = 0
    for _ in range(ROLL_CALL_RUNS):
        start = time.perf_counter()
        report = core.roll_call.make(core.roll_call.take(), out=out, to_printer=False)
        times.append(time.perf_counter() - start)
        people = report.count
        pages = out.read_bytes().count(b"/Type /Page\n")
    return {
        "runs": ROLL_CALL_RUNS,
        "people": people,
        "pages": pages,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "size_mb": out.stat().st_size / 1024 / 1024,
    }


def _sign_out_by_name(core: Core) -> dict[str, Any]:
    """NAMES visitors whose name no one else on site has, spread over the list, sign out by
    name through the service; as many others are looked up and signed out in raw SQL."""
    present = core.visits.present()
    counts = Counter(visit.visitor_name.casefold() for visit in present)
    unique = [visit.visitor_name for visit in present if counts[visit.visitor_name.casefold()] == 1]
    step = max(1, len(unique) // (2 * NAMES))
    chosen = unique[::step][: 2 * NAMES]
    match: list[float] = []
    confirm: list[float] = []
    raw: list[float] = []
    baseline = connect(core.paths.database)
    at = to_db(fixed_clock())
    try:
        for index, name in enumerate(chosen):
            if index % 2 == 0:
                start = time.perf_counter()
                core.visits.match_name(name)
                tapped = time.perf_counter()
                core.visits.sign_out_named(name)
                done = time.perf_counter()
                match.append((tapped - start) * 1000)
                confirm.append((done - tapped) * 1000)
            else:
                start = time.perf_counter()
                with baseline.conn:  # one transaction, committed
                    (visit_id,) = baseline.conn.execute(_NAMED_SQL, [name]).fetchone()
                    baseline.conn.execute(_SIGN_OUT_SQL, [at, visit_id])
                raw.append((time.perf_counter() - start) * 1000)
    finally:
        baseline.close()
    left = len(core.visits.present())
    if left != len(present) - len(chosen):
        raise AssertionError(f"{len(present) - left} signed out, not {len(chosen)}")
    return {
        "sign_outs": len(match),
        "match_p95_ms": percentile(match, 0.95),
        "confirm_p95_ms": percentile(confirm, 0.95),
        "confirm_median_ms": statistics.median(confirm),
        "raw_p95_ms": percentile(raw, 0.95),
    }


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(bench_on_site(), indent=2) + "\n")
