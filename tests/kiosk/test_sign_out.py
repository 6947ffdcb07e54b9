"""Signing out at the kiosk: by scanning the badge, or by exact name without it
(kiosk.visits.service)."""

from __future__ import annotations

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

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.visit import SignOutMethod, Visit
from kiosk.visits.notice import Notice
from kiosk.visits.service import BadgeAlreadyUsed, UnknownBadge, UnknownVisit, VisitService

pytestmark = pytest.mark.usefixtures("amsterdam")


# Signing out by scanning the badge.


def test_scanning_the_badge_signs_the_visit_out(
    services: Services, visits: VisitService, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=2, minutes=5)

    out = visits.sign_out_by_badge(f" {code.lower()}\r\n")

    assert out.visit_id == visit.visit_id
    assert out.sign_out_method is SignOutMethod.KIOSK
    assert out.signed_out_at == MORNING + timedelta(hours=2, minutes=5)
    assert out.signed_in_at == visit.signed_in_at
    assert services.visits.get(visit.visit_id) == out
    assert services.visits.present_visitors() == []


def test_the_same_badge_again_is_already_used_and_changes_nothing(
    services: Services, visits: VisitService, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=1)
    first = visits.sign_out_by_badge(code)
    before = dump(services)

    clock.now = MORNING + timedelta(hours=3)
    with pytest.raises(BadgeAlreadyUsed) as caught:
        visits.sign_out_by_badge(code)

    assert caught.value.visit == first
    assert services.visits.get(visit.visit_id).signed_out_at == MORNING + timedelta(hours=1)
    assert dump(services) == before


def test_scanning_one_badge_leaves_the_other_visitors_alone(
    services: Services, visits: VisitService, notice: Notice, clock: Clock
) -> None:
    ann = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    bob = sign_in(visits, clock, notice, "Bob Jones", MORNING + timedelta(minutes=1))
    clock.now = MORNING + timedelta(hours=1)

    visits.sign_out_by_badge(visits.badge_code(ann.visit_id))

    assert services.visits.get(bob.visit_id) == bob
    assert [v.visit_id for v in services.visits.present_visitors()] == [bob.visit_id]


@pytest.fixture
def open_visits(visits: VisitService, notice: Notice, clock: Clock) -> list[Visit]:
    """Two visitors on site, each with a badge code, and one who has left."""
    ann = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    bob = sign_in(visits, clock, notice, "Bob Jones", MORNING + timedelta(minutes=1))
    cy = sign_in(visits, clock, notice, "Cy Young", MORNING + timedelta(minutes=2))
    clock.now = MORNING + timedelta(minutes=30)
    visits.sign_out(cy.visit_id, SignOutMethod.STAFF)
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
    services: Services, visits: VisitService, open_visits: list[Visit], typed: str
) -> None:
    before = dump(services)
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(typed)
    assert dump(services) == before
    assert services.visits.present_visitors() == open_visits


def test_a_mistyped_code_signs_nobody_out(
    services: Services, visits: VisitService, open_visits: list[Visit]
) -> None:
    """A code one character away from a visitor's, or cut short, is not theirs."""
    code = visits.badge_code(open_visits[0].visit_id)
    swapped = ("B" if code[0] == "A" else "A") + code[1:]
    before = dump(services)
    for typed in (swapped, code[:-1], code + code[-1], code[1:], code[:-1] + "1"):
        with pytest.raises(UnknownBadge):
            visits.sign_out_by_badge(typed)
    assert dump(services) == before


def test_a_badge_signed_out_by_staff_is_already_used(
    services: Services, visits: VisitService, notice: Notice, clock: Clock
) -> None:
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    clock.now = MORNING + timedelta(hours=1)
    by_staff = visits.sign_out(visit.visit_id, SignOutMethod.STAFF)

    clock.now = MORNING + timedelta(hours=2)
    with pytest.raises(BadgeAlreadyUsed) as caught:
        visits.sign_out_by_badge(code)

    assert caught.value.visit.sign_out_method is SignOutMethod.STAFF
    assert caught.value.visit == by_staff
    assert services.visits.get(visit.visit_id) == by_staff


