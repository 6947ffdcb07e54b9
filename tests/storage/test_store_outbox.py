"""The outbox's part of the store contract (`OutboxRepository`, and where telling a visit's
host stands), the same for every engine: messages kept with their visit, found when due,
retried, removed, and gone with their visit."""

from __future__ import annotations

import dataclasses
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
