"""A whole sign-in through the real widgets, in each language, read back through the export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import start_kiosk
from kiosk.export.visits import ExportFormat, export_visits

VISITORS = {
    "en": ("Siobhán O'Sullivan", "Harbourside Consulting Ltd", "Jens Sørensen", "Meeting"),
    "nl": ("Daniël van der Berg", "Bouwbedrijf De Hoek B.V.", "Anouk de Vries", "Afspraak"),
    "da": ("Søren Østergaard", "Nørgaard Rådgivning ApS", "Mette Kjær", "Møde"),
}


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_sign_in_in_each_language_is_exported_with_language_and_notice(
    qtbot: QtBot, make_window: MakeWindow, language: str
) -> None:
    window = make_window()
    window.welcome.language_buttons[language].click()
    assert window.language == language
    notice = window.kiosk.notice(language)
    name, company, host, purpose = VISITORS[language]

    fill_and_submit(qtbot, window, name, company, host, purpose)
    wait_for_screen(qtbot, window, "done")
    assert name in window.done.message.text()
    assert window.done.message.text().startswith(window.catalog.text("done.message", name=name))

    kiosk = start_kiosk(window.kiosk.paths.data_dir, window.kiosk.paths.config_file)
    services = kiosk.open_services()
    out = io.StringIO()
    try:
        today = date.today()
        assert export_visits(services.store, today, today, ExportFormat.CSV, out) == 1
    finally:
        services.close()
    (record,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert record["visitor_name"] == name
    assert record["company"] == company
    assert record["host"] == host
    assert record["purpose"] == purpose
    assert record["language"] == language
    assert record["notice_version"] == notice.version
    assert record["signed_out_at"] == ""

    window.done.finish.click()
    assert window.current_screen() is window.welcome
    assert window.language == window.kiosk.config.default_language


def test_done_screen_returns_to_welcome_by_itself(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    assert window.done.timer.interval() == window.kiosk.config.kiosk.done_timeout_s * 1000
    window.done.timer.setInterval(50)
    fill_and_submit(qtbot, window, "Ida Holm")
    wait_for_screen(qtbot, window, "done")
    wait_for_screen(qtbot, window, "welcome")
    assert all(not edit.text() for edit in window.details.inputs.values())
