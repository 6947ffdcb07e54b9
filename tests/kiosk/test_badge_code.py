"""The code on a visitor's badge (kiosk.domain.badge_code) and its place beside each visit."""

from __future__ import annotations

import base64
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest
from visitsupport import (
    BASE32,
    CODE,
    MORNING,
    Clock,
    add_plain_visit,
    badge_rows,
    dump,
)

from kiosk.bootstrap import Core
from kiosk.domain.badge_code import CODE_LENGTH, new_badge_code, read_badge_code
from kiosk.domain.visit import SignInForm, UnknownVisit
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits

pytestmark = pytest.mark.usefixtures("amsterdam")


def stored_code(core: Core, visit_id: int) -> str | None:
    with core.store.reading() as db:
        return db.visits.badge_code(visit_id)


def visit_count(core: Core) -> int:
    with core.store.reading() as db:
        return db.visits.count()


# The code on the badge.


def test_new_badge_codes_are_26_characters_of_base32() -> None:
    for _ in range(500):
        code = new_badge_code()
        assert len(code) == CODE_LENGTH == 26
        assert set(code) <= BASE32
        assert read_badge_code(code) == code


def test_a_badge_code_carries_128_random_bits() -> None:
    draws = 2000
    codes = [new_badge_code() for _ in range(draws)]
    assert len(set(codes)) == draws
    raws = [base64.b32decode(code + "=" * 6) for code in codes]
    assert {len(raw) for raw in raws} == {16}
    # columns[i]: bit i of every draw, as one number of `draws` bits.
    columns = [0] * 128
    for n, raw in enumerate(raws):
        number = int.from_bytes(raw, "big")
        for i in range(128):
            columns[i] |= ((number >> i) & 1) << n
    # Each bit is a fair coin, and no bit copies (or mirrors) another: with 2000 draws a count
    # is within 1000 +- 180 (8 standard deviations) unless something is badly wrong.
    for i, column in enumerate(columns):
        assert abs(column.bit_count() - draws / 2) < 180, f"bit {i} is biased"
    for i in range(128):
        for j in range(i + 1, 128):
            differ = (columns[i] ^ columns[j]).bit_count()
            assert abs(differ - draws / 2) < 180, f"bits {i} and {j} go together"


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        CODE.lower(),
        "aBcDeFgHiJkLmNoPqRsTuVwX27",
        f"{CODE}\n",
        f"{CODE}\r\n",
        f"  {CODE}\t",
        "ABCD EFGH IJKL MNOP QRST UVWX 27",
        "abcdefghijklm\u00a0nopqrstuvwx27",  # a no-break space inside
        "\nA B C D E F G H I J K L M N O P Q R S T U V W X 2 7\n",
    ],
    ids=[
        "exact",
        "lowercase",
        "mixed-case",
        "newline",
        "crlf",
        "padded",
        "grouped",
        "nbsp-inside",
        "spaced-out",
    ],
)
def test_scanner_quirks_still_read_the_code(typed: str) -> None:
    assert read_badge_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "\r\n",
        CODE[:-1],
        CODE + "A",
        CODE[:-1] + "1",
        CODE[:-1] + "0",
        CODE[:-1] + "8",
        CODE[:-1] + "9",
        CODE + "======",
        CODE[:13] + "-" + CODE[13:-1],
        CODE[:-1] + "É",
        CODE[:13] + "\u200b" + CODE[13:],  # a zero-width space is not white space
        "\uff21" * 26,  # full-width A
        "A" * 52,
    ],
    ids=[
        "empty",
        "spaces",
        "newline",
        "25-chars",
        "27-chars",
        "digit-1",
        "digit-0",
        "digit-8",
        "digit-9",
        "padding",
        "hyphen",
        "accented",
        "zero-width-space",
        "full-width",
        "two-codes",
    ],
)
def test_what_cannot_be_a_code_is_refused(typed: str) -> None:
    assert read_badge_code(typed) is None


# Every visit has a badge code.


def test_sign_in_stores_a_badge_code(core: Core, visits: Visits, notice: Notice) -> None:
    signed_in = visits.sign_in(SignInForm("Ann Smith"), notice)
    visit = signed_in.visit
    stored = stored_code(core, visit.visit_id)
    assert stored is not None
    assert read_badge_code(stored) == stored
    assert signed_in.badge_code == stored
    assert visits.badge_code(visit.visit_id) == stored
    assert visits.badge_code(visit.visit_id) == stored
    assert badge_rows(core) == [(visit.visit_id, stored)]


def test_each_visit_has_its_own_code(visits: Visits, notice: Notice) -> None:
    ids = [visits.sign_in(SignInForm(f"Visitor {n}"), notice).visit.visit_id for n in range(5)]
    codes = {visits.badge_code(visit_id) for visit_id in ids}
    assert len(codes) == 5


def test_the_code_is_written_in_the_sign_in_transaction(
    core: Core, visits: Visits, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A badge code that cannot be stored takes the visit (and its notice text) with it."""
    first = visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    taken = visits.badge_code(first.visit_id)
    before = dump(core)
    with monkeypatch.context() as patch:
        patch.setattr("kiosk.visits.service.new_badge_code", lambda: taken)
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            visits.sign_in(SignInForm("Bob Jones"), core.notices.notice("da"))
    assert dump(core) == before
    assert visit_count(core) == 1

    # Nothing of the failed sign-in is left pending on this thread's connection: the next
    # sign-in is a transaction of its own, committed (another connection sees it).
    third = visits.sign_in(SignInForm("Cy Young"), core.notices.notice("nl")).visit
    with closing(sqlite3.connect(core.paths.database)) as db:
        rows = db.execute("SELECT visit_id, visitor_name FROM visits ORDER BY visit_id").fetchall()
        notices = db.execute("SELECT language FROM notices ORDER BY language").fetchall()
    assert rows == [(first.visit_id, "Ann Smith"), (third.visit_id, "Cy Young")]
    assert notices == [("en",), ("nl",)]


def test_a_visit_made_without_a_code_gets_one_when_asked(
    core: Core, visits: Visits, notice: Notice, clock: Clock
) -> None:
    visit_id = add_plain_visit(core, notice, "Ann Smith", MORNING)
    assert stored_code(core, visit_id) is None

    code = visits.badge_code(visit_id)
    assert read_badge_code(code) == code
    assert stored_code(core, visit_id) == code
    assert visits.badge_code(visit_id) == code
    assert badge_rows(core) == [(visit_id, code)]

    clock.now = MORNING + timedelta(hours=1)
    assert visits.sign_out_by_badge(code).visit_id == visit_id


def test_badge_code_of_an_unknown_visit_is_refused(core: Core, visits: Visits) -> None:
    with pytest.raises(UnknownVisit):
        visits.badge_code(12345)
    assert badge_rows(core) == []
