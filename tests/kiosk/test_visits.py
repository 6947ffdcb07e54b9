"""Signing in and out, and who is on site (kiosk.visits.service)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from visitsupport import Clock

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm, SignOutMethod, UnknownVisit, Visit
from kiosk.staff.audit import AuditLog
from kiosk.staff.reception import Reception
from kiosk.visits.service import Visits

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MORNING = datetime(2026, 5, 13, 9, 30, 15, 250000, tzinfo=AMSTERDAM)


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def reception(core: Core, clock: Clock) -> Reception:
    return Reception(core.store, AuditLog(core.store, "lobby-1", clock), clock)


def stored_visit(core: Core, visit_id: int) -> Visit | None:
    with core.store.reading() as db:
        return db.visits.get(visit_id)


def test_sign_in_records_what_the_visitor_was_shown(core: Core, visits: Visits) -> None:
    notice = core.notices.notice("nl")
    form = SignInForm("Anouk de Vries", "Acme", "Bo Jensen", "Vergadering")
    signed_in = visits.sign_in(form, notice)
    visit = signed_in.visit

    assert visit == stored_visit(core, visit.visit_id)
    assert (visit.visitor_name, visit.company, visit.host, visit.purpose) == (
        "Anouk de Vries",
        "Acme",
        "Bo Jensen",
        "Vergadering",
    )
    assert visit.language == "nl"
    assert visit.notice_version == notice.version
    assert visit.kiosk_id == core.config.site.kiosk_id == "lobby-1"
    assert visit.on_site
    assert visit.signed_out_at is None
    assert visit.sign_out_method is None
    # The sign-in hands back the code for the badge: nothing has to read it back.
    assert visits.badge_code(visit.visit_id) == signed_in.badge_code


def test_sign_in_time_is_the_clock_in_utc(core: Core, visits: Visits) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    assert visit.signed_in_at == MORNING
    assert visit.signed_in_at.utcoffset() == timedelta(0)
    with closing(sqlite3.connect(core.paths.database)) as db:
        raw = db.execute(
            "SELECT signed_in_at FROM visits WHERE visit_id = ?", [visit.visit_id]
        ).fetchone()[0]
    assert raw == "2026-05-13T07:30:15.250000Z"


def test_kiosk_id_comes_from_config(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[site]\nkiosk_id = "gate-7"\n', encoding="utf-8")
    core = assemble(data_dir, config)
    try:
        visit = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
        assert core.visits.get(visit.visit_id).kiosk_id == "gate-7"
    finally:
        core.close()


def test_notice_text_is_stored_once_per_version(core: Core, visits: Visits) -> None:
    english, danish = core.notices.notice("en"), core.notices.notice("da")
    for name in ("Ann Smith", "Bob Jones", "Cy Young"):
        visits.sign_in(SignInForm(name), english)
    visits.sign_in(SignInForm("Mette Hansen"), danish)

    with closing(sqlite3.connect(core.paths.database)) as db:
        rows = db.execute(
            "SELECT notice_version, language, text FROM notices ORDER BY notice_version"
        ).fetchall()
    assert rows == sorted(
        [(english.version, "en", english.text), (danish.version, "da", danish.text)]
    )
    with core.store.reading() as db:
        assert db.visits.notice_text(english.version) == english.text
        assert db.visits.notice_text("en-000000000000") is None


def test_sign_out_sets_time_and_method(core: Core, visits: Visits, clock: Clock) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    clock.now = MORNING + timedelta(hours=2, minutes=5)
    out = visits.sign_out(visit.visit_id)

    assert out.signed_out_at == MORNING + timedelta(hours=2, minutes=5)
    assert out.signed_out_at is not None
    assert out.signed_out_at.tzinfo is not None
    assert out.sign_out_method is SignOutMethod.KIOSK
    assert not out.on_site
    assert out.signed_in_at == visit.signed_in_at
    assert stored_visit(core, visit.visit_id) == out


@pytest.mark.parametrize("method", list(SignOutMethod))
def test_every_method_is_kept(
    core: Core, visits: Visits, reception: Reception, clock: Clock, method: SignOutMethod
) -> None:
    """At the kiosk (the visitor), by staff (reception), or automatically (at night)."""
    visit = visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    if method is SignOutMethod.KIOSK:
        visits.sign_out(visit.visit_id)
    elif method is SignOutMethod.STAFF:
        assert reception.sign_out([visit.visit_id]) == 1
    else:
        clock.now = MORNING + timedelta(days=1)
        assert visits.auto_sign_out(time(23, 0)) == 1
    stored = stored_visit(core, visit.visit_id)
    assert stored is not None
    assert stored.sign_out_method is method


def test_second_sign_out_is_refused_and_changes_nothing(
    core: Core, visits: Visits, reception: Reception, clock: Clock
) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en")).visit
    clock.now = MORNING + timedelta(hours=1)
    first = visits.sign_out(visit.visit_id)
    clock.now = MORNING + timedelta(hours=3)
    with pytest.raises(UnknownVisit):
        visits.sign_out(visit.visit_id)
    assert reception.sign_out([visit.visit_id]) == 0
    assert visits.get(visit.visit_id) == first


def test_unknown_visit_is_refused(visits: Visits) -> None:
    with pytest.raises(UnknownVisit):
        visits.sign_out(12345)
    with pytest.raises(UnknownVisit):
        visits.get(12345)


def test_present_visitors_are_the_open_visits_earliest_first(
    core: Core, visits: Visits, clock: Clock
) -> None:
    notice = core.notices.notice("en")
    ids = {}
    for name, hour in [("Cy", 11), ("Ann", 8), ("Dee", 14), ("Bob", 9)]:
        clock.now = datetime(2026, 5, 13, hour, tzinfo=UTC)
        ids[name] = visits.sign_in(SignInForm(name), notice).visit.visit_id
    clock.now = datetime(2026, 5, 13, 15, tzinfo=UTC)
    visits.sign_out(ids["Bob"])

    present = visits.present()
    assert [v.visitor_name for v in present] == ["Ann", "Cy", "Dee"]
    assert [v.visit_id for v in present] == [ids["Ann"], ids["Cy"], ids["Dee"]]
    assert all(v.on_site for v in present)


def test_nobody_present_on_a_new_database(core: Core) -> None:
    assert core.visits.present() == []


def test_visit_survives_closing_and_reopening(core: Core, data_dir: Path) -> None:
    visit = core.visits.sign_in(SignInForm("Zoë O'Brien", "Acme"), core.notices.notice("da")).visit
    core.store.close()  # this thread's connection

    assert core.visits.get(visit.visit_id) == visit
    assert [v.visit_id for v in core.visits.present()] == [visit.visit_id]

    restarted = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        assert restarted.visits.get(visit.visit_id) == visit
    finally:
        restarted.close()
