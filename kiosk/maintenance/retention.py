"""Retention: visits older than `retention.visit_days` are deleted for real, by themselves.

One setting, one truth: the same `visit_days` is printed in the visitors' notice and drives
this cleanup. A visit's age counts from when it began (signed_in_at). Deleted with it: its
badge code and audit links (database cascade) and a badge PDF kept with `printer = "none"`.
Audit entries older than `retention.audit_days` go too, and roll calls saved more than a
day ago. Each cleanup that deleted anything leaves a row in `purges`: when, which rule, how
many; never what.

It runs at start-up, every hour while the kiosk runs, and on `visitor-kiosk purge`, in
chunks (`step`) so a large backlog never holds the database for long; `finish` then sweeps
files and empties the write-ahead log (secure_delete has already overwritten the rows in the
database file)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.domain.clock import Clock, to_db, utc_now
from kiosk.printing.reports import REPORT_KEEP_S, remove_old_reports
from kiosk.settings.config import RetentionConfig
from kiosk.staff.audit import AuditLog
from storage.files import leftovers
from storage.retention import RetentionStore

log = logging.getLogger(__name__)

# Visits per transaction: a sign-in waits behind one chunk at most (about 30 ms at 2,000 on
# a small PC, measured in make bench), and the total hardly depends on it.
CHUNK = 2000


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
        store: RetentionStore,
        audit: AuditLog,
        config: RetentionConfig,
        badge_dir: Path,
        report_dir: Path,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._audit = audit
        self._config = config
        self._badge_dir = badge_dir
        self._report_dir = report_dir
        self._clock = clock
        self._deleted = 0  # visits deleted by steps since the last finish

    @property
    def rule(self) -> str:
        return (
            f"visits older than {self._config.visit_days} days; "
            f"audit entries older than {self._config.audit_days} days"
        )

    def cutoff(self) -> datetime:
        return self._clock() - timedelta(days=self._config.visit_days)

    def plan(self) -> PurgeReport:
        """What a cleanup would delete now, as counts; deletes nothing."""
        cutoff = self.cutoff()
        files = (
            len(self._stale_badge_files(cutoff)) + len(self._old_reports()) + len(self._leftovers())
        )
        return PurgeReport(
            cutoff=cutoff,
            visits=self._store.count_before(to_db(cutoff)),
            audit_entries=self._audit.expired(self._config.audit_days),
            files=files,
            dry_run=True,
        )

    def step(self, cutoff: datetime, chunk: int = CHUNK) -> int:
        """Delete one chunk of expired visits (one transaction) and their badge PDFs;
        returns how many visits went (0: nothing left)."""
        ids = self._store.delete_chunk(to_db(cutoff), chunk)
        if ids:
            # Badge PDFs are kept only with printer = "none": look at the folder once rather
            # than try a file per visit.
            for visit_id in self._badge_ids().intersection(ids):
                (self._badge_dir / f"{visit_id}.pdf").unlink(missing_ok=True)
        self._deleted += len(ids)
        return len(ids)

    def _badge_ids(self) -> set[int]:
        try:
            names = os.listdir(self._badge_dir)
        except FileNotFoundError:
            return set()
        return {int(n[:-4]) for n in names if n.endswith(".pdf") and n[:-4].isdigit()}

    def finish(self, cutoff: datetime) -> PurgeReport:
        """After the chunks: audit entries, stray files, the write-ahead log, and the record
        of everything deleted since the last finish."""
        visits, self._deleted = self._deleted, 0
        audit_entries = self._audit.expire(self._config.audit_days)
        files = 0
        for path in self._stale_badge_files(cutoff):
            path.unlink(missing_ok=True)
            files += 1
        files += remove_old_reports(self._report_dir)
        for path in self._leftovers():
            path.unlink(missing_ok=True)
            files += 1
        report = PurgeReport(cutoff=cutoff, visits=visits, audit_entries=audit_entries, files=files)
        if report.anything:
            self._store.record(to_db(self._clock()), self.rule, visits, audit_entries, files)
            log.info(
                "retention cleanup: %d visits, %d audit entries, %d files deleted",
                visits,
                audit_entries,
                files,
            )
        self._store.checkpoint()
        return report

    def run(self, dry_run: bool = False, chunk: int = CHUNK) -> PurgeReport:
        """The whole cleanup now (or, with dry_run, what it would delete)."""
        if dry_run:
            return self.plan()
        cutoff = self.cutoff()
        while self.step(cutoff, chunk):
            pass
        return self.finish(cutoff)

    def _stale_badge_files(self, cutoff: datetime) -> list[Path]:
        """Badge PDFs whose visit has expired or is no longer stored (after a cleanup that
        stopped before removing its files, or an erasure)."""
        if not self._badge_dir.is_dir():
            return []
        by_id = {
            int(path.stem): path for path in self._badge_dir.glob("*.pdf") if path.stem.isdigit()
        }
        kept = self._store.kept(sorted(by_id), to_db(cutoff))
        return [path for visit_id, path in sorted(by_id.items()) if visit_id not in kept]

    def _leftovers(self) -> list[Path]:
        """What an interrupted badge or report write left behind: it holds a name too."""
        return leftovers(self._badge_dir) + leftovers(self._report_dir)

    def _old_reports(self) -> list[Path]:
        if not self._report_dir.is_dir():
            return []
        limit = self._clock().timestamp() - REPORT_KEEP_S
        return [p for p in self._report_dir.glob("*.pdf") if p.stat().st_mtime < limit]
