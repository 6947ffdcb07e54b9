"""Signing visitors in and out (at the kiosk, by badge or by name; automatically at night), and
who is on site now: the operations the visitor screens, the staff list and `present` call.

Signing out by name tells the kiosk only whether none, one or several open visits are under
exactly the name typed (`match_name`), and signs out only the one (`sign_out_named`), so the
screen never holds anything of a visit it does not show.

Each operation is one transaction on the store. A committed sign-in emits `visit_signed_in`,
to which badge printing (and whatever else is wired in the composition root) subscribes."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta

from kiosk.domain.badge_code import new_badge_code, read_badge_code
from kiosk.domain.clock import Clock, first_local_time_after, last_local_time_up_to, utc_now
from kiosk.domain.events import Hook, VisitSignedIn
from kiosk.domain.outbox import NO_NOTIFICATIONS, Notifications
from kiosk.domain.ports import Repositories, Store
from kiosk.domain.visit import (
    BadgeAlreadyUsed,
    NameMatch,
    NewVisit,
    NoVisitNamed,
    OnSite,
    SeveralVisitsNamed,
    SignedIn,
    SignedOut,
    SignInForm,
    SignOutMethod,
    UnknownBadge,
    UnknownVisit,
    Visit,
    clean_form,
    normalise_text,
)
from kiosk.visits.notice import Notice

log = logging.getLogger(__name__)

# The staff list shows at most this many rows: more than that is for the search to narrow
# (everyone is on the roll call).
SEARCH_LIMIT = 500
LOGGED_IDS = 20  # visit ids in one log line at most
# The auto sign-out's turn on a shared database: the kiosk that holds it renews it with each
# minutely run; another takes over once it has run out.
AUTO_SIGN_OUT = "auto-sign-out"
AUTO_SIGN_OUT_TURN = timedelta(minutes=5)


def sign_out(db: Repositories, visit_id: int, at: datetime, method: SignOutMethod) -> Visit:
    """Sign an open visit out, inside the caller's transaction. A wall clock set back since the
    sign-in never makes a negative visit: the sign-out is then recorded at the sign-in time.
    UnknownVisit if it is not open."""
    visit = db.visits.get(visit_id)
    if visit is None or not visit.on_site:
        raise UnknownVisit(visit_id)
    signed_out = max(at, visit.signed_in_at)
    if not db.visits.close(visit_id, signed_out, method):
        raise UnknownVisit(visit_id)
    log.info("visit %d signed out (%s)", visit_id, method.value)
    return dataclasses.replace(visit, signed_out_at=signed_out, sign_out_method=method)


def open_visit_for_badge(db: Repositories, typed: str) -> Visit:
    """The open visit whose badge code was scanned; UnknownBadge or BadgeAlreadyUsed."""
    code = read_badge_code(typed)
    visit = db.visits.by_badge(code) if code else None
    if visit is None:
        log.info("a badge code that matches no visit was scanned")
        raise UnknownBadge()
    if not visit.on_site:
        log.info("visit %d: its badge was scanned again after sign-out", visit.visit_id)
        raise BadgeAlreadyUsed(visit)
    return visit


def open_visits_named(db: Repositories, typed_name: str) -> list[int]:
    """The ids of the open visits under exactly `typed_name`, after the same normalisation as
    sign-in and ignoring case (part of a name finds nothing), earliest arrival first. Restricted
    visits too: a visitor signs themself out whatever staff recorded, so the roll call does not
    look for someone who has left."""
    wanted = normalise_text(typed_name).casefold()
    if not wanted:
        return []
    return [visit.visit_id for visit in db.visits.named(wanted, on_site=True)]


def badge_code_of(db: Repositories, visit_id: int) -> str | None:
    """The visit's badge code, inside the caller's transaction; a visit made without one (demo
    data) gets one now. None if there is no such visit."""
    return db.visits.badge_code(visit_id) or db.visits.give_badge_code(visit_id, new_badge_code())


class Visits:
    def __init__(
        self,
        store: Store,
        signed_in: Hook[VisitSignedIn],
        kiosk_id: str,
        *,
        auto_sign_out_at: time | None = None,
        clock: Clock = utc_now,
        notifications: Callable[[Visit], Notifications] = lambda _visit: NO_NOTIFICATIONS,
    ) -> None:
        """`notifications` says which messages a sign-in sends (the host notification's, wired
        in the composition root); they are written with the visit, in its transaction."""
        self._store = store
        self._notifications = notifications
        self._signed_in = signed_in
        self._kiosk_id = kiosk_id
        self._auto_sign_out_at = auto_sign_out_at
        self._clock = clock

    # -- at the kiosk --------------------------------------------------------------------------
    def sign_in(self, form: SignInForm, notice: Notice) -> SignedIn:
        """Record a visit after the visitor was shown `notice`, with the code for its badge.
        FieldError for input that cannot be stored; returns once the visit is committed to
        disk, with the messages that tell of it in the outbox, and only then tells the
        subscribers of `visit_signed_in`."""
        cleaned = clean_form(form)
        code = new_badge_code()
        new = NewVisit(
            visitor_name=cleaned.visitor_name,
            company=cleaned.company,
            host=cleaned.host,
            purpose=cleaned.purpose,
            signed_in_at=self._clock(),
            language=notice.language,
            notice_version=notice.version,
            kiosk_id=self._kiosk_id,
        )
        with self._store.transaction() as db:
            visit = db.visits.add(new, notice.stored, code)
            told = self._notifications(visit)
            for message in told.messages:
                db.outbox.add(message)
            if told.host_notice is not None:
                db.visits.set_host_notice(visit.visit_id, told.host_notice)
        log.info(
            "visit %d signed in (language %s, %d message(s) to send)",
            visit.visit_id,
            notice.language,
            len(told.messages),
        )
        self._signed_in.emit(VisitSignedIn(visit, code))
        return SignedIn(visit, code)

    def sign_out_by_badge(self, typed: str) -> Visit:
        """Sign out the visit whose badge was scanned at the kiosk. UnknownBadge or
        BadgeAlreadyUsed change nothing."""
        with self._store.transaction() as db:
            visit = open_visit_for_badge(db, typed)
            return sign_out(db, visit.visit_id, self._clock(), SignOutMethod.KIOSK)

    def sign_out(self, visit_id: int) -> Visit:
        """Sign out one open visit by its id, as at the kiosk (method `kiosk`). UnknownVisit if
        it is not open. The visitor screens sign out by badge or by name, never by id."""
        with self._store.transaction() as db:
            return sign_out(db, visit_id, self._clock(), SignOutMethod.KIOSK)

    def match_name(self, typed_name: str) -> NameMatch:
        """Whether none, one or several open visits are under exactly `typed_name` (see
        `open_visits_named`), and nothing more about them: a visitor without their badge is
        asked to confirm one, and sent to reception for several."""
        with self._store.reading() as db:
            found = len(open_visits_named(db, typed_name))
        if found == 0:
            return NameMatch.NONE
        return NameMatch.ONE if found == 1 else NameMatch.SEVERAL

    def sign_out_named(self, typed_name: str) -> SignedOut:
        """Sign out the one open visit under exactly `typed_name`, once the visitor has
        confirmed it is theirs. The name is looked up again in the same transaction, so a visit
        signed out or in meanwhile changes the answer: NoVisitNamed or SeveralVisitsNamed then,
        and nothing changes."""
        with self._store.transaction() as db:
            found = open_visits_named(db, typed_name)
            if not found:
                log.info("sign-out by name: no open visit under that name")
                raise NoVisitNamed()
            if len(found) > 1:
                log.info("sign-out by name: %d open visits under that name", len(found))
                raise SeveralVisitsNamed()
            visit = sign_out(db, found[0], self._clock(), SignOutMethod.KIOSK)
        return SignedOut(visit.visit_id, visit.visitor_name, visit.language)

    # -- who is on site ------------------------------------------------------------------------
    def present(self) -> list[Visit]:
        """Everyone signed in and not yet signed out, earliest arrival first; not the visits
        whose processing is restricted (only the roll call has them)."""
        with self._store.reading() as db:
            return db.visits.on_site()

    def search_present(self, typed: str, limit: int = SEARCH_LIMIT) -> list[OnSite]:
        """Who is on site (restricted visits left out), filtered as staff type: every word must
        appear (ignoring case, with Unicode case folding) in the name, company or host. Empty
        text gives everyone, up to `limit` rows, earliest arrival first (ask for limit + 1 to
        learn there are more)."""
        words = normalise_text(typed).casefold().split()
        with self._store.reading() as db:
            return db.visits.search_on_site(words, limit)

    def get(self, visit_id: int) -> Visit:
        with self._store.reading() as db:
            visit = db.visits.get(visit_id)
        if visit is None:
            raise UnknownVisit(visit_id)
        return visit

    def badge_code(self, visit_id: int) -> str:
        """The code for the visit's badge (visits made without one, such as demo data, get
        one now). UnknownVisit if there is no such visit."""
        with self._store.transaction() as db:
            code = badge_code_of(db, visit_id)
        if code is None:
            raise UnknownVisit(visit_id)
        return code

    # -- at night ------------------------------------------------------------------------------
    def auto_sign_out(self, at: time | None = None) -> int:
        """Close every visit that was still open at the local time of day `at` (by default
        `kiosk.auto_sign_out`; none if that is off) since it began, each at that moment (not
        at the time this runs), so a kiosk that was off overnight still records the right
        time. Runs at start-up and every minute. Returns how many were closed."""
        at = at or self._auto_sign_out_at
        if at is None:
            return 0
        now = self._clock()
        # A visit is due exactly when it began before the latest `at` up to now: only those
        # are read, so the minutely run costs next to nothing when nobody is due. Restricted
        # visits close too, or the roll call would list them for ever.
        latest = last_local_time_up_to(now, at)
        with self._store.transaction() as db:
            # On a shared database one kiosk does it (the others skip while its turn runs).
            if not db.leases.claim(AUTO_SIGN_OUT, self._kiosk_id, now, now + AUTO_SIGN_OUT_TURN):
                return 0
            closing = [
                (visit.visit_id, first_local_time_after(visit.signed_in_at, at))
                for visit in db.visits.on_site(signed_in_before=latest, with_restricted=True)
            ]
            if not closing:
                return 0
            closed = db.visits.close_many(closing, SignOutMethod.AUTO)
        ids = [visit_id for visit_id, _ in closing]
        # The first ids, to trace them by; a conference's 30,000 would make one 240 KB line.
        more = f" and {len(ids) - LOGGED_IDS} more" if len(ids) > LOGGED_IDS else ""
        log.info("auto sign-out closed %d visit(s): %s%s", closed, ids[:LOGGED_IDS], more)
        return closed
