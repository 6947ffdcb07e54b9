"""Saved and printed reports: the evacuation roll call, kept in `<data dir>/reports/` for the
day it may be needed, and printed on the staff printer.

A roll call holds names, so it is kept only as long as it is useful in an emergency: readable
by the kiosk's user only, and deleted after a day (`SavedReports`, one of the holders of
personal data), or at once when a visitor it may list is erased."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from kiosk.domain.ports import Erasure, Expiry
from kiosk.printing.cups import BadgePrinter
from kiosk.settings.files import atomic_write_bytes, leftovers, private_folder

log = logging.getLogger(__name__)

REPORT_KEEP_S = 24 * 3600
# A roll call runs to many pages at 500 people: give the printer time before giving up.
REPORT_PRINT_TIMEOUT_S = 180


class SavedReports:
    """The roll calls saved in the data dir: a holder of personal data."""

    name = "saved roll calls"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, pdf: bytes, made_at: datetime) -> Path:
        private_folder(self.folder)
        path = self.folder / f"roll-call-{made_at.astimezone().strftime('%Y%m%d-%H%M%S')}.pdf"
        atomic_write_bytes(path, pdf)
        return path

    def locations(self) -> list[Path]:
        return [self.folder]

    def _saved(self) -> list[tuple[Path, float]]:
        found = []
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        for name in names:
            if name.endswith(".pdf"):
                try:
                    found.append((self.folder / name, (self.folder / name).stat().st_mtime))
                except FileNotFoundError:
                    continue
        return found

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        """Reports saved more than a day ago, and what an interrupted write left behind."""
        limit = expiry.now.timestamp() - REPORT_KEEP_S
        gone = [path for path, saved in self._saved() if saved < limit]
        gone += leftovers(self.folder)
        if not dry_run:
            for path in gone:
                path.unlink(missing_ok=True)
        return len(gone)

    def erase(self, erasure: Erasure) -> int:
        """Every roll call saved since the first of the erased visitors signed in: one of those
        may list them (one saved before cannot)."""
        since = erasure.earliest_sign_in.timestamp()
        gone = [path for path, saved in self._saved() if saved >= since]
        for path in gone:
            path.unlink(missing_ok=True)
        return len(gone)


def print_report(printer: BadgePrinter, path: Path) -> str | None:
    """Print a saved report and wait until it has left the queue: the queue it printed on,
    or None with printer "none". PrintFault if it could not be printed."""
    job = printer.submit(path)
    if job is None:
        return None
    printer.wait(job)
    return job.rsplit("-", 1)[0]
