"""The nightly auto sign-out (Visits.auto_sign_out, kiosk.domain.clock.first_local_time_after,
run at the configured time by the kiosk's upkeep). Local time is Europe/Amsterdam and the clock
is moved by hand, so nothing depends on the day or the hour the suite runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import tzset
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from visitsupport import (
    AMSTERDAM,
    ELEVEN_PM,
    Clock,
    WriteConfig,
    add_plain_visit,
    dump,
    local,
    sign_in,
)

from kiosk.bootstrap import Core, assemble
from kiosk.domain.clock import first_local_time_after, last_local_time_up_to
from kiosk.domain.events import Hook
from kiosk.domain.visit import SignInForm, SignOutMethod, UnknownVisit, Visit
from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.settings.config import parse_config
from kiosk.settings.i18n import catalog
from kiosk.staff.reception import Reception
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits

pytestmark = pytest.mark.usefixtures("amsterdam")

# Wider than any sign-in a test makes.
EVER = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def raw_signed_out_at(core: Core, visit_id: int) -> str:
    """The sign-out time as the database file holds it."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return str(
            db.execute(
                "SELECT signed_out_at FROM visits WHERE visit_id = ?", [visit_id]
            ).fetchone()[0]
        )


def delete_every_visit(core: Core) -> None:
    with core.store.transaction() as db:
        db.visits.delete([visit.visit_id for visit in db.visits.signed_in_between(*EVER)])


# The nightly auto sign-out.


def eleven_pm_after(moment: datetime) -> datetime:
    """The oracle, by zoneinfo rather than the system's time zone: the first 23:00 on an
    Amsterdam wall clock strictly after `moment`."""
    cutoff = datetime.combine(moment.astimezone(AMSTERDAM).date(), ELEVEN_PM, tzinfo=AMSTERDAM)
    if cutoff <= moment:
        cutoff += timedelta(days=1)  # wall-clock arithmetic: 23:00 the next day
    return cutoff


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(13, 9), local(13, 23)),
        (local(13, 0, 30), local(13, 23)),  # 22:30 UTC the day before: the local day counts
        (local(13, 22, 59), local(13, 23)),
        (local(13, 23), local(14, 23)),  # strictly after
        (local(13, 23, 30), local(14, 23)),
        (datetime(2026, 5, 13, 20, 59, 59, 999999, tzinfo=UTC), local(13, 23)),
        (datetime(2026, 5, 13, 21, 0, 0, 1, tzinfo=UTC), local(14, 23)),
    ],
)
def test_first_eleven_pm_after(moment: datetime, expected: datetime) -> None:
    got = first_local_time_after(moment, ELEVEN_PM)
    assert got == expected
    assert got.astimezone(AMSTERDAM).time() == ELEVEN_PM


