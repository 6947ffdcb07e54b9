"""A visitor's badge, from visit to paper: fill it in, render it, hand it to the printer.

Where the PDF lives (README, "Badges"): `<data dir>/badges/<visit_id>.pdf`, readable by the
kiosk's user only. With a printer it exists only until CUPS has accepted the job (CUPS
spools its own copy), so no badge with a name on it stays in the data dir. With
`printer = "none"` the PDF is the badge, and it stays until its visit is deleted by the
retention cleanup. A reprint renders the badge again from the visit.

Runs on the print worker, never on the GUI thread; it needs no database: the caller passes
the visit and its badge code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.clock import first_local_time_after
from kiosk.domain.visit import Visit
from kiosk.printing.cups import BadgePrinter, PrintFault, SaveOnly
from kiosk.settings.config import Config
from kiosk.settings.files import atomic_write_bytes
from kiosk.settings.i18n import Catalog, catalog
from storage.files import private_folder

if TYPE_CHECKING:
    from kiosk.documents.badge import BadgeContent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """How a badge print ended: `printed` (at the printer), `saved` (printer "none"), or a
    fault (`fault` holds PrintFault's code). `pdf` is the saved file when one was kept."""

    visit_id: int
    status: str  # "printed" | "saved" | "fault"
    fault: str | None = None
    pdf: Path | None = None

    @property
    def at_printer(self) -> bool:
        return self.status == "printed"


class BadgeService:
    def __init__(self, config: Config, badge_dir: Path, printer: BadgePrinter) -> None:
        self._config = config
        self._dir = badge_dir
        self.printer = printer

    def content(self, visit: Visit, code: str) -> BadgeContent:
        # The PDF side (ReportLab, qrcode, fonts: about 0.1 s to import) loads with the first
        # badge, so commands that print nothing (export, purge, present) start without it.
        from kiosk.documents.badge import BadgeContent, BadgeLabels

        words = catalog(visit.language)
        issued = visit.signed_in_at.astimezone()
        cutoff = self._config.auto_sign_out_time()
        valid_until = _valid_until(visit.signed_in_at, cutoff, words)
        return BadgeContent(
            visitor_name=visit.visitor_name,
            company=visit.company,
            host=visit.host,
            site=self._config.site.name,
            issued=issued.strftime(words.text("badge.date_format")),
            valid_until=valid_until,
            token=code,
            labels=BadgeLabels(
                visitor=words.text("badge.visitor"),
                host=words.text("badge.host"),
                valid_until=words.text("badge.valid_until") if valid_until else "",
            ),
        )

    def pdf_path(self, visit_id: int) -> Path:
        return self._dir / f"{visit_id}.pdf"

    def write(self, visit: Visit, code: str) -> Path:
        """Render the badge and write it atomically, readable by this user only."""
        from kiosk.documents.badge import BadgeLayout, render_badge

        pdf = render_badge(self.content(visit, code), BadgeLayout(self._config.badge.layout))
        path = self.pdf_path(visit.visit_id)
        private_folder(self._dir)
        atomic_write_bytes(path, pdf)
        return path

    def submit(self, visit: Visit, code: str) -> tuple[str | None, Path]:
        """Write the badge and hand it to the print system: (job id or None, pdf path).
        PrintFault if the printer cannot take it; the PDF is removed unless it is kept."""
        ready = self.printer.ready()  # the queue is checked while the badge renders
        path = self.write(visit, code)
        try:
            job_id = self.printer.submit(path, ready)
        finally:
            if not isinstance(self.printer, SaveOnly):
                path.unlink(missing_ok=True)
        return job_id, path

    def print_badge(self, visit: Visit, code: str) -> PrintOutcome:
        """Render, print and wait for the job. Never raises for a printer fault: the visit is
        already safe, and the fault is logged and reported in the outcome."""
        try:
            job_id, path = self.submit(visit, code)
            if job_id is None:
                log.info("visit %d: badge saved, no printer configured", visit.visit_id)
                return PrintOutcome(visit.visit_id, "saved", pdf=path)
            self.printer.wait(job_id)
        except PrintFault as fault:
            log.warning("visit %d: badge not printed (%s)", visit.visit_id, fault)
            return PrintOutcome(visit.visit_id, "fault", fault=fault.code)
        except OSError as exc:
            log.warning("visit %d: badge not printed (%s)", visit.visit_id, exc.strerror)
            return PrintOutcome(visit.visit_id, "fault", fault="io")
        return PrintOutcome(visit.visit_id, "printed")

    def remove(self, visit_id: int) -> None:
        self.pdf_path(visit_id).unlink(missing_ok=True)


def _valid_until(signed_in: datetime, cutoff: time | None, words: Catalog) -> str:
    if cutoff is None:
        return ""
    until = first_local_time_after(signed_in, cutoff)
    return until.strftime(f"{words.text('badge.date_format')} %H:%M")
