"""The staff screen's printed and saved reports: the evacuation roll call, and a copy of one
visitor's data for an access request.

A roll call holds names, so it is kept only as long as it is useful in an emergency: in
`<data dir>/reports/`, readable by the kiosk's user only, and deleted after a day by the
kiosk's maintenance (`remove_old_reports`). An access-request copy goes only to the file
staff choose."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from kiosk.domain.visit import Visit
from kiosk.printing.cups import ROLL_CALL_TITLE, PrintFault, make_printer
from kiosk.settings.config import Config
from kiosk.settings.files import atomic_write_bytes
from storage.files import private_folder

log = logging.getLogger(__name__)

REPORT_KEEP_S = 24 * 3600
# A roll call runs to many pages at 500 people: give the printer time before giving up.
REPORT_PRINT_TIMEOUT_S = 180


def evacuation_report(
    config: Config, report_dir: Path, present: list[Visit], made_at: datetime
) -> tuple[Path, bool]:
    """Render the roll call, save it in the reports folder and print it on the staff printer.
    Returns (the saved file, whether it printed). Printer faults are logged, not raised: the
    saved file is the fallback."""
    from kiosk.documents.roll_call import render_roll_call  # ReportLab loads when a report is made

    pdf = render_roll_call(present, config.site.name, made_at)
    folder = report_dir
    private_folder(folder)
    path = folder / f"roll-call-{made_at.strftime('%Y%m%d-%H%M%S')}.pdf"
    atomic_write_bytes(path, pdf)
    printer = make_printer(config.staff.printer, REPORT_PRINT_TIMEOUT_S, ROLL_CALL_TITLE)
    try:
        job = printer.submit(path)
        if job is None:
            return path, False
        printer.wait(job)
    except PrintFault as fault:
        log.warning("roll call of %d not printed (%s); saved", len(present), fault)
        return path, False
    log.info("roll call of %d printed", len(present))
    return path, True


def rights_report(config: Config, visits: list[Visit], kind: str, path: Path) -> Path:
    """One visitor's data as JSON or a readable PDF, written to `path` (chosen by staff)."""
    from kiosk.documents.access_report import access_report_json, render_access_report_pdf

    if kind == "json":
        data = access_report_json(visits).encode("utf-8")
    elif kind == "pdf":
        data = render_access_report_pdf(
            visits,
            config.site.controller,
            datetime.now().astimezone(),
            config.retention.visit_days,
        )
    else:
        raise ValueError(f"unknown report kind {kind!r}")
    atomic_write_bytes(path, data)
    return path


def remove_old_reports(report_dir: Path, now: float | None = None) -> int:
    """Delete saved reports older than a day; returns how many."""
    if not report_dir.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - REPORT_KEEP_S
    removed = 0
    for path in report_dir.glob("*.pdf"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
