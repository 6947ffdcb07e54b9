"""The workbook export at one million visits, against the CSV export of the same visits in the
same run: `visitor-kiosk export --format xlsx --out FILE` and `--format csv`, both the real CLI
in its own process (with the helper processes each forks on a machine with several cores),
alternating (targets: at most 3x the CSV export's time, at most 100 MB peak memory, the
export's processes together). Each workbook is checked: its ZIP reads back with every CRC
right, and its sheet holds a row per visit (and the header).

Uses the kept million-visit database (benchmarks/workload.py)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from benchmarks.retention import PEAK_REPORTING_CLI, read_through, timed_run
from benchmarks.workload import kept_kiosk
from kiosk.bootstrap import assemble
from kiosk.cli.data import EXPORT_PROCESSES
from kiosk.domain.workbook import SHEET_PART


def bench_export_xlsx(runs: int = 3) -> dict[str, Any]:
    data_dir = kept_kiosk()
    assemble(data_dir).close()  # any pending migration now, not inside the first timed export
    read_through(data_dir / "kiosk.db")
    times: dict[str, list[float]] = {"xlsx": [], "csv": []}
    peaks: dict[str, list[float]] = {"xlsx": [], "csv": []}
    rows = {"xlsx": 0, "csv": 0}
    size_mb = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as tmp:
        peak_file = Path(tmp) / "peak"
        for run in range(runs):
            for fmt in ("csv", "xlsx") if run % 2 else ("xlsx", "csv"):
                out = Path(tmp) / f"visits.{fmt}"
                command = [
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
                    "--format",
                    fmt,
                    "--out",
                    str(out),
                ]
                times[fmt].append(timed_run(command))
                peaks[fmt].append(int(peak_file.read_text()) / 1024)
                if fmt == "xlsx":
                    size_mb = out.stat().st_size / 1e6
                    rows[fmt] = _sheet_rows(out) - 1  # the header
                else:
                    rows[fmt] = _lines(out) - 1
                out.unlink()
            if rows["xlsx"] != rows["csv"]:
                raise AssertionError(
                    f"the workbook holds {rows['xlsx']} rows, the CSV {rows['csv']}"
                )
    median = statistics.median(times["xlsx"])
    baseline = statistics.median(times["csv"])
    return {
        "rows": rows["xlsx"],
        "runs": runs,
        "processes": min(os.cpu_count() or 1, EXPORT_PROCESSES),
        "median_s": median,
        "csv_median_s": baseline,
        "ratio": median / baseline,
        "peak_mb": max(peaks["xlsx"]),
        "csv_peak_mb": max(peaks["csv"]),
        "size_mb": size_mb,
        "times_s": times["xlsx"],
        "csv_times_s": times["csv"],
    }


def _sheet_rows(path: Path) -> int:
    """The rows of the workbook's sheet, read through zipfile (which checks every CRC-32)."""
    count = 0
    with zipfile.ZipFile(path) as book:
        if book.testzip() is not None:
            raise AssertionError("the workbook's ZIP is damaged")
        with book.open(SHEET_PART) as sheet:
            tail = b""
            while block := sheet.read(1 << 20):
                count += (tail + block).count(b"<row>")
                tail = block[-4:]
    return count


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
    return count
