"""A site's kiosks on one PostgreSQL database, measured at one million visits on a private
server started for the run (tests/pgsupport.py: Debian's postgresql, a Unix socket):

- sign-in, submit to committed, with eight kiosk processes signing in at once (target: 50 ms
  p95), against one kiosk alone on the same database;
- the access log's CSV export (`visitor-kiosk export`) against `psql -c "\\copy (...) to stdout
  csv"` of the same rows (target: 1.5x);
- the retention purge (what `visitor-kiosk purge` runs: the auto sign-out, then the cleanup,
  VACUUM included) against a raw DELETE + VACUUM of the same rows on a copy of the same
  database (target: 2x);
- another kiosk's sign-in reaching this kiosk's watch (LISTEN/NOTIFY; the on-site list reads
  again 100 ms later), p95 (target: 1 s).

The million visits are the workload's (benchmarks/workload.py: seed 1, made and purged at its
fixed clock), over 400 days so that the purge has most of them to delete, 30,000 on site."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.workload import CLOCK, CONFERENCE, fixed_clock, make_visits, workload
from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import SaveOnly

VISITS = 1_000_000
DAYS = 400
KIOSKS = 8
SIGN_INS_PER_KIOSK = 100

# One kiosk process of the eight: waits for the start signal (a file), signs in, prints times.
_KIOSK = """
import json, os, sys, time
from pathlib import Path
from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import SaveOnly
folder, start, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
core = assemble(folder / "data", folder / "kiosk.toml", badge_printer=SaveOnly())
notice = core.notices.notice("nl")
core.visits.present()  # connected and ready
(folder / "ready").touch()
while not start.exists():
    time.sleep(0.001)
times = []
for i in range(count):
    form = SignInForm(f"Bezoeker {i}", "Voorbeeld B.V.", "Anouk de Vries", "meeting")
    began = time.perf_counter()
    core.visits.sign_in(form, notice)
    times.append((time.perf_counter() - began) * 1000)
