"""Memory a big job freed on a worker thread goes back to the system: glibc keeps it in the
thread's arena otherwise, for as long as the kiosk idles. The backup and the retention cleanup
call `release_freed_memory` when they are done; `make bench` measures the idle kiosk after its
start-up backup of a million visits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.bootstrap import Core

# In a process of its own, so that nothing else the test run allocated is measured: a worker
# thread reads 30 MB of rows through a large SQLite page cache, opens a connection that stays
# open (as the store's connection of each thread does), then closes the first; then the
# process's anonymous resident memory before and after `release_freed_memory`.
_SCRIPT = """
import os, sqlite3, sys, threading
from kiosk.settings.memory import release_freed_memory

def anonymous_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:")) / 1024

path = sys.argv[1]
db = sqlite3.connect(path)
db.execute("CREATE TABLE t (x)")
db.executemany("INSERT INTO t VALUES (?)", ((os.urandom(250).hex(),) for _ in range(60_000)))
db.commit()
db.close()
kept = []

def big_job():
    big = sqlite3.connect(path)
    big.execute("PRAGMA cache_size = -40000")
    big.execute("SELECT sum(length(x)) FROM t").fetchone()
    staying = sqlite3.connect(path)
    staying.execute("SELECT count(*) FROM t").fetchone()
    kept.append(staying)
    big.close()

worker = threading.Thread(target=big_job)
worker.start()
worker.join()
held = anonymous_mb()
release_freed_memory()
print(held, anonymous_mb())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_a_worker_thread_freed_goes_back_to_the_system(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / "big.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    held, after = (float(value) for value in done.stdout.split())
    assert held - after >= 10, f"{held:.0f} MB held after the job, {after:.0f} MB after release"


def test_the_backup_and_the_cleanup_release_what_they_freed(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[str] = []
    for module, job in (
        ("storage.sqlite.backups", "backup"),
        ("kiosk.maintenance.retention", "cleanup"),
    ):
        monkeypatch.setattr(f"{module}.release_freed_memory", lambda job=job: released.append(job))
    core.backups.make()
    core.retention.run()
    assert released == ["backup", "cleanup"]
