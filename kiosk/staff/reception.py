"""What reception staff do to visits at the staff screen: sign visitors out (selected in the
list, or by the badge they hand back at the desk) and print a badge again, with a new code that
makes the old badge worthless. Each is one transaction with its audit entry."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kiosk.domain.audit import AuditAction
from kiosk.domain.badge_code import new_badge_code
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Store
from kiosk.domain.visit import SignedIn, SignOutMethod, UnknownVisit, Visit
from kiosk.staff.audit import AuditLog
from kiosk.visits.service import open_visit_for_badge, sign_out

log = logging.getLogger(__name__)


class Reception:
    def __init__(self, store: Store, audit: AuditLog, clock: Clock = utc_now) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock

    def sign_out(self, visit_ids: Iterable[int]) -> int:
        """Sign out the selected visitors (method `staff`); those signed out meanwhile (a
        badge scanned, the auto sign-out) are skipped. Returns how many were signed out."""
        with self._store.transaction() as db:
            done = []
            for visit_id in visit_ids:
                try:
                    sign_out(db, visit_id, self._clock(), SignOutMethod.STAFF)
                except UnknownVisit:
                    continue
                done.append(visit_id)
            self._audit.record(db, AuditAction.SIGN_OUT, done, count=len(done))
        return len(done)

    def sign_out_badge(self, typed: str) -> Visit:
        """A badge handed back at the desk and scanned while the staff screen is open: that
        visitor is signed out by staff. UnknownBadge or BadgeAlreadyUsed change nothing."""
        with self._store.transaction() as db:
            visit = open_visit_for_badge(db, typed)
            closed = sign_out(db, visit.visit_id, self._clock(), SignOutMethod.STAFF)
            self._audit.record(db, AuditAction.SIGN_OUT, [visit.visit_id], count=1)
        return closed

    def reprint(self, visit_id: int) -> SignedIn:
        """The visit and a new badge code, to print its badge again; only for a visitor still
        on site (UnknownVisit otherwise). The new code replaces the old one in the same
        transaction as the reprint's audit entry, so the old badge (lost, or kept by someone
        else) no longer signs anyone out: scanned, it is an unknown badge."""
        with self._store.transaction() as db:
            visit = db.visits.get(visit_id)
            if visit is None or not visit.on_site:
                raise UnknownVisit(visit_id)
            code = new_badge_code()
            if not db.visits.replace_badge_code(visit_id, code):
                raise UnknownVisit(visit_id)
            self._audit.record(db, AuditAction.REPRINT, visit_ids=[visit_id])
        log.info("visit %d: badge reprint asked for, with a new code", visit_id)
        return SignedIn(visit, code)
