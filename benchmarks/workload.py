"""The benchmarks' workload: the same on every run and every machine.

One million visits over 30 days, made by `visitor-kiosk demo --visits 1000000 --seed 1
--on-site K` (the command itself, its clock set) from a fixed seed, at a fixed moment in a
fixed time zone: exactly K of them still on site, signed in that morning, every other one
signed out. Three sizes, each a database of its own, as real sites reach them:

- an ordinary day: 300 on site;
- a big day: 5,000 on site;
- a conference: 30,000 on site (the database the export, purge and start-up measures use).

The measures that read the clock (sign-out, the roll call, the cleanup while a window shows)
run at that same moment (`fixed_clock`), so nothing depends on the hour or the day of the run;
only the start-up measures run the kiosk on the wall clock, on a copy (benchmarks/startup.py).
The databases are kept in benchmarks/data/ between runs. Each folder's name holds the counts,
the seed, the moment and a hash of the code that makes the visits (the demo generator, the
SQLite store's schema and its writing of visits): when that code changes, the next run makes
them again, and folders of any other workload are deleted, never reused.
`workload()` is recorded beside every figure that uses them."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")
VISITS = 1_000_000
DAYS = 30
SEED = 1
# A Wednesday at noon in Amsterdam: the visits are made as of then, and read as of then.
CLOCK = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
TIME_ZONE = "Europe/Amsterdam"
ORDINARY, BIG, CONFERENCE = 300, 5_000, 30_000
SIZES = {"ordinary day": ORDINARY, "big day": BIG, "conference": CONFERENCE}

_ROOT = Path(__file__).resolve().parent.parent
# What makes the visits and decides how they are stored: the demo generator, and the SQLite
# store's schema, migrations and writing of visits.
_MAKING_CODE = (
    *sorted((_ROOT / "kiosk" / "demo").glob("*.py")),
    *(_ROOT / "storage" / "sqlite" / name for name in ("database.py", "store.py", "visits.py")),
)


def fixed_clock() -> datetime:
    """The workload's moment, as the kiosk's clock."""
    return CLOCK


def code_hash() -> str:
    """A hash of the code that makes the visits: a change to it makes the databases again."""
    digest = hashlib.sha256()
    for path in _MAKING_CODE:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def workload(on_site: int = CONFERENCE) -> dict[str, Any]:
    """What a kept database holds and how it was made: recorded beside the figures."""
    return {
        "visits": VISITS,
        "days": DAYS,
        "on_site": on_site,
        "seed": SEED,
        "clock": CLOCK.isoformat(),
        "time_zone": TIME_ZONE,
        "demo_code": code_hash(),
    }


def _folder_name(on_site: int) -> str:
    return (
        f"visits-{VISITS}-on-site-{on_site}-seed-{SEED}-"
        f"{CLOCK.strftime('%Y%m%dT%H%MZ')}-{code_hash()}"
    )


def kept_kiosk(on_site: int = CONFERENCE) -> Path:
    """The data dir of the kept database with `on_site` visitors on site, made if missing.
    Folders of other workloads (other code, other counts) are deleted."""
    wanted = {_folder_name(size) for size in SIZES.values()}
    for stale in DATA_DIR.glob("*"):
        if stale.is_dir() and stale.name not in wanted:
            shutil.rmtree(stale, ignore_errors=True)
    folder = DATA_DIR / _folder_name(on_site)
    marker = folder / ".made"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)  # an interrupted making
        folder.mkdir(parents=True)
        make_visits(folder, on_site)
        marker.touch()
    return folder


def make_visits(
    data_dir: Path, on_site: int, *, days: int = DAYS, config_file: Path | None = None
) -> float:
    """Add the workload's visits to the kiosk of `data_dir` (its own SQLite database, or the
    one `config_file` names), in a process of its own with the time zone set; the seconds it
    took."""
    env = {**os.environ, "TZ": TIME_ZONE, "QT_QPA_PLATFORM": "offscreen"}
    for setting in ("KIOSK_CONFIG", "KIOSK_DATABASE_URL"):  # only what the arguments say
        env.pop(setting, None)
    command = [sys.executable, "-m", "benchmarks.workload", str(data_dir), str(on_site), str(days)]
    began = time.perf_counter()
    made = subprocess.run(
        [*command, *([str(config_file)] if config_file else [])],
        env=env,
        capture_output=True,
        text=True,
    )
    said = f"added {VISITS} visits ({on_site} still on site)"
    if made.returncode != 0 or said not in made.stdout:
        raise RuntimeError(f"making the benchmark visits failed:\n{made.stdout}{made.stderr}")
    return time.perf_counter() - began


def copy_database(source: Path, target: Path) -> None:
    """A copy of a kept database, for the measures that change it: consistent (SQLite's backup
    API, whatever the source's write-ahead log holds) and on disk before any clock starts, so
    no measure pays for the copy's writes being flushed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def keeping_everything() -> str:
    """The kiosk.toml of a kiosk run on the wall clock (the start-up measures) over a copy of a
    kept database: visits kept long enough that the workload's, months old by that clock, are
    not all purged at its first start."""
    days = (datetime.now(UTC) - CLOCK).days + DAYS + 2
    if days > 3650:  # the longest retention the settings allow
        raise RuntimeError("the workload's clock is over ten years back: move CLOCK")
    return f"[retention]\nvisit_days = {days}\n"


def check_unchanged(folder: Path, on_site: int) -> None:
    """A measure that left a kept database with another number on site changed the workload of
    every later run: an error, not a figure."""
    with sqlite3.connect(f"file:{folder / 'kiosk.db'}?mode=ro", uri=True) as db:
        (found,) = db.execute("SELECT count(*) FROM visits WHERE signed_out_at IS NULL").fetchone()
    if found != on_site:
        raise AssertionError(f"{folder.name} has {found} visits on site, not {on_site}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def _make(folder: Path, on_site: int, days: int, config_file: Path | None) -> None:
    """`visitor-kiosk demo` with the kiosk's clock at CLOCK (run with TZ set)."""
    from kiosk.cli.common import CliState
    from kiosk.cli.data import demo

    options = ["--visits", str(VISITS), "--days", str(days), "--seed", str(SEED)]
    demo.main(
        [*options, "--on-site", str(on_site)],
        prog_name="visitor-kiosk demo",
        obj=CliState(folder, config_file, clock=fixed_clock),
    )


if __name__ == "__main__":
    _make(
        Path(sys.argv[1]),
        int(sys.argv[2]),
        int(sys.argv[3]),
        Path(sys.argv[4]) if len(sys.argv) > 4 else None,
    )
