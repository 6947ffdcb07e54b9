"""The data subject's rights at reception (GDPR Art. 15-18, 21): find one person's visits
(access) and give them a copy, correct them (rectification), erase them (erasure), restrict
them and lift the restriction (restriction), and record an objection (objection).

A restricted visit is kept (retention and erasure delete it as any other) but used for nothing
but the visitor's own requests and the evacuation roll call (`kiosk.staff.roll_call`): it is
left out of the on-site list, `present` and the exports. An objection restricts the visits and
marks them with its date until staff decide it: they erase the visits, or lift the restriction
when the grounds to keep them override the visitor's (which clears the mark).

Each action is recorded in the staff audit log, in the same transaction, with the visit ids
and a count or a field name, never a copy of the data. An erasure reaches every holder of
personal data (`kiosk.domain.ports.PersonalData`): the database, then the badge PDFs, the
saved roll calls and the backups."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Erasure, PersonalData, Repositories, Store
from kiosk.domain.visit import (
    CORRECTABLE_FIELDS,
    SignInForm,
    UnknownVisit,
    Visit,
    clean_form,
    normalise_text,
)
from kiosk.settings.files import atomic_write_bytes
from kiosk.staff.audit import AuditLog

log = logging.getLogger(__name__)

_BEGINNING = datetime.min.replace(tzinfo=UTC)


class RightsRequests:
    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        personal_data: PersonalData,
        *,
        controller: str,
        retention_days: int,
        who_sees_it: Callable[[str], str],
        default_language: str,
        clock: Clock = utc_now,
    ) -> None:
        """`who_sees_it`: the recipients as the notice in a language names them (the host
        too, when the kiosk tells hosts), for the visitor's copy of their data; the copy is in
        the language of the visitor's latest visit, else in `default_language` (the site's)."""
        self._store = store
        self._audit = audit
        self._personal_data = personal_data
        self._controller = controller
        self._retention_days = retention_days
        self._who_sees_it = who_sees_it
        self._default_language = default_language
        self._clock = clock

    def find(self, typed_name: str) -> list[Visit]:
        """Every visit, past and present, whose name is exactly `typed_name` after the same
        normalisation as sign-in, ignoring case; oldest first. Never a similar name or one
        that merely starts the same. Recorded as an access request (ids and count only)."""
        wanted = normalise_text(typed_name).casefold()
        if not wanted:
            return []
        with self._store.transaction() as db:
            found = db.visits.named(wanted)
            ids = [visit.visit_id for visit in found]
            self._audit.record(db, AuditAction.ACCESS_REQUEST, ids, count=len(found))
        log.info("rights: search found visits %s", ids)
        return found

    def copy(self, visits: list[Visit], kind: str, path: Path) -> Path:
        """The visitor's copy of their visits, as JSON (the export's records) or a readable
        PDF in the visitor's language (that of their latest visit), written to `path` (chosen
        by staff). Needs no database: any worker may run it."""
        from kiosk.documents.access_report import (
            access_report_json,
            render_access_report_pdf,
            report_language,
        )

        if kind == "json":
            data = access_report_json(visits).encode("utf-8")
        elif kind == "pdf":
            made_at = self._clock().astimezone()
            language = report_language(visits, self._default_language)
            data = render_access_report_pdf(
                visits,
                self._controller,
                made_at,
                self._retention_days,
                self._who_sees_it(language),
                language=language,
            )
        else:
            raise ValueError(f"unknown report kind {kind!r}")
        atomic_write_bytes(path, data)
        return path

    def correct(self, visit_id: int, field: str, new_value: str) -> Visit:
        """Change one field of a visit, checked and normalised as at sign-in.

        ValueError for a field that cannot be corrected, FieldError for a value that could
        not have been signed in with (nothing changes), UnknownVisit if the visit is gone.
        A value that is already stored changes nothing and is not recorded. The old value is
        overwritten in the database's files (`Store.forget_deleted`)."""
        if field not in CORRECTABLE_FIELDS:
            raise ValueError(f"not a field that can be corrected: {field!r}")
        with self._store.transaction() as db:
            current = db.visits.get(visit_id)
            if current is None:
                raise UnknownVisit(visit_id)
            form = SignInForm(current.visitor_name, current.company, current.host, current.purpose)
            cleaned = clean_form(dataclasses.replace(form, **{field: new_value}))
            value: str = getattr(cleaned, field)
            if value == getattr(current, field):
                return current
            corrected = (
                db.visits.get(visit_id) if db.visits.correct(visit_id, field, value) else None
            )
            if corrected is None:
                raise UnknownVisit(visit_id)
            self._audit.record(db, AuditAction.CORRECTION, [visit_id], field=field)
        self._store.forget_deleted()
        log.info("rights: visit %d corrected (%s)", visit_id, field)
        return corrected

    def erase(self, visit_ids: Iterable[int]) -> int:
        """Delete visits for real, everywhere they are held: in the database with their badge
        codes and audit links, then their badge PDFs, the saved roll calls that may list them
        and their copies in the backups. Returns how many visits were deleted (ids that are
        not stored are skipped).

        The erasure and its audit entry are one transaction: both happen or neither. The entry
        is written first, while the visits still exist, so its count covers them; its links to
        them then go with the visits."""
        wanted = sorted(set(visit_ids))
        if not wanted:
            return 0
        with self._store.transaction() as db:
            stored = [visit for visit_id in wanted if (visit := db.visits.get(visit_id))]
            ids = [visit.visit_id for visit in stored]
            deleted = 0
            if ids:
                self._audit.record(db, AuditAction.ERASURE, ids, count=len(ids))
                deleted = db.visits.delete(ids)
        if deleted:
            self._store.forget_deleted()
        # Every id asked for, so a retry after a crash before this point still reaches the
        # other holders (visit ids are never reused); with none stored, their times are
        # unknown, and every saved roll call may list them.
        earliest = min((visit.signed_in_at for visit in stored), default=_BEGINNING)
        self._personal_data.erase(Erasure(tuple(wanted), earliest))
        log.info("rights: %d visits erased: %s", deleted, ids)
        return deleted

    # -- restriction (Art. 18) and objection (Art. 21) ---------------------------------------

    def restrict(self, visit_ids: Iterable[int]) -> list[Visit]:
        """Restrict the processing of these visits from now: kept, and still found by `find`,
        but out of the on-site list, `present` and the exports; on the roll call only, marked.
        Returns the visits restricted now (those already restricted, or not stored, are left
        out); recorded in the audit log in the same transaction (ids and count)."""
        return self._change(
            visit_ids,
            lambda db, ids, now: db.visits.restrict(ids, now),
            AuditAction.RESTRICTION,
        )

    def lift_restriction(self, visit_ids: Iterable[int]) -> list[Visit]:
        """End the restriction of these visits, and any objection mark with it: they are back
        in the lists and the exports. Returns the visits that were restricted; recorded as
        `restrict` is."""
        return self._change(
            visit_ids,
            lambda db, ids, _now: db.visits.lift_restriction(ids),
            AuditAction.RESTRICTION_LIFTED,
        )

    def record_objection(self, visit_ids: Iterable[int]) -> list[Visit]:
        """An objection received now (Art. 21): the visits are marked with its date and
        restricted (if they were not already) until staff decide: erase them, or lift the
        restriction. Returns the visits marked now (those already under objection are left
        out); recorded as `restrict` is."""
        return self._change(
            visit_ids,
            lambda db, ids, now: db.visits.record_objection(ids, now),
            AuditAction.OBJECTION,
        )

    def _change(
        self,
        visit_ids: Iterable[int],
        change: Callable[[Repositories, list[int], datetime], list[int]],
        action: AuditAction,
    ) -> list[Visit]:
        """One change to visits and its audit entry, in one transaction: both or neither. No
        entry when nothing changed."""
        wanted = sorted(set(visit_ids))
        if not wanted:
            return []
        with self._store.transaction() as db:
            changed = change(db, wanted, self._clock())
            if not changed:
                return []
            self._audit.record(db, action, changed, count=len(changed))
            visits = [visit for visit_id in changed if (visit := db.visits.get(visit_id))]
        log.info("rights: %s on visits %s", action.value, changed)
        return visits
