"""Synthetic visits for demonstrations, screenshots and benchmarks (`visitor-kiosk demo`).

Visits fall on office hours, mostly on weekdays, in the configured languages, with names of
Dutch, Danish and English speakers. Most visitors signed out at the kiosk, some were signed
out by staff, and some forgot and were closed automatically at 23:00. A few of today's
visitors are still on site.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from kiosk.demo import names as demo_names
from kiosk.domain.clock import Clock
from kiosk.domain.ports import Store
from kiosk.domain.visit import NewVisit, SignOutMethod
from kiosk.visits.notice import Notices

_GIVEN = {
    "nl": demo_names.GIVEN_NAMES_NL,
    "da": demo_names.GIVEN_NAMES_DA,
    "en": demo_names.GIVEN_NAMES_EN,
}
_FAMILY = {
    "nl": demo_names.FAMILY_NAMES_NL,
    "da": demo_names.FAMILY_NAMES_DA,
    "en": demo_names.FAMILY_NAMES_EN,
}
_PURPOSE_KEYS = (
    "meeting",
    "meeting",
    "meeting",
    "interview",
    "delivery",
    "maintenance",
    "training",
)
_AUTO_CLOSE = time(23, 0)
_CHUNK = 20_000


@dataclass(frozen=True)
class DemoSummary:
    added: int
    on_site: int


def add_demo_visits(
    store: Store,
    notices: Notices,
    *,
    languages: tuple[str, ...],
    kiosk_id: str,
    hosts: tuple[str, ...],
    clock: Clock,
    count: int,
    days: int,
    seed: int | None = None,
    on_site: int | None = None,
) -> DemoSummary:
    """Add `count` visits spread over the last `days` days (today included), in chunks of one
    transaction each: exactly `on_site` of them (default: 1 in 100, at least one) still on
    site, signed in today before now, and every other one signed out, so the same arguments
    give the same list of who is here whatever the hour."""
    rng = random.Random(seed)
    now = clock()
    shown = {lang: notices.notice(lang) for lang in languages}
    with store.transaction() as db:
        for notice in shown.values():
            db.visits.add_notice(notice.stored, now)
    names = list(hosts) or _make_hosts(rng, languages, max(20, min(400, count // 50)))
    versions = {lang: n.version for lang, n in shown.items()}
    on_site_wanted = min(count, max(1, count // 100) if on_site is None else on_site)
    visits = _visits(rng, now, count, days, languages, versions, names, kiosk_id, on_site_wanted)
    added = on_site = 0
    chunk: list[NewVisit] = []
    for visit in visits:
        chunk.append(visit)
        on_site += visit.signed_out_at is None
        if len(chunk) == _CHUNK:
            added += _store(store, chunk)
    added += _store(store, chunk)
    return DemoSummary(added=added, on_site=on_site)


def _store(store: Store, chunk: list[NewVisit]) -> int:
    if not chunk:
        return 0
    with store.transaction() as db:
        added = db.visits.add_many(chunk)
    chunk.clear()
    return added


def _make_hosts(rng: random.Random, languages: tuple[str, ...], n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add(_person(rng, rng.choice(languages)))
    return sorted(names)


def _person(rng: random.Random, language: str) -> str:
    # Visitors to a Dutch or Danish office are not all Dutch or Danish.
    origin = language if rng.random() < 0.8 else rng.choice(("nl", "da", "en"))
    return f"{rng.choice(_GIVEN[origin])} {rng.choice(_FAMILY[origin])}"


def _day_counts(rng: random.Random, count: int, days: int, today: datetime) -> list[int]:
    """How many visits fall on each day, oldest first; weekends get few."""
    weights = []
    for back in range(days - 1, -1, -1):
        weekday = (today - timedelta(days=back)).weekday()
        weights.append(0.12 if weekday >= 5 else 1.0)
    total = sum(weights)
    counts = [int(count * w / total) for w in weights]
    for index in rng.choices(range(days), weights=weights, k=count - sum(counts)):
        counts[index] += 1
    return counts


def _visits(
    rng: random.Random,
    now: datetime,
    count: int,
    days: int,
    languages: tuple[str, ...],
    versions: dict[str, str],
    hosts: list[str],
    kiosk_id: str,
    on_site_wanted: int,
) -> Iterator[NewVisit]:
    local_now = now.astimezone()
    now = now.astimezone(UTC)
    today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    lang_weights = [3.0] + [1.0] * (len(languages) - 1)
    counts = _day_counts(rng, count, days, today)
    # Today has at least as many visits as are to be on site (taken from the other days).
    short = on_site_wanted - counts[-1]
    for index in range(len(counts) - 1):
        if short <= 0:
            break
        moved = min(short, counts[index])
        counts[index] -= moved
        counts[-1] += moved
        short -= moved
    # The last visits of today stay open: exactly these are on site.
    forced_open = on_site_wanted
    for back, day_count in zip(range(days - 1, -1, -1), counts, strict=True):
        day = (today - timedelta(days=back)).replace(tzinfo=None)
        day_start = day.astimezone().astimezone(UTC)
        auto_at = datetime.combine(day.date(), _AUTO_CLOSE).astimezone().astimezone(UTC)
        starts = sorted(_sign_in_time(rng, day_start, now) for _ in range(day_count))
        if back == 0:
            # Keep the latest arrivals of today open, however late or early "now" is.
            since_midnight = (local_now - today).total_seconds()
            tail = [
                now - timedelta(seconds=rng.uniform(60, max(120, min(3 * 3600, since_midnight))))
                for _ in range(min(forced_open, day_count))
            ]
            starts = sorted(starts[: day_count - len(tail)] + tail)
        for index, signed_in in enumerate(starts):
            language = rng.choices(languages, weights=lang_weights)[0]
            still_open = back == 0 and index >= day_count - forced_open
            signed_out, method = (
                (None, None) if still_open else _sign_out(rng, signed_in, auto_at, now)
            )
            if signed_out is None and not still_open:
                # Would still be here now: left a while after arriving, before now.
                signed_out = signed_in + (now - signed_in) * rng.uniform(0.3, 1.0)
                method = SignOutMethod.KIOSK
            yield NewVisit(
                visitor_name=_person(rng, language),
                company=rng.choice(demo_names.COMPANIES) if rng.random() < 0.9 else "",
                host=rng.choice(hosts),
                purpose=rng.choice(_PURPOSE_KEYS),
                signed_in_at=signed_in,
                language=language,
                notice_version=versions[language],
                kiosk_id=kiosk_id,
                signed_out_at=signed_out,
                sign_out_method=method,
            )


def _sign_in_time(rng: random.Random, day_start: datetime, now: datetime) -> datetime:
    """Office hours, busiest mid-morning (an hour off on a clock-change day: it is demo data)."""
    moment = day_start + timedelta(minutes=rng.triangular(7.5 * 60, 17.5 * 60, 10 * 60))
    if moment > now:  # today, later than now: somewhere between midnight and now instead
        moment = day_start + (now - day_start) * rng.random()
    return moment


def _sign_out(
    rng: random.Random, signed_in: datetime, auto_at: datetime, now: datetime
) -> tuple[datetime | None, SignOutMethod | None]:
    stay = timedelta(minutes=rng.lognormvariate(4.3, 0.7))  # median about 75 minutes
    signed_out = signed_in + stay
    forgot = rng.random() < 0.04
    if forgot or signed_out >= auto_at:
        if auto_at > now:
            return None, None  # not yet 23:00 today: still on site
        return auto_at, SignOutMethod.AUTO
    if signed_out > now:
        return None, None
    method = SignOutMethod.STAFF if rng.random() < 0.1 else SignOutMethod.KIOSK
    return signed_out, method
