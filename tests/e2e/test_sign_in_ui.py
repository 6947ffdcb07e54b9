"""A whole sign-in through the real widgets, in each language, read back through the export."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

from kiosk.bootstrap import assemble, read_settings
from kiosk.export.visits import ExportFormat

VISITORS = {
    "en": ("Siobhán O'Sullivan", "Harbourside Consulting Ltd", "Jens Sørensen", "Meeting"),
    "nl": ("Daniël van der Berg", "Bouwbedrijf De Hoek B.V.", "Anouk de Vries", "Afspraak"),
    "da": ("Søren Østergaard", "Nørgaard Rådgivning ApS", "Mette Kjær", "Møde"),
}


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_sign_in_in_each_language_is_exported_with_language_and_notice(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path, language: str
) -> None:
    window = make_window()
    window.welcome.language_buttons[language].click()
    assert window.session.language == language
    name, company, host, purpose = VISITORS[language]

    fill_and_submit(qtbot, window, name, company, host, purpose)
    wait_for_screen(qtbot, window, "done")
    assert name in window.done.message.text()
    assert window.done.message.text().startswith(window.catalog.text("done.welcome", name=name))

    core = assemble(data_dir)
    out = io.StringIO()
    try:
        notice = core.notices.notice(language)
        today = date.today()
        assert core.exports.visits(today, today, ExportFormat.CSV, out) == 1
    finally:
        core.close()
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
    assert window.session.language == read_settings(data_dir)[1].default_language


def test_done_screen_returns_to_welcome_by_itself(
    qtbot: QtBot, make_window: MakeWindow, data_dir: Path
) -> None:
    window = make_window()
    _paths, config = read_settings(data_dir)
    assert window.done.timer.interval() == config.kiosk.done_timeout_s * 1000
    window.done.timer.setInterval(50)
    fill_and_submit(qtbot, window, "Ida Holm")
    wait_for_screen(qtbot, window, "done")
    wait_for_screen(qtbot, window, "welcome")
    assert all(not edit.text() for edit in window.details.inputs.values())
