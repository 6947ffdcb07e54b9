"""Signing out at the kiosk: by scanning the badge, or by exact name without it
(kiosk.visits.service)."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from contextlib import closing
from datetime import timedelta

import pytest
from visitsupport import (
    CODE,
    MORNING,
    Clock,
    badge_rows,
    dump,
    sign_in,
)

from kiosk.bootstrap import Core
from kiosk.domain.visit import (
    BadgeAlreadyUsed,
    NameMatch,
    NoVisitNamed,
    SeveralVisitsNamed,
    SignedOut,
    SignOutMethod,
    UnknownBadge,
    UnknownVisit,
    Visit,
)
from kiosk.staff.reception import Reception
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits
from storage.sqlite.visits import SqliteVisits

pytestmark = pytest.mark.usefixtures("amsterdam")


# Signing out by scanning the badge.


def test_scanning_the_badge_signs_the_visit_out(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=2, minutes=5)

    out = visits.sign_out_by_badge(f" {code.lower()}\r\n")

    assert out.visit_id == visit.visit_id
    assert out.sign_out_method is SignOutMethod.KIOSK
    assert out.signed_out_at == MORNING + timedelta(hours=2, minutes=5)
    assert out.signed_in_at == visit.signed_in_at
    assert core.visits.get(visit.visit_id) == out
    assert core.visits.present() == []


def test_the_same_badge_again_is_already_used_and_changes_nothing(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=1)
    first = visits.sign_out_by_badge(code)
    before = dump(core)

    clock.now = MORNING + timedelta(hours=3)
    with pytest.raises(BadgeAlreadyUsed) as caught:
        visits.sign_out_by_badge(code)

    assert caught.value.visit == first
    assert core.visits.get(visit.visit_id).signed_out_at == MORNING + timedelta(hours=1)
    assert dump(core) == before


def test_scanning_one_badge_leaves_the_other_visitors_alone(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    ann = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    bob = sign_in(visits, clock, notice, "Bob Jones", MORNING + timedelta(minutes=1))
    clock.now = MORNING + timedelta(hours=1)

    visits.sign_out_by_badge(visits.badge_code(ann.visit_id))

    assert core.visits.get(bob.visit_id) == bob
    assert [v.visit_id for v in core.visits.present()] == [bob.visit_id]


@pytest.fixture
def open_visits(visits: Visits, reception: Reception, notice: Notice, clock: Clock) -> list[Visit]:
    """Two visitors on site, each with a badge code, and one who has left."""
    ann = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    bob = sign_in(visits, clock, notice, "Bob Jones", MORNING + timedelta(minutes=1))
    cy = sign_in(visits, clock, notice, "Cy Young", MORNING + timedelta(minutes=2))
    clock.now = MORNING + timedelta(minutes=30)
    assert reception.sign_out([cy.visit_id]) == 1
    clock.now = MORNING + timedelta(hours=1)
    return [ann, bob]


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "\n",
        "hello",
        "0123456789",
        CODE,
        "MZXW6YTBOI2DGNJWG4YTAMRTGQ",
        "A" * 26,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ2",
        "ANN SMITH",
        "'; DELETE FROM visits; --",
    ],
    ids=[
        "empty",
        "spaces",
        "newline",
        "word",
        "digits",
        "well-formed",
        "well-formed-2",
        "all-a",
        "27-chars",
        "a-name",
        "sql",
    ],
)
def test_a_code_that_is_no_ones_changes_nothing(
    core: Core, visits: Visits, open_visits: list[Visit], typed: str
) -> None:
    before = dump(core)
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(typed)
    assert dump(core) == before
    assert core.visits.present() == open_visits


def test_a_mistyped_code_signs_nobody_out(
    core: Core, visits: Visits, open_visits: list[Visit]
) -> None:
    """A code one character away from a visitor's, or cut short, is not theirs."""
    code = visits.badge_code(open_visits[0].visit_id)
    swapped = ("B" if code[0] == "A" else "A") + code[1:]
    before = dump(core)
    for typed in (swapped, code[:-1], code + code[-1], code[1:], code[:-1] + "1"):
        with pytest.raises(UnknownBadge):
            visits.sign_out_by_badge(typed)
    assert dump(core) == before


