"""Reprinting a badge from the staff screen, through the real widgets: the badge that comes out
carries a new code (read back from its PDF with zbarimg), and the badge the visitor had signs no
one out any more. The printer is a paper tray that keeps each PDF (the real CUPS path is
tests/e2e/test_badge_printing.py, which needs root)."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest
from cupssupport import qr_codes
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, wait_for_screen

from kiosk.bootstrap import assemble
from kiosk.domain.visit import SignInForm, UnknownBadge
from kiosk.printing.cups import SaveOnly
from ui.main_window import KioskWindow

PIN = "80417263"


class PaperTray(SaveOnly):
    """A printer that prints at once: the job is done, and its PDF stays where it was written
    (as with `printer = "none"`), for the test to read."""

    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        self.jobs += 1
        return f"tray-{self.jobs}"


def staff_message(qtbot: QtBot, window: KioskWindow, key: str) -> None:
    wanted = window.catalog.text(key)
    qtbot.waitUntil(lambda: window.staff.message.text() == wanted, timeout=10_000)


def test_a_reprint_prints_a_new_code_and_retires_the_old(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, tmp_path: Path
) -> None:
    tray = PaperTray()
    core = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=tray)
    window = make_window(core=core)  # the window owns the core from here
    core.staff_auth.set_pin(PIN)
    signed_in = core.visits.sign_in(SignInForm("Mette Kjær"), core.notices.notice("da"))
    visit_id, old = signed_in.visit.visit_id, signed_in.badge_code
    pdf = core.paths.badge_dir / f"{visit_id}.pdf"
    qtbot.waitUntil(lambda: tray.jobs == 1, timeout=10_000)  # the sign-in's own badge
    assert qr_codes(pdf, tmp_path) == [old]

    window.welcome.staff.click()
    wait_for_screen(qtbot, window, "staffLogin")
    for digit in PIN:
        window.staff_login.keys[digit].click()
    window.staff_login.submit.click()
    wait_for_screen(qtbot, window, "staff")
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 1, timeout=5000)
    window.staff.present_table.selectRow(0)
    window.staff.reprint.click()
    staff_message(qtbot, window, "staff.reprinted")

    assert tray.jobs == 2
    (new,) = qr_codes(pdf, tmp_path)
    assert new != old
    with pytest.raises(UnknownBadge):
        core.visits.sign_out_by_badge(old)
    assert core.visits.get(visit_id).on_site
    assert core.visits.sign_out_by_badge(new).visit_id == visit_id
