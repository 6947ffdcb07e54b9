"""The staff audit log: who did what at the staff screen (and with the command line's staff
commands), when, and to which visits. Each operation writes its entry in its own transaction,
so the entry and what it records happen together or not at all. An entry holds visit ids and
counts, never a copy of visitor data: a name, company or host never goes into `detail`.

Actions: login, failed-login, lock-out, logout, pin-set, sign-out, reprint, export,
evacuation, access-request, correction, erasure, restriction, restriction-lifted, objection.
Entries have their own retention (`retention.audit_days`).

An entry keeps what its detail is made of (`params`: counts, a field's name, dates, a format) and
is worded for each reader by `worded_action` and `worded_detail` from the catalogs' `audit.`
texts; its stored `detail` is the English wording, for the audit log's export."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from kiosk.domain.audit import AuditAction, AuditEntry, AuditParams
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Repositories, Store
from kiosk.settings.i18n import REFERENCE_LANGUAGE, Catalog, catalog

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
        visit_ids: Iterable[int] = (),
        **params: str | int,
    ) -> int:
        """Write one entry in the caller's transaction. `params` fill in the action's detail
        (`audit.detail.<action>`) and must hold no personal data (counts, field names, dates)."""
        detail = worded_detail(catalog(REFERENCE_LANGUAGE), action, params)
        audit_id = db.audit.add(self._clock(), action, detail, visit_ids, self._kiosk_id, params)
        log.info("audit %d: %s", audit_id, action.value)
        return audit_id

    def entries(self, limit: int | None = 500) -> list[AuditEntry]:
        """The newest entries first."""
        with self._store.reading() as db:
            return db.audit.entries(limit=limit)


def worded_action(words: Catalog, action: AuditAction) -> str:
    """The action in the reader's language ("Failed login", "Mislukte inlogpoging")."""
    return words.text(f"audit.action.{action.value}")


def worded_detail(words: Catalog, action: AuditAction, params: AuditParams) -> str:
    """The detail of an entry of `action` with `params` in the reader's language; "" for an
    action without one."""
    key = f"audit.detail.{action.value}"
    if key not in words.messages:
        return ""
    values = dict(params)
    # One of a thing in its own words ("1 visit found", "Wrong PIN"), where the catalog has them.
    if values.get("count") == 1 and f"{key}_one" in words.messages:
        key = f"{key}_one"
    if "field" in values:
        values["field"] = words.text(f"field.{values['field']}")
    if "what" in values:
        values["what"] = words.text(f"audit.export.{values['what']}")
    for end in ("first", "last"):
        if end in values:
            day = date.fromisoformat(str(values[end]))
            # Four-digit years always (C's %Y gives "1" for the year 1).
            values[end] = day.strftime(words.text("format.date").replace("%Y", f"{day.year:04d}"))
    return words.text(key, **values)


def entry_detail(words: Catalog, entry: AuditEntry) -> str:
    """An entry's detail for a reader of `words`: worded from its params, or, for an entry
    made before entries kept them, the stored (English) text."""
    if not entry.params:
        return entry.detail
    return worded_detail(words, entry.action, entry.params)
