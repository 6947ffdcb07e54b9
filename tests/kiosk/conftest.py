"""Fixtures for the core's tests that depend on the machine's local time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def amsterdam(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Amsterdam for the test (CET/CEST, DST changes in March and October);
    the previous zone is restored afterwards, so no other test sees the change."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