@pytest.mark.parametrize(
    ("signed_in", "cutoff"),
    [
        # Spring forward on Sunday 29 March 2026: 23:00 CEST is 21:00 UTC, 23:00 CET 22:00 UTC.
        (local(28, 9, month=3), datetime(2026, 3, 28, 22, 0, tzinfo=UTC)),
        (local(29, 9, month=3), datetime(2026, 3, 29, 21, 0, tzinfo=UTC)),
        (local(28, 23, 30, month=3), datetime(2026, 3, 29, 21, 0, tzinfo=UTC)),  # the change night
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 21, 0, tzinfo=UTC)),
        # Fall back on Sunday 25 October 2026: 23:00 CEST is 21:00 UTC, 23:00 CET 22:00 UTC.
        (local(24, 9, month=10), datetime(2026, 10, 24, 21, 0, tzinfo=UTC)),
        (local(25, 9, month=10), datetime(2026, 10, 25, 22, 0, tzinfo=UTC)),
        (local(24, 23, 30, month=10), datetime(2026, 10, 25, 22, 0, tzinfo=UTC)),  # change night
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 22, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 22, 0, tzinfo=UTC)),
    ],
    ids=[
        "day-before-spring",
        "spring-day",
        "across-spring-night",
        "in-spring-night",
        "day-before-autumn",
        "autumn-day",
        "across-autumn-night",
        "in-autumn-night-cest",
        "in-autumn-night-cet",
    ],
)
def test_dst_days_close_at_eleven_on_the_wall_clock(
    core: Core,
    visits: Visits,
    notice: Notice,
    clock: Clock,
    signed_in: datetime,
    cutoff: datetime,
) -> None:
    assert first_local_time_after(signed_in, ELEVEN_PM) == cutoff
    assert cutoff.astimezone(AMSTERDAM).time() == ELEVEN_PM

    visit = sign_in(visits, clock, notice, "Ann Smith", signed_in)
    clock.now = cutoff - timedelta(minutes=1)
    assert visits.auto_sign_out(ELEVEN_PM) == 0
    clock.now = cutoff + timedelta(minutes=5)
    assert visits.auto_sign_out(ELEVEN_PM) == 1

    closed = core.visits.get(visit.visit_id)
    assert closed.signed_out_at == cutoff
    assert closed.sign_out_method is SignOutMethod.AUTO
    assert raw_signed_out_at(core, visit.visit_id) == cutoff.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def test_spring_and_autumn_cutoffs_differ_in_utc() -> None:
    spring = first_local_time_after(local(29, 9, month=3), ELEVEN_PM)
    autumn = first_local_time_after(local(25, 9, month=10), ELEVEN_PM)
    assert (spring.astimezone(UTC).hour, autumn.astimezone(UTC).hour) == (21, 22)
    assert spring.utcoffset() == timedelta(hours=2)
    assert autumn.utcoffset() == timedelta(hours=1)


