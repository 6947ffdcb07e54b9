"""The staff screen through the real widgets: the PIN and its lock-out, the locked-down window,
the on-site list against `visitor-kiosk present`, staff sign-out, export, the audit log and
visitors' rights requests."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import WriteConfig
from cupssupport import pdf_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen

import storage.sqlite.export_xlsx
from kiosk.bootstrap import Core, read_settings
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import OnSite, SignInForm
from kiosk.domain.workbook import MAX_RECORDS
from kiosk.export.visits import ExportFormat
from kiosk.visits.service import SEARCH_LIMIT
from ui.main_window import KioskWindow
from ui.session import Screen

PIN = "80417263"
VISITORS = (
    ("Anna de Vries", "Voorbeeld Logistiek B.V.", "Jens Sørensen"),
    ("Bo Kristiansen", "Nordisk Ventilation A/S", "Mette Kjær"),
    ("Siobhán O'Sullivan", "Harbourside Consulting Ltd", "Anouk de Vries"),
)


def sign_in_all(core: Core) -> list[int]:
    return [
        core.visits.sign_in(SignInForm(n, c, h), core.notices.notice("en")).visit.visit_id
        for n, c, h in VISITORS
    ]


def type_pin(window: KioskWindow, pin: str) -> None:
    for digit in pin:
        window.staff_login.keys[digit].click()
    window.staff_login.submit.click()


def log_in(qtbot: QtBot, window: KioskWindow, core: Core, pin: str = PIN) -> None:
    if not core.staff_auth.has_pin():
        core.staff_auth.set_pin(pin)
    window.welcome.staff.click()
    wait_for_screen(qtbot, window, "staffLogin")
    type_pin(window, pin)
    wait_for_screen(qtbot, window, "staff")


def idle(qtbot: QtBot, window: KioskWindow) -> None:
    workers = (window.worker, window.printer, window.exporter)
    qtbot.waitUntil(lambda: all(worker.pending == 0 for worker in workers))


def confirm(qtbot: QtBot, window: KioskWindow, answer: str = "confirmYes") -> None:
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirmDialog") is not None)
    box = window.findChild(QMessageBox, "confirmDialog")
    assert box is not None
    button = box.findChild(QPushButton, answer)
    assert button is not None
    button.click()


def table_names(window: KioskWindow) -> list[str]:
    return [visit.visitor_name for visit in window.staff.present_model.records]


def actions(core: Core) -> list[str]:
    return [entry.action.value for entry in reversed(core.audit.entries())]


def stored_names(core: Core) -> set[str]:
    """The names in the database file, looked at from outside the kiosk."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return {row[0] for row in db.execute("SELECT visitor_name FROM visits")}


# -- the PIN ---------------------------------------------------------------------------------


def test_without_a_pin_nobody_gets_in(qtbot: QtBot, window: KioskWindow) -> None:
    window.welcome.staff.click()
    type_pin(window, "1234")
    no_pin = window.catalog.text("staff.no_pin")
    qtbot.waitUntil(lambda: window.staff_login.message.text() == no_pin)
    assert window.current_screen() is window.staff_login


def test_a_wrong_pin_gives_no_access(qtbot: QtBot, window: KioskWindow, core: Core) -> None:
    core.staff_auth.set_pin(PIN)
    window.welcome.staff.click()
    type_pin(window, "1111")
    wrong = window.catalog.text("staff.wrong_pin", left=4)
    qtbot.waitUntil(lambda: window.staff_login.message.text() == wrong)
    assert window.current_screen() is window.staff_login
    assert window.staff_login.pin_input.text() == ""
    assert window.staff.present_model.rowCount() == 0


