"""Printing through CUPS (kiosk.printing.cups) and the badge service around it (kiosk.badges),
against the private CUPS scheduler: each fault of the print path ends in a PrintFault with
its code, and none leaves a job behind."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cupsserver import CupsServer
from cupssupport import pdf_text, qr_codes

from kiosk.domain.visit import Visit
from kiosk.printing.badges import BadgeService
from kiosk.printing.cups import CupsPrinter, PrintFault, SaveOnly, make_printer
from kiosk.settings.config import parse_config

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


@pytest.fixture
def sample_pdf(tmp_path: Path) -> Path:
    service = BadgeService(parse_config({}), tmp_path / "badges", SaveOnly())
    return service.write(visit(), CODE)


def test_pdf_queue_prints_and_wait_returns_once_the_job_is_done(
    cups: CupsServer, sample_pdf: Path, tmp_path: Path
) -> None:
    queue, out = cups.add_pdf_queue()
    printer = CupsPrinter(queue, timeout_s=30)
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
    cups: CupsServer, sample_pdf: Path
) -> None:
    printer = CupsPrinter("", timeout_s=10)
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
    cups: CupsServer, sample_pdf: Path, fault: str, code: str
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
        CupsPrinter(queue, timeout_s=10).submit(sample_pdf)
    assert raised.value.code == code
    if fault != "missing":
        assert cups.jobs(queue) == []
        assert cups.jobs(queue, "all") == []  # no job was ever sent


def test_a_failing_job_is_reported_and_cancelled(cups: CupsServer, sample_pdf: Path) -> None:
    queue = cups.add_failing_queue()
    printer = CupsPrinter(queue, timeout_s=20)
    job = printer.submit(sample_pdf)
    with pytest.raises(PrintFault) as raised:
        printer.wait(job)
    assert raised.value.code == "failed"
    assert cups.jobs(queue) == []


def test_a_hanging_job_times_out_and_is_cancelled(cups: CupsServer, sample_pdf: Path) -> None:
    queue = cups.add_hanging_queue()
    printer = CupsPrinter(queue, timeout_s=2, poll_s=0.1)
    job = printer.submit(sample_pdf)
    started = time.monotonic()
    with pytest.raises(PrintFault) as raised:
        printer.wait(job)
    waited = time.monotonic() - started
    assert raised.value.code == "timeout"
    assert 1.5 < waited < 6
    assert cups.jobs(queue) == []


def test_no_cups_tools_is_a_fault_not_a_crash(
    sample_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PrintFault) as raised:
        CupsPrinter("badges", timeout_s=5).submit(sample_pdf)
    assert raised.value.code == "unavailable"


def test_printer_none_saves_only() -> None:
    assert isinstance(make_printer("none", 20), SaveOnly)
    assert isinstance(make_printer("", 20), CupsPrinter)


# -- the badge service ---------------------------------------------------------------------


def test_badge_content_is_in_the_visitors_language_and_valid_until_the_auto_sign_out(
    tmp_path: Path,
) -> None:
    config = parse_config({"kiosk": {"auto_sign_out": "21:30"}, "site": {"name": "Havnekontoret"}})
    content = BadgeService(config, tmp_path, SaveOnly()).content(visit(language="da"), CODE)
    local = visit().signed_in_at.astimezone()
    assert content.visitor_name == SAMPLE_PDF_NAME
    assert content.site == "Havnekontoret"
    assert content.labels.visitor == "GÆST"
    assert content.issued == local.strftime("%d.%m.%Y")
    assert content.valid_until.endswith("21:30")
    assert content.token == CODE

    never = parse_config({"kiosk": {"auto_sign_out": ""}})
    content = BadgeService(never, tmp_path, SaveOnly()).content(visit(language="en"), CODE)
    assert content.valid_until == ""
    assert content.labels.valid_until == ""


def test_badge_file_is_private_and_gone_once_cups_has_the_job(
    cups: CupsServer, tmp_path: Path
) -> None:
    queue, out = cups.add_pdf_queue()
    badges = tmp_path / "badges"
    service = BadgeService(parse_config({}), badges, CupsPrinter(queue, timeout_s=30))
    outcome = service.print_badge(visit(), CODE)
    assert outcome.status == "printed"
    assert list(badges.iterdir()) == []
    assert len(cups.wait_for_pdfs(out)) == 1


def test_saved_badge_is_readable_by_the_kiosk_user_only(tmp_path: Path) -> None:
    service = BadgeService(parse_config({}), tmp_path / "badges", SaveOnly())
    outcome = service.print_badge(visit(), CODE)
    assert outcome.status == "saved"
    assert outcome.pdf == tmp_path / "badges" / "7.pdf"
    assert outcome.pdf.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "badges").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "badges").iterdir()] == ["7.pdf"]  # no temp files
    service.remove(7)
    assert not outcome.pdf.exists()


def test_print_fault_is_an_outcome_not_an_exception(tmp_path: Path) -> None:
    # CUPS_SERVER points nowhere in the tests (conftest), so any queue is unreachable.
    assert os.environ["CUPS_SERVER"].startswith("/nonexistent")
    service = BadgeService(parse_config({}), tmp_path, CupsPrinter("badges", timeout_s=5))
    outcome = service.print_badge(visit(), CODE)
    assert outcome.status == "fault"
    assert outcome.fault == "missing"
    assert not outcome.at_printer
    assert list(tmp_path.glob("*.pdf")) == []
