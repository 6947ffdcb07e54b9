"""Synthetic visits for demonstrations (`visitor-kiosk demo`, kiosk.demo.generate).

The clock is fixed and local time is Europe/Amsterdam, so the results do not depend on the day
or the hour the suite runs; the generator is tried in the morning and in the afternoon."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.bootstrap import assemble
from kiosk.demo.generate import DemoSummary, add_demo_visits
from kiosk.domain.visit import SignOutMethod, Visit
from kiosk.visits.notice import Notices

pytestmark = pytest.mark.usefixtures("amsterdam")

# Wednesday 13 May 2026 (CEST, UTC+2).
MORNING = datetime(2026, 5, 13, 6, 0, tzinfo=UTC)  # 08:00 local
AFTERNOON = datetime(2026, 5, 13, 13, 0, tzinfo=UTC)  # 15:00 local
NOWS = pytest.mark.parametrize("now", [MORNING, AFTERNOON], ids=["08h00", "15h00"])
DUTCH_PARTICLE = re.compile(r" (van|de|den|der|ter|ten|te|op|in 't|van 't) ")
EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Demo:
    notices: Notices
    summary: DemoSummary
    visits: list[Visit]  # as stored, in the order they were stored

    @property
    def names(self) -> list[str]:
        return [visit.visitor_name for visit in self.visits]


def make_demo(
    folder: Path,
    now: datetime,
    seed: int = 1,
    config: str = "",
    count: int = 2000,
    days: int = 30,
    on_site: int | None = None,
) -> Demo:
    """Demo visits added the way `visitor-kiosk demo` adds them, on a core whose clock says
    `now`, and every visit then stored."""
    folder.mkdir()
    config_file = folder / "kiosk.toml"
    if config:
        config_file.write_text(config, encoding="utf-8")
    core = assemble(folder, config_file, clock=lambda: now)
    try:
        summary = add_demo_visits(
            core.store,
            core.notices,
            languages=core.config.kiosk.languages,
            kiosk_id=core.config.site.kiosk_id,
            hosts=core.hosts,
            clock=core.clock,
            count=count,
            days=days,
            seed=seed,
            on_site=on_site,
        )
        with core.store.reading() as db:
            stored = sorted(db.visits.signed_in_between(*EVER), key=lambda v: v.visit_id)
            assert len(stored) == db.visits.count()
    finally:
        core.close()
    return Demo(notices=core.notices, summary=summary, visits=stored)


@NOWS
def test_adds_the_visits_asked_for(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    assert demo.summary.added == 2000
    assert len(demo.visits) == 2000


@NOWS
def test_some_visitors_are_still_on_site(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    open_visits = [visit for visit in demo.visits if visit.signed_out_at is None]
    assert len(open_visits) >= 1
    assert demo.summary.on_site == len(open_visits)
    assert all(visit.sign_out_method is None for visit in open_visits)


@NOWS
def test_sign_ins_fall_in_the_last_30_days(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    today = datetime.combine(now.astimezone().date(), time.min).astimezone()
    earliest = today - timedelta(days=29)
    signed_in = [visit.signed_in_at for visit in demo.visits]
    assert min(signed_in) >= earliest
    assert max(signed_in) <= now
    assert all(v.signed_out_at <= now for v in demo.visits if v.signed_out_at is not None)


@NOWS
def test_one_day_means_today_only(tmp_path: Path, now: datetime) -> None:
    """ "The last D days (today included)": with D = 1 every sign-in is on today's date, also
    when the demo is made in the morning, before most of a day's visitors would have come."""
    demo = make_demo(tmp_path / "demo", now, count=200, days=1)
    today = now.astimezone().date()
    days = sorted({visit.signed_in_at.astimezone().date() for visit in demo.visits})
    assert days == [today]


@NOWS
def test_sign_outs_follow_sign_ins(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    backwards = [
        visit
        for visit in demo.visits
        if visit.signed_out_at is not None and visit.signed_out_at < visit.signed_in_at
    ]
    assert backwards == []


@NOWS
def test_sign_out_methods(tmp_path: Path, now: datetime) -> None:
    demo = make_demo(tmp_path / "demo", now)
    methods = {visit.sign_out_method for visit in demo.visits}
    assert methods <= {None, *SignOutMethod}
    assert SignOutMethod.KIOSK in methods


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


def test_same_seed_same_clock_same_visits(tmp_path: Path) -> None:
    """What `make bench` relies on: the same arguments at the same moment make the same visits,
    every field of every one, whenever and wherever they are made."""
    first = make_demo(tmp_path / "a", AFTERNOON, seed=3, on_site=40).visits
    second = make_demo(tmp_path / "b", AFTERNOON, seed=3, on_site=40).visits
    later = make_demo(tmp_path / "c", AFTERNOON + timedelta(days=1), seed=3, on_site=40).visits
    assert first == second
    assert [v.signed_in_at for v in first] != [v.signed_in_at for v in later]


def test_languages_are_the_configured_ones(tmp_path: Path) -> None:
    demo = make_demo(tmp_path / "demo", AFTERNOON, config='[kiosk]\nlanguages = ["da", "nl"]\n')
    assert {visit.language for visit in demo.visits} == {"da", "nl"}
    versions = {lang: demo.notices.notice(lang).version for lang in ("da", "nl")}
    assert all(visit.notice_version == versions[visit.language] for visit in demo.visits)


def test_default_languages_are_all_supported(tmp_path: Path) -> None:
    demo = make_demo(tmp_path / "demo", AFTERNOON)
    assert {visit.language for visit in demo.visits} == {"en", "nl", "da"}


@NOWS
@pytest.mark.parametrize("on_site", [0, 7, 500])
def test_exactly_the_number_asked_for_is_on_site(
    tmp_path: Path, now: datetime, on_site: int
) -> None:
    """`demo --on-site K`: K visits open, signed in today before now, at any hour; every
    other visit signed out by now (a benchmark measures the same list whenever it is made)."""
    demo = make_demo(tmp_path / "demo", now, count=2000, on_site=on_site)
    open_visits = [visit for visit in demo.visits if visit.signed_out_at is None]
    assert len(open_visits) == demo.summary.on_site == on_site
    today = now.astimezone().date()
    assert all(v.signed_in_at.astimezone().date() == today for v in open_visits)
    assert all(v.signed_in_at <= now for v in open_visits)
    closed = [visit for visit in demo.visits if visit.signed_out_at is not None]
    assert len(closed) == 2000 - on_site
    assert all(v.signed_in_at <= v.signed_out_at <= now for v in closed)  # type: ignore[operator]
