"""The data subject's rights at reception (GDPR Art. 15-17): find one person's visits (access),
correct them (rectification) and erase them (erasure).

Each action is recorded in the staff audit log with the visit ids and a count or a field name,
never a copy of the data. Staff use this on the staff screen; it runs on the database worker
like every other service (the store's connection belongs to that thread).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

from kiosk.domain.visit import SignInForm, Visit, clean_form, normalise_text
from kiosk.staff.audit import AuditAction, AuditLog
from kiosk.visits.service import UnknownVisit, visit_from_row
from storage.database import transaction
from storage.rights import CORRECTABLE_FIELDS, RightsStore

log = logging.getLogger(__name__)

__all__ = ["CORRECTABLE_FIELDS", "RightsService"]


class RightsService:
    def __init__(self, store: RightsStore, audit: AuditLog, badge_dir: Path) -> None:
        self._store = store
        self._audit = audit
        self._badge_dir = badge_dir

    def find(self, typed_name: str) -> list[Visit]:
        """Every visit, past and present, whose name is exactly `typed_name` after the same
        normalisation as sign-in, ignoring case; oldest first. Never a similar name or one
        that merely starts the same. Recorded as an access request (ids and count only)."""
        wanted = normalise_text(typed_name).casefold()
        if not wanted:
            return []
        found = [visit_from_row(row) for row in self._store.visits_named(wanted)]
        ids = [visit.visit_id for visit in found]
        self._audit.record(AuditAction.ACCESS_REQUEST, f"search: {len(found)} visits", ids)
        log.info("rights: search found visits %s", ids)
        return found

    def correct(self, visit_id: int, field: str, new_value: str) -> Visit:
        """Change one field of a visit, checked and normalised as at sign-in.

        ValueError for a field that cannot be corrected, FieldError for a value that could
        not have been signed in with (nothing changes), UnknownVisit if the visit is gone.
        A value that is already stored changes nothing and is not recorded."""
        if field not in CORRECTABLE_FIELDS:
            raise ValueError(f"not a field that can be corrected: {field!r}")
        current = self._get(visit_id)
        form = SignInForm(current.visitor_name, current.company, current.host, current.purpose)
        cleaned = clean_form(dataclasses.replace(form, **{field: new_value}))
        value: str = getattr(cleaned, field)
        if value == getattr(current, field):
            return current
        if not self._store.update_field(visit_id, field, value):
            raise UnknownVisit(visit_id)
        self._audit.record(AuditAction.CORRECTION, f"field: {field}", [visit_id])
        log.info("rights: visit %d corrected (%s)", visit_id, field)
        return self._get(visit_id)

    def erase(self, visit_ids: Iterable[int]) -> int:
        """Delete visits for real, with their badge codes, audit links and badge PDFs.
        Returns how many visits were deleted (ids that are not stored are skipped).

        The erasure and its audit entry are one transaction: both happen or neither. The entry
        is written first, while the visits still exist, so its count covers them; its links to
        them then go with the visits. The write-ahead log is emptied afterwards."""
        wanted = sorted(set(visit_ids))
        with transaction(self._store.db):
            stored = self._store.existing(wanted)
            deleted = 0
            if stored:
                self._audit.record(AuditAction.ERASURE, f"{len(stored)} visits erased", stored)
                deleted = self._store.delete_visits(stored)
        if deleted:
            self._store.checkpoint()
        # Every id asked for, so a retry after a crash before this point still removes the
        # files (visit ids are never reused: AUTOINCREMENT).
        for visit_id in wanted:
            self._badge_pdf(visit_id).unlink(missing_ok=True)
        log.info("rights: %d visits erased: %s", deleted, stored)
        return deleted

    def _badge_pdf(self, visit_id: int) -> Path:
        # The name BadgeService.pdf_path gives a kept badge.
        return self._badge_dir / f"{visit_id}.pdf"

    def _get(self, visit_id: int) -> Visit:
        row = self._store.get(visit_id)
        if row is None:
            raise UnknownVisit(visit_id)
        return visit_from_row(row)
