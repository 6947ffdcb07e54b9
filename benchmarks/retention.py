"""Export and retention cleanup at one million visits, each against the same work done raw.

- export: `visitor-kiosk export` of every visit to CSV, the real CLI in its own process
  (with the helper processes it forks on a machine with several cores), alternating with
  `sqlite3 -csv` running the same SELECT (targets: at most 2x the baseline's time, at most
  100 MB peak memory, the export's processes together);
- purge: the retention cleanup deleting one million expired visits in chunks (each chunk
  its own transaction, the write-ahead log emptied at the end), against one plain DELETE
  with the same pragmas and the same final checkpoint (target: at most 2x); and the
  longest chunk, which is how long a sign-in could wait behind the cleanup.

Both use the kept million-visit database of a conference day (benchmarks/workload.py).
The purge works on copies of it, made with SQLite's backup API in a temporary directory that
is removed afterwards. A clock far in the future makes every visit expired without changing a
row."""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.workload import copy_database, kept_kiosk
from kiosk.bootstrap import assemble
from kiosk.cli.data import EXPORT_PROCESSES
from kiosk.domain.ports import Expiry
from kiosk.maintenance.retention import CHUNK
from kiosk.settings.config import RetentionConfig
from storage.sqlite.times import to_db

EXPORT_SQL = (
    "SELECT visit_id, visitor_name, company, host, purpose, signed_in_at, signed_out_at, "
    "sign_out_method, language, notice_version, kiosk_id FROM visits ORDER BY signed_in_at"
)
# `python -m kiosk ARGS` that also writes its peak resident memory (KiB) to a file: its own,
# read from /proc at exit, plus that of each helper process the export forks (ru_maxrss from
# wait4, which for a forked child starts at the pages it shares with the parent, so the sum
# is an upper bound). (Not the CLI's own ru_maxrss from the benchmark's wait4: Linux carries
# the parent's high-water mark into a child across fork and exec, so a child of a big
# benchmark process would report at least the benchmark's own size.)
PEAK_REPORTING_CLI = """
import atexit, os, runpy, sys

helpers = []

def waitpid(pid, options):
    pid, status, usage = os.wait4(pid, options)
    helpers.append(usage.ru_maxrss)
    return pid, status

def report(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(str(peak + sum(helpers)))

os.waitpid = waitpid
atexit.register(report)
sys.argv = ["visitor-kiosk", *sys.argv[2:]]
runpy.run_module("kiosk", run_name="__main__", alter_sys=True)
"""
# The day the purge pretends it is: every demo visit is long past any retention period.
PURGE_NOW = datetime(2100, 1, 1, tzinfo=UTC)


def bench_export_csv(runs: int = 3) -> dict[str, Any]:
    data_dir = kept_kiosk()
    database = data_dir / "kiosk.db"
    assemble(data_dir).close()  # any pending migration now, not inside the first timed export
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        return {"skipped": "the sqlite3 command-line tool is not installed"}
    read_through(database)  # the first run should not be the only one reading from disk
    ours: list[float] = []
    raw: list[float] = []
    peaks: list[float] = []
    rows = raw_rows = 0
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        out = Path(tmp) / "visits.csv"
        raw_out = Path(tmp) / "raw.csv"
        peak_file = Path(tmp) / "peak"
        export = [
            sys.executable,
            "-c",
            PEAK_REPORTING_CLI,
            str(peak_file),
            "--data-dir",
            str(data_dir),
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-12-31",
            "--out",
            str(out),
        ]
        for run in range(runs):
            for which in ("raw", "ours") if run % 2 else ("ours", "raw"):
                if which == "ours":
                    ours.append(timed_run(export))
                    peaks.append(int(peak_file.read_text()) / 1024)
                    rows = _count_lines(out) - 1  # the header
                    out.unlink()
                else:
                    with raw_out.open("wb") as stream:
                        raw.append(timed_run([sqlite, "-csv", str(database), EXPORT_SQL], stream))
                    raw_rows = _count_lines(raw_out)
                    raw_out.unlink()
            if rows != raw_rows:
                raise AssertionError(f"the export wrote {rows} rows, the baseline {raw_rows}")
    median = statistics.median(ours)
    baseline = statistics.median(raw)
    return {
        "rows": rows,
        "runs": runs,
        "processes": min(os.cpu_count() or 1, EXPORT_PROCESSES),
        "median_s": median,
        "baseline_median_s": baseline,
        "ratio": median / baseline,
        "peak_mb": max(peaks),
        "times_s": ours,
        "baseline_times_s": raw,
    }


def bench_purge(runs: int = 1) -> dict[str, Any]:
    source = kept_kiosk() / "kiosk.db"
    assemble(source.parent).close()  # the copies start at the current schema
    cutoff = PURGE_NOW - timedelta(days=RetentionConfig().visit_days)
    ours: list[float] = []
    raw: list[float] = []
    chunk_ms: list[float] = []
    deleted = raw_deleted = 0
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-purge-") as tmp:
            ours_dir, raw_dir = Path(tmp) / "ours", Path(tmp) / "raw"
            for target in (ours_dir, raw_dir):
                copy_database(source, target / "kiosk.db")
            for which in ("raw", "ours") if run % 2 else ("ours", "raw"):
                if which == "ours":
                    deleted, seconds, steps = _purge_ours(ours_dir, cutoff)
                    ours.append(seconds)
                    chunk_ms.extend(steps)
                else:
                    raw_deleted, seconds = _purge_raw(raw_dir / "kiosk.db", to_db(cutoff))
                    raw.append(seconds)
        if deleted != raw_deleted:
            raise AssertionError(
                f"the cleanup deleted {deleted} visits, the baseline {raw_deleted}"
            )
    median = statistics.median(ours)
    baseline = statistics.median(raw)
    chunk_ms.sort()
    return {
        "visits": deleted,
        "runs": runs,
        "seconds": median,
        "baseline_seconds": baseline,
        "ratio": median / baseline,
        "chunks": len(chunk_ms),
        "max_chunk_ms": chunk_ms[-1],
        "median_chunk_ms": statistics.median(chunk_ms),
    }


def _purge_ours(data_dir: Path, cutoff: datetime) -> tuple[int, float, list[float]]:
    """The cleanup as the kiosk runs it (Retention.run), with each chunk timed: visits
    deleted, seconds in all, and milliseconds per chunk that deleted something."""
    # The default config, whatever $KIOSK_CONFIG says.
    core = assemble(data_dir, data_dir / "kiosk.toml", clock=lambda: PURGE_NOW)
    retention = core.retention
    assert retention.expiry().visits_before == cutoff
    steps: list[float] = []
    step = retention.step

    def timed_step(expiry: Expiry, chunk: int = CHUNK) -> int:
        start = time.perf_counter()
        deleted = step(expiry, chunk)
        if deleted:
            steps.append((time.perf_counter() - start) * 1000)
        return deleted

    retention.step = timed_step  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        report = retention.run()
        seconds = time.perf_counter() - start
    finally:
        core.close()
    return report.visits, seconds, steps


def _purge_raw(database: Path, cutoff: str) -> tuple[int, float]:
    """One DELETE with the kiosk's pragmas, then the same checkpoint."""
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        start = time.perf_counter()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        deleted = conn.execute("DELETE FROM visits WHERE signed_in_at < ?", [cutoff]).rowcount
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    if busy:
        raise AssertionError("the baseline's checkpoint was blocked")
    return deleted, seconds


def timed_run(command: list[str], stdout: Any = subprocess.DEVNULL) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
    return count


def read_through(path: Path) -> None:
    with path.open("rb") as stream:
        while stream.read(1 << 20):
            pass
