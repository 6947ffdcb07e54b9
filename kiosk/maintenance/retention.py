"""Retention: visits older than `retention.visit_days` are deleted for real, by themselves,
from every place that holds them (`kiosk.domain.ports.PersonalData`).

One setting, one truth: the same `visit_days` is printed in the visitors' notice and drives
this cleanup. A visit's age counts from when it began (signed_in_at). Deleted with it: its
badge code and audit links (they go with the visit), a badge PDF kept with `printer = "none"`,
and its copies in the backups. Audit entries older than `retention.audit_days` go too, and
roll calls saved more than a day ago. Each cleanup that deleted anything leaves a record in
`purges`: when, which rule, how many; never what.

It runs at start-up, every hour while the kiosk runs, and on `visitor-kiosk purge`, in chunks
(`step`) so a large backlog never holds the database for long; `finish` then expires every
other holder and makes the engine forget what was deleted (`Store.forget_deleted`). On a
database that several kiosks share, one of them does it: the kiosk that holds the turn
(`take_turn`, a lease in the database that it renews each hour), the others skip it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Expiry, PersonalData, PurgeRecord, Store
from kiosk.settings.config import RetentionConfig
from kiosk.settings.memory import release_freed_memory

log = logging.getLogger(__name__)

# Visits per transaction: a sign-in waits behind one chunk at most (measured in make bench),
# and the total hardly depends on it.
CHUNK = 2000
# The cleanup's turn: renewed by each hourly run of the kiosk that holds it; another kiosk
# takes over once it has run out (the holder stopped).
TURN = timedelta(hours=2)
JOB = "retention"


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime  # visits that signed in before this are (or would be) gone
    visits: int
    audit_entries: int
    files: int
    dry_run: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.visits or self.audit_entries or self.files)


class Retention:
    def __init__(
        self,
        store: Store,
        personal_data: PersonalData,
        config: RetentionConfig,
        clock: Clock = utc_now,
        *,
        kiosk_id: str = "",
    ) -> None:
        self._kiosk_id = kiosk_id
        self._store = store
        self._personal_data = personal_data
        self._config = config
        self._clock = clock
        self._deleted = 0  # visits deleted by steps since the last finish

    @property
    def rule(self) -> str:
        return (
            f"visits older than {self._config.visit_days} days; "
            f"audit entries older than {self._config.audit_days} days"
        )

    def expiry(self) -> Expiry:
        """What the rules say has expired, now."""
        now = self._clock()
        visits_before = now - timedelta(days=self._config.visit_days)

        def kept_visits(visit_ids: Sequence[int]) -> set[int]:
            with self._store.reading() as db:
                return db.visits.kept(visit_ids, visits_before)

        return Expiry(
            now=now,
            visits_before=visits_before,
            audit_before=now - timedelta(days=self._config.audit_days),
            kept_visits=kept_visits,
        )

    def take_turn(self) -> bool:
        """Whether this kiosk does the cleanup now: it holds (or takes, or renews) the turn. On
        SQLite, always; on a shared database, one kiosk at a time."""
        now = self._clock()
        with self._store.transaction() as db:
            mine = db.leases.claim(JOB, self._kiosk_id, now, now + TURN)
        if not mine:
            log.info("retention cleanup skipped: another kiosk does it")
        return mine

    def expire_local(self) -> int:
        """What a kiosk without the turn still does each hour: its own files (badge PDFs,
        saved roll calls) past retention, or of visits no longer in the database (erased at
        another kiosk, or purged by the turn's holder). Returns how many went."""
        files = self._personal_data.expire(self.expiry())
        if files:
            log.info("retention cleanup: %d of this kiosk's files deleted", files)
        return files

    def plan(self) -> PurgeReport:
        """What a cleanup would delete now, as counts; deletes nothing."""
        expiry = self.expiry()
        with self._store.reading() as db:
            visits = db.visits.count_signed_in_before(expiry.visits_before)
            entries = db.audit.count_before(expiry.audit_before)
        files = self._personal_data.expire(expiry, dry_run=True)
        return PurgeReport(expiry.visits_before, visits, entries, files, dry_run=True)

    def step(self, expiry: Expiry, chunk: int = CHUNK) -> int:
        """Delete one chunk of expired visits (one transaction); returns how many went
        (0: none left)."""
        with self._store.transaction() as db:
            ids = db.visits.delete_signed_in_before(expiry.visits_before, chunk)
        self._deleted += len(ids)
        return len(ids)

    def finish(self, expiry: Expiry) -> PurgeReport:
        """After the chunks: expired audit entries, every other holder of personal data (badge
        PDFs, saved roll calls, backups), the record of everything deleted since the last
        finish, and the engine's own forgetting of what was deleted."""
        visits, self._deleted = self._deleted, 0
        with self._store.transaction() as db:
            audit_entries = db.audit.delete_before(expiry.audit_before)
        if audit_entries:
            days = self._config.audit_days
            log.info("%d audit entries older than %d days deleted", audit_entries, days)
        files = self._personal_data.expire(expiry)
        report = PurgeReport(expiry.visits_before, visits, audit_entries, files)
        if report.anything:
            record = PurgeRecord(self._clock(), self.rule, visits, audit_entries, files)
            with self._store.transaction() as db:
                db.purges.record(record)
            log.info(
                "retention cleanup: %d visits, %d audit entries, %d files deleted",
                visits,
                audit_entries,
                files,
            )
        self._store.forget_deleted()
        release_freed_memory()  # what the chunks' deletions went through
        return report

    def run(self, dry_run: bool = False, chunk: int | None = None) -> PurgeReport:
        """The whole cleanup now (or, with dry_run, what it would delete), in chunks of the
        store's size unless told otherwise."""
        if dry_run:
            return self.plan()
        chunk = chunk or self._store.purge_chunk
        expiry = self.expiry()
        while self.step(expiry, chunk):
            pass
        return self.finish(expiry)
