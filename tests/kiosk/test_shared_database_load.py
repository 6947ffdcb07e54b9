"""Several kiosk processes writing to one PostgreSQL database at the same moment: sign-ins,
badge sign-outs and staff sign-outs, each process with its own data dir and kiosk id.
Nothing is lost, no id is given twice, nothing deadlocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from kiosk.bootstrap import assemble

PROCESSES = 4
SIGN_INS = 60

# One kiosk process: waits for the start signal, then signs visitors in, signs every third out
# with its badge and has staff sign out every fifth; prints the visit ids it was given.
_KIOSK = """
import json, sys, time
from pathlib import Path
from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm
folder, start, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
core = assemble(folder / "data", folder / "kiosk.toml")
notice = core.notices.notice("da")
core.visits.present()
(folder / "ready").touch()
while not start.exists():
    time.sleep(0.001)
ids = []
for n in range(count):
    visit = core.visits.sign_in(SignInForm(f"{folder.name} {n}", "Nordlys ApS"), notice).visit
    ids.append(visit.visit_id)
    if n % 3 == 0:
        core.visits.sign_out_by_badge(core.visits.badge_code(visit.visit_id))
    if n % 5 == 1:
        core.reception.sign_out([visit.visit_id])
core.close()
print("IDS " + json.dumps(ids))
"""


def test_four_kiosk_processes_writing_at_once_lose_nothing(
    tmp_path: Path, database_url: str
) -> None:
    start = tmp_path / "start"
    folders = []
    for n in range(PROCESSES):
        folder = tmp_path / f"kiosk-{n}"
        folder.mkdir()
        (folder / "kiosk.toml").write_text(
            f'[site]\nkiosk_id = "kiosk-{n}"\n[badge]\nprinter = "none"\n'
            f'[database]\nurl = "{database_url}"\n',
            encoding="utf-8",
        )
        folders.append(folder)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _KIOSK, str(folder), str(start), str(SIGN_INS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for folder in folders
    ]
    deadline = time.monotonic() + 60
    while not all((folder / "ready").exists() for folder in folders):
        assert time.monotonic() < deadline, "the kiosk processes did not start"
        assert all(p.poll() is None for p in processes), "a kiosk process stopped early"
        time.sleep(0.01)
    start.touch()
    given: list[int] = []
    for process in processes:
        out, err = process.communicate(timeout=120)  # no deadlock: each finishes
        assert process.returncode == 0, err
        (line,) = [line for line in out.splitlines() if line.startswith("IDS ")]
        given += json.loads(line.removeprefix("IDS "))

    assert len(given) == len(set(given)) == PROCESSES * SIGN_INS  # no id twice
    core = assemble(tmp_path / "reader", tmp_path / "kiosk-0" / "kiosk.toml")
    try:
        with core.store.reading() as db:
            assert db.visits.count() == PROCESSES * SIGN_INS  # nothing lost
            stored = {v.visit_id: v for v in map(db.visits.get, given) if v is not None}
        assert set(stored) == set(given)
        for visit in stored.values():
            kiosk, n = visit.visitor_name.split()
            closed_by_badge, closed_by_staff = int(n) % 3 == 0, int(n) % 5 == 1
            assert visit.kiosk_id == kiosk
            assert (visit.signed_out_at is not None) == (closed_by_badge or closed_by_staff)
        entries = core.audit.entries()
        assert {e.kiosk_id for e in entries} == {f"kiosk-{n}" for n in range(PROCESSES)}
    finally:
        core.close()
