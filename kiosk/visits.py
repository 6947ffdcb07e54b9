"""Signing visitors in and out, and who is on site now."""

from __future__ import annotations

import logging

from kiosk.clock import Clock, from_db, to_db, utc_now
from kiosk.domain import SignInForm, SignOutMethod, Visit, clean_form
from kiosk.notice import Notice
from storage.visits import VisitRow, VisitStore

log = logging.getLogger(__name__)


class UnknownVisit(LookupError):
    """No open visit with that id (never existed, already signed out, or purged)."""


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
        )
        log.info("visit %d signed in (language %s)", visit_id, notice.language)
        return self.get(visit_id)

    def sign_out(self, visit_id: int, method: SignOutMethod) -> Visit:
        if not self._store.close_visit(visit_id, to_db(self._clock()), method.value):
            raise UnknownVisit(visit_id)
        log.info("visit %d signed out (%s)", visit_id, method.value)
        return self.get(visit_id)

    def get(self, visit_id: int) -> Visit:
        row = self._store.get(visit_id)
        if row is None:
            raise UnknownVisit(visit_id)
        return visit_from_row(row)

    def present_visitors(self) -> list[Visit]:
        """Everyone signed in and not yet signed out, earliest arrival first."""
        return [visit_from_row(row) for row in self._store.on_site()]
