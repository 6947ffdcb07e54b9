"""Restricting, lifting and recording an objection on the staff screen's *Visitor requests* tab,
through the real widgets: each after a confirmation, audited, the found visits marked, and the
on-site list left without the restricted visitor; and the tab's buttons touch-sized and whole
at every screen size, in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WriteConfig
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMessageBox,
)
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow

from kiosk.bootstrap import Core
from kiosk.domain.visit import SignInForm, Visit
from tests.ui.test_layout import MIN_TARGET, SIZES, visible
from tests.ui.test_staff import actions, confirm, idle, log_in, sign_in_all, table_names
from ui.main_window import KioskWindow
from ui.screens.staff_rights import RIGHTS_COLUMNS, RightsTab
from ui.session import Screen

BUTTONS = ("rightsRestrictButton", "rightsLiftButton", "rightsObjectionButton")


@pytest.fixture
def window(make_window: MakeWindow, write_config: WriteConfig) -> KioskWindow:
    return make_window(write_config('[badge]\nprinter = "none"\n'))


def open_requests(qtbot: QtBot, window: KioskWindow, name: str, rows: int) -> RightsTab:
    rights = window.staff.rights
    window.staff.tabs.setCurrentWidget(rights)
    rights.name_input.setText(name)
    rights.find_button.click()
    qtbot.waitUntil(lambda: rights.model.rowCount() == rows)
    return rights


def answer(qtbot: QtBot, window: KioskWindow, button: str = "confirmYes") -> None:
    """Answer the question on screen, and wait until it is gone (so the next is the next)."""
    confirm(qtbot, window, button)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirmDialog") is None)


def name_cell(rights: RightsTab, row: int) -> str:
    text = rights.model.data(rights.model.index(row, 1), Qt.ItemDataRole.DisplayRole)
    assert isinstance(text, str)
    return text


def stored(core: Core, visit_id: int) -> Visit:
    visit = core.visits.get(visit_id)
    assert visit is not None
    return visit


def test_restrict_lift_and_objection_from_the_staff_screen(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    ids = sign_in_all(core)  # Anna de Vries, Bo Kristiansen, Siobhán O'Sullivan
    again = core.visits.sign_in(SignInForm("Anna de Vries"), core.notices.notice("nl")).visit
    log_in(qtbot, window, core)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 4)
    rights = open_requests(qtbot, window, "anna de vries", 2)
    words = window.catalog
    assert not any(button.isEnabled() for button in (rights.restrict, rights.lift))

    # Restrict the first: asked first, and "no" changes nothing.
    rights.table.selectRow(0)
    assert rights.restrict.isEnabled()
    assert not rights.lift.isEnabled()
    rights.restrict.click()
    answer(qtbot, window, "confirmNo")
    idle(qtbot, window)
    assert not stored(core, ids[0]).restricted
    rights.restrict.click()
    answer(qtbot, window)
    qtbot.waitUntil(lambda: rights.model.record(0).restricted)
    assert stored(core, ids[0]).restricted
    assert name_cell(rights, 0) == f"Anna de Vries\n⚠ {words.text('staff.rights_mark_restricted')}"
    assert name_cell(rights, 1) == "Anna de Vries"
    assert rights.message.text() == words.text("staff.rights_restricted", count=1)
    assert rights.selected_ids() == [ids[0]]  # still selected: now it can be lifted
    assert rights.lift.isEnabled()
    assert not rights.restrict.isEnabled()
    assert actions(core)[-1] == "restriction"

    # The on-site list no longer has that visit.
    window.staff.tabs.setCurrentWidget(window.staff.on_site)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 3)
    assert ids[0] not in [row.visit_id for row in window.staff.present_model.records]
    assert table_names(window).count("Anna de Vries") == 1

    # Lift it again.
    window.staff.tabs.setCurrentWidget(rights)
    rights.lift.click()
    answer(qtbot, window)
    qtbot.waitUntil(lambda: not rights.model.record(0).restricted)
    assert name_cell(rights, 0) == "Anna de Vries"
    assert rights.message.text() == words.text("staff.rights_lifted", count=1)
    assert not stored(core, ids[0]).restricted
    assert actions(core)[-1] == "restriction-lifted"

    # An objection for both visits: restricted, and marked as under objection.
    rights.select_all.click()
    rights.objection.click()
    answer(qtbot, window)
    qtbot.waitUntil(lambda: all(v.objection_at for v in rights.model.records))
    mark = f"Anna de Vries\n⚠ {words.text('staff.rights_mark_objection')}"
    assert [name_cell(rights, row) for row in (0, 1)] == [mark, mark]
    assert {v.visit_id for v in rights.model.records} == {ids[0], again.visit_id}
    assert all(stored(core, i).restricted for i in (ids[0], again.visit_id))
    assert rights.message.text() == words.text("staff.rights_objection_recorded", count=2)
    assert not rights.objection.isEnabled()
    assert actions(core)[-1] == "objection"
    window.staff.tabs.setCurrentWidget(window.staff.on_site)
    qtbot.waitUntil(lambda: window.staff.present_model.rowCount() == 2)
    assert "Anna de Vries" not in table_names(window)

    # Found again later, the marks are still there.
    rights = open_requests(qtbot, window, "Anna de Vries", 2)
    assert [name_cell(rights, row) for row in (0, 1)] == [mark, mark]


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_new_buttons_are_named_and_touch_sized(
    qtbot: QtBot, make_window: MakeWindow, language: str
) -> None:
    window = make_window()
    window.session.set_language(language)
    rights = window.staff.rights
    window.session.show(Screen.STAFF)
    window.staff.tabs.setCurrentWidget(rights)
    QApplication.processEvents()
    for name in BUTTONS:
        button = rights.findChild(QAbstractButton, name)
        assert button is not None, name
        assert button.isVisible(), name
        assert button.text() == button.accessibleName() != "", name
        assert button.height() >= MIN_TARGET, name
    assert rights.restrict.text() == window.catalog.text("staff.rights_restrict")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_requests_tab_fits_and_is_touch_sized(
    qtbot: QtBot, make_window: MakeWindow, core: Core, language: str, size: tuple[int, int]
) -> None:
    window = make_window(size=size)
    window.session.set_language(language)
    name = "Maria-Magdalena van der Heijden-Østergaard"
    form = SignInForm(name, "Harbourside Consulting Ltd", "Christoffer Vestergaard-Thorsen")
    first = core.visits.sign_in(form, core.notices.notice("da")).visit
    second = core.visits.sign_in(form, core.notices.notice("da")).visit
    core.rights.restrict([first.visit_id])
    core.rights.record_objection([second.visit_id])
    window.session.show(Screen.STAFF)
    rights = window.staff.rights
    window.staff.tabs.setCurrentWidget(rights)
    rights.show_found(core.rights.find(name))
    rights.table.selectRow(0)
    rights.show_message(lambda c: c.text("staff.rights_objection_confirm", count=2))
    QApplication.processEvents()
    where = f"{language} {size}"

    area = window.stack.currentWidget()
    assert isinstance(area, QAbstractScrollArea)
    assert area.verticalScrollBar().maximum() == 0, f"{where}: the screen has to scroll"
    for widget in visible(rights, QAbstractButton) + visible(rights, QLineEdit):
        shown = widget.visibleRegion().boundingRect().size()
        assert shown == widget.size(), f"{where}: {widget.objectName()} cut off"
        assert widget.height() >= MIN_TARGET, f"{where}: {widget.objectName()} too small"
    for button in visible(rights, QAbstractButton):
        assert isinstance(button, QAbstractButton)
        text_width = button.fontMetrics().horizontalAdvance(button.text())
        assert text_width <= button.contentsRect().width(), f"{where}: {button.objectName()}"
        assert button.width() >= button.minimumSizeHint().width(), f"{where}: squeezed"
    assert rights.table.height() >= 100, f"{where}: no room for the list"
    assert rights.message.heightForWidth(rights.message.width()) <= rights.message.height()


def test_a_purpose_from_the_list_reads_in_the_staff_screens_language(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    core.visits.sign_in(SignInForm("Åse Lund", purpose="meeting"), core.notices.notice("da"))
    core.visits.sign_in(SignInForm("Åse Lund", purpose="Eget formål"), core.notices.notice("da"))
    log_in(qtbot, window, core)
    window.session.set_language("nl")
    rights = open_requests(qtbot, window, "Åse Lund", 2)
    column = next(i for i, c in enumerate(RIGHTS_COLUMNS) if c.header_key == "staff.col_purpose")

    def purposes() -> list[str]:
        return [rights.model.index(row, column).data() for row in range(2)]

    assert purposes() == ["Afspraak", "Eget formål"]
    window.session.set_language("en")
    assert purposes() == ["Meeting", "Eget formål"]


def test_a_copy_is_saved_only_once_staff_have_checked_who_is_asking(
    qtbot: QtBot, window: KioskWindow, core: Core, tmp_path: Path
) -> None:
    """Art. 12(6), 15: a copy of one person's visits is for that person; staff are asked
    whether they checked who is asking, "no" saves nothing, "yes" leads to the file chooser
    and the copy."""
    sign_in_all(core)
    log_in(qtbot, window, core)
    rights = open_requests(qtbot, window, "Anna de Vries", 1)
    words = window.catalog

    rights.export_pdf.click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirmDialog") is not None)
    question = window.findChild(QMessageBox, "confirmDialog")
    assert question is not None
    assert question.text() == words.text("staff.rights_copy_identity")
    answer(qtbot, window, "confirmNo")
    idle(qtbot, window)
    assert window.findChild(QFileDialog, "rightsFileChooser") is None

    rights.export_pdf.click()
    answer(qtbot, window)
    qtbot.waitUntil(lambda: window.findChild(QFileDialog, "rightsFileChooser") is not None)
    chooser = window.findChild(QFileDialog, "rightsFileChooser")
    assert chooser is not None
    target = tmp_path / "copies" / "visitor-data.pdf"
    target.parent.mkdir()
    chooser.selectFile(str(target))
    chooser.accept()
    saved = words.text("staff.rights_exported", path=target)
    qtbot.waitUntil(lambda: rights.message.text() == saved)
    idle(qtbot, window)
    assert target.read_bytes().startswith(b"%PDF-")


def test_the_restriction_and_the_objection_dates_show_in_one_column(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    """Since when a visit is restricted and when the objection came in, in the staff screen's
    date format, under one header (the table keeps to the screen's width)."""
    visit = core.visits.sign_in(SignInForm("Åse Lund"), core.notices.notice("da")).visit
    other = core.visits.sign_in(SignInForm("Åse Lund"), core.notices.notice("da")).visit
    core.rights.restrict([visit.visit_id])
    core.rights.record_objection([other.visit_id])
    log_in(qtbot, window, core)
    window.session.set_language("nl")
    rights = open_requests(qtbot, window, "Åse Lund", 2)
    count = rights.model.columnCount()
    headers = [rights.model.headerData(i, Qt.Orientation.Horizontal) for i in range(count)]
    column = headers.index(window.catalog.text("staff.col_restricted"))
    assert window.catalog.text("staff.col_restricted") == "Beperkt sinds"
    by_id = {
        rights.model.record(row).visit_id: rights.model.index(row, column).data()
        for row in range(2)
    }
    restricted = core.visits.get(visit.visit_id).restricted_at
    objected = core.visits.get(other.visit_id).objection_at
    assert restricted is not None
    assert objected is not None
    date = "%d-%m-%Y %H:%M"  # Dutch staff screens: format.date and the 24-hour clock
    assert by_id[visit.visit_id] == restricted.astimezone().strftime(date)
    assert by_id[other.visit_id] == (
        f"{objected.astimezone().strftime(date)}\nbezwaar {objected.astimezone().strftime(date)}"
    )