def test_a_badge_signed_out_by_staff_is_already_used(
    core: Core, visits: Visits, reception: Reception, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=1)
    assert reception.sign_out([visit.visit_id]) == 1
    by_staff = core.visits.get(visit.visit_id)

    clock.now = MORNING + timedelta(hours=2)
    with pytest.raises(BadgeAlreadyUsed) as caught:
        visits.sign_out_by_badge(code)

    assert caught.value.visit.sign_out_method is SignOutMethod.STAFF
    assert caught.value.visit == by_staff
    assert core.visits.get(visit.visit_id) == by_staff


def test_staff_signing_out_while_a_badge_is_scanned_waits_for_the_scan(
    core: Core,
    visits: Visits,
    reception: Reception,
    notice: Notice,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scan's read and its sign-out are one transaction: staff signing the same visitor
    out on another thread (the database worker) meanwhile wait for it, then find the visit
    signed out, and sign out nobody."""
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    read = SqliteVisits.by_badge
    staff_signed_out: list[int] = []
    staff_started = threading.Event()

    def staff() -> None:
        staff_started.set()
        try:
            staff_signed_out.append(reception.sign_out([visit.visit_id]))
        finally:
            core.store.close()  # this thread's connection

    staff_thread = threading.Thread(target=staff, name="test-staff-sign-out")

    def read_while_staff_sign_out(self: SqliteVisits, typed: str) -> Visit | None:
        found = read(self, typed)
        if not staff_started.is_set():
            staff_thread.start()
            staff_started.wait()
            time.sleep(0.3)  # time enough for the staff sign-out, were it not held up
        return found

    monkeypatch.setattr(SqliteVisits, "by_badge", read_while_staff_sign_out)
    clock.now = MORNING + timedelta(hours=1)
    try:
        out = visits.sign_out_by_badge(code)
    finally:
        if staff_started.is_set():
            staff_thread.join()
    assert staff_started.is_set()
    assert staff_signed_out == [0]
    assert out.sign_out_method is SignOutMethod.KIOSK
    assert out.signed_out_at == MORNING + timedelta(hours=1)
    assert core.visits.get(visit.visit_id) == out


def test_the_code_of_a_purged_visit_is_unknown(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    gone = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    kept = sign_in(visits, clock, notice, "Bob Jones", MORNING)
    code = visits.badge_code(gone.visit_id)
    kept_code = visits.badge_code(kept.visit_id)

    with core.store.transaction() as db:
        assert db.visits.delete([gone.visit_id]) == 1

    assert badge_rows(core) == [(kept.visit_id, kept_code)]
    with closing(sqlite3.connect(core.paths.database)) as db:
        assert db.execute("SELECT count(*) FROM badges WHERE token = ?", [code]).fetchone() == (0,)
    before = dump(core)
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(code)
    with pytest.raises(UnknownVisit):
        visits.badge_code(gone.visit_id)
    assert dump(core) == before


# Signing out by name, for a visitor without their badge.


@pytest.fixture
def named(visits: Visits, notice: Notice, clock: Clock) -> dict[str, Visit]:
    people = {}
    for key, name, minute in [
        ("renee", "Rene\u0301e  Dupont", 0),  # typed decomposed, stored NFC
        ("renee-smit", "Renée Dupont-Smit", 1),
        ("ann", "Ann Smith", 2),
        ("ann-smithson", "Ann Smithson", 3),
        ("left", "Ann Smith", 4),
    ]:
        people[key] = sign_in(visits, clock, notice, name, MORNING + timedelta(minutes=minute))
    clock.now = MORNING + timedelta(hours=1)
    visits.sign_out(people["left"].visit_id)
    return people


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Renée Dupont", "renee"),
        ("renée dupont", "renee"),
        ("RENÉE DUPONT", "renee"),
        ("  Rene\u0301e \t  Dupont\n", "renee"),  # decomposed, extra white space
        ("RENE\u0301E DUPONT", "renee"),
        ("Ren\u202eée Dupont", "renee"),  # an invisible character, removed as at sign-in
        ("Renée Dupont-Smit", "renee-smit"),
        ("Ann Smith", "ann"),  # not the Ann Smith who left, not Ann Smithson
        ("ann smithson", "ann-smithson"),
        ("Renée", None),
        ("Dupont", None),
        ("Renée Dupon", None),
        ("Renee Dupont", None),  # without the accent is another name
        ("Ann", None),
        ("Ann Smit", None),
        ("Smith", None),
        ("Bob Jones", None),
        ("", None),
        ("   ", None),
        ("\t\n", None),
        ("\u202e", None),
    ],
)
def test_a_name_finds_only_the_visit_under_exactly_that_name(
    core: Core, visits: Visits, named: dict[str, Visit], typed: str, found: str | None
) -> None:
    on_site = {visit.visit_id for visit in core.visits.present()}
    before = dump(core)
    if found is None:
        assert visits.match_name(typed) is NameMatch.NONE
        with pytest.raises(NoVisitNamed):
            visits.sign_out_named(typed)
        assert dump(core) == before
        return
    mine = named[found]
    assert visits.match_name(typed) is NameMatch.ONE
    assert dump(core) == before  # asking changes nothing

    out = visits.sign_out_named(typed)

    assert out == SignedOut(mine.visit_id, mine.visitor_name, mine.language)
    gone = core.visits.get(mine.visit_id)
    assert gone.sign_out_method is SignOutMethod.KIOSK
    assert gone.signed_out_at == MORNING + timedelta(hours=1)
    assert {visit.visit_id for visit in core.visits.present()} == on_site - {mine.visit_id}
    assert visits.match_name(typed) is NameMatch.NONE


def test_stored_names_are_nfc(named: dict[str, Visit]) -> None:
    """The decomposed spelling above really was stored composed (else the test proves little)."""
    assert named["renee"].visitor_name == "Ren\u00e9e Dupont"


def test_what_a_sign_out_by_name_gives_back_is_the_name_and_language_only(
    visits: Visits, notice: Notice, clock: Clock
) -> None:
    """The screen is told none, one or several, and after the sign-out what the goodbye needs:
    never the time in, the host, the company or the purpose."""
    sign_in(visits, clock, notice, "Ann Smith", MORNING)
    assert set(NameMatch) == {NameMatch.NONE, NameMatch.ONE, NameMatch.SEVERAL}
    out = visits.sign_out_named("Ann Smith")
    assert set(dataclasses.asdict(out)) == {"visit_id", "visitor_name", "language"}


def test_several_visits_under_one_name_are_for_reception(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    first = sign_in(visits, clock, notice, "Bo Jensen", MORNING)
    other = sign_in(visits, clock, notice, "Bo Jensens", MORNING + timedelta(minutes=5))
    second = sign_in(visits, clock, notice, "bo  jensen", MORNING + timedelta(minutes=10))
    assert visits.match_name("Bo Jensen") is NameMatch.SEVERAL
    before = dump(core)
    with pytest.raises(SeveralVisitsNamed):
        visits.sign_out_named("BO JENSEN")
    assert dump(core) == before

    # One of them leaves with their badge: the name is now one visit's.
    clock.now = MORNING + timedelta(hours=1)
    visits.sign_out(first.visit_id)
    assert visits.match_name("BO JENSEN") is NameMatch.ONE
    assert visits.sign_out_named("Bo Jensen").visit_id == second.visit_id
    assert [visit.visit_id for visit in core.visits.present()] == [other.visit_id]


def test_the_name_is_looked_up_again_when_the_visitor_confirms(
    core: Core, visits: Visits, reception: Reception, notice: Notice, clock: Clock
) -> None:
    """Between the question and the tap on "Yes", reception may sign the visit out, or a
    namesake sign in: the confirmation then signs nobody out."""
    asked = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    assert visits.match_name("Ann Smith") is NameMatch.ONE
    clock.now = MORNING + timedelta(hours=1)
    assert reception.sign_out([asked.visit_id]) == 1
    with pytest.raises(NoVisitNamed):
        visits.sign_out_named("Ann Smith")

    sign_in(visits, clock, notice, "Ann Smith", MORNING + timedelta(hours=2))
    assert visits.match_name("ann smith") is NameMatch.ONE
    sign_in(visits, clock, notice, "ANN SMITH", MORNING + timedelta(hours=2))
    before = dump(core)
    with pytest.raises(SeveralVisitsNamed):
        visits.sign_out_named("ann smith")
    assert dump(core) == before
