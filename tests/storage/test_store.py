"""The store's contract (`kiosk.domain.ports`), the same for every engine: what each repository
keeps and finds, what a transaction commits or drops, what another thread sees, and the access
log's CSV. Written against the ports only, so every engine of tests/storage/conftest.py runs
it; what is particular to one engine is tested beside that engine."""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain.access_log import EXPORT_COLUMNS, visit_record, write_csv
from kiosk.domain.audit import AuditAction, AuditEntry
from kiosk.domain.ports import NoticeText, PurgeRecord, StaffPin, Store
from kiosk.domain.visit import CORRECTABLE_FIELDS, NewVisit, OnSite, SignOutMethod, Visit

NOTICE = NoticeText("en-0123456789ab", "en", "# Your visit\n\nWe keep your name for 30 days.")
DANISH = NoticeText("da-0123456789ab", "da", "# Dit besøg\n\nVi gemmer dit navn i 30 dage.")
# Badge codes as the kiosk makes them: 26 characters of A-Z and 2-7.
CODE = "ABCDEFGHIJKLMNOPQRSTUVWX27"
OTHER_CODE = "ZYXWVUTSRQPONMLKJIHGFEDC72"
THIRD_CODE = "QRSTUVWXYZ234567ABCDEFGHIJ"
MORNING = datetime(2026, 5, 13, 7, 30, 15, 250000, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Engine(Protocol):
    """What the suite needs to know of an engine (tests/storage/conftest.py)."""

    constraint_error: type[Exception]


class PowerCut(Exception):
    """Something going wrong half-way through a transaction."""


def hours(count: float) -> datetime:
    return MORNING + timedelta(hours=count)


def new_visit(
    name: str = "Ann Smith",
    signed_in_at: datetime = MORNING,
    *,
    company: str = "Acme",
    host: str = "Bo Jensen",
    purpose: str = "Meeting",
    notice: NoticeText = NOTICE,
    signed_out_at: datetime | None = None,
    method: SignOutMethod | None = None,
) -> NewVisit:
    return NewVisit(
        visitor_name=name,
        company=company,
        host=host,
        purpose=purpose,
        signed_in_at=signed_in_at,
        language=notice.language,
        notice_version=notice.version,
        kiosk_id="lobby-1",
        signed_out_at=signed_out_at,
        sign_out_method=method,
    )


def add(
    store: Store,
    name: str = "Ann Smith",
    signed_in_at: datetime = MORNING,
    *,
    code: str | None = None,
    notice: NoticeText = NOTICE,
    **fields: Any,
) -> Visit:
    """One visit in a transaction of its own, as a sign-in stores it."""
    with store.transaction() as db:
        return db.visits.add(new_visit(name, signed_in_at, notice=notice, **fields), notice, code)


def close(store: Store, visit: Visit, at: datetime, method: SignOutMethod) -> Visit:
    with store.transaction() as db:
        assert db.visits.close(visit.visit_id, at, method)
    return dataclasses.replace(visit, signed_out_at=at, sign_out_method=method)


def as_new(visit: Visit) -> dict[str, Any]:
    """A stored visit's fields other than its id and its restriction (a new visit has none),
    to compare with what was added."""
    fields = dataclasses.asdict(visit)
    assert (fields.pop("restricted_at"), fields.pop("objection_at")) == (None, None)
    del fields["visit_id"]
    return fields


def audit(store: Store, at: datetime, detail: str, visits: Sequence[Visit] = ()) -> int:
    with store.transaction() as db:
        return db.audit.add(
            at, AuditAction.SIGN_OUT, detail, [v.visit_id for v in visits], "lobby-1"
        )


def get(store: Store, visit_id: int) -> Visit | None:
    with store.reading() as db:
        return db.visits.get(visit_id)


def unknown_id(*visits: Visit) -> int:
    return max(v.visit_id for v in visits) + 1000


# -- adding visits -------------------------------------------------------------------------------


def test_add_stores_the_visit_with_its_badge_code(store: Store) -> None:
    new = new_visit(
        "Odile Brambleworth", company="Quillfeather Ltd", host="Ysolde Marchbank", purpose="Audit"
    )
    with store.transaction() as db:
        visit = db.visits.add(new, NOTICE, CODE)

    assert as_new(visit) == dataclasses.asdict(new)
    assert visit.on_site
    with store.reading() as db:
        assert db.visits.get(visit.visit_id) == visit
        assert db.visits.badge_code(visit.visit_id) == CODE
        assert db.visits.by_badge(CODE) == visit
        assert db.visits.count() == 1


def test_each_visit_gets_its_own_id(store: Store) -> None:
    ann = add(store, "Ann Smith")
    bob = add(store, "Bob Jones", hours(1))
    assert ann.visit_id != bob.visit_id
    assert get(store, ann.visit_id) == ann
    assert get(store, bob.visit_id) == bob


def test_unknown_visits_are_none(store: Store) -> None:
    ann = add(store)
    with store.reading() as db:
        assert db.visits.get(unknown_id(ann)) is None
        assert db.visits.badge_code(unknown_id(ann)) is None


def test_a_notice_is_kept_once_per_version(store: Store) -> None:
    add(store, "Ann Smith")
    add(store, "Bob Jones")
    # The same version again: the words kept are those first shown.
    add(store, "Cy Quenby", notice=NoticeText(NOTICE.version, "en", "other words"))
    add(store, "Mette Hansen", notice=DANISH)

    with store.reading() as db:
        assert db.visits.notice_text(NOTICE.version) == NOTICE.text
        assert db.visits.notice_text(DANISH.version) == DANISH.text
        assert db.visits.notice_text("en-000000000000") is None
        assert db.visits.count() == 4


def test_add_notice_keeps_a_version_before_any_visit_shows_it(store: Store) -> None:
    with store.transaction() as db:
        db.visits.add_notice(DANISH, MORNING)
        db.visits.add_notice(NoticeText(DANISH.version, "da", "andre ord"), hours(1))
    with store.reading() as db:
        assert db.visits.notice_text(DANISH.version) == DANISH.text
        assert db.visits.notice_text(NOTICE.version) is None
        assert db.visits.count() == 0
    with store.transaction() as db:
        assert db.visits.add_many([new_visit("Mette Hansen", notice=DANISH)]) == 1


def add_with_a_taken_code(store: Store, ann: Visit) -> None:
    with store.transaction() as db:
        bob = db.visits.add(new_visit("Bob Jones", hours(1), notice=DANISH), DANISH, OTHER_CODE)
        db.audit.add(hours(1), AuditAction.REPRINT, "", [ann.visit_id, bob.visit_id], "lobby-1")
        db.visits.add(new_visit("Cy Quenby", hours(2)), NOTICE, CODE)


def test_a_taken_badge_code_fails_the_whole_transaction(store: Store, engine: Engine) -> None:
    ann = add(store, "Ann Smith", code=CODE)

    with pytest.raises(engine.constraint_error):
        add_with_a_taken_code(store, ann)

    with store.reading() as db:
        assert db.visits.count() == 1
        assert db.visits.get(ann.visit_id) == ann
        assert db.visits.by_badge(CODE) == ann
        assert db.visits.by_badge(OTHER_CODE) is None
        assert db.visits.named("bob jones") == []
        assert db.visits.notice_text(DANISH.version) is None
        assert db.audit.entries() == []


def test_add_many_stores_whole_visits(store: Store) -> None:
    news = [
        new_visit("Ann Smith", hours(0)),
        new_visit("Bob Jones", hours(1), signed_out_at=hours(2), method=SignOutMethod.KIOSK),
        new_visit("Cy Quenby", hours(3), signed_out_at=hours(20), method=SignOutMethod.AUTO),
    ]
    with store.transaction() as db:
        db.visits.add_notice(NOTICE, MORNING)
        assert db.visits.add_many(visit for visit in news) == 3
        assert db.visits.add_many([]) == 0

    with store.reading() as db:
        stored = list(db.visits.signed_in_between(hours(-1), hours(4)))
        assert [as_new(visit) for visit in stored] == [dataclasses.asdict(new) for new in news]
        assert db.visits.count() == 3
        assert [db.visits.badge_code(visit.visit_id) for visit in stored] == [None, None, None]


# -- badge codes ---------------------------------------------------------------------------------


def test_by_badge_finds_open_and_closed_visits_by_the_exact_code(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    bob = close(store, add(store, "Bob Jones", code=OTHER_CODE), hours(1), SignOutMethod.KIOSK)
    with store.reading() as db:
        assert db.visits.by_badge(CODE) == ann
        assert db.visits.by_badge(OTHER_CODE) == bob
        assert db.visits.by_badge(THIRD_CODE) is None
        assert db.visits.by_badge(CODE.lower()) is None  # the store does not fold case


def test_give_badge_code_gives_once_and_keeps_the_first(store: Store) -> None:
    visit = add(store, "Ann Smith")  # made without a code, as demo data is
    with store.transaction() as db:
        assert db.visits.badge_code(visit.visit_id) is None
        assert db.visits.give_badge_code(visit.visit_id, CODE) == CODE
        assert db.visits.give_badge_code(visit.visit_id, OTHER_CODE) == CODE
        assert db.visits.give_badge_code(unknown_id(visit), THIRD_CODE) is None

    with store.reading() as db:
        assert db.visits.badge_code(visit.visit_id) == CODE
        assert db.visits.by_badge(CODE) == visit
        assert db.visits.by_badge(OTHER_CODE) is None
        assert db.visits.by_badge(THIRD_CODE) is None


def test_give_badge_code_refuses_a_code_that_is_another_visits(
    store: Store, engine: Engine
) -> None:
    """Never a visit that seems to have no code: the clash raises, and nothing is given."""
    ann, bob = add(store, "Ann Smith"), add(store, "Bob Jones")
    with store.transaction() as db:
        db.visits.give_badge_code(ann.visit_id, CODE)
    with pytest.raises(engine.constraint_error), store.transaction() as db:
        db.visits.give_badge_code(bob.visit_id, CODE)
    with store.reading() as db:
        assert db.visits.badge_code(bob.visit_id) is None
        assert db.visits.by_badge(CODE) == ann


# -- signing out ---------------------------------------------------------------------------------


def test_close_signs_out_only_an_open_visit(store: Store) -> None:
    ann = add(store, "Ann Smith")
    with store.transaction() as db:
        assert db.visits.close(ann.visit_id, hours(2), SignOutMethod.STAFF) is True
    with store.transaction() as db:
        assert db.visits.close(ann.visit_id, hours(3), SignOutMethod.KIOSK) is False
        assert db.visits.close(unknown_id(ann), hours(3), SignOutMethod.KIOSK) is False

    closed = get(store, ann.visit_id)
    assert closed == dataclasses.replace(
        ann, signed_out_at=hours(2), sign_out_method=SignOutMethod.STAFF
    )
    assert closed is not None
    assert not closed.on_site


def test_close_many_signs_out_each_open_visit_at_its_own_time(store: Store) -> None:
    ann, bob, dee = (add(store, name, hours(n)) for n, name in enumerate(["Ann", "Bob", "Dee"]))
    cy = close(store, add(store, "Cy", hours(0.5)), hours(1), SignOutMethod.KIOSK)

    closing = [(ann, hours(10)), (bob, hours(11)), (cy, hours(12))]
    with store.transaction() as db:
        pairs = ((visit.visit_id, at) for visit, at in closing)
        assert db.visits.close_many(pairs, SignOutMethod.AUTO) == 2
        assert db.visits.close_many([(unknown_id(ann, cy), hours(12))], SignOutMethod.AUTO) == 0

    auto = SignOutMethod.AUTO
    assert get(store, ann.visit_id) == dataclasses.replace(
        ann, signed_out_at=hours(10), sign_out_method=auto
    )
    assert get(store, bob.visit_id) == dataclasses.replace(
        bob, signed_out_at=hours(11), sign_out_method=auto
    )
    assert get(store, cy.visit_id) == cy  # already out: left alone
    assert get(store, dee.visit_id) == dee


# -- corrections -------------------------------------------------------------------------------

BEFORE = {
    "visitor_name": "Odile Brambleworth",
    "company": "Quillfeather Ltd",
    "host": "Ysolde Marchbank",
    "purpose": "Tapestry repair",
}
AFTER = {
    "visitor_name": "Odile Fenwhistle",
    "company": "Larkspur BV",
    "host": "Perpetua Wren",
    "purpose": "Clock winding",
}
SEARCHED = ("visitor_name", "company", "host")


def found(store: Store, *words: str) -> list[int]:
    with store.reading() as db:
        return [row.visit_id for row in db.visits.search_on_site(list(words), 100)]


@pytest.mark.parametrize("field", CORRECTABLE_FIELDS)
def test_correct_overwrites_one_field(store: Store, field: str) -> None:
    visit = add(
        store,
        BEFORE["visitor_name"],
        company=BEFORE["company"],
        host=BEFORE["host"],
        purpose=BEFORE["purpose"],
    )
    add(store, "Bob Jones", hours(1))
    with store.transaction() as db:
        assert db.visits.correct(visit.visit_id, field, AFTER[field]) is True

    corrected: dict[str, Any] = {field: AFTER[field]}
    assert get(store, visit.visit_id) == dataclasses.replace(visit, **corrected)
    old_word, new_word = (value[field].split()[-1].casefold() for value in (BEFORE, AFTER))
    assert found(store, old_word) == []
    # Staff search the name, the company and the host; the purpose is not searched.
    assert found(store, new_word) == ([visit.visit_id] if field in SEARCHED else [])
    with store.reading() as db:
        corrected_name = AFTER[field] if field == "visitor_name" else BEFORE["visitor_name"]
        assert [v.visit_id for v in db.visits.named(corrected_name.casefold())] == [visit.visit_id]
        if field == "visitor_name":
            assert db.visits.named(BEFORE["visitor_name"].casefold()) == []


def correct(store: Store, visit_id: int, field: str) -> bool:
    with store.transaction() as db:
        return db.visits.correct(visit_id, field, "Larkspur BV")


@pytest.mark.parametrize(
    "field", ["kiosk_id", "visit_id", "signed_in_at", "notice_version", "company = 'x'", ""]
)
def test_correct_refuses_any_other_field(store: Store, field: str) -> None:
    visit = add(store, "Ann Smith")
    with pytest.raises(ValueError, match="not a field that can be corrected"):
        correct(store, visit.visit_id, field)
    assert get(store, visit.visit_id) == visit


def test_correct_of_an_unknown_visit_is_false(store: Store) -> None:
    visit = add(store, "Ann Smith")
    assert correct(store, unknown_id(visit), "company") is False
    assert get(store, visit.visit_id) == visit


# -- deleting ----------------------------------------------------------------------------------


def test_delete_takes_the_badge_code_and_audit_links_with_the_visit(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    bob = add(store, "Bob Jones", hours(1), code=OTHER_CODE)
    eva = add(store, "Eva Berg", hours(2))
    audit_id = audit(store, hours(3), "3 people", [ann, bob, eva])

    with store.transaction() as db:
        gone = [ann.visit_id, eva.visit_id, eva.visit_id, unknown_id(ann, bob, eva)]
        assert db.visits.delete(gone) == 2

    with store.reading() as db:
        assert db.visits.get(ann.visit_id) is None
        assert db.visits.get(eva.visit_id) is None
        assert db.visits.get(bob.visit_id) == bob
        assert db.visits.existing([ann.visit_id, bob.visit_id, eva.visit_id]) == [bob.visit_id]
        assert db.visits.badge_code(ann.visit_id) is None
        assert db.visits.by_badge(CODE) is None
        assert db.visits.by_badge(OTHER_CODE) == bob
        assert db.visits.named("ann smith") == []
        assert db.audit.entries() == [
            AuditEntry(
                audit_id, hours(3), AuditAction.SIGN_OUT, "3 people", 3, (bob.visit_id,), "lobby-1"
            )
        ]
    # Nothing of Ann's visit holds her code any more: a new visit can be given it.
    cy = add(store, "Cy Quenby", hours(4), code=CODE)
    with store.reading() as db:
        assert db.visits.by_badge(CODE) == cy


def test_delete_signed_in_before_takes_the_oldest_first_up_to_the_limit(store: Store) -> None:
    cutoff = hours(-24)
    moments = {
        "Cy": hours(-48),
        "Ann": hours(-72),
        "Dee": cutoff,  # not before the cutoff: kept
        "Bob": hours(-60),
        "Eve": hours(0),
    }
    ids = {name: add(store, name, at).visit_id for name, at in moments.items()}
    with store.reading() as db:
        assert db.visits.count_signed_in_before(cutoff) == 3

    deleted = []
    for _ in range(3):
        with store.transaction() as db:
            deleted.append(db.visits.delete_signed_in_before(cutoff, 2))

    assert deleted == [[ids["Ann"], ids["Bob"]], [ids["Cy"]], []]
    with store.reading() as db:
        assert db.visits.existing(ids.values()) == sorted([ids["Dee"], ids["Eve"]])
        assert db.visits.count_signed_in_before(cutoff) == 0


# -- who is on site ------------------------------------------------------------------------------


def test_on_site_lists_the_open_visits_earliest_first(store: Store) -> None:
    visits = {name: add(store, name, hours(n)) for name, n in [("Cy", 3), ("Ann", 0), ("Dee", 5)]}
    close(store, add(store, "Bob", hours(1)), hours(2), SignOutMethod.KIOSK)

    with store.reading() as db:
        assert db.visits.on_site() == [visits["Ann"], visits["Cy"], visits["Dee"]]
        # Only those that began before the time (Cy began at it).
        assert db.visits.on_site(signed_in_before=hours(3)) == [visits["Ann"]]
        just_after = hours(3) + timedelta(microseconds=1)
        assert db.visits.on_site(signed_in_before=just_after) == [visits["Ann"], visits["Cy"]]
        assert db.visits.on_site(signed_in_before=hours(-1)) == []


def on_site_row(visit: Visit) -> OnSite:
    return OnSite(visit.visit_id, visit.visitor_name, visit.company, visit.host, visit.signed_in_at)


def test_search_on_site_needs_every_word_casefolded(store: Store) -> None:
    jorg = add(store, "Jörg Straßenfeld", hours(0), company="Acme", host="Bo Jensen")
    mette = add(store, "Mette Kjær", hours(1), company="Nordlys ApS", host="Lars Holm")
    hans = add(store, "Hans Großmann", hours(2), company="ACME", host="Lars Holm")
    gone = add(store, "Acme Leftover", hours(-1), company="Acme", host="Lars Holm")
    close(store, gone, hours(3), SignOutMethod.STAFF)

    def search(*words: str, limit: int = 100) -> list[OnSite]:
        with store.reading() as db:
            return db.visits.search_on_site(list(words), limit)

    assert search("acme") == [on_site_row(jorg), on_site_row(hans)]  # company, any case
    assert search("strassenfeld") == [on_site_row(jorg)]  # ß casefolds to ss
    assert search("grossmann") == [on_site_row(hans)]
    assert search("jensen") == [on_site_row(jorg)]  # the host
    assert search("acme", "lars") == [on_site_row(hans)]  # every word
    assert search("kjær", "acme") == []
    assert search("holm") == [on_site_row(mette), on_site_row(hans)]
    assert search("holm", limit=1) == [on_site_row(mette)]
    assert search("leftover") == []  # signed out
    assert search() == [on_site_row(v) for v in (jorg, mette, hans)]
    assert search(limit=2) == [on_site_row(jorg), on_site_row(mette)]


def test_named_finds_that_exact_name_only(store: Store) -> None:
    earlier = close(
        store, add(store, "Tamsin Quillfeather", hours(-48)), hours(-40), SignOutMethod.AUTO
    )
    now = add(store, "TAMSIN QUILLFEATHER", hours(0))
    add(store, "Tamsin Quillfeathers", hours(1))  # longer
    add(store, "Tamsin Quill", hours(2))  # a prefix of the name
    tamsin = add(store, "Tamsin", hours(3))
    add(store, "Odile Brambleworth", hours(4), company="Tamsin Quillfeather", host="Tamsin")
    jorg = add(store, "Jörg Straße", hours(5))

    with store.reading() as db:
        assert db.visits.named("tamsin quillfeather") == [earlier, now]  # oldest first
        assert db.visits.named("tamsin") == [tamsin]
        assert db.visits.named("tamsin quil") == []
        assert db.visits.named("quillfeather") == []
        assert db.visits.named("jörg strasse") == [jorg]
        assert db.visits.named("jörg strass") == []  # a prefix of its casefolded form
        assert db.visits.named("") == []


def test_named_on_site_finds_that_exact_name_among_the_open_visits(store: Store) -> None:
    """How a visitor without their badge signs out: open visits only, restricted ones too."""
    close(store, add(store, "Tamsin Quillfeather", hours(-48)), hours(-40), SignOutMethod.AUTO)
    now = add(store, "TAMSIN QUILLFEATHER", hours(0))
    add(store, "Tamsin Quillfeathers", hours(1))
    add(store, "Tamsin Quill", hours(2))
    tamsin = add(store, "Tamsin", hours(3))
    add(store, "Odile Brambleworth", hours(4), company="Tamsin", host="Tamsin Quillfeather")
    jorg = add(store, "Jörg Straße", hours(5))
    with store.transaction() as db:
        db.visits.restrict([jorg.visit_id], hours(6))
        (jorg,) = db.visits.named("jörg strasse")

    with store.reading() as db:
        assert db.visits.named("tamsin quillfeather", on_site=True) == [now]
        assert db.visits.named("tamsin", on_site=True) == [tamsin]
        assert db.visits.named("tamsin quil", on_site=True) == []
        assert db.visits.named("quillfeather", on_site=True) == []
        assert db.visits.named("jörg strasse", on_site=True) == [jorg]
        assert db.visits.named("jörg strass", on_site=True) == []
        assert db.visits.named("", on_site=True) == []


def test_existing_and_kept(store: Store) -> None:
    old, edge, new = (add(store, name, hours(n)) for name, n in [("A", -48), ("B", -24), ("C", 0)])
    missing = unknown_id(old, edge, new)
    with store.reading() as db:
        assert db.visits.existing([new.visit_id, old.visit_id, missing, old.visit_id]) == sorted(
            [old.visit_id, new.visit_id]
        )
        assert db.visits.existing([]) == []
        everyone = [old.visit_id, edge.visit_id, new.visit_id, missing]
        # Kept: stored and signed in at or after the cutoff.
        assert db.visits.kept(everyone, hours(-24)) == {edge.visit_id, new.visit_id}
        assert db.visits.kept([], hours(-24)) == set()


def test_signed_in_between_includes_the_start_and_not_the_end(store: Store) -> None:
    visits = {n: add(store, f"Visitor {n}", hours(n)) for n in (2, 0, 3, 1)}
    with store.reading() as db:
        assert list(db.visits.signed_in_between(hours(1), hours(3))) == [visits[1], visits[2]]
        assert list(db.visits.signed_in_between(hours(0), hours(0))) == []
        assert db.visits.count_signed_in_between(hours(1), hours(3)) == 2
        assert db.visits.count_signed_in_between(hours(-5), hours(5)) == 4


def test_the_counts(store: Store) -> None:
    with store.reading() as db:
        assert db.visits.count() == 0
        assert db.visits.count_signed_in_before(hours(100)) == 0
    for n in range(5):
        add(store, f"Visitor {n}", hours(n))
    with store.reading() as db:
        assert db.visits.count() == 5
        assert db.visits.count_signed_in_before(hours(2)) == 2  # not the one at 2
        assert db.visits.count_signed_in_between(hours(2), hours(4)) == 2


# -- the audit log -------------------------------------------------------------------------------


def test_an_audit_entry_links_only_visits_that_exist(store: Store) -> None:
    ann, bob = add(store, "Ann Smith"), add(store, "Bob Jones", hours(1))
    with store.transaction() as db:
        visit_ids = [bob.visit_id, ann.visit_id, unknown_id(ann, bob), ann.visit_id]
        linked = db.audit.add(hours(2), AuditAction.SIGN_OUT, "2 people", visit_ids, "lobby-1")
        alone = db.audit.add(hours(3), AuditAction.LOGIN, "", [], "lobby-2")

    assert linked != alone
    with store.reading() as db:
        assert db.audit.entries() == [
            AuditEntry(alone, hours(3), AuditAction.LOGIN, "", 0, (), "lobby-2"),
            AuditEntry(
                linked,
                hours(2),
                AuditAction.SIGN_OUT,
                "2 people",
                2,
                tuple(sorted([ann.visit_id, bob.visit_id])),
                "lobby-1",
            ),
        ]


def test_an_audit_entry_keeps_its_count_when_its_visits_go(store: Store) -> None:
    ann, bob = add(store, "Ann Smith"), add(store, "Bob Jones", hours(1))
    audit(store, hours(2), "erasure of 2 visits", [ann, bob])

    for visit, left in [(ann, (bob.visit_id,)), (bob, ())]:
        with store.transaction() as db:
            db.visits.delete([visit.visit_id])
        with store.reading() as db:
            (entry,) = db.audit.entries()
        assert (entry.visit_count, entry.visit_ids) == (2, left)


def test_audit_entries_come_newest_first(store: Store) -> None:
    for n in (2, 0, 3, 1):
        audit(store, hours(n), f"entry {n}")
    with store.reading() as db:
        assert [e.detail for e in db.audit.entries()] == [f"entry {n}" for n in (3, 2, 1, 0)]
        assert [e.detail for e in db.audit.entries(limit=2)] == ["entry 3", "entry 2"]
        assert [e.detail for e in db.audit.entries(None)] == [f"entry {n}" for n in (3, 2, 1, 0)]


def test_audit_between_count_before_and_delete_before(store: Store) -> None:
    for n in (3, 0, 2, 1):
        audit(store, hours(n), f"entry {n}")
    with store.reading() as db:
        assert [e.detail for e in db.audit.between(hours(1), hours(3))] == ["entry 1", "entry 2"]
        assert db.audit.count_before(hours(2)) == 2
        assert db.audit.count_before(hours(0)) == 0

    with store.transaction() as db:
        assert db.audit.delete_before(hours(2)) == 2
    with store.reading() as db:
        assert [e.detail for e in db.audit.entries()] == ["entry 3", "entry 2"]
        assert db.audit.count_before(hours(2)) == 0
    with store.transaction() as db:
        assert db.audit.delete_before(hours(2)) == 0


# -- the staff PIN -------------------------------------------------------------------------------

LOCK = hours(0.25)


def staff_pin(store: Store) -> StaffPin | None:
    with store.reading() as db:
        return db.staff_auth.get()


def test_there_is_no_staff_pin_until_one_is_set(store: Store) -> None:
    assert staff_pin(store) is None
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$first")
    assert staff_pin(store) == StaffPin("scrypt$first", 0, None)


def test_a_new_pin_hash_forgets_the_failures_and_the_lock(store: Store) -> None:
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$first")
        db.staff_auth.record_failure(2, LOCK)
        db.staff_auth.record_failure(2, LOCK)
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$second")
    assert staff_pin(store) == StaffPin("scrypt$second", 0, None)


def test_record_failure_counts_and_locks_at_the_count(store: Store) -> None:
    """The count decides the lock, and a lock once set stays (a later wrong PIN, at another
    kiosk, does not lift it)."""
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$first")
    with store.transaction() as db:
        assert db.staff_auth.record_failure(2, LOCK) == 1
    assert staff_pin(store) == StaffPin("scrypt$first", 1, None)
    with store.transaction() as db:
        assert db.staff_auth.record_failure(2, LOCK) == 2
    assert staff_pin(store) == StaffPin("scrypt$first", 2, LOCK)
    with store.transaction() as db:
        assert db.staff_auth.record_failure(5, LOCK + timedelta(hours=1)) == 3
    assert staff_pin(store) == StaffPin("scrypt$first", 3, LOCK)


def test_record_success_forgets_the_failures_and_the_lock(store: Store) -> None:
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$first")
        db.staff_auth.record_failure(1, LOCK)
    with store.transaction() as db:
        db.staff_auth.record_success()
    assert staff_pin(store) == StaffPin("scrypt$first", 0, None)


def test_set_locked_until_moves_only_a_lock_that_exists(store: Store) -> None:
    with store.transaction() as db:
        db.staff_auth.set_pin_hash("scrypt$first")
        db.staff_auth.record_failure(5, LOCK)
    with store.transaction() as db:
        db.staff_auth.set_locked_until(LOCK)  # no lock: none is started
    assert staff_pin(store) == StaffPin("scrypt$first", 1, None)

    with store.transaction() as db:
        db.staff_auth.record_failure(2, LOCK)
    with store.transaction() as db:
        db.staff_auth.set_locked_until(hours(1))
    assert staff_pin(store) == StaffPin("scrypt$first", 2, hours(1))


# -- the record of cleanups ----------------------------------------------------------------------


def test_purges_are_recorded_oldest_first(store: Store) -> None:
    first = PurgeRecord(hours(0), "visits past 30 days", 3, 1, 2)
    second = PurgeRecord(hours(24), "audit entries past 365 days", 0, 7, 0)
    with store.reading() as db:
        assert db.purges.records() == []
    for purge in (first, second):
        with store.transaction() as db:
            db.purges.record(purge)
    with store.reading() as db:
        assert db.purges.records() == [first, second]


# -- transactions --------------------------------------------------------------------------------


def test_a_transaction_commits_its_writes_together(store: Store) -> None:
    purge = PurgeRecord(hours(1), "visits past 30 days", 0, 0, 0)
    with store.transaction() as db:
        ann = db.visits.add(new_visit("Ann Smith", notice=DANISH), DANISH, CODE)
        audit_id = db.audit.add(hours(1), AuditAction.REPRINT, "", [ann.visit_id], "lobby-1")
        db.staff_auth.set_pin_hash("scrypt$first")
        db.purges.record(purge)
        assert db.visits.get(ann.visit_id) == ann  # the transaction sees its own writes

    with store.reading() as db:
        assert db.visits.get(ann.visit_id) == ann
        assert db.visits.by_badge(CODE) == ann
        assert db.visits.notice_text(DANISH.version) == DANISH.text
        assert [e.audit_id for e in db.audit.entries()] == [audit_id]
        assert db.staff_auth.get() == StaffPin("scrypt$first", 0, None)
        assert db.purges.records() == [purge]


def write_then_fail(store: Store, ann: Visit) -> None:
    with store.transaction() as db:
        db.visits.add(new_visit("Bob Jones", hours(1), notice=DANISH), DANISH, CODE)
        db.visits.close(ann.visit_id, hours(2), SignOutMethod.STAFF)
        db.visits.correct(ann.visit_id, "company", "Larkspur BV")
        db.audit.add(hours(2), AuditAction.SIGN_OUT, "", [ann.visit_id], "lobby-1")
        db.staff_auth.set_pin_hash("scrypt$first")
        db.purges.record(PurgeRecord(hours(2), "visits past 30 days", 1, 0, 0))
        assert db.visits.count() == 2  # seen inside the transaction
        raise PowerCut


def test_a_transaction_that_raises_keeps_none_of_its_writes(store: Store) -> None:
    ann = add(store, "Ann Smith")

    with pytest.raises(PowerCut):
        write_then_fail(store, ann)

    with store.reading() as db:
        assert db.visits.count() == 1
        assert db.visits.get(ann.visit_id) == ann
        assert db.visits.by_badge(CODE) is None
        assert db.visits.notice_text(DANISH.version) is None
        assert db.audit.entries() == []
        assert db.staff_auth.get() is None
        assert db.purges.records() == []
    # The store goes on as before.
    bob = add(store, "Bob Jones", hours(3), code=CODE)
    assert get(store, bob.visit_id) == bob


def nested_part_that_fails(store: Store, ann: Visit) -> None:
    with store.transaction() as db:
        db.visits.add(new_visit("Bob Jones", hours(1), notice=DANISH), DANISH, OTHER_CODE)
        db.visits.close(ann.visit_id, hours(1), SignOutMethod.STAFF)
        raise PowerCut


def test_a_nested_transaction_that_raises_rolls_back_only_its_part(store: Store) -> None:
    with store.transaction() as db:
        ann = db.visits.add(new_visit("Ann Smith"), NOTICE, CODE)
        with pytest.raises(PowerCut):
            nested_part_that_fails(store, ann)
        assert db.visits.count() == 1
        cy = db.visits.add(new_visit("Cy Quenby", hours(2)), NOTICE, THIRD_CODE)

    with store.reading() as db:
        assert db.visits.on_site() == [ann, cy]
        assert db.visits.count() == 2
        assert db.visits.by_badge(OTHER_CODE) is None
        assert db.visits.notice_text(DANISH.version) is None


def outer_fails_after_its_nested_part(store: Store) -> None:
    with store.transaction() as db:
        db.visits.add(new_visit("Ann Smith"), NOTICE, CODE)
        with store.transaction() as inner:
            inner.visits.add(new_visit("Bob Jones", hours(1)), NOTICE, OTHER_CODE)
        raise PowerCut


def test_a_nested_part_goes_with_the_transaction_around_it(store: Store) -> None:
    with pytest.raises(PowerCut):
        outer_fails_after_its_nested_part(store)
    with store.reading() as db:
        assert db.visits.count() == 0
        assert db.visits.by_badge(OTHER_CODE) is None


def run_on_a_worker(store: Store, job: Any) -> Any:
    """`job()` on a thread of its own, which lets go of its connection when done."""

    def on_worker() -> Any:
        try:
            return job()
        finally:
            store.close()

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-test")
    try:
        return executor.submit(on_worker).result(timeout=60)
    finally:
        executor.shutdown(wait=True)


def test_a_thread_has_its_own_connection_and_sees_what_was_committed(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)

    def read_then_write() -> tuple[Visit | None, Visit]:
        with store.reading() as db:
            seen = db.visits.by_badge(CODE)
        with store.transaction() as db:
            bob = db.visits.add(new_visit("Bob Jones", hours(1)), NOTICE, OTHER_CODE)
        return seen, bob

    with store.reading() as db:
        assert db.visits.get(ann.visit_id) == ann
        seen, bob = run_on_a_worker(store, read_then_write)
        # The worker closed its own connection; this thread's is still open.
        assert db.visits.get(ann.visit_id) == ann

    assert seen == ann
    with store.reading() as db:
        assert db.visits.get(bob.visit_id) == bob
        assert db.visits.by_badge(OTHER_CODE) == bob
        assert db.visits.count() == 2


def test_reading_sees_one_moment_while_another_thread_writes(store: Store) -> None:
    ann = add(store, "Ann Smith")

    def write() -> Visit:
        with store.transaction() as db:
            db.visits.close(ann.visit_id, hours(1), SignOutMethod.KIOSK)
            return db.visits.add(new_visit("Bob Jones", hours(1)), NOTICE, None)

    with store.reading() as db:
        assert db.visits.on_site() == [ann]
        bob = run_on_a_worker(store, write)  # not held up by this read
        assert db.visits.on_site() == [ann]
        assert db.visits.get(bob.visit_id) is None

    with store.reading() as db:
        assert db.visits.on_site() == [bob]
        assert db.visits.count() == 2


# -- times ---------------------------------------------------------------------------------------


def assert_same_moment_in_utc(stored: datetime | None, given: datetime) -> None:
    assert stored == given
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored.microsecond == given.microsecond


def test_times_come_back_as_aware_utc_times_to_the_microsecond(store: Store) -> None:
    signed_in = datetime(2026, 5, 13, 9, 30, 15, 123456, tzinfo=AMSTERDAM)
    signed_out = datetime(2026, 5, 13, 17, 45, 0, 1, tzinfo=AMSTERDAM)
    lock_end = datetime(2026, 5, 13, 3, 0, 0, 999999, tzinfo=timezone(timedelta(hours=-5)))
    purged_at = datetime(2026, 5, 14, 1, 2, 3, 456789, tzinfo=UTC)

    visit = add(store, "Ann Smith", signed_in)
    with store.transaction() as db:
        db.visits.close(visit.visit_id, signed_out, SignOutMethod.KIOSK)
        db.audit.add(signed_out, AuditAction.SIGN_OUT, "", [visit.visit_id], "lobby-1")
        db.staff_auth.set_pin_hash("scrypt$first")
        db.staff_auth.record_failure(1, lock_end)
        db.purges.record(PurgeRecord(purged_at, "visits past 30 days", 0, 0, 0))

    assert_same_moment_in_utc(visit.signed_in_at, signed_in)
    with store.reading() as db:
        stored = db.visits.get(visit.visit_id)
        assert stored is not None
        assert_same_moment_in_utc(stored.signed_in_at, signed_in)
        assert_same_moment_in_utc(stored.signed_out_at, signed_out)
        assert db.visits.search_on_site([], 10) == []  # signed out
        (entry,) = db.audit.entries()
        assert_same_moment_in_utc(entry.at, signed_out)
        pin = db.staff_auth.get()
        assert pin is not None
        assert_same_moment_in_utc(pin.locked_until, lock_end)
        (purge,) = db.purges.records()
        assert_same_moment_in_utc(purge.at, purged_at)

    open_visit = add(store, "Bob Jones", signed_in)
    with store.reading() as db:
        (on_site,) = db.visits.search_on_site([], 10)
        one_microsecond = timedelta(microseconds=1)
        at_that_moment = list(db.visits.signed_in_between(signed_in, signed_in + one_microsecond))
        after_it = list(db.visits.signed_in_between(signed_in + one_microsecond, signed_out))
    assert on_site.visit_id == open_visit.visit_id
    assert_same_moment_in_utc(on_site.signed_in_at, signed_in)
    assert {v.visit_id for v in at_that_moment} == {visit.visit_id, open_visit.visit_id}
    assert after_it == []


# -- the access log's CSV ------------------------------------------------------------------------


@pytest.fixture
def amsterdam_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Amsterdam for the test (the export writes local times)."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


EXPORT_START = datetime(2026, 1, 1, tzinfo=UTC)
EXPORT_END = datetime(2026, 6, 1, tzinfo=UTC)


def exported_visits(store: Store) -> list[Visit]:
    """Visits whose fields the CSV must quote or guard, across a DST change, with some
    outside the range; returns those inside it, oldest first."""
    add(store, "Before Range", EXPORT_START - timedelta(microseconds=1))
    add(store, "At The End", EXPORT_END)
    winter = datetime(2026, 1, 20, 8, 5, 9, 999999, tzinfo=UTC)
    inside = [
        # Signed out ten days later: a time far from its sign-in.
        close(
            store,
            add(store, "=Zed Example", winter, company="+31 20 555 0100", host="@reception"),
            winter + timedelta(days=10, minutes=7),
            SignOutMethod.AUTO,
        ),
        # Signed out across the change to summer time (29 March 2026, 01:00 UTC).
        close(
            store,
            add(
                store,
                "Comma, Line\nBreak",
                datetime(2026, 3, 28, 23, 59, 59, tzinfo=UTC),
                company='Quote "Co"',
                purpose="-dash\tand tab",
            ),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            SignOutMethod.STAFF,
        ),
        add(store, "Plain Person", EXPORT_START, company="", host="", purpose=""),
        # The last sign-in, signed out more than two days later.
        close(
            store,
            add(store, "Ærø Ødegård", hours(0), company="Nordlys ApS", host="Perpetua Wren"),
            datetime(2026, 5, 22, 16, 59, 59, 999999, tzinfo=UTC),
            SignOutMethod.STAFF,
        ),
    ]
    return sorted(inside, key=lambda visit: visit.signed_in_at)


def access_log_csv(visits: list[Visit]) -> str:
    out = io.StringIO()
    write_csv((visit_record(visit) for visit in visits), out)
    return out.getvalue()


def test_export_csv_writes_what_the_access_log_writes(
    store: Store, amsterdam_time: None, tmp_path: Path
) -> None:
    visits = exported_visits(store)
    expected = access_log_csv(visits)
    assert expected.split("\r\n")[0] == ",".join(EXPORT_COLUMNS)
    assert "'=Zed Example" in expected
    assert '"Comma, Line\nBreak"' in expected

    out = io.StringIO()
    assert store.export_csv(EXPORT_START, EXPORT_END, out) == len(visits) == 4
    assert out.getvalue() == expected

    path = tmp_path / "visits.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        assert store.export_csv(EXPORT_START, EXPORT_END, file) == 4
    assert path.read_bytes() == expected.encode("utf-8")


def test_export_csv_with_progress_writes_the_same(store: Store, amsterdam_time: None) -> None:
    visits = exported_visits(store)
    calls: list[tuple[int, int]] = []
    out = io.StringIO()
    count = store.export_csv(
        EXPORT_START, EXPORT_END, out, progress=lambda done, total: calls.append((done, total))
    )
    assert count == 4
    assert out.getvalue() == access_log_csv(visits)
    assert calls[0] == (0, 4)
    assert calls[-1] == (4, 4)


def test_an_empty_export_is_the_header(store: Store) -> None:
    add(store, "Ann Smith", EXPORT_END + timedelta(days=1))
    out = io.StringIO()
    assert store.export_csv(EXPORT_START, EXPORT_END, out) == 0
    assert out.getvalue() == ",".join(EXPORT_COLUMNS) + "\r\n"


# -- forgetting what was deleted -----------------------------------------------------------------


def test_forget_deleted_is_done_when_nothing_else_holds_the_database(store: Store) -> None:
    ann = add(store, "Ann Smith", code=CODE)
    with store.transaction() as db:
        db.visits.correct(ann.visit_id, "company", "Larkspur BV")
    with store.transaction() as db:
        assert db.visits.delete([ann.visit_id]) == 1
    assert store.forget_deleted() is True
    assert get(store, ann.visit_id) is None


def test_a_sign_out_weeks_later_across_a_dst_change_keeps_its_offset(
    store: Store, amsterdam_time: None
) -> None:
    """Signed in in summer time, signed out after the change to winter time, weeks after the
    last sign-in of the export: the sign-out's offset is winter's, as write_csv has it."""
    summer = datetime(2026, 10, 1, 9, tzinfo=UTC)
    later = summer + timedelta(days=29)
    visit = close(store, add(store, "Late Leaver", summer), later, SignOutMethod.STAFF)
    out = io.StringIO()
    start, end = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    assert store.export_csv(start, end, out) == 1
    assert out.getvalue() == access_log_csv([visit])
    assert "2026-10-30T10:00:00+01:00" in out.getvalue()


def test_a_time_whose_offset_has_seconds_exports_as_write_csv_writes_it(
    store: Store, amsterdam_time: None
) -> None:
    """Amsterdam kept +00:19:32 (+01:19:32 in summer) until 1937: an engine that formats
    times itself must hand such an export to write_csv (with progress too), not round it."""
    old = datetime(1930, 6, 2, 9, 15, 7, tzinfo=UTC)
    visit = close(store, add(store, "Anna Oud", old), old + timedelta(hours=2), SignOutMethod.STAFF)
    start, end = datetime(1930, 1, 1, tzinfo=UTC), datetime(1931, 1, 1, tzinfo=UTC)
    expected = access_log_csv([visit])
    assert "+01:19:32" in expected
    out = io.StringIO()
    assert store.export_csv(start, end, out) == 1
    assert out.getvalue() == expected
    calls: list[tuple[int, int]] = []
    again = io.StringIO()
    assert store.export_csv(start, end, again, lambda *call: calls.append(call)) == 1
    assert again.getvalue() == expected
    assert calls[-1] == (1, 1)
