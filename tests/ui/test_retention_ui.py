"""The kiosk's own retention cleanup: at start-up, in chunks on the database worker, so a
visitor signing in meanwhile is not held up until the whole backlog is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.clock import to_db
from kiosk.maintenance.retention import CHUNK
from ui.maintenance import PURGE_INTERVAL_MS


def add_expired(kiosk: Kiosk, services: Services, count: int) -> None:
    notice = kiosk.notice("en")
    long_ago = datetime.now(UTC) - timedelta(days=200)
    services.db.execute(
        "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
        "VALUES (?, ?, ?, ?)",
        [notice.version, notice.language, notice.text, to_db(long_ago)],
    )
    services.store.add_visits(
        (
            f"Old Visitor {n}",
            "",
            "",
            "",
            to_db(long_ago + timedelta(seconds=n)),
            to_db(long_ago + timedelta(seconds=n, hours=1)),
            "kiosk",
            "en",
            notice.version,
            "lobby-1",
        )
        for n in range(count)
    )


def test_start_up_cleanup_runs_in_chunks_and_lets_a_visitor_in(
    qtbot: QtBot, make_window: MakeWindow, kiosk: Kiosk, services: Services
) -> None:
    add_expired(kiosk, services, CHUNK * 10 + 10)
    window = make_window()
    assert window.maintenance.purge_timer.isActive()
    assert window.maintenance.purge_timer.interval() == PURGE_INTERVAL_MS

    fill_and_submit(qtbot, window, "Mette Kjær")
    wait_for_screen(qtbot, window, "done")
    # The visitor is in while the backlog is still being worked through.
    left_when_done = services.db.execute(
        "SELECT count(*) FROM visits WHERE visitor_name LIKE 'Old Visitor %'"
    ).fetchone()[0]

    qtbot.waitUntil(lambda: not window.maintenance.purging, timeout=60_000)
    names = [row[0] for row in services.db.execute("SELECT visitor_name FROM visits")]
    assert names == ["Mette Kjær"]
    assert left_when_done > 0
    (visits,) = services.db.execute("SELECT visits FROM purges").fetchone()
    assert visits == CHUNK * 10 + 10
