"""Synthetic visits for demonstrations (`visitor-kiosk demo`, kiosk.demo.generate).

The clock is fixed and local time is Europe/Amsterdam, so the results do not depend on the day
or the hour the suite runs; the generator is tried in the morning and in the afternoon."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.bootstrap import Kiosk, start_kiosk
from kiosk.demo.generate import DemoSummary, add_demo_visits
from kiosk.domain.clock import from_db
from kiosk.domain.visit import SignOutMethod

pytestmark = pytest.mark.usefixtures("amsterdam")

# Wednesday 13 May 2026 (CEST, UTC+2).
MORNING = datetime(2026, 5, 13, 6, 0, tzinfo=UTC)  # 08:00 local
AFTERNOON = datetime(2026, 5, 13, 13, 0, tzinfo=UTC)  # 15:00 local
NOWS = pytest.mark.parametrize("now", [MORNING, AFTERNOON], ids=["08h00", "15h00"])
DUTCH_PARTICLE = re.compile(r" (van|de|den|der|ter|ten|te|op|in 't|van 't) ")


@dataclass(frozen=True)
class Demo:
    kiosk: Kiosk
    summary: DemoSummary
    rows: list[tuple[str, str, str | None, str | None, str, str]]

    @property
    def names(self) -> list[str]:
        return [row[0] for row in self.rows]


def make_demo(
    folder: Path, now: datetime, seed: int = 1, config: str = "", count: int = 2000, days: int = 30
) -> Demo:
    folder.mkdir()
    config_file = folder / "kiosk.toml"
    if config:
        config_file.write_text(config, encoding="utf-8")
    kiosk = start_kiosk(folder, config_file, clock=lambda: now)
    services = kiosk.open_services()
    try:
        summary = add_demo_visits(services.store, kiosk, count=count, days=days, seed=seed)
        rows = services.db.execute(
            "SELECT visitor_name, signed_in_at, signed_out_at, sign_out_method, language, "
            "notice_version FROM visits ORDER BY visit_id"
        ).fetchall()
    finally:
        services.close()
    return Demo(kiosk=kiosk, summary=summary, rows=rows)


@NOWS
def test_adds_the_visits_asked_for(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    assert demo.summary.added == 2000
    assert len(demo.rows) == 2000


@NOWS
def test_some_visitors_are_still_on_site(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    open_rows = [row for row in demo.rows if row[2] is None]
    assert len(open_rows) >= 1
    assert demo.summary.on_site == len(open_rows)
    assert all(row[3] is None for row in open_rows)


@NOWS
def test_sign_ins_fall_in_the_last_30_days(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    today = datetime.combine(now.astimezone().date(), time.min).astimezone()
    earliest = today - timedelta(days=29)
    signed_in = [from_db(row[1]) for row in demo.rows]
    assert min(signed_in) >= earliest
    assert max(signed_in) <= now
    assert all(from_db(row[2]) <= now for row in demo.rows if row[2] is not None)


@NOWS
def test_one_day_means_today_only(tmp_path: Path, now: datetime) -> None:
    """ "The last D days (today included)": with D = 1 every sign-in is on today's date, also
    when the demo is made in the morning, before most of a day's visitors would have come."""
    demo = make_demo(tmp_path / "demo", now, count=200, days=1)
    today = now.astimezone().date()
    days = sorted({from_db(row[1]).astimezone().date() for row in demo.rows})
    assert days == [today]


@NOWS
def test_sign_outs_follow_sign_ins(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    backwards = [row[:4] for row in demo.rows if row[2] is not None and row[2] < row[1]]
    assert backwards == []


@NOWS
def test_sign_out_methods(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    methods = {row[3] for row in demo.rows if row[3] is not None}
    assert methods <= {m.value for m in SignOutMethod}
    assert SignOutMethod.KIOSK.value in methods


def test_names_are_many_and_varied(tmp_path: Path) -> None:
    names = make_demo(tmp_path / "demo", AFTERNOON).names
    assert len(set(names)) > 1000
    assert any(not name.isascii() for name in names)
    assert any(DUTCH_PARTICLE.search(name) for name in names)
    assert all(name == name.strip() and name for name in names)


def test_same_seed_same_names(tmp_path: Path) -> None:
    first = make_demo(tmp_path / "a", AFTERNOON, seed=7).names
    second = make_demo(tmp_path / "b", AFTERNOON, seed=7).names
    other = make_demo(tmp_path / "c", AFTERNOON, seed=8).names
    assert first == second
    assert first != other


def test_languages_are_the_configured_ones(tmp_path: Path) -> None:
    demo = make_demo(tmp_path / "demo", AFTERNOON, config='[kiosk]\nlanguages = ["da", "nl"]\n')
    assert {row[4] for row in demo.rows} == {"da", "nl"}
    versions = {lang: demo.kiosk.notice(lang).version for lang in ("da", "nl")}
    assert all(row[5] == versions[row[4]] for row in demo.rows)


def test_default_languages_are_all_supported(tmp_path: Path) -> None:
    demo = make_demo(tmp_path / "demo", AFTERNOON)
    assert {row[4] for row in demo.rows} == {"en", "nl", "da"}
