"""The real print path: sign in through the widgets, the badge goes through a real CUPS
scheduler to a cups-pdf queue, the PDF is read back with pdftotext and zbarimg, and the code
read off the paper signs the visit out at `badgeCodeInput`, typed key by key as a USB
scanner types it. Then each printer fault: the visit is kept, the visitor is sent to
reception, the fault is logged, and no job is left behind to print later."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WriteConfig
from cupsserver import CupsServer
from cupssupport import pdf_text, qr_codes
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import start_kiosk
from kiosk.domain.visit import SignOutMethod, Visit
from kiosk.printing.badges import PrintOutcome
from kiosk.visits.service import UnknownVisit
from ui.main_window import KioskWindow

NAME = "Annelies van der Berg-Hoogendoorn"
PRINT_WAIT_MS = 40_000


def config_for(write_config: WriteConfig, printer: str, timeout_s: int = 30) -> Path:
    return write_config(f'[badge]\nprinter = "{printer}"\nprint_timeout_s = {timeout_s}\n')


def visits_in(window: KioskWindow) -> list[Visit]:
    kiosk = start_kiosk(window.kiosk.paths.data_dir, window.kiosk.paths.config_file)
    services = kiosk.open_services()
    try:
        return [
            services.visits.get(row[0])
            for row in services.db.execute("SELECT visit_id FROM visits ORDER BY visit_id")
        ]
    finally:
        services.close()


def wait_for_badge_answer(qtbot: QtBot, window: KioskWindow) -> str:
    """Wait until the done screen has heard from the printer; its message then."""
    wait_for_screen(qtbot, window, "done")
    qtbot.waitUntil(lambda: not window.done.printing, timeout=PRINT_WAIT_MS)
    return window.done.message.text()


def scan(qtbot: QtBot, window: KioskWindow, code: str) -> None:
    """What a USB scanner does: type the code into the focused field, then Enter."""
    field = window.sign_out.code_input
    assert field.hasFocus() or window.focusWidget() is field
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def log_text(window: KioskWindow) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in window.kiosk.paths.log_dir.glob("*"))


def test_badge_printed_through_cups_then_scanned_to_sign_out(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    tmp_path: Path,
) -> None:
    queue, out = cups.add_pdf_queue()
    window = make_window(config_for(write_config, queue))
    window.welcome.language_buttons["nl"].click()

    fill_and_submit(qtbot, window, NAME, "Noordzee Logistiek B.V.", "Jens Kristensen")
    message = wait_for_badge_answer(qtbot, window)
    assert window.catalog.text("done.badge_printed") in message

    (pdf,) = cups.wait_for_pdfs(out)
    text = " ".join(pdf_text(pdf).split())
    assert "Annelies" in text
    assert "Jens Kristensen" in text
    (code,) = qr_codes(pdf, tmp_path)
    (visit,) = visits_in(window)
    assert visit.visitor_name == NAME
    assert visit.on_site
    assert code not in text  # the code is only in the QR, never printed as text
    # The kiosk's own copy went as soon as CUPS had the job.
    assert list(window.kiosk.paths.badge_dir.glob("*.pdf")) == []

    window.done.finish.click()
    window.welcome.sign_out.click()
    wait_for_screen(qtbot, window, "signOut")
    scan(qtbot, window, code)
    qtbot.waitUntil(lambda: not window.sign_out.code_input.isVisible(), timeout=5000)
    # The goodbye comes in the language the visitor signed in with.
    assert window.language == "nl"
    assert window.sign_out.message.text() == window.catalog.text("signout.goodbye", name=NAME)
    (visit,) = visits_in(window)
    assert visit.sign_out_method is SignOutMethod.KIOSK
    assert visit.signed_out_at is not None

    # The same badge again: a clear message and nothing changes.
    window.sign_out.finished.emit()
    window.welcome.sign_out.click()
    scan(qtbot, window, code)
    used = window.catalog.text("signout.used")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == used, timeout=5000)
    assert visits_in(window) == [visit]
    assert NAME not in log_text(window)


def test_unknown_code_changes_nothing(
    qtbot: QtBot, make_window: MakeWindow, write_config: WriteConfig
) -> None:
    window = make_window(config_for(write_config, "none"))
    fill_and_submit(qtbot, window, NAME)
    wait_for_badge_answer(qtbot, window)
    before = visits_in(window)
    window.done.finish.click()
    window.welcome.sign_out.click()
    scan(qtbot, window, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unknown = window.catalog.text("signout.unknown")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown, timeout=5000)
    assert visits_in(window) == before
    assert window.sign_out.code_input.text() == ""
    assert window.sign_out.code_input.hasFocus()


def test_no_printer_saves_the_badge_and_sends_the_visitor_to_reception(
    qtbot: QtBot, make_window: MakeWindow, write_config: WriteConfig, tmp_path: Path
) -> None:
    window = make_window(config_for(write_config, "none"))
    fill_and_submit(qtbot, window, NAME)
    message = wait_for_badge_answer(qtbot, window)
    assert window.catalog.text("done.badge_at_reception") in message
    (visit,) = visits_in(window)
    pdf = window.kiosk.paths.badge_dir / f"{visit.visit_id}.pdf"
    assert pdf.stat().st_mode & 0o077 == 0  # personal data: the kiosk's user only
    assert "Annelies" in pdf_text(pdf)
    assert len(qr_codes(pdf, tmp_path)) == 1


@pytest.mark.parametrize("fault", ["missing", "disabled", "failing", "hanging"])
def test_printer_fault_keeps_the_visit_and_sends_the_visitor_to_reception(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    fault: str,
) -> None:
    if fault == "missing":
        queue = cups.new_queue_name("never-added")
    elif fault == "disabled":
        queue, _out = cups.add_pdf_queue("disabled")
        cups.disable(queue)
    elif fault == "failing":
        queue = cups.add_failing_queue()
    else:
        queue = cups.add_hanging_queue()
    window = make_window(config_for(write_config, queue, timeout_s=3))

    fill_and_submit(qtbot, window, NAME, "Noordzee Logistiek B.V.")
    message = wait_for_badge_answer(qtbot, window)

    assert window.catalog.text("done.badge_at_reception") in message
    (visit,) = visits_in(window)
    assert visit.visitor_name == NAME
    assert visit.on_site
    # Nothing left queued to come out of the printer after the visitor has gone.
    if fault != "missing":
        assert cups.jobs(queue) == []
    log = log_text(window)
    assert f"visit {visit.visit_id}: badge not printed" in log
    assert NAME not in log
    assert list(window.kiosk.paths.badge_dir.glob("*.pdf")) == []
    # The screen goes back by itself once the visitor has been told.
    assert window.done.timer.isActive()


def test_reprint_prints_the_same_code_again_and_only_while_on_site(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    tmp_path: Path,
) -> None:
    queue, out = cups.add_pdf_queue("reprint")
    window = make_window(config_for(write_config, queue))
    fill_and_submit(qtbot, window, NAME)
    wait_for_badge_answer(qtbot, window)
    (first,) = cups.wait_for_pdfs(out)
    (visit,) = visits_in(window)

    outcomes: list[object] = []
    window.reprint_badge(visit.visit_id, outcomes.append)
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=PRINT_WAIT_MS)
    (outcome,) = outcomes
    assert isinstance(outcome, PrintOutcome)
    assert outcome.status == "printed"
    pdfs = cups.wait_for_pdfs(out, count=2)
    second = next(p for p in pdfs if p != first)
    assert qr_codes(second, tmp_path) == qr_codes(first, tmp_path)
    assert "Annelies" in pdf_text(second)

    # Once the visitor has left there is nothing to reprint.
    window.done.finish.click()
    window.welcome.sign_out.click()
    scan(qtbot, window, qr_codes(first, tmp_path)[0])
    qtbot.waitUntil(lambda: not visits_in(window)[0].on_site, timeout=5000)
    window.reprint_badge(visit.visit_id, outcomes.append)
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=5000)
    assert isinstance(outcomes[1], UnknownVisit)
    assert len(list(out.glob("*.pdf"))) == 2
