"""Time in one place: aware UTC datetimes inside, local time for people. Tests pass their own
clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


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


def first_local_time_after(moment: datetime, at: time) -> datetime:
    """The first moment after `moment` when the local wall clock shows `at` (in local time).

    DST is followed by the wall clock: 23:00 is 23:00 local whatever the offset. A time shown
    twice in the autumn night counts at both moments; a time the clock skips in the spring
    night is taken at the offset from before the change (02:30 skipped means 03:30 new time),
    so it still comes once that night."""
    day = moment.astimezone().date()
    for offset in range(-1, 3):
        for instant in _local_instants(day + timedelta(days=offset), at):
            if instant > moment:
                return instant.astimezone()
    raise AssertionError("unreachable: a time of day comes at least once a day")


def last_local_time_up_to(moment: datetime, at: time) -> datetime:
    """The latest moment at or before `moment` when the local wall clock showed `at` (by the
    rules of first_local_time_after): a time t is followed by an `at` no later than `moment`
    exactly when t is before this."""
    latest = first_local_time_after(moment - timedelta(days=3), at)
    while (following := first_local_time_after(latest, at)) <= moment:
        latest = following
    return latest


def _local_instants(day: date, at: time) -> list[datetime]:
    """The moments (UTC, earliest first) at which the local clock reads `at` on `day`: one,
    two in a repeated hour, and in a skipped hour the one at the offset before the change."""
    naive = datetime.combine(day, at)
    approx = naive.replace(tzinfo=UTC)
    before = (approx - timedelta(days=1)).astimezone().utcoffset()
    after = (approx + timedelta(days=1)).astimezone().utcoffset()
    assert before is not None
    assert after is not None
    shown = sorted(
        {
            instant
            for offset in (before, after)
            if (instant := approx - offset).astimezone().replace(tzinfo=None) == naive
        }
    )
    return shown or [approx - before]


def utc_offsets(first: datetime, last: datetime) -> list[tuple[datetime, timedelta]]:
    """The machine's UTC offsets from `first` to `last`: (from this moment on, offset) pairs,
    the first at `first`, then one at each change (DST), found to the second."""

    def offset(moment: datetime) -> timedelta:
        value = moment.astimezone().utcoffset()
        assert value is not None
        return value

    changes = [(first, offset(first))]
    day = timedelta(days=1)
    moment = first
    while moment < last:
        following = min(moment + day, last)
        if offset(following) != changes[-1][1]:
            low, high = moment, following  # the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if offset(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high, offset(high)))
        moment = following
    return changes
