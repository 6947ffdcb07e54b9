"""The outbox's part of the store contract (`OutboxRepository`, and where telling a visit's
host stands), the same for every engine: messages kept with their visit, found when due,
retried, removed, and gone with their visit."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from kiosk.domain.outbox import Channel, OutboxMessage, Reason
from kiosk.domain.ports import Store
from kiosk.domain.visit import HostNotice, Visit
from tests.storage.test_store import MORNING, NOTICE, Engine, PowerCut, add, hours, new_visit


def message(
    visit: Visit,
    message_id: str = "m-1",
    next_try_at: datetime = MORNING,
    *,
    channel: Channel = Channel.EMAIL,
    reason: Reason = Reason.ARRIVED,
    address: str = "bo.jensen@example.com",
) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id,
        visit_id=visit.visit_id,
        channel=channel,
        reason=reason,
        address=address,
        language="da",
        created_at=MORNING,
        not_after=MORNING + timedelta(minutes=15),
        next_try_at=next_try_at,
    )


def put(store: Store, *messages: OutboxMessage) -> None:
    with store.transaction() as db:
        for each in messages:
            db.outbox.add(each)


def test_a_message_is_kept_as_it_was_added(store: Store) -> None:
    ann = add(store)
    kept = message(ann, channel=Channel.WEBHOOK, reason=Reason.HOST_UNKNOWN, address="")
    put(store, kept)
    with store.reading() as db:
        assert db.outbox.get("m-1") == kept
        assert db.outbox.get("m-2") is None
        assert db.outbox.count() == 1


def test_due_gives_the_earliest_first_up_to_the_limit_and_none_early(store: Store) -> None:
    ann = add(store)
    put(
        store,
        message(ann, "late", hours(2)),
        message(ann, "first", hours(0)),
        message(ann, "second", hours(1)),
    )
    with store.reading() as db:
        assert [m.message_id for m in db.outbox.due(hours(5), 10)] == ["first", "second", "late"]
        assert [m.message_id for m in db.outbox.due(hours(1), 10)] == ["first", "second"]
        assert [m.message_id for m in db.outbox.due(hours(5), 1)] == ["first"]
        assert db.outbox.due(hours(-1), 10) == []
        assert db.outbox.next_try_at() == hours(0)


def test_an_empty_outbox_has_nothing_due(store: Store) -> None:
    with store.reading() as db:
        assert db.outbox.due(hours(5), 10) == []
        assert db.outbox.next_try_at() is None
        assert db.outbox.count() == 0


def test_retry_later_records_the_try_and_moves_the_message_back(store: Store) -> None:
    ann = add(store)
    put(store, message(ann, "m-1", hours(0)), message(ann, "m-2", hours(1)))
    with store.transaction() as db:
        assert db.outbox.retry_later("m-1", 3, hours(2), "temporary 451")
        assert not db.outbox.retry_later("gone", 1, hours(2), "temporary")
    with store.reading() as db:
        retried = db.outbox.get("m-1")
        assert retried is not None
        assert (retried.attempts, retried.next_try_at, retried.last_error) == (
            3,
            hours(2),
            "temporary 451",
        )
        assert [m.message_id for m in db.outbox.due(hours(1.5), 10)] == ["m-2"]
        assert db.outbox.next_try_at() == hours(1)


def test_remove_deletes_one_message_once(store: Store) -> None:
    ann = add(store)
    put(store, message(ann, "m-1"), message(ann, "m-2"))
    with store.transaction() as db:
        assert db.outbox.remove("m-1") is True
        assert db.outbox.remove("m-1") is False
    with store.reading() as db:
        assert [m.message_id for m in db.outbox.due(hours(1), 10)] == ["m-2"]


def test_a_message_goes_with_its_visit(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    eva = add(store, "Eva Berg", hours(30))
    put(store, message(ann, "ann's"), message(bob, "bob's"), message(eva, "eva's"))
    with store.transaction() as db:
        assert db.visits.delete([ann.visit_id]) == 1
        assert db.visits.delete_signed_in_before(hours(2), 10) == [bob.visit_id]
    with store.reading() as db:
        assert [m.message_id for m in db.outbox.due(hours(40), 10)] == ["eva's"]


def test_a_message_for_a_visit_that_is_not_stored_is_refused(store: Store, engine: Engine) -> None:
    ann = add(store)
    ghost = dataclasses.replace(ann, visit_id=ann.visit_id + 1000)
    with pytest.raises(engine.constraint_error):
        put(store, message(ghost))
    with store.reading() as db:
        assert db.outbox.count() == 0


def test_a_sign_in_that_fails_half_way_leaves_no_message(store: Store) -> None:
    def sign_in() -> None:
        with store.transaction() as db:
            visit = db.visits.add(new_visit(), NOTICE, None)
            db.outbox.add(message(visit))
            raise PowerCut

    with pytest.raises(PowerCut):
        sign_in()
    with store.reading() as db:
        assert db.outbox.count() == 0
        assert db.visits.count() == 0


def test_the_on_site_list_says_where_telling_the_host_stands(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    eva = add(store, "Eva Berg", hours(2))
    with store.transaction() as db:
        assert db.visits.set_host_notice(ann.visit_id, HostNotice.PENDING)
        assert db.visits.set_host_notice(bob.visit_id, HostNotice.PENDING)
        assert db.visits.set_host_notice(bob.visit_id, HostNotice.NOT_REACHED)
        assert not db.visits.set_host_notice(eva.visit_id + 1000, HostNotice.TOLD)
    with store.reading() as db:
        notices = {row.visit_id: row.host_notice for row in db.visits.search_on_site([], 10)}
    assert notices == {
        ann.visit_id: HostNotice.PENDING,
        bob.visit_id: HostNotice.NOT_REACHED,
        eva.visit_id: None,
    }


def test_a_claimed_message_is_not_claimed_again_until_its_claim_lapses(store: Store) -> None:
    """One sender takes a message; another (a second kiosk's) takes the next one, not the same;
    a claim never reported back (the sender crashed) lapses at its end."""
    ann = add(store)
    put(store, message(ann, "first", hours(0)), message(ann, "second", hours(1)))
    now, until = hours(2), hours(3)
    with store.transaction() as db:
        taken = db.outbox.claim(now, until, "lobby-1")
    assert taken is not None
    assert taken.message_id == "first"
    with store.transaction() as db:
        other = db.outbox.claim(now, until, "lobby-2")
        assert other is not None
        assert other.message_id == "second"
        assert db.outbox.claim(now, until, "lobby-2") is None  # nothing else is due
    with store.reading() as db:
        assert db.outbox.due(now, 10) == []
        assert db.outbox.next_try_at() == until
        assert db.outbox.count() == 2
    with store.transaction() as db:
        again = db.outbox.claim(until, hours(4), "lobby-2")
    assert again is not None
    assert again.message_id in {"first", "second"}


def test_a_claim_in_a_transaction_that_fails_is_not_kept(store: Store) -> None:
    ann = add(store)
    put(store, message(ann))

    def claim_then_fail() -> None:
        with store.transaction() as db:
            assert db.outbox.claim(hours(1), hours(2), "lobby-1") is not None
            raise PowerCut

    with pytest.raises(PowerCut):
        claim_then_fail()
    with store.reading() as db:
        assert [m.message_id for m in db.outbox.due(hours(1), 10)] == ["m-1"]


def test_senders_claiming_at_once_each_get_other_messages(store: Store) -> None:
    """Four threads (four connections: four kiosks' senders) claim until the outbox has
    nothing due: every message is taken exactly once."""
    ann = add(store)
    put(store, *(message(ann, f"m-{n:03}", MORNING) for n in range(60)))

    def claim_all() -> list[str]:
        taken: list[str] = []
        try:
            for _try in range(100):  # (a claim that takes nothing would loop forever)
                with store.transaction() as db:
                    claimed = db.outbox.claim(hours(1), hours(2), "lobby-1")
                if claimed is None:
                    break
                taken.append(claimed.message_id)
            return taken
        finally:
            store.close()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _n: claim_all(), range(4)))
    every = [message_id for taken in results for message_id in taken]
    assert sorted(every) == [f"m-{n:03}" for n in range(60)]


def test_a_kiosk_that_starts_again_makes_only_its_own_claims_due(store: Store) -> None:
    ann = add(store)
    put(store, message(ann, "mine"), message(ann, "theirs"), message(ann, "free", hours(5)))
    with store.transaction() as db:
        assert db.outbox.claim(hours(1), hours(2), "lobby-1") is not None  # "mine"
        assert db.outbox.claim(hours(1), hours(2), "lobby-2") is not None  # "theirs"
    with store.transaction() as db:
        assert db.outbox.release("lobby-1", hours(1)) == 1
    with store.reading() as db:
        assert [m.message_id for m in db.outbox.due(hours(1), 10)] == ["mine"]
    with store.transaction() as db:
        assert db.outbox.release("lobby-1", hours(1)) == 0  # released once
        # A failed try ends the claim: a later start of lobby-2 does not make it due early.
        assert db.outbox.retry_later("theirs", 1, hours(3), "temporary 421")
        assert db.outbox.release("lobby-2", hours(1)) == 0
    with store.reading() as db:
        theirs = db.outbox.get("theirs")
        assert theirs is not None
        assert theirs.next_try_at == hours(3)
