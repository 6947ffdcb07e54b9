"""Helpers for the tests of signing out and the auto sign-out: a clock moved by hand, moments
in Amsterdam time, and ways to look at the whole database. Loaded as a pytest plugin by
tests/conftest.py (fixtures `clock`, `visits`, `notice`); import helpers with
`from visitsupport import ...`."""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.clock import to_db
from kiosk.domain.visit import SignInForm, SignOutMethod, Visit
from kiosk.visits.notice import Notice
from kiosk.visits.service import VisitService

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
def visits(kiosk: Kiosk, services: Services, clock: Clock) -> VisitService:
    return VisitService(services.store, kiosk.config.site.kiosk_id, clock=clock)


@pytest.fixture
def notice(kiosk: Kiosk) -> Notice:
    return kiosk.notice("en")


def sign_in(visits: VisitService, clock: Clock, notice: Notice, name: str, at: datetime) -> Visit:
    clock.now = at
    return visits.sign_in(SignInForm(name), notice)


def add_plain_visit(
    services: Services,
    notice: Notice,
    name: str,
    signed_in_at: datetime,
    signed_out_at: datetime | None = None,
    method: SignOutMethod | None = None,
) -> int:
    """A visit inserted without a badge code, the way demo data is."""
    services.db.execute(
        "INSERT OR IGNORE INTO notices (notice_version, language, text, first_shown_at) "
        "VALUES (?, ?, ?, ?)",
        [notice.version, notice.language, notice.text, to_db(signed_in_at)],
    )
    services.store.add_visits(
        [
            (
                name,
                "",
                "",
                "",
                to_db(signed_in_at),
                to_db(signed_out_at) if signed_out_at else None,
                method.value if method else None,
                notice.language,
                notice.version,
                "lobby-1",
            )
        ]
    )
    return int(services.db.execute("SELECT max(visit_id) FROM visits").fetchone()[0])


def dump(services: Services) -> list[str]:
    """Everything in the database, to check that something changed nothing."""
    return list(services.db.conn.iterdump())


def badge_rows(services: Services) -> list[tuple[int, str]]:
    return services.db.execute("SELECT visit_id, token FROM badges ORDER BY visit_id").fetchall()
