"""One date and time format per language on every staff table (review §1.4): the on-site list
shows a time of today as the time alone, the visitor-requests and audit tables the reader's
date format, the audit log to the second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.settings.i18n import catalog
from ui.models import format_when

DATES = {"en": "2026-11-22", "nl": "22-11-2026", "da": "22.11.2026"}


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_each_language_has_one_date_format(language: str) -> None:
    moment = datetime(2026, 11, 22, 9, 5, 7).astimezone()  # local time, as shown
    words = catalog(language)
    assert format_when(moment, words) == f"{DATES[language]} 09:05"
    assert format_when(moment, words, seconds=True) == f"{DATES[language]} 09:05:07"
    assert format_when(None, words) == ""


def test_a_time_of_today_is_the_time_alone_where_asked() -> None:
    now = datetime.now(UTC)
    local = now.astimezone()
    words = catalog("nl")
    assert format_when(now, words, today=True) == local.strftime("%H:%M")
    yesterday = now - timedelta(days=1)
    assert format_when(yesterday, words, today=True) == (
        yesterday.astimezone().strftime("%d-%m-%Y %H:%M")
    )
