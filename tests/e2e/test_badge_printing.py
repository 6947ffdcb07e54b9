"""The real print path: sign in through the widgets, the badge goes through a real CUPS
scheduler to a cups-pdf queue, the PDF is read back with pdftotext and zbarimg, and the code
read off the paper signs the visit out at `badgeCodeInput`, typed key by key as a USB
scanner types it. Then each printer fault: the visit is kept, the visitor is sent to
reception, the fault is logged, and no job is left behind to print later. The badge is printed
by the core's badge-printing subscriber, on a thread of its own, once the sign-in is
committed; a reprint from the staff screen gives the visit a new code first, then prints."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from conftest import WriteConfig
from cupsserver import CupsServer
from cupssupport import pdf_text, qr_codes
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignOutMethod, Visit
from ui.main_window import KioskWindow

NAME = "Annelies van der Berg-Hoogendoorn"
PIN = "482915"
PRINT_WAIT_MS = 40_000


def config_for(write_config: WriteConfig, printer: str, timeout_s: int = 30) -> Path:
    return write_config(f'[badge]\nprinter = "{printer}"\nprint_timeout_s = {timeout_s}\n')


@contextmanager
def opened(data_dir: Path) -> Iterator[Core]:
    """Another core on the window's data dir, as a second process would open it."""
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        yield core
    finally:
        core.close()


def visits_in(data_dir: Path) -> list[Visit]:
    with closing(sqlite3.connect(data_dir / "kiosk.db")) as db:  # only to list the ids
        ids = [row[0] for row in db.execute("SELECT visit_id FROM visits ORDER BY visit_id")]
    with opened(data_dir) as core:
        return [core.visits.get(visit_id) for visit_id in ids]


def reprints(data_dir: Path) -> int:
    with opened(data_dir) as core:
        return sum(entry.action is AuditAction.REPRINT for entry in core.audit.entries())


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


def log_in_as_staff(qtbot: QtBot, window: KioskWindow) -> None:
    window.staff_controller.start_login()
    window.staff_login.pin_entered.emit(PIN)
    wait_for_screen(qtbot, window, "staff")


def staff_message(qtbot: QtBot, window: KioskWindow, key: str, timeout: int) -> None:
    wanted = window.catalog.text(key)
    qtbot.waitUntil(lambda: window.staff.message.text() == wanted, timeout=timeout)


def log_text(data_dir: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("*"))


def test_badge_printed_through_cups_then_scanned_to_sign_out(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    data_dir: Path,
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
    (visit,) = visits_in(data_dir)
    assert visit.visitor_name == NAME
    assert visit.on_site
    assert code not in text  # the code is only in the QR, never printed as text
    # The kiosk's own copy went as soon as CUPS had the job.
    assert list((data_dir / "badges").glob("*.pdf")) == []

    window.done.finish.click()
    window.welcome.sign_out.click()
    wait_for_screen(qtbot, window, "signOut")
    scan(qtbot, window, code)
    qtbot.waitUntil(lambda: not window.sign_out.code_input.isVisible(), timeout=5000)
    # The goodbye comes in the language the visitor signed in with.
    assert window.session.language == "nl"
    assert window.sign_out.message.text() == window.catalog.text("signout.goodbye", name=NAME)
    (visit,) = visits_in(data_dir)
    assert visit.sign_out_method is SignOutMethod.KIOSK
    assert visit.signed_out_at is not None

    # The same badge again: a clear message and nothing changes.
    window.sign_out.finished.emit()
    window.welcome.sign_out.click()
    scan(qtbot, window, code)
    used = window.catalog.text("signout.used")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == used, timeout=5000)
    assert visits_in(data_dir) == [visit]
    assert NAME not in log_text(data_dir)


def test_unknown_code_changes_nothing(
    qtbot: QtBot, make_window: MakeWindow, write_config: WriteConfig, data_dir: Path
) -> None:
    window = make_window(config_for(write_config, "none"))
    fill_and_submit(qtbot, window, NAME)
    wait_for_badge_answer(qtbot, window)
    before = visits_in(data_dir)
    window.done.finish.click()
    window.welcome.sign_out.click()
    scan(qtbot, window, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unknown = window.catalog.text("signout.unknown")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown, timeout=5000)
    assert visits_in(data_dir) == before
    assert window.sign_out.code_input.text() == ""
    assert window.sign_out.code_input.hasFocus()


