"""The kiosk's own upkeep while it runs: the auto sign-out every minute, the retention cleanup
every hour (a chunk per database job, so sign-ins and scans get the database in between),
and the backups beside the database worker."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from PySide6.QtCore import QObject, QTimer

from kiosk.bootstrap import Kiosk, Services
from kiosk.maintenance.retention import PurgeReport
from ui.tasks import DbWorker

log = logging.getLogger(__name__)

# How often the auto sign-out looks for visits past their time (it is idempotent, and a
# short period means a jump of the wall clock is caught within a minute).
MAINTENANCE_INTERVAL_MS = 60_000
# The retention cleanup: at start-up, then hourly.
PURGE_INTERVAL_MS = 3_600_000


class Maintenance(QObject):
    def __init__(self, kiosk: Kiosk, worker: DbWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kiosk = kiosk
        self._worker = worker
        self._purging = False
        self._backups = ThreadPoolExecutor(1, thread_name_prefix="kiosk-backup")
        self._backups_closed = False

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
        """A retention cleanup is under way on the database worker."""
        return self._purging

    def run_auto_sign_out(self) -> None:
        """The auto sign-out, on the database worker."""

        def on_error(error: BaseException) -> None:
            log.warning("maintenance failed; it runs again in a minute")

        self._worker.submit(self._kiosk.maintain, lambda _closed: None, on_error)

    def run_purge(self) -> None:
        """The retention cleanup (kiosk.maintenance.retention), a chunk per database job."""
        if self._purging or self._worker.closed:
            return
        self._purging = True
        cutoff = None
        worker = self._worker

        def chunk(services: Services) -> int:
            nonlocal cutoff
            if cutoff is None:
                cutoff = services.retention.cutoff()
            return services.retention.step(cutoff)

        def after_chunk(deleted: int) -> None:
            if worker.closed:
                return  # stop() finishes the cleanup
            if deleted:
                worker.submit(chunk, after_chunk, failed)
            else:
                assert cutoff is not None
                finish = cutoff
                worker.submit(lambda services: services.retention.finish(finish), done, failed)

        def done(report: PurgeReport) -> None:
            self._purging = False
            if not self._backups_closed:
                # Backups are purged, and made when due, beside the database worker.
                self._backups.submit(self._maintain_backups, report.cutoff)

        def failed(error: BaseException) -> None:
            log.warning(
                "retention cleanup stopped (%s); it runs again within the hour",
                type(error).__name__,
            )
            self._purging = False

        worker.submit(chunk, after_chunk, failed)

    def _maintain_backups(self, cutoff: datetime) -> None:
        try:
            self._kiosk.backups().maintain(cutoff)
        except Exception as error:
            log.warning("backups not kept up (%s); tried again within the hour", error)

    def stop(self) -> None:
        """Stop the timers; a cleanup under way is completed on the database worker before
        it stops (run --smoke included). Call before the worker's shutdown."""
        self.sign_out_timer.stop()
        self.purge_timer.stop()
        self.finish()

    def finish(self) -> None:
        """What `stop` does without the timers (they may already be gone with the window)."""
        if self._purging and not self._worker.closed:
            self._worker.submit(
                lambda services: services.retention.run(), lambda _r: None, lambda _e: None
            )

    def close_backups(self) -> None:
        self._backups_closed = True
        self._backups.shutdown(wait=True)