def test_six_wrong_pins_lock_out_even_the_right_pin(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    core.staff_auth.set_pin(PIN)
    window.welcome.staff.click()
    locked = window.catalog.messages["staff.locked"].split("{time}")[0]
    for attempt in range(5):
        type_pin(window, f"99{attempt}9")
        idle(qtbot, window)
    assert window.staff_login.message.text().startswith(locked)
    window.staff_login.message.clear()
    type_pin(window, PIN)  # the sixth try, with the right PIN
    idle(qtbot, window)
    assert window.current_screen() is window.staff_login
    assert window.staff_login.message.text().startswith(locked)
    assert actions(core).count("failed-login") == 5
    assert "lock-out" in actions(core)
    assert "login" not in actions(core)


def test_the_pin_is_in_no_file_of_the_data_dir(
    qtbot: QtBot, window: KioskWindow, core: Core, data_dir: Path
) -> None:
    log_in(qtbot, window, core)
    window.staff.exit.click()
    window.welcome.staff.click()
    type_pin(window, PIN[::-1])  # a wrong one too
    idle(qtbot, window)
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PIN.encode() not in data, path
            assert PIN.encode("utf-16-le") not in data, path
            assert PIN[::-1].encode() not in data, path


# -- lockdown --------------------------------------------------------------------------------


def test_escape_and_close_do_nothing_for_a_visitor(qtbot: QtBot, window: KioskWindow) -> None:
    window.welcome.sign_in.click()
    window.notice.proceed.click()
    assert window.current_screen() is window.details
    qtbot.keyClick(window.details.inputs["visitor_name"], Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.current_screen() is window.details
    assert window.close() is False
    assert window.isVisible()
    assert window.current_screen() is window.details


def test_closing_the_kiosk_takes_staff_and_a_confirmation(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    log_in(qtbot, window, core)
    window.staff.quit.click()
    confirm(qtbot, window, "confirmNo")
    assert window.isVisible()
    assert window.close() is False
    window.allow_close()
    assert window.close() is True


def test_staff_session_ends_on_exit_and_after_inactivity(
    qtbot: QtBot, make_window: MakeWindow, write_config: WriteConfig, core: Core
) -> None:
    window = make_window(write_config("[staff]\nsession_timeout_s = 45\n"))
    log_in(qtbot, window, core)
    timer = window.staff_timer
    assert timer.isActive()
    assert timer.interval() == 45_000
    assert not window.idle_timer.isActive()  # the visitors' shorter timeout is off
    timer.timeout.emit()
    assert window.current_screen() is window.welcome
    assert not timer.isActive()
    log_in(qtbot, window, core)
    window.staff.exit.click()
    assert window.current_screen() is window.welcome
    # The logout is recorded on the database worker, with nothing to hand back.
    qtbot.waitUntil(lambda: actions(core)[-1] == "logout")


# -- who is on site --------------------------------------------------------------------------


def test_present_table_and_search_agree_with_the_command_line(
    qtbot: QtBot, window: KioskWindow, core: Core, data_dir: Path
) -> None:
    ids = sign_in_all(core)
    core.visits.sign_out(ids[0])
    log_in(qtbot, window, core)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 2)

    present = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(data_dir),
            "present",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = [record["visitor_name"] for record in json.loads(present.stdout)]
    assert sorted(table_names(window)) == sorted(listed)

    window.staff.search.setText("kjær")  # the host of one visitor, typed in lower case
    qtbot.waitUntil(lambda: table_names(window) == ["Bo Kristiansen"])
    window.staff.search.setText("harbourside o'sullivan")
    qtbot.waitUntil(lambda: table_names(window) == ["Siobhán O'Sullivan"])
    window.staff.search.setText("Anna")  # signed out: not on site
    qtbot.waitUntil(lambda: table_names(window) == [])
    window.staff.search.setText("")
    qtbot.waitUntil(lambda: len(table_names(window)) == 2)


def test_staff_sign_out_is_method_staff_in_the_export(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    ids = sign_in_all(core)
    log_in(qtbot, window, core)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 3)
    assert not window.staff.sign_out.isEnabled()
    window.staff.select_ids([ids[1]])
    assert window.staff.sign_out.isEnabled()
    window.staff.sign_out.click()
    confirm(qtbot, window)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 2)

    out = io.StringIO()
    core.exports.visits(date.today(), date.today(), ExportFormat.CSV, out)
    methods = {
        r["visitor_name"]: r["sign_out_method"] for r in csv.DictReader(io.StringIO(out.getvalue()))
    }
    assert methods == {"Anna de Vries": "", "Bo Kristiansen": "staff", "Siobhán O'Sullivan": ""}
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.SIGN_OUT]
    assert entry.visit_ids == (ids[1],)


def test_export_from_the_staff_screen_writes_the_file_with_progress(
    qtbot: QtBot, window: KioskWindow, core: Core, tmp_path: Path
) -> None:
    sign_in_all(core)
    log_in(qtbot, window, core)
    window.staff.export.click()
    dialog = window.export_controller.dialog
    assert dialog is not None
    target = tmp_path / "access.csv"
    dialog.path.setText(str(target))
    dialog.start.click()
    qtbot.waitUntil(lambda: target.exists(), timeout=10_000)
    idle(qtbot, window)
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert sorted(r["visitor_name"] for r in rows) == sorted(v[0] for v in VISITORS)
    assert dialog.progress.value() == dialog.progress.maximum() == 3
    assert str(target) in dialog.message.text()
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.EXPORT]
    first, last = dialog.first.date().toPython(), dialog.last.date().toPython()
    assert last == date.today()
    assert entry.detail == f"Access log from {first} to {last}, 3 rows, csv"
    assert entry.params == {
        "what": "visits",
        "first": str(first),
        "last": str(last),
        "count": 3,
        "format": "csv",
    }
    assert not any(name in entry.detail for name, _c, _h in VISITORS)


