"""The kiosk's own upkeep while it runs: the auto sign-out every minute, and the retention
cleanup every hour. The cleanup deletes a chunk of expired visits per job of the database
worker, so sign-ins and scans get the database in between; the rest (the other holders of
personal data, the backups) then runs on an upkeep worker of its own, beside the database
worker."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from kiosk.domain.ports import Backups, Expiry
from kiosk.maintenance.retention import PurgeReport, Retention
from ui.tasks import Worker

log = logging.getLogger(__name__)

# How often the auto sign-out looks for visits past their time (it is idempotent, and a
# short period means a jump of the wall clock is caught within a minute).
MAINTENANCE_INTERVAL_MS = 60_000
# The retention cleanup: at start-up, then hourly.
PURGE_INTERVAL_MS = 3_600_000


class Maintenance(QObject):
    def __init__(
        self,
        worker: Worker,
        upkeep: Worker,
        *,
        auto_sign_out: Callable[[], int],
        retention: Retention,
        backups: Backups,
    ) -> None:
        super().__init__()
        self._worker = worker
        self._upkeep = upkeep
        self._auto_sign_out = auto_sign_out
        self._retention = retention
        self._backups = backups
        self._purging: Expiry | None = None  # the cleanup under way, if one
        self._asking = False  # whether this kiosk's turn is being asked for
        self._finishing = False  # it has left the database worker for the upkeep worker

        # Visits left open from before are closed now, then once a minute.
        self.sign_out_timer = QTimer(self)
        self.sign_out_timer.setObjectName("maintenanceTimer")
        self.sign_out_timer.setInterval(MAINTENANCE_INTERVAL_MS)
        self.sign_out_timer.timeout.connect(self.run_auto_sign_out)
        self.purge_timer = QTimer(self)
        self.purge_timer.setObjectName("purgeTimer")
        self.purge_timer.setInterval(PURGE_INTERVAL_MS)
        self.purge_timer.timeout.connect(self.run_purge)

    def start(self) -> None:
        self.sign_out_timer.start()
        self.run_auto_sign_out()
        self.purge_timer.start()
        self.run_purge()

    @property
    def purging(self) -> bool:
        """A retention cleanup is under way (or this kiosk is asking whether it is its turn)."""
        return self._asking or self._purging is not None

    def run_auto_sign_out(self) -> None:
        """The auto sign-out, on the database worker."""

        def failed(_error: BaseException) -> None:
            log.warning("maintenance failed; it runs again in a minute")

        self._worker.submit(self._auto_sign_out, lambda _closed: None, failed)

    def run_purge(self) -> None:
        """The retention cleanup (kiosk.maintenance.retention), a chunk per database job, when
        it is this kiosk's turn (on a shared database another kiosk may hold it)."""
        if self.purging or self._worker.closed:
            return
        self._asking = True
        self._worker.submit(self._retention.take_turn, self._start_purge, self._failed)

    def _start_purge(self, mine: bool) -> None:
        self._asking = False
        if self._worker.closed:
            return
        if not mine:
            # Another kiosk cleans the shared database; this one's own files are its own.
            self._upkeep.run_quietly(self._retention.expire_local)
            return
        self._purging = self._retention.expiry()
        self._next_chunk(self._purging)

    def _next_chunk(self, expiry: Expiry) -> None:
        self._worker.submit(lambda: self._retention.step(expiry), self._after_chunk, self._failed)

    def _after_chunk(self, deleted: int) -> None:
        expiry = self._purging
        if self._worker.closed or expiry is None:
            return  # stop() finishes the cleanup
        if deleted:
            self._worker.submit(
                lambda: self._retention.step(expiry), self._after_chunk, self._failed
            )
            return

        self._finishing = True
        self._upkeep.submit(lambda: self._retention.finish(expiry), self._done, self._failed)

    def _done(self, _report: PurgeReport) -> None:
        self._purging, self._finishing = None, False
        # A backup of what is left, when one is due (beside the database worker).
        self._upkeep.run_quietly(self._backups.make_if_due)

    def _failed(self, error: BaseException) -> None:
        log.warning(
            "retention cleanup stopped (%s); it runs again within the hour", type(error).__name__
        )
        self._purging, self._finishing, self._asking = None, False, False

    def stop(self) -> None:
        """Stop the timers; a cleanup under way is completed on the database worker before
        it stops (run --smoke included). Call before the workers' shutdown."""
        self.sign_out_timer.stop()
        self.purge_timer.stop()
        self.finish()

    def finish(self) -> None:
        """What `stop` does without the timers (they may already be gone with the window)."""
        if self._worker.closed:
            return
        if self._asking:
            # Whether it is this kiosk's turn is still being asked (run --smoke stops at once).
            retention = self._retention
            self._worker.run_quietly(lambda: retention.take_turn() and retention.run())
        elif self._purging is not None and not self._finishing:
            self._worker.run_quietly(self._retention.run)
