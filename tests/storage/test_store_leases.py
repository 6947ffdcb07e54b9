"""Which kiosk does the upkeep (`LeaseRepository`), the same for every engine: one holder at a
time, renewed by it, taken over once it has run out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kiosk.domain.ports import Store
from tests.storage.test_store import hours


def claim(store: Store, holder: str, now: float, until: float, job: str = "retention") -> bool:
    with store.transaction() as db:
        return db.leases.claim(job, holder, hours(now), hours(until))


def test_one_kiosk_holds_a_job_until_its_lease_runs_out(store: Store) -> None:
    assert claim(store, "front-door", 0, 2)
    assert not claim(store, "goods-entrance", 1, 3)  # held by the front door
    assert claim(store, "front-door", 1.5, 3.5)  # renewed by its holder
    assert not claim(store, "goods-entrance", 3, 5)
    assert claim(store, "goods-entrance", 3.5, 5.5)  # run out: taken over
    assert not claim(store, "front-door", 4, 6)
    # Jobs are held apart.
    assert claim(store, "front-door", 4, 6, job="auto-sign-out")


def test_kiosks_claiming_at_once_give_one_holder(store: Store) -> None:
    def try_claim(n: int) -> bool:
        try:
            return claim(store, f"kiosk-{n}", 0, 2)
        finally:
            store.close()

    with ThreadPoolExecutor(6) as pool:
        granted = list(pool.map(try_claim, range(6)))
    assert granted.count(True) == 1
