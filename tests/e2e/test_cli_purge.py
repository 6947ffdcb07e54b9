"""`visitor-kiosk purge [--dry-run]` and the automatic cleanup when the kiosk starts
(`run --smoke` included), as real processes on a real data dir."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clisupport import Cli, ok

DEMO = ("demo", "--visits", "400", "--days", "200", "--seed", "5")


def count(data: Path, where: str = "1") -> int:
    with sqlite3.connect(data / "kiosk.db") as db:
        return int(db.execute(f"SELECT count(*) FROM visits WHERE {where}").fetchone()[0])


def expired(data: Path) -> int:
    return count(data, "signed_in_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-90 days')")


def test_dry_run_prints_counts_and_deletes_nothing(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    before, old = count(data), expired(data)
    assert old > 0
    result = ok(cli("--data-dir", data, "purge", "--dry-run"))
    assert result.stdout.startswith(f"would delete {old} visits")
    assert count(data) == before


def test_purge_deletes_expired_visits_and_says_how_many(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    before, old = count(data), expired(data)
    result = ok(cli("--data-dir", data, "purge"))
    assert result.stdout.startswith(f"deleted {old} visits")
    assert count(data) == before - old
    assert expired(data) == 0
    assert ok(cli("--data-dir", data, "purge")).stdout.startswith("deleted 0 visits")


def test_the_kiosk_cleans_up_when_it_starts(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(cli("--data-dir", data, *DEMO))
    assert expired(data) > 0
    ok(cli("--data-dir", data, "run", "--smoke"))
    assert expired(data) == 0
    with sqlite3.connect(data / "kiosk.db") as db:
        (visits,) = db.execute("SELECT visits FROM purges").fetchone()
    assert visits > 0
