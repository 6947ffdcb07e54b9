"""Printing through CUPS (kiosk.printing.cups) and badge printing around it
(kiosk.printing.badges), against the private CUPS scheduler: each fault of the print path ends
in a PrintFault with its code, and none leaves a job behind. Badge printing is the core's
subscriber to `visit_signed_in`: a sign-in's badge is printed on its own thread and the outcome
told on `badge_printed`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cupsserver import CupsServer
from cupssupport import pdf_text, qr_codes

from kiosk.bootstrap import Core, assemble
from kiosk.domain.events import Hook, PrintOutcome
from kiosk.domain.visit import SignInForm, Visit
from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.printing.cups import BadgePrinter, CupsPrinter, PrintFault, SaveOnly, make_printer
from kiosk.settings.config import Config, parse_config

MakePrinter = Callable[..., CupsPrinter]

SAMPLE_PDF_NAME = "Zoë Ødegaard"


def visit(visit_id: int = 7, language: str = "da") -> Visit:
    return Visit(
        visit_id=visit_id,
        visitor_name=SAMPLE_PDF_NAME,
        company="Nørgaard Rådgivning ApS",
        host="Mette Kjær",
        purpose="Møde",
        signed_in_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        signed_out_at=None,
        sign_out_method=None,
        language=language,
        notice_version=f"{language}-000000000000",
        kiosk_id="lobby-1",
    )


CODE = "MFRGGZDFMZTWQ2LKNNWG23TPOA"


def badge_printing(config: Config, folder: Path, printer: BadgePrinter) -> BadgePrinting:
    return BadgePrinting(config, BadgeFiles(folder), printer, Hook("badge_printed"))


@pytest.fixture
def cups_printer() -> Iterator[MakePrinter]:
    """Makes CupsPrinters (queue, timeout_s, ...) and closes them (their helper thread) after
    the test."""
    made: list[CupsPrinter] = []

    def make(queue: str, timeout_s: float, **options: Any) -> CupsPrinter:
        printer = CupsPrinter(queue, timeout_s=timeout_s, **options)
        made.append(printer)
        return printer

    yield make
    for printer in made:
        printer.close()


@pytest.fixture
def sample_pdf(tmp_path: Path) -> Path:
    badges = badge_printing(parse_config({}), tmp_path / "badges", SaveOnly())
    return badges.write(visit(), CODE)


def test_pdf_queue_prints_and_wait_returns_once_the_job_is_done(
    cups: CupsServer, cups_printer: MakePrinter, sample_pdf: Path, tmp_path: Path
) -> None:
    queue, out = cups.add_pdf_queue()
    printer = cups_printer(queue, timeout_s=30)
    job = printer.submit(sample_pdf)
    assert job.startswith(f"{queue}-")
    printer.wait(job)
    assert cups.jobs(queue) == []
    (pdf,) = cups.wait_for_pdfs(out)
    # cups-pdf rebuilds the PDF through PostScript, which keeps the glyphs but not their
    # Unicode names for letters outside Latin-1's basic set: pdftotext then reads only the
    # plain letters back ("Zo degaard"). The badge tests read the kiosk's own PDF in full.
    assert "degaard" in pdf_text(pdf)
    assert qr_codes(pdf, tmp_path) == [CODE]


def test_system_default_queue_is_used_when_no_printer_is_named(
    cups: CupsServer, cups_printer: MakePrinter, sample_pdf: Path
) -> None:
    printer = cups_printer("", timeout_s=10)
    with pytest.raises(PrintFault) as no_default:
        printer.submit(sample_pdf)
    assert no_default.value.code == "no-default"

    queue, out = cups.add_pdf_queue("default")
    cups._run(["lpadmin", "-d", queue])
    printer.wait(printer.submit(sample_pdf))
    assert len(cups.wait_for_pdfs(out)) == 1


@pytest.mark.parametrize(
    ("fault", "code"),
    [("missing", "missing"), ("disabled", "disabled"), ("rejecting", "rejecting")],
)
def test_a_queue_that_cannot_take_the_job_gets_none(
    cups: CupsServer, cups_printer: MakePrinter, sample_pdf: Path, fault: str, code: str
) -> None:
    if fault == "missing":
        queue = cups.new_queue_name("missing")
    else:
        queue, _out = cups.add_pdf_queue(fault)
        if fault == "disabled":
            cups.disable(queue)
        else:
            cups._run(["cupsreject", queue])
    with pytest.raises(PrintFault) as raised:
        cups_printer(queue, timeout_s=10).submit(sample_pdf)
    assert raised.value.code == code
    if fault != "missing":
        assert cups.jobs(queue) == []
        assert cups.jobs(queue, "all") == []  # no job was ever sent


def test_a_failing_job_is_reported_and_cancelled(
    cups: CupsServer, cups_printer: MakePrinter, sample_pdf: Path
) -> None:
    queue = cups.add_failing_queue()
    printer = cups_printer(queue, timeout_s=20)
    job = printer.submit(sample_pdf)
    with pytest.raises(PrintFault) as raised:
        printer.wait(job)
    assert raised.value.code == "failed"
    assert cups.jobs(queue) == []


def test_a_hanging_job_times_out_and_is_cancelled(
    cups: CupsServer, cups_printer: MakePrinter, sample_pdf: Path
) -> None:
    queue = cups.add_hanging_queue()
    printer = cups_printer(queue, timeout_s=2, poll_s=0.1)
    job = printer.submit(sample_pdf)
    started = time.monotonic()
    with pytest.raises(PrintFault) as raised:
        printer.wait(job)
    waited = time.monotonic() - started
    assert raised.value.code == "timeout"
    assert 1.5 < waited < 6
    assert cups.jobs(queue) == []


def test_no_cups_tools_is_a_fault_not_a_crash(
    cups_printer: MakePrinter, sample_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PrintFault) as raised:
        cups_printer("badges", timeout_s=5).submit(sample_pdf)
    assert raised.value.code == "unavailable"


def test_printer_none_saves_only() -> None:
    assert isinstance(make_printer("none", 20), SaveOnly)
    cups = make_printer("", 20)
    try:
        assert isinstance(cups, CupsPrinter)
    finally:
        cups.close()


# -- badge printing --------------------------------------------------------------------------


def test_badge_content_is_in_the_sites_language_and_valid_until_the_auto_sign_out(
    tmp_path: Path,
) -> None:
    config = parse_config(
        {
            "kiosk": {"auto_sign_out": "21:30", "languages": ["da", "en"]},
            "site": {"name": "Havnekontoret"},
        }
    )
    content = badge_printing(config, tmp_path, SaveOnly()).content(visit(language="en"), CODE)
    local = visit().signed_in_at.astimezone()
    assert content.visitor_name == SAMPLE_PDF_NAME
    assert content.site == "Havnekontoret"
    assert content.labels.visitor == "GÆST"
    assert content.issued == local.strftime("%d.%m.%Y")
    assert content.valid_until.endswith("21:30")
    assert content.token == CODE

    never = parse_config({"kiosk": {"auto_sign_out": ""}})
    content = badge_printing(never, tmp_path, SaveOnly()).content(visit(language="en"), CODE)
    assert content.valid_until == ""
    assert content.labels.valid_until == ""


def test_badge_file_is_private_and_gone_once_cups_has_the_job(
    cups: CupsServer, cups_printer: MakePrinter, tmp_path: Path
) -> None:
    queue, out = cups.add_pdf_queue()
    badges = tmp_path / "badges"
    printing = badge_printing(parse_config({}), badges, cups_printer(queue, timeout_s=30))
    outcome = printing.print_badge(visit(), CODE)
    assert outcome.status == "printed"
    assert list(badges.iterdir()) == []
    assert len(cups.wait_for_pdfs(out)) == 1


def test_saved_badge_is_readable_by_the_kiosk_user_only(tmp_path: Path) -> None:
    files = BadgeFiles(tmp_path / "badges")
    printing = BadgePrinting(parse_config({}), files, SaveOnly(), Hook("badge_printed"))
    outcome = printing.print_badge(visit(), CODE)
    assert outcome.status == "saved"
    assert outcome.pdf == tmp_path / "badges" / "7.pdf"
    assert outcome.pdf.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "badges").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "badges").iterdir()] == ["7.pdf"]  # no temp files
    assert files.remove({7}) == 1
    assert not outcome.pdf.exists()


def test_print_fault_is_an_outcome_not_an_exception(
    cups_printer: MakePrinter, tmp_path: Path
) -> None:
    # CUPS_SERVER points nowhere in the tests (conftest), so any queue is unreachable.
    assert os.environ["CUPS_SERVER"].startswith("/nonexistent")
    printing = badge_printing(parse_config({}), tmp_path, cups_printer("badges", timeout_s=5))
    outcome = printing.print_badge(visit(), CODE)
    assert outcome.status == "fault"
    assert outcome.fault == "missing"
    assert not outcome.at_printer
    assert list(tmp_path.glob("*.pdf")) == []


# -- the core's subscriber ----------------------------------------------------------------------


def outcomes_of(core: Core) -> list[PrintOutcome]:
    seen: list[PrintOutcome] = []
    core.events.badge_printed.subscribe("test", seen.append)
    return seen


def test_a_sign_in_prints_its_badge_and_tells_the_outcome(data_dir: Path) -> None:
    """With printer "none" (here: SaveOnly given to the core) the saved PDF is the badge."""
    core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=SaveOnly())
    try:
        outcomes = outcomes_of(core)
        signed_in = core.visits.sign_in(SignInForm(SAMPLE_PDF_NAME), core.notices.notice("da"))
        core.events.settle()
        pdf = core.paths.badge_dir / f"{signed_in.visit.visit_id}.pdf"
        assert outcomes == [PrintOutcome(signed_in.visit.visit_id, "saved", pdf=pdf)]
        assert pdf.stat().st_mode & 0o777 == 0o600
        assert SAMPLE_PDF_NAME.split()[0] in pdf_text(pdf)
    finally:
        core.close()


def test_a_sign_in_whose_badge_cannot_print_is_still_signed_in(core: Core) -> None:
    """The tests' CUPS socket does not exist: the badge faults on its own thread, the visit
    stands, and no PDF is left in the data dir."""
    outcomes = outcomes_of(core)
    signed_in = core.visits.sign_in(SignInForm(SAMPLE_PDF_NAME), core.notices.notice("en"))
    core.events.settle()
    (outcome,) = outcomes
    assert (outcome.visit_id, outcome.status, outcome.pdf) == (
        signed_in.visit.visit_id,
        "fault",
        None,
    )
    assert outcome.fault
    assert not outcome.at_printer
    assert core.visits.present() == [signed_in.visit]
    assert list(core.paths.badge_dir.glob("*")) == []


class HeldPrinter(SaveOnly):
    """Keeps the badge (as printer "none" does) once the test lets it go on."""

    def __init__(self) -> None:
        self.go_on = threading.Event()
        self.thread: threading.Thread | None = None

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        self.thread = threading.current_thread()
        self.go_on.wait(timeout=5)
        return None


def test_the_sign_in_does_not_wait_for_its_badge(data_dir: Path) -> None:
    """Badge printing is a subscriber on its own thread: a slow printer holds up no sign-in."""
    printer = HeldPrinter()
    core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=printer)
    try:
        outcomes = outcomes_of(core)
        signed_in = core.visits.sign_in(SignInForm(SAMPLE_PDF_NAME), core.notices.notice("en"))
        assert outcomes == []  # the badge is still at the printer
        assert core.visits.get(signed_in.visit.visit_id) == signed_in.visit  # committed
        printer.go_on.set()
        core.events.settle()
        assert [outcome.status for outcome in outcomes] == ["saved"]
        assert printer.thread is not None
        assert printer.thread is not threading.current_thread()
    finally:
        printer.go_on.set()
        core.close()
