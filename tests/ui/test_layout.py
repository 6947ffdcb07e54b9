"""Touch-first layout, checked on the real widgets: at 1024x600, 1280x800 and 1920x1080, in
every language, every screen fits without scrolling, every target is at least 64 px high,
all text is at least 20 px and no button, field or label is cut off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QFontInfo, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow

from kiosk.domain.visit import HostNotice, NameMatch, OnSite, Visit
from ui.app import ui_scale
from ui.main_window import KioskWindow
from ui.screens.base import Screen as ScreenWidget
from ui.screenshots import sample_audit
from ui.session import Screen

SIZES = [(1024, 600), (1280, 800), (1920, 1080)]
MIN_TARGET = 64
MIN_TEXT = 20


def crowded(window: KioskWindow) -> list[Screen]:
    """Each screen in its fullest state: long inputs, an error, a long visitor name."""
    details = window.details
    details.inputs["visitor_name"].setText("Maria-Magdalena van der Heijden-Østergaard")
    details.purpose_buttons["maintenance"].click()
    details.submit.setEnabled(True)
    details.inputs["visitor_name"].setText("")
    details.submit.click()  # shows the "name required" error
    window.done.show_signed_in("Maria-Magdalena van der Heijden-Østergaard")
    window.done.show_badge(at_printer=True)  # the longest badge message
    window.done.show_host_told("Christoffer Vestergaard-Thorsen")
    window.sign_out.no_badge.click()
    window.sign_out.name_input.setText(LONG_NAME)
    window.sign_out.show_name_match(LONG_NAME, NameMatch.ONE)  # the question
    window.staff.show_present(
        [
            OnSite(v.visit_id, v.visitor_name, v.company, v.host, v.signed_in_at, not_reached)
            for v in map(same_name_visit, range(12))
        ]
    )
    window.staff.present_table.selectRow(0)
    report = "/var/lib/visitor-kiosk/reports/roll-call-20261122-101500.pdf"
    window.staff.show_message(lambda c: c.text("staff.roll_call_saved", path=report))
    window.staff_login.show_message(lambda c: c.text("staff.wrong_pin", left=4))
    return list(window.screens)


not_reached = HostNotice.NOT_REACHED
LONG_NAME = "Maria-Magdalena van der Heijden-Østergaard"


def same_name_visit(n: int) -> Visit:
    return Visit(
        visit_id=n + 1,
        visitor_name="Maria-Magdalena van der Heijden-Østergaard",
        company="",
        host="Christoffer Vestergaard-Thorsen",
        purpose="",
        signed_in_at=datetime(2026, 11, 22, 8 + n, 5, tzinfo=UTC),
        signed_out_at=None,
        sign_out_method=None,
        language="da",
        notice_version="da-000000000000",
        kiosk_id="lobby-1",
    )


def scrolls_to(widget: QWidget) -> bool:
    """Inside an area of its own screen that shows a scroll bar (the notice's texts)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, ScreenWidget):
        if isinstance(parent, QAbstractScrollArea) and parent.verticalScrollBar().isVisible():
            return True
        parent = parent.parentWidget()
    return False


def visible(widget: QWidget, cls: type[QWidget]) -> list[QWidget]:
    return [w for w in widget.findChildren(cls) if w.isVisible()]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_every_screen_fits_and_is_touch_sized(
    qtbot: QtBot, make_window: MakeWindow, language: str, size: tuple[int, int]
) -> None:
    window = make_window(size=size)
    window.session.set_language(language)
    for screen in crowded(window):
        window.session.show(screen)
        QApplication.processEvents()
        assert window.current_screen() is window.screens[screen]
        where = f"{screen.value} {language} {size}"
        assert (window.width(), window.height()) == size, f"{where}: content does not fit"

        area = window.stack.currentWidget()
        assert isinstance(area, QAbstractScrollArea)
        assert area.verticalScrollBar().maximum() == 0, f"{where}: the screen has to scroll"
        for inner in visible(window, QScrollArea):
            assert isinstance(inner, QScrollArea)
            held = inner.widget()
            # Text wider than the area's view runs under its scroll bar (a word too long).
            assert held is None or held.width() <= inner.viewport().width(), (
                f"{where}: {inner.objectName()} holds something wider than it shows"
            )
        for widget in visible(window, QAbstractButton) + visible(window, QLineEdit):
            shown = widget.visibleRegion().boundingRect().size()
            assert shown == widget.size() or scrolls_to(widget), (
                f"{where}: {widget.objectName()} cut off ({shown.toTuple()} shown)"
            )
        for button in visible(window, QAbstractButton):
            assert isinstance(button, QAbstractButton)
            assert button.height() >= MIN_TARGET, f"{where}: {button.objectName()} too small"
            text_width = button.fontMetrics().horizontalAdvance(button.text())
            assert text_width <= button.contentsRect().width(), (
                f"{where}: {button.objectName()} text cut off"
            )
            # Narrower than its text and padding: squeezed, the text clipped at both ends.
            assert button.width() >= button.minimumSizeHint().width(), (
                f"{where}: {button.objectName()} squeezed"
            )
        for edit in visible(window, QLineEdit):
            assert edit.height() >= MIN_TARGET, f"{where}: {edit.objectName()} too small"
        for bar in visible(window, QTabBar):
            assert isinstance(bar, QTabBar)
            for index in range(bar.count()):
                assert bar.tabRect(index).height() >= MIN_TARGET, f"{where}: tab {index} too small"
        for table in visible(window, QTableView):
            assert isinstance(table, QTableView)
            rows = table.verticalHeader()
            for row in range(table.model().rowCount()):
                assert rows.sectionSize(row) >= MIN_TARGET, f"{where}: {table.objectName()} row"
        for widget in visible(window, QLabel) + visible(window, QAbstractButton):
            assert QFontInfo(widget.font()).pixelSize() >= MIN_TEXT, (
                f"{where}: {widget.objectName()} text smaller than {MIN_TEXT} px"
            )
        for label in visible(window, QLabel):
            assert isinstance(label, QLabel)
            if label.wordWrap() and label.text():
                needed = label.heightForWidth(label.width())
                assert needed <= label.height(), f"{where}: {label.objectName()} cut off"
            elif label.text():
                lines = label.text().splitlines()
                metrics = label.fontMetrics()
                width = max(metrics.horizontalAdvance(line) for line in lines)
                assert width <= label.contentsRect().width(), (
                    f"{where}: {label.objectName()} cut off"
                )
                assert metrics.height() * len(lines) <= label.contentsRect().height(), (
                    f"{where}: {label.objectName()} lines cut off"
                )


def test_a_larger_screen_shows_the_same_layout_larger(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    """1920x1080 is not 1280x800 floating in empty space: text, targets and rows grow with the
    screen (up to 1.5x), and come back when the window is smaller again."""
    assert [ui_scale(*size) for size in SIZES] == [1.0, 1.0, 1.35]
    assert ui_scale(3840, 2160) == 1.5
    window = make_window(size=(1280, 800))
    window.session.show(Screen.DETAILS)

    def sizes() -> tuple[int, int, int]:
        QApplication.processEvents()
        name = window.details.inputs["visitor_name"]
        row = window.staff.present_table.verticalHeader().defaultSectionSize()
        return QFontInfo(name.font()).pixelSize(), name.height(), row

    base = sizes()
    window.resize(1920, 1080)
    large = sizes()
    ratios = [big / small for big, small in zip(large, base, strict=True)]
    assert all(1.3 <= ratio <= 1.4 for ratio in ratios), ratios  # 1.35, to whole pixels
    window.resize(1280, 800)
    back = sizes()
    assert (back[0], back[2]) == (base[0], base[2])  # the text and the rows


# The notice's first layer (GDPR Art. 13 in layers, Art. 21(4) apart): the key facts and the
# objection box are read without scrolling at every size, in every language, with the settings
# a site runs on: the defaults, and hosts told by e-mail with a data protection officer named.
NOTICE_SETTINGS = {
    "defaults": "",
    "mail-and-officer": (
        '[site]\ndpo_contact = "fg@example.com"\n[notify]\nsmtp_host = "mail.example.com"\n'
    ),
}


def first_layer_bottom(window: KioskWindow) -> float:
    """Where the first layer's last line ends in the text, from the top of the document: the
    list it is, before the rule and the whole notice."""
    document = window.notice.text.document()
    layout = document.documentLayout()
    block = document.begin()
    bottom = 0.0
    while block.isValid() and block.textList() is not None:
        bottom = layout.blockBoundingRect(block).bottom()
        block = block.next()
    assert bottom > 0, "the notice does not start with its first layer"
    return bottom


@pytest.mark.parametrize("settings", NOTICE_SETTINGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_notice_first_layer_and_objection_show_whole(
    tmp_path: Path,
    make_window: MakeWindow,
    language: str,
    size: tuple[int, int],
    settings: str,
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(NOTICE_SETTINGS[settings], encoding="utf-8")
    window = make_window(config, size=size)
    window.session.set_language(language)
    window.session.show(Screen.NOTICE)
    QApplication.processEvents()
    notice = window.notice
    where = f"{language} {size} {settings}"
    shown = notice.text.viewport().height()
    assert first_layer_bottom(window) <= shown, f"{where}: the first layer needs scrolling"
    assert notice.objection_area.verticalScrollBar().maximum() == 0, (
        f"{where}: the objection box needs scrolling"
    )
    area = window.stack.currentWidget()
    assert isinstance(area, QAbstractScrollArea)
    assert area.verticalScrollBar().maximum() == 0, f"{where}: the screen has to scroll"
    for button in (notice.back, notice.decline, notice.full_button, notice.proceed):
        assert button.visibleRegion().boundingRect().size() == button.size(), where


def drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    """A finger drag: press, a move every 15 ms, release (as a touch screen's mouse events)."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(point),
            QPointF(widget.mapToGlobal(point)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, move)
        QTest.qWait(15)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_a_finger_drag_scrolls_the_form_and_the_staff_list(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    """At 1024x600 the details form is taller than its room (the purpose chips are below):
    a drag moves it, as do the staff tables; without drag-scrolling only the thin bar would."""
    window = make_window(size=(1024, 600))
    window.session.show(Screen.DETAILS)
    QApplication.processEvents()
    areas = [
        area
        for area in visible(window.details, QScrollArea)
        if isinstance(area, QScrollArea) and area.verticalScrollBar().maximum() > 0
    ]
    assert areas, "the details form fits at 1024x600: nothing to drag"
    area = areas[0]
    assert isinstance(area, QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.value() == 0
    viewport = area.viewport()
    # Start beside the fields, on the form's own background (a label's column).
    x = 12
    drag(viewport, QPoint(x, viewport.height() - 20), QPoint(x, 20))
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=3000)

    table = window.staff.present_table
    window.staff.show_present(
        [
            OnSite(n, f"Visitor {n}", "", "", datetime(2026, 11, 22, 9, tzinfo=UTC), None)
            for n in range(1, 40)
        ]
    )
    window.session.show(Screen.STAFF)
    QApplication.processEvents()
    rows = table.verticalScrollBar()
    assert rows.maximum() > 0
    view = table.viewport()
    drag(view, QPoint(view.width() // 2, view.height() - 10), QPoint(view.width() // 2, 10))
    qtbot.waitUntil(lambda: rows.value() > 0, timeout=3000)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_every_audit_entry_is_read_whole(
    make_window: MakeWindow, language: str, size: tuple[int, int]
) -> None:
    """The audit log's action and detail wrap within their rows; none ends in "…"."""
    window = make_window(size=size)
    window.session.set_language(language)
    audit = window.staff.audit
    audit.show_entries(sample_audit())
    window.session.show(Screen.STAFF)
    window.staff.tabs.setCurrentWidget(audit)
    QApplication.processEvents()
    table = audit.table
    metrics = table.fontMetrics()
    for row in range(audit.model.rowCount()):
        for column in (1, 2):
            text = audit.model.index(row, column).data()
            width = table.columnWidth(column) - 8  # the cell's margins
            wraps = table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideNone
            flags = int(Qt.TextFlag.TextWordWrap) if wraps else 0
            needed = metrics.boundingRect(QRect(0, 0, width, 0), flags, text)
            assert needed.width() <= width, f"{language} {size}: {text!r} wider than its cell"
            assert needed.height() <= table.rowHeight(row), f"{language} {size}: {text!r} cut"
