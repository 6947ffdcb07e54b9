"""Fixtures for the core's tests: the machine's local time zone, and reception on the test's
clock."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from visitsupport import Clock

from kiosk.bootstrap import Core
from kiosk.staff.audit import AuditLog
from kiosk.staff.reception import Reception


@pytest.fixture
def amsterdam(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Amsterdam for the test (CET/CEST, DST changes in March and October);
    the previous zone is restored afterwards, so no other test sees the change."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def reception(core: Core, clock: Clock) -> Reception:
    """What staff do at the staff screen (sign-outs with method `staff`, audited), on the
    core's store and the test's clock."""
    return Reception(core.store, AuditLog(core.store, core.config.site.kiosk_id, clock), clock)
