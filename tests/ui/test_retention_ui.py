"""The kiosk's own retention cleanup: at start-up, in chunks on the database worker, so a
visitor signing in meanwhile is not held up until the whole backlog is gone."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import Core
from kiosk.domain.visit import NewVisit, SignOutMethod
from kiosk.maintenance.retention import CHUNK
from ui.maintenance import PURGE_INTERVAL_MS


def add_expired(core: Core, count: int) -> None:
    notice = core.notices.notice("en")
    long_ago = datetime.now(UTC) - timedelta(days=200)
    with core.store.transaction() as db:
        db.visits.add_notice(notice.stored, long_ago)
        db.visits.add_many(
            NewVisit(
                visitor_name=f"Old Visitor {n}",
                company="",
                host="",
                purpose="",
                signed_in_at=long_ago + timedelta(seconds=n),
                language="en",
                notice_version=notice.version,
                kiosk_id="lobby-1",
                signed_out_at=long_ago + timedelta(seconds=n, hours=1),
                sign_out_method=SignOutMethod.KIOSK,
            )
            for n in range(count)
        )


def old_visits_left(core: Core) -> int:
    with closing(sqlite3.connect(core.paths.database)) as db:
        return db.execute(
            "SELECT count(*) FROM visits WHERE visitor_name LIKE 'Old Visitor %'"
        ).fetchone()[0]


def test_start_up_cleanup_runs_in_chunks_and_lets_a_visitor_in(
    qtbot: QtBot, make_window: MakeWindow, core: Core
) -> None:
    add_expired(core, CHUNK * 10 + 10)
    window = make_window()
    assert window.maintenance.purge_timer.isActive()
    assert window.maintenance.purge_timer.interval() == PURGE_INTERVAL_MS

    fill_and_submit(qtbot, window, "Mette Kjær")
    wait_for_screen(qtbot, window, "done")
    # The visitor is in while the backlog is still being worked through.
    left_when_done = old_visits_left(core)

    qtbot.waitUntil(lambda: not window.maintenance.purging, timeout=60_000)
    assert [visit.visitor_name for visit in core.visits.present()] == ["Mette Kjær"]
    with core.store.reading() as db:
        assert db.visits.count() == 1
        records = db.purges.records()
    assert left_when_done > 0
    assert [record.visits for record in records] == [CHUNK * 10 + 10]
