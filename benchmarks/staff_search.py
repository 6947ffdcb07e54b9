"""Staff search as you type, on a database with one million past visits (target: each
keystroke within one frame, 16 ms p95), against the same filter in raw SQL.

The million-visit database is made once with `visitor-kiosk demo` in benchmarks/data/ and
kept between runs. Each keystroke of a few typed queries is timed through the service the
staff screen calls (Visits.search_present: SQL plus the rows as the table holds them, at
most the 500 the list shows), alternating with the baseline: the same filter as plain LIKE
with the same limit on a connection opened as the store opens its own, rows fetched,
nothing more."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.bootstrap import assemble
from kiosk.visits.service import SEARCH_LIMIT
from storage.sqlite.database import connect

MILLION_DIR = Path(__file__).with_name("data") / "million"
QUERIES = ("jens kristensen", "de vries", "nordisk", "kjær", "o'sullivan harbour")
ROUNDS = 5


def million_visit_kiosk(visits: int = 1_000_000) -> Path:
    """The data dir of the kept million-visit database, made with `demo` if missing."""
    marker = MILLION_DIR / f".made-{visits}"
    if not marker.exists():
        MILLION_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--data-dir",
                str(MILLION_DIR),
                "demo",
                "--visits",
                str(visits),
                "--seed",
                "1",
            ],
            check=True,
            capture_output=True,
        )
        marker.touch()
    return MILLION_DIR


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def bench_staff_search() -> dict[str, Any]:
    core = assemble(million_visit_kiosk())
    baseline = connect(core.paths.database)  # the same pragmas as the store's connections
    ours: list[float] = []
    raw: list[float] = []
    baseline_sql = (
        "SELECT visit_id, visitor_name, company, host, signed_in_at FROM visits "
        # Restricted visits (GDPR Art. 18) are left out of the staff list, here as there.
        "WHERE signed_out_at IS NULL AND restricted_at IS NULL "
        "AND (visitor_name LIKE ? OR company LIKE ? OR host LIKE ?) "
        "ORDER BY signed_in_at LIMIT ?"
    )
    try:
        on_site = len(core.visits.search_present("", limit=-1))
        with core.store.reading() as db:
            total = db.visits.count()
        for _ in range(ROUNDS):
            for query in QUERIES:
                for end in range(1, len(query) + 1):
                    typed = query[:end]
                    start = time.perf_counter()
                    core.visits.search_present(typed, SEARCH_LIMIT + 1)
                    ours.append((time.perf_counter() - start) * 1000)
                    pattern = f"%{typed}%"
                    start = time.perf_counter()
                    baseline.execute(baseline_sql, [*[pattern] * 3, SEARCH_LIMIT + 1]).fetchall()
                    raw.append((time.perf_counter() - start) * 1000)
    finally:
        baseline.close()
        core.close()
    return {
        "visits": total,
        "on_site": on_site,
        "keystrokes": len(ours),
        "p95_ms": percentile(ours, 0.95),
        "median_ms": statistics.median(ours),
        "raw_p95_ms": percentile(raw, 0.95),
        "raw_median_ms": statistics.median(raw),
    }
