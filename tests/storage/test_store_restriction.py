"""The store's contract for restricted visits (GDPR Art. 18) and objections (Art. 21), written
against the ports only, as tests/storage/test_store.py is: every engine of
tests/storage/conftest.py runs it.

A restricted visit is kept, found by id, badge and name (the visitor's own requests), and
deleted like any other; the reads for access monitoring leave it out: the on-site list and its
search, the access log (`signed_in_between`, its count, and both exports, whatever path an
engine takes to write them). `on_site(with_restricted=True)` has it, for the roll call."""

from __future__ import annotations

import dataclasses
import io
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.domain.access_log import visit_record, write_csv
from kiosk.domain.ports import Store
from kiosk.domain.visit import SignOutMethod, Visit
from kiosk.domain.workbook import write_xlsx
from tests.storage.test_store import (
    CODE,
    MORNING,
    OTHER_CODE,
    PowerCut,
    add,
    close,
    get,
    hours,
    unknown_id,
)


@pytest.fixture
def amsterdam_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Amsterdam for the test (the exports write local times)."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def restrict(store: Store, visits: list[Visit], at: datetime) -> list[int]:
    with store.transaction() as db:
        return db.visits.restrict([v.visit_id for v in visits], at)


def object_to(store: Store, visits: list[Visit], at: datetime) -> list[int]:
    with store.transaction() as db:
        return db.visits.record_objection([v.visit_id for v in visits], at)


def lift(store: Store, visits: list[Visit]) -> list[int]:
    with store.transaction() as db:
        return db.visits.lift_restriction([v.visit_id for v in visits])


def on_site_ids(store: Store, with_restricted: bool = False) -> list[int]:
    with store.reading() as db:
        return [v.visit_id for v in db.visits.on_site(with_restricted=with_restricted)]


def searched_ids(store: Store, words: list[str]) -> list[int]:
    with store.reading() as db:
        return [row.visit_id for row in db.visits.search_on_site(words, 100)]


# -- restricting, and what it changes -----------------------------------------------------------