def test_the_export_dialog_writes_an_excel_workbook(
    qtbot: QtBot, window: KioskWindow, core: Core, tmp_path: Path
) -> None:
    sign_in_all(core)
    log_in(qtbot, window, core)
    window.staff.export.click()
    dialog = window.export_controller.dialog
    assert dialog is not None
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert offered == [ExportFormat.CSV, ExportFormat.JSON, ExportFormat.XLSX]
    xlsx = offered.index(ExportFormat.XLSX)
    assert dialog.format.itemText(xlsx) == window.catalog.text("staff.export_xlsx")
    dialog.path.setText(str(tmp_path / "access.csv"))
    dialog.format.setCurrentIndex(xlsx)
    target = tmp_path / "access.xlsx"
    assert dialog.path.text() == str(target)  # the file name follows the format
    dialog.start.click()
    qtbot.waitUntil(lambda: target.exists(), timeout=10_000)
    idle(qtbot, window)
    book = openpyxl.load_workbook(target)
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert rows[0][:3] == ["visit_id", "visitor_name", "company"]
    assert sorted(row[1] for row in rows[1:]) == sorted(v[0] for v in VISITORS)
    assert all(isinstance(row[5], datetime) for row in rows[1:])
    assert str(target) in dialog.message.text()
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.EXPORT]
    assert entry.detail.endswith(", 3 rows, xlsx")
    assert (entry.params["count"], entry.params["format"]) == (3, "xlsx")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_workbook_export_leaves_no_file(
    qtbot: QtBot,
    window: KioskWindow,
    core: Core,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Too many visits for one sheet: refused with what to do instead, and nothing written."""
    monkeypatch.setattr(storage.sqlite.export_xlsx, "MAX_RECORDS", 2)
    sign_in_all(core)
    log_in(qtbot, window, core)
    window.staff.export.click()
    dialog = window.export_controller.dialog
    assert dialog is not None
    folder = tmp_path / "exports"
    folder.mkdir()
    dialog.path.setText(str(folder / "access.xlsx"))
    dialog.format.setCurrentIndex(dialog.format.findData(ExportFormat.XLSX))
    dialog.start.click()
    limit = window.catalog.text("staff.export_too_many", limit=f"{MAX_RECORDS:,}")
    failed = window.catalog.text("staff.export_failed", reason=limit)
    qtbot.waitUntil(lambda: dialog.message.text() == failed, timeout=10_000)
    idle(qtbot, window)
    assert list(folder.iterdir()) == []
    assert dialog.start.isEnabled()
    assert [e for e in core.audit.entries() if e.action is AuditAction.EXPORT] == []


def test_audit_tab_lists_what_staff_did(qtbot: QtBot, window: KioskWindow, core: Core) -> None:
    log_in(qtbot, window, core)
    window.staff.tabs.setCurrentWidget(window.staff.audit)
    qtbot.waitUntil(lambda: window.staff.audit.model.rowCount() >= 2)
    shown = [e.action.value for e in window.staff.audit.model.records]
    assert shown[0] == "login"
    assert "pin-set" in shown


def test_audit_tab_reads_in_the_staff_screens_language(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    core.staff_auth.set_pin(PIN)
    core.staff_auth.login("000000")  # a wrong PIN
    log_in(qtbot, window, core)
    window.session.set_language("nl")
    window.staff.tabs.setCurrentWidget(window.staff.audit)
    model = window.staff.audit.model
    qtbot.waitUntil(lambda: model.rowCount() >= 3)
    rows = [
        tuple(model.index(row, column).data() for column in (1, 2))
        for row in range(model.rowCount())
    ]
    assert rows[:3] == [
        ("Ingelogd", ""),
        ("Mislukte inlogpoging", "Verkeerde pincode"),
        ("Pincode ingesteld", ""),
    ]
    window.session.set_language("da")
    assert model.index(1, 2).data() == "Forkert pinkode"


def test_audit_tab_shows_the_visits_linked_or_how_many_went_since(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    ids = sign_in_all(core)
    core.reception.sign_out(ids[:2])  # one entry, linking the first two visits
    core.rights.erase([ids[0]])  # that entry keeps one id; the erasure's own keeps none
    log_in(qtbot, window, core)
    window.staff.tabs.setCurrentWidget(window.staff.audit)
    model = window.staff.audit.model
    qtbot.waitUntil(lambda: model.rowCount() >= 3)
    shown = {entry.action: model.index(row, 3).data() for row, entry in enumerate(model.records)}
    assert shown[AuditAction.SIGN_OUT] == str(ids[1])
    assert shown[AuditAction.ERASURE] == "1 deleted since"
    assert shown[AuditAction.LOGIN] == ""


def test_evacuation_list_is_saved_when_there_is_no_printer(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_config: WriteConfig,
    core: Core,
    data_dir: Path,
) -> None:
    """In the language the staff screen shows (picked at the welcome screen), not the site's
    default (Dutch here)."""
    config = write_config('[staff]\nprinter = "none"\n[kiosk]\nlanguages = ["nl", "en", "da"]\n')
    window = make_window(config)
    sign_in_all(core)
    window.welcome.language_buttons["da"].click()
    log_in(qtbot, window, core)
    assert window.staff.evacuation.text() == "Evakueringsliste"
    window.staff.evacuation.click()
    paths, _config = read_settings(data_dir, config)
    reports = paths.report_dir
    qtbot.waitUntil(lambda: list(reports.glob("roll-call-*.pdf")) != [], timeout=15_000)
    idle(qtbot, window)
    (saved,) = reports.glob("roll-call-*.pdf")
    assert str(saved) in window.staff.message.text()
    assert saved.stat().st_mode & 0o077 == 0
    text = " ".join(pdf_text(saved).split())
    assert "Evakueringsliste" in text
    assert "3 personer til stede" in text
    assert "Navn Virksomhed Vært Ankommet" in text
    assert "Ontruimingslijst" not in text
    assert "Evacuation" not in text
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.EVACUATION]
    assert entry.visit_count == 3
    assert entry.params == {"count": 3}


# -- visitors' rights ------------------------------------------------------------------------


def test_rights_find_correct_and_erase(qtbot: QtBot, window: KioskWindow, core: Core) -> None:
    ids = sign_in_all(core)
    again = core.visits.sign_in(
        SignInForm("Anna de Vries", "Other B.V."), core.notices.notice("nl")
    ).visit
    log_in(qtbot, window, core)
    rights = window.staff.rights
    window.staff.tabs.setCurrentWidget(rights)
    rights.name_input.setText("anna DE vries")
    rights.find_button.click()
    qtbot.waitUntil(lambda: rights.model.rowCount() == 2)
    assert {v.visit_id for v in rights.model.records} == {ids[0], again.visit_id}

    rights.table.selectRow(0)
    rights.field.setCurrentIndex(rights.field.findData("company"))
    rights.value.setText("  Voorbeeld   Transport B.V. ")
    rights.correct.click()
    qtbot.waitUntil(lambda: core.visits.get(ids[0]).company == "Voorbeeld Transport B.V.")

    rights.select_all.click()
    rights.erase.click()
    confirm(qtbot, window)
    qtbot.waitUntil(lambda: rights.model.rowCount() == 0)
    idle(qtbot, window)
    assert stored_names(core) == {"Bo Kristiansen", "Siobhán O'Sullivan"}
    done = actions(core)
    assert {"access-request", "correction", "erasure"} <= set(done)


def test_a_question_left_open_when_the_staff_session_ends_closes_unanswered(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    """Staff walk away from "sign out these visitors?": when the session times out, the
    question goes with it, and the next person at the kiosk cannot answer it."""
    ids = sign_in_all(core)
    log_in(qtbot, window, core)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 3)
    window.staff.select_ids(ids)
    window.staff.sign_out.click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirmDialog") is not None)
    box = window.findChild(QMessageBox, "confirmDialog")
    assert box is not None
    assert box.isVisible()

    window.staff_timer.timeout.emit()  # the staff session's inactivity limit

    assert window.session.screen is Screen.WELCOME
    assert not box.isVisible()
    idle(qtbot, window)
    assert [v.visit_id for v in core.visits.present()] == ids
    assert "sign-out" not in actions(core)


def test_a_visitor_signing_in_still_works_after_staff_left(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    log_in(qtbot, window, core)
    window.staff.exit.click()
    fill_and_submit(qtbot, window, "Mette Kjær")
    wait_for_screen(qtbot, window, "done")


@pytest.fixture
def window(make_window: MakeWindow, write_config: WriteConfig) -> KioskWindow:
    # Badges are saved, not printed, in these tests.
    return make_window(write_config('[badge]\nprinter = "none"\n'))


def test_a_long_list_says_there_are_more_than_shown(window: KioskWindow) -> None:
    row = OnSite(1, "Anna de Vries", "", "", datetime(2026, 11, 22, 8, tzinfo=UTC))
    window.session.show(Screen.STAFF)
    window.staff.show_present(
        [dataclasses.replace(row, visit_id=n) for n in range(SEARCH_LIMIT + 1)]
    )
    assert window.staff.present_model.rowCount() == SEARCH_LIMIT
    assert window.staff.count.text() == window.catalog.text("staff.count_more", count=SEARCH_LIMIT)
    window.staff.show_present([row])
    assert window.staff.count.text() == window.catalog.text("staff.count", count=1)