def test_no_printer_saves_the_badge_and_sends_the_visitor_to_reception(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    window = make_window(config_for(write_config, "none"))
    fill_and_submit(qtbot, window, NAME)
    message = wait_for_badge_answer(qtbot, window)
    assert window.catalog.text("done.badge_at_reception") in message
    (visit,) = visits_in(data_dir)
    pdf = data_dir / "badges" / f"{visit.visit_id}.pdf"
    assert pdf.stat().st_mode & 0o077 == 0  # personal data: the kiosk's user only
    assert "Annelies" in pdf_text(pdf)
    assert len(qr_codes(pdf, tmp_path)) == 1


@pytest.mark.parametrize("fault", ["missing", "disabled", "failing", "hanging"])
def test_printer_fault_keeps_the_visit_and_sends_the_visitor_to_reception(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    data_dir: Path,
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
    (visit,) = visits_in(data_dir)
    assert visit.visitor_name == NAME
    assert visit.on_site
    # Nothing left queued to come out of the printer after the visitor has gone.
    if fault != "missing":
        assert cups.jobs(queue) == []
    log = log_text(data_dir)
    assert f"visit {visit.visit_id}: badge not printed" in log
    assert NAME not in log
    assert list((data_dir / "badges").glob("*.pdf")) == []
    # The screen goes back by itself once the visitor has been told.
    assert window.done.timer.isActive()


def test_reprint_prints_a_new_code_that_retires_the_old_badge_and_only_while_on_site(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    cups: CupsServer,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    queue, out = cups.add_pdf_queue("reprint")
    with opened(data_dir) as core:
        core.staff_auth.set_pin(PIN)
    window = make_window(config_for(write_config, queue))
    fill_and_submit(qtbot, window, NAME)
    wait_for_badge_answer(qtbot, window)
    (first,) = cups.wait_for_pdfs(out)
    (visit,) = visits_in(data_dir)
    (code,) = qr_codes(first, tmp_path)
    window.done.finish.click()

    # Staff pick the visitor in the on-site list and print the badge again.
    log_in_as_staff(qtbot, window)
    model = window.staff.present_model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert model.record(0).visit_id == visit.visit_id
    window.staff.present_table.selectRow(0)
    window.staff.reprint.click()
    staff_message(qtbot, window, "staff.reprinted", PRINT_WAIT_MS)
    pdfs = cups.wait_for_pdfs(out, count=2)
    second = next(p for p in pdfs if p != first)
    (new_code,) = qr_codes(second, tmp_path)
    assert new_code != code
    assert "Annelies" in pdf_text(second)
    assert reprints(data_dir) == 1

    # The first badge (lost, or kept by someone) signs no one out any more; the new one does.
    window.staff.exit.click()
    wait_for_screen(qtbot, window, "welcome")
    window.welcome.sign_out.click()
    wait_for_screen(qtbot, window, "signOut")
    scan(qtbot, window, code)
    unknown = window.catalog.text("signout.unknown")
    qtbot.waitUntil(lambda: window.sign_out.message.text() == unknown, timeout=5000)
    assert visits_in(data_dir)[0].on_site
    scan(qtbot, window, new_code)
    qtbot.waitUntil(lambda: not visits_in(data_dir)[0].on_site, timeout=5000)

    # Once the visitor has left there is nothing to reprint, even from a list staff opened
    # before the visitor scanned their badge out at the kiosk.
    window.sign_out.finished.emit()
    log_in_as_staff(qtbot, window)
    window.staff.reprint_requested.emit(visit.visit_id)
    staff_message(qtbot, window, "staff.reprint_failed", 5000)
    assert reprints(data_dir) == 1  # refused by reception (no such open visit), not printed
    assert len(list(out.glob("*.pdf"))) == 2
