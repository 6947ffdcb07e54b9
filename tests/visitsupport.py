"""Helpers for the tests of signing in and out and the auto sign-out: a clock moved by hand,
moments in Amsterdam time, and ways to look at the whole database file. Loaded as a pytest
plugin by tests/conftest.py (fixtures `clock`, `visits`, `notice`); import helpers with
`from visitsupport import ...`."""

from __future__ import annotations

import sqlite3
import string
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.bootstrap import Core
from kiosk.domain.visit import NewVisit, SignInForm, SignOutMethod, Visit
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits

WriteConfig = Callable[[str], Path]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ELEVEN_PM = time(23, 0)
BASE32 = frozenset(string.ascii_uppercase + "234567")
CODE = "ABCDEFGHIJKLMNOPQRSTUVWX27"  # well-formed: 26 characters of A-Z and 2-7


def local(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    """A moment in May 2026 (CEST, UTC+2) unless another month is given, Amsterdam time."""
    return datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM)


MORNING = local(13, 9)  # Wednesday 13 May 2026, 09:00


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def visits(core: Core, clock: Clock) -> Visits:
    """The visit operations on the core's store, on the test's clock."""
    return Visits(
        core.store,
        core.events.visit_signed_in,
        core.config.site.kiosk_id,
        auto_sign_out_at=core.config.auto_sign_out_time(),
        clock=clock,
    )


@pytest.fixture
def notice(core: Core) -> Notice:
    return core.notices.notice("en")


def sign_in(visits: Visits, clock: Clock, notice: Notice, name: str, at: datetime) -> Visit:
    clock.now = at
    return visits.sign_in(SignInForm(name), notice).visit


def add_plain_visit(
    core: Core,
    notice: Notice,
    name: str,
    signed_in_at: datetime,
    signed_out_at: datetime | None = None,
    method: SignOutMethod | None = None,
) -> int:
    """A visit stored without a badge code, the way demo data is."""
    visit = NewVisit(
        visitor_name=name,
        company="",
        host="",
        purpose="",
        signed_in_at=signed_in_at,
        language=notice.language,
        notice_version=notice.version,
        kiosk_id="lobby-1",
        signed_out_at=signed_out_at,
        sign_out_method=method,
    )
    with core.store.transaction() as db:
        return db.visits.add(visit, notice.stored, badge_code=None).visit_id


def dump(core: Core) -> list[str]:
    """Everything in the database, to check that something changed nothing; but for which
    kiosk holds the upkeep's turn (`leases`: bookkeeping that each run renews)."""
    with closing(sqlite3.connect(core.paths.database)) as conn:
        return [line for line in conn.iterdump() if not line.startswith('INSERT INTO "leases"')]


def badge_rows(core: Core) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(core.paths.database)) as conn:
        return conn.execute("SELECT visit_id, token FROM badges ORDER BY visit_id").fetchall()
