"""A visitor's badge, from visit to paper: fill it in, render it, hand it to the printer. Badge
printing subscribes to `visit_signed_in` (wired in the composition root), so it runs on its
own thread once the sign-in is committed, and reports each outcome as `badge_printed`.

Where the PDF lives (README, "Badges"): `<data dir>/badges/<visit_id>.pdf`, readable by the
kiosk's user only. With a printer it exists only until CUPS has accepted the job (CUPS
spools its own copy), so no badge with a name on it stays in the data dir. With
`printer = "none"` the PDF is the badge, and it stays until its visit is deleted by the
retention cleanup or erased (`BadgeFiles`, one of the holders of personal data). A reprint
renders the badge again from the visit, with the new code reception gave it
(`kiosk.staff.reception.Reception.reprint`): the old badge no longer signs anyone out."""

from __future__ import annotations

import logging
import os
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.clock import first_local_time_after
from kiosk.domain.events import Hook, PrintOutcome, VisitSignedIn
from kiosk.domain.ports import Erasure, Expiry
from kiosk.domain.visit import Visit
from kiosk.printing.cups import BadgePrinter, PrintFault, SaveOnly
from kiosk.settings.config import Config
from kiosk.settings.files import atomic_write_bytes, leftovers, private_folder
from kiosk.settings.i18n import Catalog, catalog

if TYPE_CHECKING:
    from kiosk.documents.badge import BadgeContent

log = logging.getLogger(__name__)


class BadgeFiles:
    """The badge PDFs in the data dir, one per visit: a holder of personal data."""

    name = "badge PDFs"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, visit_id: int) -> Path:
        return self.folder / f"{visit_id}.pdf"

    def locations(self) -> list[Path]:
        return [self.folder]

    def visit_ids(self) -> set[int]:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return set()
        return {int(n[:-4]) for n in names if n.endswith(".pdf") and n[:-4].isdigit()}

    def remove(self, visit_ids: set[int]) -> int:
        """Delete the PDFs of these visits that exist; returns how many."""
        found = self.visit_ids() & visit_ids
        for visit_id in found:
            self.path(visit_id).unlink(missing_ok=True)
        return len(found)

    def expire(self, expiry: Expiry, dry_run: bool = False) -> int:
        """PDFs whose visit has expired or is no longer stored, and what an interrupted badge
        write left behind (it holds a name too)."""
        held = sorted(self.visit_ids())
        gone = [self.path(i) for i in sorted(set(held) - expiry.kept_visits(held))]
        gone += leftovers(self.folder)
        if not dry_run:
            for path in gone:
                path.unlink(missing_ok=True)
        return len(gone)

    def erase(self, erasure: Erasure) -> int:
        return self.remove(set(erasure.visit_ids))


class BadgePrinting:
    """Renders and prints badges; needs no database (it is handed the visit and its code)."""

    def __init__(
        self,
        config: Config,
        files: BadgeFiles,
        printer: BadgePrinter,
        printed: Hook[PrintOutcome],
    ) -> None:
        self._config = config
        self._files = files
        self.printer = printer
        self._printed = printed

    def on_visit_signed_in(self, event: VisitSignedIn) -> None:
        """The `visit_signed_in` subscriber: print the new visitor's badge and tell
        `badge_printed` how it went."""
        self._printed.emit(self.print_badge(event.visit, event.badge_code))

    def content(self, visit: Visit, code: str) -> BadgeContent:
        """What the visit's badge says, in the site's language (the first of
        `kiosk.languages`), not the visitor's: a guard reads one word for "visitor" and one
        date format on every badge of the site. The company only with `badge.show_company`."""
        # The PDF side (ReportLab, qrcode, fonts: about 0.1 s to import) loads with the first
        # badge, so commands that print nothing (export, purge, present) start without it.
        from kiosk.documents.badge import BadgeContent, BadgeLabels

        words = catalog(self._config.default_language)
        issued = visit.signed_in_at.astimezone()
        cutoff = self._config.auto_sign_out_time()
        valid_until = _valid_until(visit.signed_in_at, cutoff, words)
        return BadgeContent(
            visitor_name=visit.visitor_name,
            company=visit.company if self._config.badge.show_company else "",
            host=visit.host,
            site=self._config.site_name(self._config.default_language),
            issued=issued.strftime(words.text("badge.date_format")),
            valid_until=valid_until,
            token=code,
            labels=BadgeLabels(
                visitor=words.text("badge.visitor"),
                host=words.text("badge.host"),
                valid_until=words.text("badge.valid_until") if valid_until else "",
            ),
        )

    def write(self, visit: Visit, code: str) -> Path:
        """Render the badge and write it atomically, readable by this user only. What did not
        fit (a name shortened with "…", a company left out) is logged, never silently lost."""
        from kiosk.documents.badge import BadgeLayout, plan_badge, render_plan

        plan = plan_badge(self.content(visit, code), BadgeLayout(self._config.badge.layout))
        if plan.cut:
            log.warning(
                "visit %d: badge printed without all of %s (no room on layout %s)",
                visit.visit_id,
                ", ".join(plan.cut),
                plan.layout.value,
            )
        pdf = render_plan(plan)
        path = self._files.path(visit.visit_id)
        private_folder(self._files.folder)
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


def prepare() -> None:
    """Load the badge libraries and fonts (about 0.3 s) ahead of the first badge, on a thread
    that is not the screen's."""
    from kiosk.documents.badge import prepare as prepare_documents

    prepare_documents()


def _valid_until(signed_in: datetime, cutoff: time | None, words: Catalog) -> str:
    if cutoff is None:
        return ""
    until = first_local_time_after(signed_in, cutoff)
    return until.strftime(f"{words.text('badge.date_format')} %H:%M")
