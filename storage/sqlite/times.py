"""How the SQLite store writes times: UTC text of one fixed width, so text order is time order
and the indexes on time columns work, and how it reads them back (timezone-aware, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone-aware time")
    # "2026-05-13T07:30:15.250000+00:00" less its offset (a million of these make the demo).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)