core.close()
print("RESULT " + json.dumps(times))
"""


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _kiosk_folder(root: Path, kiosk_id: str, url: str) -> Path:
    folder = root / kiosk_id
    folder.mkdir(parents=True)
    (folder / "kiosk.toml").write_text(
        f'[site]\nkiosk_id = "{kiosk_id}"\n[badge]\nprinter = "none"\n[database]\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return folder


def _cli(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "KIOSK_DATABASE_URL": url, "QT_QPA_PLATFORM": "offscreen"},
    )


def _sign_ins_at_once(root: Path, url: str, kiosks: int) -> list[float]:
    start = root / "start"
    folders = [_kiosk_folder(root, f"kiosk-{n}", url) for n in range(kiosks)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _KIOSK, str(folder), str(start), str(SIGN_INS_PER_KIOSK)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    deadline = time.monotonic() + 120
    while not all((folder / "ready").exists() for folder in folders):
        if time.monotonic() > deadline:
            raise RuntimeError("the kiosk processes did not start")
        time.sleep(0.01)
    start.touch()
    times: list[float] = []
    import json

    for process in processes:
        out, _ = process.communicate(timeout=300)
        (line,) = [line for line in out.splitlines() if line.startswith("RESULT ")]
        times += json.loads(line.removeprefix("RESULT "))
    return times


def _propagation(root: Path, url: str, runs: int = 100) -> list[float]:
    """From one kiosk's sign-in returning to the other kiosk's watch being called."""
    front = assemble(root / "front" / "data", _kiosk_folder(root, "front", url) / "kiosk.toml",
                     badge_printer=SaveOnly())  # fmt: skip
    goods = assemble(root / "goods" / "data", _kiosk_folder(root, "goods", url) / "kiosk.toml",
                     badge_printer=SaveOnly())  # fmt: skip
    told = threading.Event()
    goods.watch_visits(told.set)
    delays = []
    try:
        time.sleep(1.0)  # listening by now
        told.clear()
        notice = front.notices.notice("en")
        for i in range(runs):
            front.visits.sign_in(SignInForm(f"Visitor {i}"), notice)
            committed = time.perf_counter()
            if not told.wait(5):
                delays.append(5000.0)
            else:
                delays.append((time.perf_counter() - committed) * 1000)
            told.clear()
            front.events.settle()
            time.sleep(0.02)
    finally:
        front.close()
        goods.close()
    return delays


def _export_vs_copy(server: Any, database: str, root: Path, runs: int = 3) -> dict[str, float]:
    url = server.url(database)
    first, last = (CLOCK - timedelta(days=DAYS)).date().isoformat(), CLOCK.date().isoformat()
    ours, theirs = [], []
    query = (
        "SELECT visit_id, visitor_name, company, host, purpose, signed_in_at, signed_out_at, "
        "sign_out_method, language, notice_version, kiosk_id FROM visits "
        "WHERE restricted_at IS NULL ORDER BY signed_in_at, visit_id"
    )
    rows = 0
    for _ in range(runs):
        began = time.perf_counter()
        out = root / "export.csv"
        _cli(url, root / "exporter", "export", "--from", first, "--to", last, "--out", str(out))
        ours.append(time.perf_counter() - began)
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
        began = time.perf_counter()
        with (root / "copy.csv").open("wb") as copied:
            subprocess.run(
                [str(server.binaries / "psql"), "-X", "-q", "-d", url, "-c",
                 f"\\copy ({query}) to stdout csv header"],
                check=True, stdout=copied,
            )  # fmt: skip
        theirs.append(time.perf_counter() - began)
    return {
        "rows": rows,
        "median_s": statistics.median(ours),
        "baseline_median_s": statistics.median(theirs),
        "ratio": statistics.median(ours) / statistics.median(theirs),
    }


def _purge_vs_delete(server: Any, database: str, root: Path) -> dict[str, float]:
    """Both on copies of the loaded database (CREATE DATABASE ... TEMPLATE), the same rows."""
    kiosk_copy, raw_copy = f"{database}_purge", f"{database}_raw"
    for copy in (kiosk_copy, raw_copy):
        server.sql(f'CREATE DATABASE "{copy}" TEMPLATE "{database}"')
    visit_days = 90
    cutoff = (CLOCK - timedelta(days=visit_days)).isoformat()
    expired_rows = f"signed_in_at < '{cutoff}'::timestamptz"
    expired = int(server.sql(f"SELECT count(*) FROM visits WHERE {expired_rows}", kiosk_copy))
    folder = _kiosk_folder(root, "purger", server.url(kiosk_copy))
    with (folder / "kiosk.toml").open("a", encoding="utf-8") as config:
        config.write(f"[retention]\nvisit_days = {visit_days}\n")
    core = assemble(folder / "data", folder / "kiosk.toml", clock=fixed_clock)
    try:
        began = time.perf_counter()
        core.visits.auto_sign_out()
        report = core.retention.run()
        ours = time.perf_counter() - began
    finally:
        core.close()
    if report.visits != expired:
        raise AssertionError(f"the purge deleted {report.visits} visits, not {expired}")
    began = time.perf_counter()
    server.sql(f"DELETE FROM visits WHERE {expired_rows}", raw_copy)
    server.sql("VACUUM visits, badges, audit_visits, outbox", raw_copy)
    theirs = time.perf_counter() - began
    for copy in (kiosk_copy, raw_copy):
        server.drop_database(copy)
    return {
        "visits": expired,
        "seconds": ours,
        "baseline_seconds": theirs,
        "ratio": ours / theirs,
    }


def bench_postgres() -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pgsupport import running_server, server_binaries

    if server_binaries() is None:
        return {"skipped": "PostgreSQL is not installed (Debian package postgresql)"}

    with tempfile.TemporaryDirectory() as tmp, running_server() as server:
        root = Path(tmp)
        database = server.new_database("bench")
        url = server.url(database)
        demo = _kiosk_folder(root, "demo", url)
        demo_s = make_visits(demo / "data", CONFERENCE, days=DAYS, config_file=demo / "kiosk.toml")
        server.sql("VACUUM ANALYZE", database)

        alone = _sign_ins_at_once(root / "alone", url, 1)
        together = _sign_ins_at_once(root / "together", url, KIOSKS)
        propagation = _propagation(root / "watch", url)
        export = _export_vs_copy(server, database, root)
        purge = _purge_vs_delete(server, database, root)
        return {
            "server": f"PostgreSQL {server.major}",
            "workload": {**workload(CONFERENCE), "days": DAYS},
            "visits": VISITS,
            "demo_s": demo_s,
            "sign_in_alone_p95_ms": _p95(alone),
            "sign_in_kiosks": KIOSKS,
            "sign_in_p95_ms": _p95(together),
            "sign_in_median_ms": statistics.median(together),
            "propagation_p95_ms": _p95(propagation),
            # The on-site list reads again this long after the notice (ui/live_list.py).
            "list_settle_ms": 100,
            "propagation_median_ms": statistics.median(propagation),
            "export_csv": export,
            "purge": purge,
        }


if __name__ == "__main__":
    import json

    result = bench_postgres()
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