def test_a_badge_signed_out_by_someone_else_meanwhile_is_already_used(
    kiosk: Kiosk,
    services: Services,
    visits: VisitService,
    notice: Notice,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Staff sign the visit out (on another connection) between the scan's read and its write."""
    visit = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    code = visits.badge_code(visit.visit_id)
    other = kiosk.open_services()
    read = services.store.visit_for_badge

    def read_then_staff_signs_out(token: str) -> object:
        row = read(token)
        other.visits.sign_out(visit.visit_id, SignOutMethod.STAFF)
        return row

    monkeypatch.setattr(services.store, "visit_for_badge", read_then_staff_signs_out)
    clock.now = MORNING + timedelta(hours=1)
    try:
        with pytest.raises(BadgeAlreadyUsed) as caught:
            visits.sign_out_by_badge(code)
    finally:
        other.close()
    assert caught.value.visit.sign_out_method is SignOutMethod.STAFF
    assert services.visits.get(visit.visit_id).sign_out_method is SignOutMethod.STAFF


def test_the_code_of_a_purged_visit_is_unknown(
    services: Services, visits: VisitService, notice: Notice, clock: Clock
) -> None:
    gone = sign_in(visits, clock, notice, "Ann Smith", MORNING)
    kept = sign_in(visits, clock, notice, "Bob Jones", MORNING)
    code = visits.badge_code(gone.visit_id)
    kept_code = visits.badge_code(kept.visit_id)

    services.db.execute("DELETE FROM visits WHERE visit_id = ?", [gone.visit_id])

    assert badge_rows(services) == [(kept.visit_id, kept_code)]
    assert services.db.execute(
        "SELECT count(*) FROM badges WHERE token = ?", [code]
    ).fetchone() == (0,)
    before = dump(services)
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(code)
    with pytest.raises(UnknownVisit):
        visits.badge_code(gone.visit_id)
    assert dump(services) == before


# Signing out by name, for a visitor without their badge.


@pytest.fixture
def named(visits: VisitService, notice: Notice, clock: Clock) -> dict[str, Visit]:
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
    visits.sign_out(people["left"].visit_id, SignOutMethod.KIOSK)
    return people


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Renée Dupont", ["renee"]),
        ("renée dupont", ["renee"]),
        ("RENÉE DUPONT", ["renee"]),
        ("  Rene\u0301e \t  Dupont\n", ["renee"]),  # decomposed, extra white space
        ("RENE\u0301E DUPONT", ["renee"]),
        ("Ren\u202eée Dupont", ["renee"]),  # an invisible character, removed as at sign-in
        ("Renée Dupont-Smit", ["renee-smit"]),
        ("Ann Smith", ["ann"]),  # not the Ann Smith who left, not Ann Smithson
        ("ann smithson", ["ann-smithson"]),
        ("Renée", []),
        ("Dupont", []),
        ("Renée Dupon", []),
        ("Renee Dupont", []),  # without the accent is another name
        ("Ann", []),
        ("Ann Smit", []),
        ("Smith", []),
        ("Bob Jones", []),
        ("", []),
        ("   ", []),
        ("\t\n", []),
        ("\u202e", []),
    ],
)
def test_on_site_named_finds_only_exact_names(
    visits: VisitService, named: dict[str, Visit], typed: str, found: list[str]
) -> None:
    assert visits.on_site_named(typed) == [named[key] for key in found]


def test_stored_names_are_nfc(named: dict[str, Visit]) -> None:
    """The decomposed spelling above really was stored composed (else the test proves little)."""
    assert named["renee"].visitor_name == "Ren\u00e9e Dupont"


def test_on_site_named_gives_every_open_visit_under_that_name(
    visits: VisitService, notice: Notice, clock: Clock
) -> None:
    first = sign_in(visits, clock, notice, "Bo Jensen", MORNING)
    sign_in(visits, clock, notice, "Bo Jensens", MORNING + timedelta(minutes=5))
    second = sign_in(visits, clock, notice, "bo  jensen", MORNING + timedelta(minutes=10))
    assert visits.on_site_named("Bo Jensen") == [first, second]

    clock.now = MORNING + timedelta(hours=1)
    visits.sign_out(first.visit_id, SignOutMethod.KIOSK)
    assert visits.on_site_named("BO JENSEN") == [second]
