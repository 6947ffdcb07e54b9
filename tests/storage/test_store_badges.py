"""The store's contract for replacing a visit's badge code (a reprint), written against the
ports only, as tests/storage/test_store.py is: every engine of tests/storage/conftest.py runs it.

After `replace_badge_code` the visit has exactly one code, the new one: the old code finds no
visit, a code that is another visit's is refused with the whole transaction, and the new code
goes with the visit when it is deleted."""

from __future__ import annotations

import pytest

from kiosk.domain.ports import Store
from tests.storage.test_store import (
    CODE,
    OTHER_CODE,
    THIRD_CODE,
    Engine,
    PowerCut,
    add,
    unknown_id,
)


def codes(store: Store, visit_id: int) -> tuple[str | None, dict[str, int | None]]:
    """The visit's code, and which visit each of the three test codes finds."""
    with store.reading() as db:
        found = {}
        for code in (CODE, OTHER_CODE, THIRD_CODE):
            visit = db.visits.by_badge(code)
            found[code] = None if visit is None else visit.visit_id
        return db.visits.badge_code(visit_id), found


def test_replace_badge_code_makes_the_old_code_find_nothing(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    with store.transaction() as db:
        assert db.visits.replace_badge_code(ann.visit_id, OTHER_CODE)
    assert codes(store, ann.visit_id) == (
        OTHER_CODE,
        {CODE: None, OTHER_CODE: ann.visit_id, THIRD_CODE: None},
    )
    with store.reading() as db:
        assert db.visits.by_badge(OTHER_CODE) == ann  # the same visit, unchanged

    with store.transaction() as db:  # and again: each reprint retires the code before it
        assert db.visits.replace_badge_code(ann.visit_id, THIRD_CODE)
    assert codes(store, ann.visit_id)[0] == THIRD_CODE
    assert codes(store, ann.visit_id)[1][OTHER_CODE] is None


def test_replace_badge_code_gives_a_visit_without_one_its_first(store: Store) -> None:
    demo = add(store, "Ann Smith")  # made without a code, as demo data is
    with store.transaction() as db:
        assert db.visits.replace_badge_code(demo.visit_id, CODE)
    assert codes(store, demo.visit_id) == (
        CODE,
        {CODE: demo.visit_id, OTHER_CODE: None, THIRD_CODE: None},
    )


def test_replace_badge_code_of_an_unknown_visit_stores_nothing(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    with store.transaction() as db:
        assert not db.visits.replace_badge_code(unknown_id(ann), OTHER_CODE)
    assert codes(store, ann.visit_id) == (
        CODE,
        {CODE: ann.visit_id, OTHER_CODE: None, THIRD_CODE: None},
    )


def test_replace_badge_code_refuses_another_visits_code(store: Store, engine: Engine) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    bob = add(store, "Bob Jones", code=OTHER_CODE)
    with pytest.raises(engine.constraint_error), store.transaction() as db:
        db.visits.replace_badge_code(ann.visit_id, OTHER_CODE)
    assert codes(store, ann.visit_id)[0] == CODE
    assert codes(store, bob.visit_id) == (
        OTHER_CODE,
        {CODE: ann.visit_id, OTHER_CODE: bob.visit_id, THIRD_CODE: None},
    )


def replace_then_fail(store: Store, visit_id: int) -> None:
    with store.transaction() as db:
        db.visits.replace_badge_code(visit_id, OTHER_CODE)
        raise PowerCut


def test_a_replacement_in_a_transaction_that_fails_keeps_the_old_code(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    with pytest.raises(PowerCut):
        replace_then_fail(store, ann.visit_id)
    assert codes(store, ann.visit_id) == (
        CODE,
        {CODE: ann.visit_id, OTHER_CODE: None, THIRD_CODE: None},
    )


def test_the_new_code_goes_with_its_visit(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    bob = add(store, "Bob Jones", code=THIRD_CODE)
    with store.transaction() as db:
        db.visits.replace_badge_code(ann.visit_id, OTHER_CODE)
        assert db.visits.delete([ann.visit_id]) == 1
    assert codes(store, ann.visit_id) == (
        None,
        {CODE: None, OTHER_CODE: None, THIRD_CODE: bob.visit_id},
    )
    with store.transaction() as db:  # a code once used may not come back to life either
        assert not db.visits.replace_badge_code(ann.visit_id, CODE)
    assert codes(store, ann.visit_id)[1][CODE] is None