def test_visits_across_the_change_nights_last_their_real_length(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    """23:30 to 23:00 the next evening: 22.5 hours in March (an hour lost), 24.5 in October."""
    march = sign_in(visits, clock, notice, "Ann Smith", local(28, 23, 30, month=3))
    clock.now = local(30, 8, month=3)
    assert visits.auto_sign_out(ELEVEN_PM) == 1
    october = sign_in(visits, clock, notice, "Bob Jones", local(24, 23, 30, month=10))
    clock.now = local(26, 8, month=10)
    assert visits.auto_sign_out(ELEVEN_PM) == 1

    for visit, hours in [(march, 22.5), (october, 24.5)]:
        closed = core.visits.get(visit.visit_id)
        assert closed.signed_out_at is not None
        assert closed.signed_out_at - closed.signed_in_at == timedelta(hours=hours)


def test_an_open_visit_is_closed_at_eleven_not_when_the_job_runs(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", local(13, 9))
    clock.now = local(13, 22, 59)
    assert visits.auto_sign_out(ELEVEN_PM) == 0
    assert core.visits.get(visit.visit_id).on_site

    clock.now = local(13, 23, 10)
    assert visits.auto_sign_out(ELEVEN_PM) == 1

    closed = core.visits.get(visit.visit_id)
    assert closed.signed_out_at == local(13, 23)
    assert closed.sign_out_method is SignOutMethod.AUTO
    assert core.visits.present() == []
    assert raw_signed_out_at(core, visit.visit_id) == "2026-05-13T21:00:00.000000Z"


def test_the_log_names_the_first_visits_closed_and_counts_the_rest(
    visits: Visits, notice: Notice, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    signed_in = [
        sign_in(visits, clock, notice, f"Visitor {n}", local(13, 9, n)).visit_id for n in range(25)
    ]
    clock.now = local(13, 23, 10)
    with caplog.at_level("INFO", logger="kiosk.visits.service"):
        assert visits.auto_sign_out(ELEVEN_PM) == 25
    (line,) = [r.getMessage() for r in caplog.records if "auto sign-out" in r.getMessage()]
    assert line == f"auto sign-out closed 25 visit(s): {signed_in[:20]} and 5 more"


def test_a_late_arrival_stays_until_the_next_evening(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", local(13, 23, 30))
    for now in (local(13, 23, 40), local(14, 8), local(14, 22, 59)):
        clock.now = now
        assert visits.auto_sign_out(ELEVEN_PM) == 0
        assert core.visits.get(visit.visit_id).on_site

    clock.now = local(14, 23, 5)
    assert visits.auto_sign_out(ELEVEN_PM) == 1
    closed = core.visits.get(visit.visit_id)
    assert closed.signed_out_at == local(14, 23)
    assert closed.sign_out_method is SignOutMethod.AUTO


def test_a_kiosk_that_was_off_closes_each_visit_on_its_own_day(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    three_days = sign_in(visits, clock, notice, "Ann Smith", local(10, 9))
    yesterday = sign_in(visits, clock, notice, "Bob Jones", local(12, 15))
    today = sign_in(visits, clock, notice, "Cy Young", local(13, 7))

    clock.now = local(13, 8)  # switched on again
    assert visits.auto_sign_out(ELEVEN_PM) == 2

    old = core.visits.get(three_days.visit_id)
    assert old.signed_out_at == local(10, 23)
    assert old.signed_out_at - old.signed_in_at == timedelta(hours=14)
    recent = core.visits.get(yesterday.visit_id)
    assert recent.signed_out_at == local(12, 23)
    assert recent.signed_out_at - recent.signed_in_at == timedelta(hours=8)
    assert {old.sign_out_method, recent.sign_out_method} == {SignOutMethod.AUTO}
    assert core.visits.get(today.visit_id) == today


def test_visits_already_signed_out_are_left_alone(
    core: Core, visits: Visits, reception: Reception, notice: Notice, clock: Clock
) -> None:
    left = sign_in(visits, clock, notice, "Ann Smith", local(13, 9))
    stays = sign_in(visits, clock, notice, "Bob Jones", local(13, 9, 5))
    clock.now = local(13, 12)
    assert reception.sign_out([left.visit_id]) == 1
    by_staff = core.visits.get(left.visit_id)
    assert by_staff.sign_out_method is SignOutMethod.STAFF

    clock.now = local(14, 8)
    assert visits.auto_sign_out(ELEVEN_PM) == 1
    assert core.visits.get(left.visit_id) == by_staff
    assert core.visits.get(stays.visit_id).sign_out_method is SignOutMethod.AUTO


def test_running_twice_closes_nothing_the_second_time(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    for n in range(3):
        sign_in(visits, clock, notice, f"Visitor {n}", local(13, 9 + n))
    clock.now = local(13, 23, 10)
    assert visits.auto_sign_out(ELEVEN_PM) == 3
    before = dump(core)

    clock.now = local(13, 23, 20)
    assert visits.auto_sign_out(ELEVEN_PM) == 0
    assert dump(core) == before


def test_the_clock_going_back_neither_reopens_nor_closes_twice(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    morning = sign_in(visits, clock, notice, "Ann Smith", local(13, 9))
    clock.now = local(13, 23, 10)
    assert visits.auto_sign_out(ELEVEN_PM) == 1
    closed = core.visits.get(morning.visit_id)
    late = sign_in(visits, clock, notice, "Bob Jones", local(13, 23, 10))

    clock.now = local(13, 22)  # the clock is set back an hour and ten minutes
    assert visits.auto_sign_out(ELEVEN_PM) == 0
    assert core.visits.get(morning.visit_id) == closed
    assert core.visits.get(late.visit_id) == late

    # Signed in "before" Bob by the clock that went back; its 23:00 comes first.
    earlier = sign_in(visits, clock, notice, "Cy Young", local(13, 22))
    clock.now = local(13, 22, 30)
    assert visits.auto_sign_out(ELEVEN_PM) == 0
    clock.now = local(13, 23, 5)
    assert visits.auto_sign_out(ELEVEN_PM) == 1

    assert core.visits.get(morning.visit_id) == closed
    assert core.visits.get(late.visit_id).on_site
    cy = core.visits.get(earlier.visit_id)
    assert cy.signed_out_at == local(13, 23)
    for visit_id in (morning.visit_id, earlier.visit_id):
        out = core.visits.get(visit_id)
        assert out.signed_out_at is not None
        assert out.signed_in_at < out.signed_out_at


def test_close_many_gives_each_its_own_time_and_skips_closed_ones(
    core: Core, visits: Visits, reception: Reception, notice: Notice, clock: Clock
) -> None:
    ann = sign_in(visits, clock, notice, "Ann Smith", local(13, 9))
    bob = sign_in(visits, clock, notice, "Bob Jones", local(13, 10))
    cy = sign_in(visits, clock, notice, "Cy Young", local(13, 11))
    clock.now = local(13, 12)
    assert reception.sign_out([cy.visit_id]) == 1
    by_staff = core.visits.get(cy.visit_id)

    closing = [
        (ann.visit_id, local(13, 23)),
        (bob.visit_id, local(14, 23)),
        (cy.visit_id, local(13, 23)),
        (98765, local(13, 23)),
    ]
    with core.store.transaction() as db:
        assert db.visits.close_many(closing, SignOutMethod.AUTO) == 2

    assert core.visits.get(ann.visit_id).signed_out_at == local(13, 23)
    assert core.visits.get(bob.visit_id).signed_out_at == local(14, 23)
    assert core.visits.get(cy.visit_id) == by_staff


def test_the_badge_is_valid_until_the_auto_sign_out_moment(
    core: Core, visits: Visits, notice: Notice, clock: Clock, tmp_path: Path
) -> None:
    """The badge shows, to the minute, the moment the auto sign-out will close its visit."""
    day = sign_in(visits, clock, notice, "Ann Smith", local(13, 9))
    late = sign_in(visits, clock, notice, "Bob Jones", local(13, 23, 30))
    date_format = catalog(notice.language).text("badge.date_format")

    def shown(moment: datetime | None) -> str:
        assert moment is not None
        return moment.astimezone(AMSTERDAM).strftime(f"{date_format} %H:%M")

    def valid_until(visit: Visit, auto_sign_out: str) -> str:
        config = parse_config({"kiosk": {"auto_sign_out": auto_sign_out}})
        badges = BadgePrinting(
            config, BadgeFiles(tmp_path), core.badges.printer, core.events.badge_printed
        )
        return badges.content(visit, visits.badge_code(visit.visit_id)).valid_until

    assert valid_until(day, "23:00") == shown(local(13, 23))
    assert valid_until(late, "23:00") == shown(local(14, 23))
    assert valid_until(day, "7:30") == shown(local(14, 7, 30))
    assert valid_until(day, "") == ""

    clock.now = local(14, 23, 5)
    assert visits.auto_sign_out(ELEVEN_PM) == 2
    for visit in (day, late):
        closed = core.visits.get(visit.visit_id)
        # The kiosk's own badges, with the default config (23:00).
        badge = core.badges.content(visit, visits.badge_code(visit.visit_id))
        assert shown(closed.signed_out_at) == badge.valid_until == valid_until(visit, "23:00")


# Properties, over sign-in moments and clock moments (around both DST changes and in May).

_DAYS = [date(2026, 3, d) for d in range(27, 32)]
_DAYS += [date(2026, 5, 13), date(2026, 5, 14)]
_DAYS += [date(2026, 10, d) for d in range(23, 28)]
_MOMENTS = st.builds(
    lambda day, second, micro: (
        datetime.combine(day, time.min, tzinfo=UTC) + timedelta(seconds=second, microseconds=micro)
    ),
    st.sampled_from(_DAYS),
    st.integers(0, 86399),
    st.sampled_from([0, 1, 999999]),
)


@pytest.fixture(params=["Europe/Amsterdam", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneInfo]:
    """Local time in another zone: west of UTC the local date can be behind UTC's, east of it
    ahead, and Kolkata's offset is not a whole number of hours."""
    monkeypatch.setenv("TZ", request.param)
    tzset()
    yield ZoneInfo(request.param)
    monkeypatch.undo()
    tzset()


@given(moment=_MOMENTS, hour=st.integers(0, 23).filter(lambda h: h != 2), minute=st.integers(0, 59))
@example(moment=datetime(2026, 3, 29, 21, 0, tzinfo=UTC), hour=23, minute=0)
@example(moment=datetime(2026, 10, 25, 22, 0, tzinfo=UTC), hour=23, minute=0)
@example(moment=datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC), hour=3, minute=0)
@example(moment=datetime(2026, 5, 14, 0, 0, tzinfo=UTC), hour=23, minute=0)  # 20:00 in New York
@example(moment=datetime(2026, 5, 13, 12, 0, tzinfo=UTC), hour=0, minute=30)  # 00:00 in Auckland
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_first_local_time_after_is_the_next_time_on_the_wall_clock(
    zone: ZoneInfo, moment: datetime, hour: int, minute: int
) -> None:
    """For any time of day the wall clock shows once a night (not 02:xx, where these zones
    change their clocks; none of them changes 03:xx-01:xx on the days drawn)."""
    at = time(hour, minute)
    got = first_local_time_after(moment, at)
    assert got > moment
    assert got - moment <= timedelta(hours=25)
    assert got.astimezone(zone).time() == at
    expected = datetime.combine(moment.astimezone(zone).date(), at, tzinfo=zone)
    if expected <= moment:
        expected += timedelta(days=1)
    assert got == expected


def all_visits(core: Core) -> dict[int, Visit]:
    with closing(sqlite3.connect(core.paths.database)) as db:
        ids = [row[0] for row in db.execute("SELECT visit_id FROM visits")]
    return {visit_id: core.visits.get(visit_id) for visit_id in ids}


@given(
    sign_ins=st.lists(_MOMENTS, min_size=1, max_size=6),
    nows=st.lists(_MOMENTS, min_size=1, max_size=4),
)
@example(
    sign_ins=[datetime(2026, 5, 13, 7, 0, tzinfo=UTC), datetime(2026, 5, 13, 21, 10, tzinfo=UTC)],
    nows=[datetime(2026, 5, 13, 21, 10, tzinfo=UTC), datetime(2026, 5, 13, 20, 0, tzinfo=UTC)],
)
@example(
    sign_ins=[datetime(2026, 3, 28, 22, 30, tzinfo=UTC)],
    nows=[datetime(2026, 3, 29, 21, 0, tzinfo=UTC)],
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_auto_closed_visit_ends_at_its_first_eleven_pm(
    core: Core,
    visits: Visits,
    notice: Notice,
    clock: Clock,
    sign_ins: list[datetime],
    nows: list[datetime],
) -> None:
    """Whatever the order of the clock's readings (it may go back): a visit is closed exactly
    when its first 23:00 has passed, at that 23:00, once, and never before it began."""
    delete_every_visit(core)
    for moment in sign_ins:
        add_plain_visit(core, notice, "Ann Smith", moment)

    for now in nows:
        clock.now = now
        before = all_visits(core)
        closed = visits.auto_sign_out(ELEVEN_PM)
        after = all_visits(core)

        newly_closed = [i for i in after if before[i].on_site and not after[i].on_site]
        assert closed == len(newly_closed)
        for visit_id, visit in after.items():
            if not before[visit_id].on_site:
                assert visit == before[visit_id]  # never reopened, never moved
            elif visit.on_site:
                assert eleven_pm_after(visit.signed_in_at) > now
            else:
                assert visit.signed_out_at is not None
                assert visit.sign_out_method is SignOutMethod.AUTO
                assert visit.signed_in_at < visit.signed_out_at <= now
                assert visit.signed_out_at == eleven_pm_after(visit.signed_in_at)
                assert visit.signed_out_at.astimezone(AMSTERDAM).time() == ELEVEN_PM


# Auto sign-out times inside the night of a DST change (02:00-03:00 in Amsterdam).


def test_a_time_skipped_in_spring_is_taken_at_the_offset_before_the_change() -> None:
    got = first_local_time_after(local(28, 12, month=3), time(2, 30))
    assert got == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30+01:00, 03:30 CEST


def test_a_time_shown_twice_in_autumn_is_caught_the_second_time() -> None:
    signed_in = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 02:45 CEST, before the clock goes back
    got = first_local_time_after(signed_in, time(2, 30))
    assert got == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, 45 minutes later


# The auto sign-out as configured: what the kiosk's upkeep runs at start-up and every minute.


def test_the_configured_run_closes_old_visits_with_the_default_config(
    data_dir: Path, clock: Clock
) -> None:
    core = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    try:
        assert core.config.auto_sign_out_time() == ELEVEN_PM
        clock.now = local(13, 9)
        old = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
        clock.now = local(14, 7)
        fresh = core.visits.sign_in(SignInForm("Bob Jones"), core.notices.notice("en")).visit

        assert core.visits.auto_sign_out() == 1

        closed = core.visits.get(old.visit_id)
        assert closed.signed_out_at == local(13, 23)
        assert closed.sign_out_method is SignOutMethod.AUTO
        assert core.visits.get(fresh.visit_id) == fresh
    finally:
        core.close()


def test_the_configured_run_uses_the_configured_time(
    data_dir: Path, write_config: WriteConfig, clock: Clock
) -> None:
    core = assemble(data_dir, write_config('[kiosk]\nauto_sign_out = "7:30"\n'), clock=clock)
    try:
        clock.now = local(13, 9)
        visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
        clock.now = local(13, 23, 30)
        assert core.visits.auto_sign_out() == 0
        clock.now = local(14, 8)
        assert core.visits.auto_sign_out() == 1
        assert core.visits.get(visit.visit_id).signed_out_at == local(14, 7, 30)
    finally:
        core.close()


def test_the_configured_run_closes_nothing_when_switched_off(
    data_dir: Path, write_config: WriteConfig, clock: Clock
) -> None:
    core = assemble(data_dir, write_config('[kiosk]\nauto_sign_out = ""\n'), clock=clock)
    try:
        assert core.config.auto_sign_out_time() is None
        clock.now = local(10, 9)
        visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
        clock.now = local(14, 8)
        before = dump(core)

        assert core.visits.auto_sign_out() == 0

        assert dump(core) == before
        assert core.visits.get(visit.visit_id).on_site
    finally:
        core.close()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    began=st.integers(min_value=0, max_value=3 * 365 * 24 * 3600),
    later=st.integers(min_value=0, max_value=4 * 24 * 3600),
    at=st.sampled_from([time(23, 0), time(0, 0), time(2, 0), time(2, 30), time(3, 0), time(1, 59)]),
)
def test_a_visit_is_due_exactly_when_it_began_before_the_latest_cutoff(
    began: int, later: int, at: time
) -> None:
    # The auto sign-out reads only visits that began before last_local_time_up_to(now):
    # that must be exactly the visits whose cutoff has come, DST nights included.
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=began, microseconds=began % 7)
    now = start + timedelta(seconds=later)
    due = first_local_time_after(start, at) <= now
    assert due == (start < last_local_time_up_to(now, at))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    jumps=st.lists(st.integers(min_value=-6 * 3600, max_value=30 * 3600), min_size=1, max_size=8)
)
def test_wall_clock_jumps_never_give_negative_or_double_sign_outs(
    core: Core, reception: Reception, notice: Notice, clock: Clock, jumps: list[int]
) -> None:
    """NTP or a person moves the wall clock back and forth between sign-ins, sign-outs (by
    the kiosk and by staff) and the minutely auto sign-out: every visit is closed once, never
    before it began, and each open visit is closed once its 23:00 has come."""
    # No badge is printed for these sign-ins (nobody is told of them), so that the examples
    # run in seconds; signing in and out is the same.
    visits = Visits(core.store, Hook("visit_signed_in"), core.config.site.kiosk_id, clock=clock)
    delete_every_visit(core)
    clock.now = local(13, 9)
    opened: list[int] = []
    for step, jump in enumerate(jumps):
        clock.now += timedelta(seconds=jump)
        opened.append(visits.sign_in(SignInForm(f"Visitor {step}"), notice).visit.visit_id)
        if step % 3 == 1:
            # Closed already by the auto sign-out, perhaps: nothing is closed twice.
            reception.sign_out([opened[0]])
        visits.auto_sign_out(ELEVEN_PM)
    for visit_id in opened:
        visit = core.visits.get(visit_id)
        if visit.signed_out_at is not None:
            assert visit.signed_out_at >= visit.signed_in_at
            with pytest.raises(UnknownVisit):
                visits.sign_out(visit_id)
            assert core.visits.get(visit_id) == visit  # unchanged by the second try
        else:
            assert first_local_time_after(visit.signed_in_at, ELEVEN_PM) > clock.now
