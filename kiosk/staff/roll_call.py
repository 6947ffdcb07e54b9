"""The evacuation roll call: everyone on site now, read and audited in one transaction, then
rendered, saved and printed, the same from the staff screen and from `visitor-kiosk
evacuation`. The reading (`take`) needs the database; the rest (`make`) does not, so the
staff screen runs it on its print worker and a slow printer holds up no one.

Visitors whose processing is restricted (GDPR Art. 18) are on it too, marked: the list is how
the fire marshal finds out who is still inside, and leaving someone off it could cost their life
(Art. 18(2) allows use "for the protection of the rights of another natural or legal person";
Art. 6(1)(d), their vital interests; the README gives the reasoning). The mark tells whoever
holds the list to use those lines for the evacuation only.

The list is in the language it is asked for (the staff screen's), else in the site's default
language (the command line's)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.ports import Store
from kiosk.domain.visit import Visit
from kiosk.printing.cups import BadgePrinter, PrintFault
from kiosk.printing.reports import SavedReports, print_report
from kiosk.settings.files import atomic_write_bytes
from kiosk.staff.audit import AuditLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnSiteNow:
    """Who was on site when the roll call was taken."""

    present: list[Visit]
    taken_at: datetime


@dataclass(frozen=True)
class RollCallReport:
    path: Path
    count: int
    printed_on: str | None = None  # the queue it printed on
    fault: PrintFault | None = None  # why it did not print, when it was to be printed


class RollCall:
    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        site_name: Callable[[str], str],
        reports: SavedReports,
        printer: BadgePrinter,
        clock: Clock = utc_now,
        *,
        default_language: str,
    ) -> None:
        """`site_name`: the site's name in a language; `default_language`: the site's, for a
        roll call asked for in no language."""
        self._store = store
        self._audit = audit
        self._site_name = site_name
        self._default_language = default_language
        self._reports = reports
        self._printer = printer
        self._clock = clock

    def take(self) -> OnSiteNow:
        """Everyone on site now, restricted visits included; recorded in the audit log (their
        ids and how many, never a name) in the same transaction. Changes no visit."""
        with self._store.transaction() as db:
            present = db.visits.on_site(with_restricted=True)
            ids = [visit.visit_id for visit in present]
            self._audit.record(db, AuditAction.EVACUATION, ids, count=len(ids))
        return OnSiteNow(present, self._clock())

    def make(
        self,
        on_site: OnSiteNow,
        *,
        out: Path | None = None,
        to_printer: bool = True,
        language: str | None = None,
    ) -> RollCallReport:
        """Render the roll call in `language` (else the site's default language) and write it
        to `out`, or save it in the reports folder; then, if asked, print it on the staff
        printer. A printer fault is reported, not raised: the file is the fallback."""
        from kiosk.documents.roll_call import render_roll_call  # ReportLab loads here

        language = language or self._default_language
        site = self._site_name(language)
        pdf = render_roll_call(on_site.present, site, on_site.taken_at, language=language)
        if out is None:
            path = self._reports.save(pdf, on_site.taken_at)
        else:
            path = out
            atomic_write_bytes(out, pdf)
        count = len(on_site.present)
        if not to_printer:
            return RollCallReport(path, count)
        try:
            queue = print_report(self._printer, path)
        except PrintFault as fault:
            log.warning("roll call of %d not printed (%s); saved", count, fault)
            return RollCallReport(path, count, fault=fault)
        if queue is not None:
            log.info("roll call of %d printed", count)
        return RollCallReport(path, count, printed_on=queue)