def test_restrict_marks_the_visits_and_keeps_a_restriction_date(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    cy = add(store, "Cy Quenby", hours(2))

    assert restrict(store, [cy, ann, ann], hours(3)) == [ann.visit_id, cy.visit_id]
    # Again, with one already restricted and one that is not stored: only the new one counts.
    gone = unknown_id(ann, bob, cy)
    with store.transaction() as db:
        assert db.visits.restrict([ann.visit_id, bob.visit_id, gone], hours(4)) == [bob.visit_id]

    assert get(store, ann.visit_id) == dataclasses.replace(ann, restricted_at=hours(3))
    stored = {v.visit_id: get(store, v.visit_id) for v in (ann, bob, cy)}
    assert {i: (v.restricted_at, v.objection_at) for i, v in stored.items() if v} == {
        ann.visit_id: (hours(3), None),
        bob.visit_id: (hours(4), None),
        cy.visit_id: (hours(3), None),
    }
    assert all(v is not None and v.restricted for v in stored.values())
    with store.transaction() as db:
        assert db.visits.restrict([], hours(5)) == []


def test_a_restricted_visit_is_left_out_of_the_on_site_list_and_its_search(store: Store) -> None:
    ann = add(store, "Ann Smith", company="Larkspur BV")
    bob = add(store, "Bob Jones", hours(1), company="Larkspur BV")
    cy = add(store, "Cy Quenby", hours(2))

    restrict(store, [bob], hours(3))

    assert on_site_ids(store) == [ann.visit_id, cy.visit_id]
    assert searched_ids(store, []) == [ann.visit_id, cy.visit_id]
    assert searched_ids(store, ["larkspur"]) == [ann.visit_id]
    assert searched_ids(store, ["bob"]) == []
    with store.reading() as db:
        assert [v.visit_id for v in db.visits.on_site(signed_in_before=hours(2))] == [ann.visit_id]


def test_the_roll_call_read_has_restricted_visits_marked(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    gone = close(store, add(store, "Cy Quenby", hours(2)), hours(3), SignOutMethod.KIOSK)
    restrict(store, [bob, gone], hours(4))

    with store.reading() as db:
        everyone = db.visits.on_site(with_restricted=True)
        before = db.visits.on_site(signed_in_before=hours(1.5), with_restricted=True)

    assert [v.visit_id for v in everyone] == [ann.visit_id, bob.visit_id]
    assert [v.restricted_at for v in everyone] == [None, hours(4)]
    assert [v.visit_id for v in before] == [ann.visit_id, bob.visit_id]


def test_the_visitors_own_requests_still_find_a_restricted_visit(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    earlier = close(store, add(store, "Ann Smith", hours(-30)), hours(-29), SignOutMethod.AUTO)
    restrict(store, [ann, earlier], hours(1))

    with store.reading() as db:
        named = db.visits.named("ann smith")
        assert [v.visit_id for v in named] == [earlier.visit_id, ann.visit_id]
        assert all(v.restricted_at == hours(1) for v in named)
        assert db.visits.by_badge(CODE) == named[1]
        assert db.visits.get(ann.visit_id) == named[1]
        assert db.visits.badge_code(ann.visit_id) == CODE
        assert db.visits.count() == 2


# -- objection ------------------------------------------------------------------------------------


def test_an_objection_restricts_and_is_dated(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    cy = add(store, "Cy Quenby", hours(2))
    restrict(store, [bob], hours(3))  # restricted before the objection: keeps its date

    assert object_to(store, [ann, bob], hours(4)) == [ann.visit_id, bob.visit_id]
    assert object_to(store, [ann, cy], hours(5)) == [cy.visit_id]  # Ann's stays as it was

    marks = {}
    for visit in (ann, bob, cy):
        stored = get(store, visit.visit_id)
        assert stored is not None
        marks[visit.visit_id] = (stored.restricted_at, stored.objection_at)
    assert marks == {
        ann.visit_id: (hours(4), hours(4)),
        bob.visit_id: (hours(3), hours(4)),
        cy.visit_id: (hours(5), hours(5)),
    }
    assert on_site_ids(store) == []
    assert on_site_ids(store, with_restricted=True) == [ann.visit_id, bob.visit_id, cy.visit_id]


# -- lifting ---------------------------------------------------------------------------------------


def test_lifting_brings_the_visit_back_and_clears_the_objection(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    cy = add(store, "Cy Quenby", hours(2))
    restrict(store, [ann], hours(3))
    object_to(store, [bob], hours(3))

    assert lift(store, [ann, bob, cy]) == [ann.visit_id, bob.visit_id]
    assert lift(store, [ann]) == []

    assert [get(store, v.visit_id) for v in (ann, bob, cy)] == [ann, bob, cy]
    assert on_site_ids(store) == [ann.visit_id, bob.visit_id, cy.visit_id]
    assert searched_ids(store, ["bob"]) == [bob.visit_id]


# -- deleting: retention and erasure reach restricted visits --------------------------------------


def test_retention_and_erasure_delete_restricted_visits(store: Store) -> None:
    old = add(store, "Ann Smith", hours(-100), code=CODE)
    kept = add(store, "Bob Jones", hours(-1))
    erased = add(store, "Cy Quenby", hours(1), code=OTHER_CODE)
    object_to(store, [old], hours(2))
    restrict(store, [kept, erased], hours(2))

    with store.transaction() as db:
        assert db.visits.delete_signed_in_before(hours(-50), 10) == [old.visit_id]
        assert db.visits.delete([erased.visit_id]) == 1

    with store.reading() as db:
        assert db.visits.existing([old.visit_id, kept.visit_id, erased.visit_id]) == [kept.visit_id]
        assert db.visits.by_badge(CODE) is None
        assert db.visits.by_badge(OTHER_CODE) is None
        assert db.visits.named("ann smith") == []


def change_then_fail(store: Store, ann: Visit, bob: Visit) -> None:
    with store.transaction() as db:
        assert db.visits.record_objection([ann.visit_id], hours(3)) == [ann.visit_id]
        assert db.visits.lift_restriction([bob.visit_id]) == [bob.visit_id]
        raise PowerCut


def test_a_restriction_in_a_transaction_that_raises_is_not_kept(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    restrict(store, [bob], hours(2))

    with pytest.raises(PowerCut):
        change_then_fail(store, ann, bob)

    assert get(store, ann.visit_id) == ann
    stored_bob = get(store, bob.visit_id)
    assert stored_bob is not None
    assert (stored_bob.restricted_at, stored_bob.objection_at) == (hours(2), None)


# -- the access log and its exports ----------------------------------------------------------------

START = datetime(2026, 3, 1, tzinfo=UTC)
END = MORNING + timedelta(days=1)


def tag(n: int) -> str:
    """What only the nth visit of `access_log` holds, at the start of its name."""
    return f"V{n:02d}x"


def tags(visits: list[Visit]) -> set[str]:
    return {visit.visitor_name.split()[0] for visit in visits}


def tags_in(text: str) -> set[str]:
    return {tag(n) for n in range(25) if tag(n) in text}


def access_log(store: Store) -> tuple[list[Visit], list[Visit]]:
    """Visits whose text the exports must quote or guard, over the change to summer time (29
    March 2026), half of them restricted (the first and the last among them, and one under
    objection); returns those that are not restricted and those that are, oldest first."""
    texts = ["=SUM(A1)", 'Quote "Co"', "Comma, Line\nBreak", "Zoë Ødegård", "plain", "-dash"]
    visits = []
    for n in range(24):
        at = datetime(2026, 3, 28, 20, tzinfo=UTC) + n * timedelta(minutes=37)
        visit = add(store, f"{tag(n)} {texts[n % 6]}", at, company=texts[(n + 1) % 6])
        visits.append(close(store, visit, at + timedelta(hours=9), SignOutMethod.STAFF))
    visits.append(add(store, f"{tag(24)} Still Here", MORNING))  # on site: no sign-out
    hidden = [v for n, v in enumerate(visits) if n % 2 == 0 or n in (23, 24)]
    restrict(store, hidden[1:], MORNING)
    object_to(store, hidden[:1], MORNING)
    shown = [v for v in visits if v not in hidden]
    return shown, hidden


def test_the_access_log_leaves_restricted_visits_out(store: Store) -> None:
    shown, hidden = access_log(store)
    with store.reading() as db:
        logged = list(db.visits.signed_in_between(START, END))
        assert logged == shown
        assert db.visits.count_signed_in_between(START, END) == len(shown) == 11
        assert db.visits.count() == len(shown) + len(hidden)


def test_the_csv_export_leaves_restricted_visits_out_with_the_reference_bytes(
    store: Store, amsterdam_time: None
) -> None:
    shown, hidden = access_log(store)
    expected = io.StringIO()
    write_csv((visit_record(v) for v in shown), expected)

    out = io.StringIO()
    assert store.export_csv(START, END, out) == len(shown)
    assert out.getvalue() == expected.getvalue()
    calls: list[tuple[int, int]] = []
    with_progress = io.StringIO()
    count = store.export_csv(START, END, with_progress, lambda *call: calls.append(call))
    assert count == len(shown)
    assert with_progress.getvalue() == expected.getvalue()
    assert calls[0] == (0, len(shown))
    assert calls[-1] == (len(shown), len(shown))
    assert tags_in(out.getvalue()) == tags(shown)
    assert not tags(hidden) & tags(shown)


def workbook_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_the_workbook_export_leaves_restricted_visits_out_with_the_reference_parts(
    store: Store, amsterdam_time: None
) -> None:
    shown, _ = access_log(store)
    expected = io.BytesIO()
    write_xlsx((visit_record(v) for v in shown), expected)

    out = io.BytesIO()
    assert store.export_xlsx(START, END, out) == len(shown)
    assert workbook_parts(out.getvalue()) == workbook_parts(expected.getvalue())
    calls: list[tuple[int, int]] = []
    with_progress = io.BytesIO()
    count = store.export_xlsx(START, END, with_progress, lambda *call: calls.append(call))
    assert count == len(shown)
    assert workbook_parts(with_progress.getvalue()) == workbook_parts(expected.getvalue())
    assert calls[-1] == (len(shown), len(shown))
    sheet = b"".join(workbook_parts(out.getvalue()).values()).decode()
    assert tags_in(sheet) == tags(shown)
