"""Signing in and out, and who is on site (kiosk.visits.service)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from visitsupport import Clock

from kiosk.bootstrap import Kiosk, Services, start_kiosk
from kiosk.domain.visit import SignInForm, SignOutMethod
from kiosk.visits.service import UnknownVisit, VisitService

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MORNING = datetime(2026, 5, 13, 9, 30, 15, 250000, tzinfo=AMSTERDAM)


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def visits(kiosk: Kiosk, services: Services, clock: Clock) -> VisitService:
    return VisitService(services.store, kiosk.config.site.kiosk_id, clock=clock)


def test_sign_in_records_what_the_visitor_was_shown(
    kiosk: Kiosk, services: Services, visits: VisitService
) -> None:
    notice = kiosk.notice("nl")
    form = SignInForm("Anouk de Vries", "Acme", "Bo Jensen", "Vergadering")
    visit = visits.sign_in(form, notice)

    assert visit == services.visits.get(visit.visit_id)
    assert (visit.visitor_name, visit.company, visit.host, visit.purpose) == (
        "Anouk de Vries",
        "Acme",
        "Bo Jensen",
        "Vergadering",
    )
    assert visit.language == "nl"
    assert visit.notice_version == notice.version
    assert visit.kiosk_id == kiosk.config.site.kiosk_id == "lobby-1"
    assert visit.on_site
    assert visit.signed_out_at is None
    assert visit.sign_out_method is None


def test_sign_in_time_is_the_clock_in_utc(
    kiosk: Kiosk, services: Services, visits: VisitService
) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    assert visit.signed_in_at == MORNING
    assert visit.signed_in_at.utcoffset() == timedelta(0)
    raw = services.db.execute(
        "SELECT signed_in_at FROM visits WHERE visit_id = ?", [visit.visit_id]
    ).fetchone()[0]
    assert raw == "2026-05-13T07:30:15.250000Z"


def test_kiosk_id_comes_from_config(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[site]\nkiosk_id = "gate-7"\n', encoding="utf-8")
    kiosk = start_kiosk(data_dir, config)
    services = kiosk.open_services()
    try:
        visit = services.visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
        assert services.visits.get(visit.visit_id).kiosk_id == "gate-7"
    finally:
        services.close()


def test_notice_text_is_stored_once_per_version(
    kiosk: Kiosk, services: Services, visits: VisitService
) -> None:
    english, danish = kiosk.notice("en"), kiosk.notice("da")
    for name in ("Ann Smith", "Bob Jones", "Cy Young"):
        visits.sign_in(SignInForm(name), english)
    visits.sign_in(SignInForm("Mette Hansen"), danish)

    rows = services.db.execute(
        "SELECT notice_version, language, text FROM notices ORDER BY notice_version"
    ).fetchall()
    assert rows == sorted(
        [(english.version, "en", english.text), (danish.version, "da", danish.text)]
    )
    assert services.store.notice_text(english.version) == english.text
    assert services.store.notice_text("en-000000000000") is None


def test_sign_out_sets_time_and_method(
    kiosk: Kiosk, services: Services, visits: VisitService, clock: Clock
) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    clock.now = MORNING + timedelta(hours=2, minutes=5)
    out = visits.sign_out(visit.visit_id, SignOutMethod.STAFF)

    assert out.signed_out_at == MORNING + timedelta(hours=2, minutes=5)
    assert out.signed_out_at is not None
    assert out.signed_out_at.tzinfo is not None
    assert out.sign_out_method is SignOutMethod.STAFF
    assert not out.on_site
    assert out.signed_in_at == visit.signed_in_at
    assert services.visits.get(visit.visit_id) == out


@pytest.mark.parametrize("method", list(SignOutMethod))
def test_every_method_is_kept(kiosk: Kiosk, visits: VisitService, method: SignOutMethod) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    assert visits.sign_out(visit.visit_id, method).sign_out_method is method


def test_second_sign_out_is_refused_and_changes_nothing(
    kiosk: Kiosk, visits: VisitService, clock: Clock
) -> None:
    visit = visits.sign_in(SignInForm("Ann Smith"), kiosk.notice("en"))
    clock.now = MORNING + timedelta(hours=1)
    first = visits.sign_out(visit.visit_id, SignOutMethod.KIOSK)
    clock.now = MORNING + timedelta(hours=3)
    with pytest.raises(UnknownVisit):
        visits.sign_out(visit.visit_id, SignOutMethod.STAFF)
    assert visits.get(visit.visit_id) == first


def test_unknown_visit_is_refused(visits: VisitService) -> None:
    with pytest.raises(UnknownVisit):
        visits.sign_out(12345, SignOutMethod.KIOSK)
    with pytest.raises(UnknownVisit):
        visits.get(12345)


def test_present_visitors_are_the_open_visits_earliest_first(
    kiosk: Kiosk, services: Services, visits: VisitService, clock: Clock
) -> None:
    notice = kiosk.notice("en")
    ids = {}
    for name, hour in [("Cy", 11), ("Ann", 8), ("Dee", 14), ("Bob", 9)]:
        clock.now = datetime(2026, 5, 13, hour, tzinfo=UTC)
        ids[name] = visits.sign_in(SignInForm(name), notice).visit_id
    clock.now = datetime(2026, 5, 13, 15, tzinfo=UTC)
    visits.sign_out(ids["Bob"], SignOutMethod.KIOSK)

    present = services.visits.present_visitors()
    assert [v.visitor_name for v in present] == ["Ann", "Cy", "Dee"]
    assert [v.visit_id for v in present] == [ids["Ann"], ids["Cy"], ids["Dee"]]
    assert all(v.on_site for v in present)


def test_nobody_present_on_a_new_database(services: Services) -> None:
    assert services.visits.present_visitors() == []


def test_visit_survives_closing_and_reopening(kiosk: Kiosk, data_dir: Path) -> None:
    services = kiosk.open_services()
    visit = services.visits.sign_in(SignInForm("Zoë O'Brien", "Acme"), kiosk.notice("da"))
    services.close()

    reopened = kiosk.open_services()
    try:
        assert reopened.visits.get(visit.visit_id) == visit
        assert [v.visit_id for v in reopened.visits.present_visitors()] == [visit.visit_id]
    finally:
        reopened.close()

    restarted = start_kiosk(data_dir, data_dir / "kiosk.toml").open_services()
    try:
        assert restarted.visits.get(visit.visit_id) == visit
    finally:
        restarted.close()
