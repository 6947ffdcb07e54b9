"""Staff search as you type, on a database with one million past visits (target: each
keystroke within one frame, 16 ms p95), against the same filter in raw SQL.

The million-visit database is made with `visitor-kiosk demo --seed 1 --on-site 30000` (a
conference day) in benchmarks/data/ and kept between runs of the same day and the same demo
code: its name holds the date, the counts and a hash of the code that makes the visits, so a
run on another day, or after that code changed, makes it again instead of measuring another
workload (`workload()` is recorded with the figures).

Each keystroke of a few typed queries is timed through the service the staff screen calls
(Visits.search_present: SQL plus the rows as the table holds them, at most the 500 the list
shows), alternating with the baseline: the same filter as plain LIKE with the same limit on a
connection opened as the store opens its own, rows fetched, nothing more."""

from __future__ import annotations

import hashlib
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.bootstrap import assemble
from kiosk.visits.service import SEARCH_LIMIT
from storage.sqlite.database import connect

DATA_DIR = Path(__file__).with_name("data")
SEED = 1
ON_SITE = 30_000  # a conference day: the most a site's list and search must handle
# The code that makes the benchmark's visits: a change to it makes the database again.
_DEMO_CODE = tuple(
    Path(__file__).resolve().parent.parent / "kiosk" / "demo" / name
    for name in ("generate.py", "names.py")
)
QUERIES = ("jens kristensen", "de vries", "nordisk", "kjær", "o'sullivan harbour")
ROUNDS = 5


def workload(visits: int = 1_000_000, on_site: int = ON_SITE) -> dict[str, Any]:
    """What the kept database holds, and how it was made: recorded beside the figures."""
    code = hashlib.sha256(b"".join(path.read_bytes() for path in _DEMO_CODE)).hexdigest()
    return {
        "visits": visits,
        "on_site": on_site,
        "seed": SEED,
        "made_on": date.today().isoformat(),  # "today's" visits are today's
        "demo_code": code[:12],
    }


def million_visit_kiosk(visits: int = 1_000_000, on_site: int = ON_SITE) -> Path:
    """The data dir of the kept million-visit database of today's workload, made with `demo`
    if missing; those of other days or other demo code are deleted."""
    made = workload(visits, on_site)
    name = f"visits-{visits}-on-site-{on_site}-{made['made_on']}-{made['demo_code']}"
    folder = DATA_DIR / name
    marker = folder / ".made"
    if not marker.exists():
        for stale in DATA_DIR.glob("*"):
            if stale.is_dir() and stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)  # an interrupted making
        folder.mkdir(parents=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--data-dir",
                str(folder),
                "demo",
                "--visits",
                str(visits),
                "--seed",
                str(SEED),
                "--on-site",
                str(on_site),
            ],
            check=True,
            capture_output=True,
        )
        marker.touch()
    return folder


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
        "workload": workload(),
        "visits": total,
        "on_site": on_site,
        "keystrokes": len(ours),
        "p95_ms": percentile(ours, 0.95),
        "median_ms": statistics.median(ours),
        "raw_p95_ms": percentile(raw, 0.95),
        "raw_median_ms": statistics.median(raw),
    }
