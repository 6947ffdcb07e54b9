"""The staff audit log: who did what at the staff screen (and with the command line's staff
commands), when, and to which visits. Each operation writes its entry in its own transaction,
so the entry and what it records happen together or not at all. An entry holds visit ids and
counts, never a copy of visitor data: a name, company or host never goes into `detail`.

Actions: login, failed-login, lock-out, logout, pin-set, sign-out, reprint, export,
evacuation, access-request, correction, erasure, restriction, restriction-lifted, objection.
Entries have their own retention (`retention.audit_days`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kiosk.domain.audit import AuditAction, AuditEntry
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Repositories, Store

log = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, store: Store, kiosk_id: str, clock: Clock = utc_now) -> None:
        self._store = store
        self._kiosk_id = kiosk_id
        self._clock = clock

    def record(
        self,
        db: Repositories,
        action: AuditAction,
        detail: str = "",
        visit_ids: Iterable[int] = (),
    ) -> int:
        """Write one entry in the caller's transaction. `detail` must hold no personal data
        (ranges, counts, field names)."""
        audit_id = db.audit.add(self._clock(), action, detail, visit_ids, self._kiosk_id)
        log.info("audit %d: %s", audit_id, action.value)
        return audit_id

    def entries(self, limit: int | None = 500) -> list[AuditEntry]:
        """The newest entries first."""
        with self._store.reading() as db:
            return db.audit.entries(limit=limit)
