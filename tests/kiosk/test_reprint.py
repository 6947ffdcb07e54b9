"""A reprint at the staff screen gives the visit a new badge code (`Reception.reprint`): the old
badge, lost or kept by someone, then signs no one out (scanned, it is an unknown badge), the new
one does. The new code and the reprint's audit entry are one transaction, and the code still
goes with its visit on erasure and retention."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from visitsupport import BASE32, Clock

from kiosk.bootstrap import Core
from kiosk.domain.audit import AuditAction
from kiosk.domain.ports import Repositories
from kiosk.domain.visit import SignInForm, SignOutMethod, UnknownBadge, UnknownVisit
from kiosk.staff.audit import AuditLog
from kiosk.staff.reception import Reception
from kiosk.visits.service import Visits


class AuditFails(Exception):
    pass


class FailingAudit(AuditLog):
    """An audit log whose write fails once the entry is written (a disk full, say)."""

    def record(
        self,
        db: Repositories,
        action: AuditAction,
        visit_ids: Iterable[int] = (),
        **params: str | int,
    ) -> int:
        super().record(db, action, visit_ids, **params)
        raise AuditFails()


def badge_rows(core: Core) -> list[tuple[int, str]]:
    """A look at the database file itself."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return db.execute("SELECT visit_id, token FROM badges ORDER BY visit_id").fetchall()


def sign_in(visits: Visits, core: Core, name: str = "Mette Kjær") -> tuple[int, str]:
    signed_in = visits.sign_in(SignInForm(name, "", "Jens Kristensen"), core.notices.notice("da"))
    return signed_in.visit.visit_id, signed_in.badge_code


def test_a_reprint_retires_the_old_code_and_the_new_one_signs_out(
    core: Core, visits: Visits
) -> None:
    visit_id, old = sign_in(visits, core)
    other_id, other_code = sign_in(visits, core, "Bo Li")

    reprinted = core.reception.reprint(visit_id)

    new = reprinted.badge_code
    assert new != old
    assert len(new) == 26
    assert set(new) <= BASE32
    assert reprinted.visit.visit_id == visit_id
    assert visits.badge_code(visit_id) == new
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(old)
    assert visits.get(visit_id).on_site  # the old badge changed nothing
    assert visits.sign_out_by_badge(new).sign_out_method is SignOutMethod.KIOSK
    assert not visits.get(visit_id).on_site
    assert visits.badge_code(other_id) == other_code  # nobody else's badge changed
    (entry,) = core.audit.entries()
    assert (entry.action, entry.visit_ids) == (AuditAction.REPRINT, (visit_id,))
    assert entry.detail == ""  # never a badge code


def test_every_reprint_retires_the_code_before_it(core: Core, visits: Visits) -> None:
    visit_id, first = sign_in(visits, core)
    second = core.reception.reprint(visit_id).badge_code
    third = core.reception.reprint(visit_id).badge_code
    assert len({first, second, third}) == 3
    assert badge_rows(core) == [(visit_id, third)]
    for retired in (first, second):
        with pytest.raises(UnknownBadge):
            visits.sign_out_by_badge(retired)
    assert [e.action for e in core.audit.entries()] == [AuditAction.REPRINT] * 2


def test_the_badge_handed_in_at_the_desk_must_be_the_new_one(core: Core, visits: Visits) -> None:
    visit_id, old = sign_in(visits, core)
    new = core.reception.reprint(visit_id).badge_code
    with pytest.raises(UnknownBadge):
        core.reception.sign_out_badge(old)
    assert core.reception.sign_out_badge(new).sign_out_method is SignOutMethod.STAFF


def test_the_code_and_the_audit_entry_are_one_transaction(core: Core, visits: Visits) -> None:
    visit_id, old = sign_in(visits, core)
    reception = Reception(core.store, FailingAudit(core.store, "lobby-1"))
    with pytest.raises(AuditFails):
        reception.reprint(visit_id)
    assert badge_rows(core) == [(visit_id, old)]
    assert core.audit.entries() == []
    assert visits.sign_out_by_badge(old).visit_id == visit_id


def test_only_a_visitor_on_site_gets_a_new_badge(core: Core, visits: Visits) -> None:
    visit_id, old = sign_in(visits, core)
    visits.sign_out_by_badge(old)
    with pytest.raises(UnknownVisit):
        core.reception.reprint(visit_id)
    with pytest.raises(UnknownVisit):
        core.reception.reprint(visit_id + 1000)
    assert badge_rows(core) == [(visit_id, old)]
    assert [e.action for e in core.audit.entries()] == []


def test_a_visit_made_without_a_code_gets_one_at_its_reprint(core: Core, visits: Visits) -> None:
    """As demo data is stored: without a badge code."""
    visit_id, _code = sign_in(visits, core)
    with closing(sqlite3.connect(core.paths.database)) as raw:
        raw.execute("DELETE FROM badges WHERE visit_id = ?", [visit_id])
        raw.commit()
    new = core.reception.reprint(visit_id).badge_code
    assert badge_rows(core) == [(visit_id, new)]


def test_erasure_removes_the_new_code(core: Core, visits: Visits) -> None:
    visit_id, old = sign_in(visits, core)
    kept_id, kept = sign_in(visits, core, "Bo Li")
    new = core.reception.reprint(visit_id).badge_code
    assert core.rights.erase([visit_id]) == 1
    assert badge_rows(core) == [(kept_id, kept)]
    for code in (old, new):
        with pytest.raises(UnknownBadge):
            visits.sign_out_by_badge(code)


def test_retention_removes_the_new_code(core: Core, visits: Visits, clock: Clock) -> None:
    clock.now = datetime.now(UTC) - timedelta(days=core.config.retention.visit_days + 5)
    visit_id, _old = sign_in(visits, core)
    clock.now = datetime.now(UTC)
    kept_id, kept = sign_in(visits, core, "Bo Li")
    new = core.reception.reprint(visit_id).badge_code  # still on site: nobody signed out

    assert core.retention.run().visits == 1

    assert badge_rows(core) == [(kept_id, kept)]
    with pytest.raises(UnknownBadge):
        visits.sign_out_by_badge(new)
