"""Signing visitors in and out (at the kiosk, by badge or by name; by staff; automatically at
night), and who is on site now."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import NamedTuple

from kiosk.domain.badge_code import new_badge_code, read_badge_code
from kiosk.domain.clock import (
    Clock,
    first_local_time_after,
    from_db,
    last_local_time_up_to,
    to_db,
    utc_now,
)
from kiosk.domain.errors import Refusal
from kiosk.domain.visit import SignInForm, SignOutMethod, Visit, clean_form, normalise_text
from kiosk.visits.notice import Notice
from storage.visits import VisitRow, VisitStore

log = logging.getLogger(__name__)


# The staff list shows at most this many rows: more than that is for the search to narrow
# (everyone is on the roll call).
SEARCH_LIMIT = 500


class OnSite(NamedTuple):
    """A row of the staff screen's on-site list."""

    visit_id: int
    visitor_name: str
    company: str
    host: str
    signed_in_text: str  # as stored (UTC)

    @property
    def signed_in_at(self) -> datetime:
        return from_db(self.signed_in_text)


class UnknownVisit(LookupError, Refusal):
    """No open visit with that id (never existed, already signed out, or purged)."""


class UnknownBadge(LookupError, Refusal):
    """A scanned code that belongs to no visit: not one of ours, mistyped, or purged."""


class BadgeAlreadyUsed(LookupError, Refusal):
    """A scanned badge whose visit is already signed out."""

    def __init__(self, visit: Visit) -> None:
        super().__init__(visit.visit_id)
        self.visit = visit


def visit_from_row(row: VisitRow) -> Visit:
    (visit_id, name, company, host, purpose, signed_in, signed_out, method, lang, notice, kiosk) = (
        row
    )
    return Visit(
        visit_id=visit_id,
        visitor_name=name,
        company=company,
        host=host,
        purpose=purpose,
        signed_in_at=from_db(signed_in),
        signed_out_at=from_db(signed_out) if signed_out else None,
        sign_out_method=SignOutMethod(method) if method else None,
        language=lang,
        notice_version=notice,
        kiosk_id=kiosk,
    )


class VisitService:
    def __init__(self, store: VisitStore, kiosk_id: str, clock: Clock = utc_now) -> None:
        self._store = store
        self._kiosk_id = kiosk_id
        self._clock = clock

    def sign_in(self, form: SignInForm, notice: Notice) -> Visit:
        """Record a visit after the visitor was shown `notice`. Raises FieldError for input
        that cannot be stored; returns once the visit is committed to disk."""
        cleaned = clean_form(form)
        now = to_db(self._clock())
        visit_id = self._store.add_visit(
            {
                "visitor_name": cleaned.visitor_name,
                "company": cleaned.company,
                "host": cleaned.host,
                "purpose": cleaned.purpose,
                "signed_in_at": now,
                "signed_out_at": None,
                "sign_out_method": None,
                "language": notice.language,
                "notice_version": notice.version,
                "kiosk_id": self._kiosk_id,
            },
            notice_text=notice.text,
            badge_token=new_badge_code(),
        )
        log.info("visit %d signed in (language %s)", visit_id, notice.language)
        return self.get(visit_id)

    def sign_out(self, visit_id: int, method: SignOutMethod) -> Visit:
        if not self._store.close_visit(visit_id, to_db(self._clock()), method.value):
            raise UnknownVisit(visit_id)
        log.info("visit %d signed out (%s)", visit_id, method.value)
        return self.get(visit_id)

    def sign_out_by_badge(self, typed: str, method: SignOutMethod = SignOutMethod.KIOSK) -> Visit:
        """Sign out the visit whose badge code was scanned (at the kiosk, or by reception with
        `method` staff). UnknownBadge or BadgeAlreadyUsed change nothing."""
        code = read_badge_code(typed)
        row = self._store.visit_for_badge(code) if code else None
        if row is None:
            log.info("a badge code that matches no visit was scanned")
            raise UnknownBadge()
        visit = visit_from_row(row)
        if not visit.on_site:
            log.info("visit %d: its badge was scanned again after sign-out", visit.visit_id)
            raise BadgeAlreadyUsed(visit)
        try:
            return self.sign_out(visit.visit_id, method)
        except UnknownVisit:
            # Signed out by someone else between the read and the write.
            raise BadgeAlreadyUsed(self.get(visit.visit_id)) from None

    def on_site_named(self, typed_name: str) -> list[Visit]:
        """Open visits whose name is exactly `typed_name` (after the same normalisation as
        sign-in, ignoring case): a visitor without their badge picks their own visit from
        these, and never sees anyone else's."""
        wanted = normalise_text(typed_name).casefold()
        if not wanted:
            return []
        return [
            visit for visit in self.present_visitors() if visit.visitor_name.casefold() == wanted
        ]

    def search_present(self, typed: str, limit: int = SEARCH_LIMIT) -> list[OnSite]:
        """Who is on site, filtered as staff type: every word must appear (ignoring case, with
        Unicode case folding) in the name, company or host. Empty text gives everyone, up to
        `limit` rows, earliest arrival first (ask for limit + 1 to learn there are more).
        Runs on every keystroke, so it reads only the open visits' index and the columns the
        list shows, and parses times only for the rows on screen."""
        words = normalise_text(typed).casefold().split()
        return [OnSite._make(row) for row in self._store.search_on_site(words, limit)]

    def badge_code(self, visit_id: int) -> str:
        """The code for the visit's badge (visits made without one, such as demo data, get
        one now)."""
        existing = self._store.badge_token(visit_id)
        if existing is not None:
            return existing
        try:
            return self._store.give_badge_token(visit_id, new_badge_code())
        except LookupError:
            raise UnknownVisit(visit_id) from None

    def badge_for_reprint(self, visit_id: int) -> tuple[Visit, str]:
        """The visit and its badge code, to print the badge again. Only for a visitor still
        on site: UnknownVisit otherwise."""
        visit = self.get(visit_id)
        if not visit.on_site:
            raise UnknownVisit(visit_id)
        log.info("visit %d: badge reprint asked for", visit_id)
        return visit, self.badge_code(visit_id)

    def auto_sign_out(self, at: time) -> int:
        """Close every visit that was still open at the local time of day `at` since it
        began, each at that moment (not at the time this runs), so a kiosk that was off
        overnight still records the right time. Returns how many were closed."""
        now = self._clock()
        # A visit is due exactly when it began before the latest `at` up to now: only those
        # are read, so the minutely run costs next to nothing when nobody is due.
        latest = last_local_time_up_to(now, at)
        closing = []
        for row in self._store.on_site(signed_in_before=to_db(latest)):
            visit = visit_from_row(row)
            moment = first_local_time_after(visit.signed_in_at, at)
            if moment <= now:  # always, by the rule above
                closing.append((visit.visit_id, to_db(moment)))
        if not closing:
            return 0
        closed = self._store.close_visits(closing, SignOutMethod.AUTO.value)
        log.info("auto sign-out closed %d visit(s): %s", closed, [v for v, _ in closing])
        return closed

    def valid_until(self, visit: Visit, at: time | None) -> datetime | None:
        """When the visit's badge stops being valid: its auto sign-out moment."""
        return None if at is None else first_local_time_after(visit.signed_in_at, at)

    def get(self, visit_id: int) -> Visit:
        row = self._store.get(visit_id)
        if row is None:
            raise UnknownVisit(visit_id)
        return visit_from_row(row)

    def present_visitors(self) -> list[Visit]:
        """Everyone signed in and not yet signed out, earliest arrival first."""
        return [visit_from_row(row) for row in self._store.on_site()]
