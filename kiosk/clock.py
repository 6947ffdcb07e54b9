"""Time in one place: UTC for storage, local time for people. Tests pass their own clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """The stored form: UTC, fixed width, so text order is time order and indexes work."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone-aware time")
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_local_iso(moment: datetime) -> str:
    """ISO 8601 in the machine's local time with its UTC offset, to the second."""
    return moment.astimezone().isoformat(timespec="seconds")


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC [start, end) covering the local calendar days first..last, both inclusive.

    Local midnight is converted by the system's time zone rules, so a DST change day is
    23 or 25 hours long, as it is on the wall clock. Days at the ends of the calendar
    (0001-01-01, 9999-12-31) mean "from the beginning" and "to the end"."""
    start = _local_midnight(first, fallback=datetime.min.replace(tzinfo=UTC))
    end = datetime.max.replace(tzinfo=UTC)
    if last < date.max:
        end = _local_midnight(last + timedelta(days=1), fallback=end)
    return start, end


def _local_midnight(day: date, fallback: datetime) -> datetime:
    try:
        return datetime.combine(day, time.min).astimezone().astimezone(UTC)
    except (OverflowError, ValueError):
        return fallback
