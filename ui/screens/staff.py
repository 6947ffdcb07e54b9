"""The reception staff screen, behind the PIN: who is on site (search, sign out, reprint, roll
call, export), visitors' rights requests, and the staff audit log, one tab each.

The screen only shows and asks; the staff controller (ui/staff_controller.py) runs the work
on the workers and hands results back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.visit import HostNotice
from kiosk.settings.i18n import Catalog
from kiosk.visits.service import SEARCH_LIMIT
from ui.models import Column, RecordTableModel, make_table
from ui.screens.base import Screen, clear_field, make_button, make_field, make_title, set_text
from ui.screens.staff_audit import AuditTab
from ui.screens.staff_rights import RightsTab


class OnSiteRow(Protocol):
    """A row of the on-site list: kiosk.domain.visit.OnSite."""

    @property
    def visit_id(self) -> int: ...
    @property
    def visitor_name(self) -> str: ...
    @property
    def company(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def signed_in_at(self) -> datetime: ...
    @property
    def host_notice(self) -> HostNotice | None: ...


def host_not_reached(visit: OnSiteRow) -> str | None:
    """The kiosk told reception instead of the host (unknown, refused, or too late)."""
    return "staff.host_not_reached" if visit.host_notice is HostNotice.NOT_REACHED else None


PRESENT_COLUMNS: tuple[Column[OnSiteRow], ...] = (
    Column("staff.col_name", lambda v: v.visitor_name),
    Column("staff.col_company", lambda v: v.company),
    Column("staff.col_host", lambda v: v.host, note=host_not_reached),
    Column("staff.col_since", when=lambda v: v.signed_in_at, today=True),
)


class _RoomTakingTabs(QTabWidget):
    """Tabs that take the room there is (their lists scroll) and ask for none: a wrapped
    message in a tab would otherwise make the whole screen scroll on a small panel."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

    def hasHeightForWidth(self) -> bool:
        return False


class StaffScreen(Screen):
    search_changed = Signal(str)
    sign_out_requested = Signal(list)  # visit ids
    reprint_requested = Signal(int)
    evacuation_requested = Signal()
    export_requested = Signal()
    exit_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("staff", parent)
        self._catalog: Catalog | None = None
        self._message: Callable[[Catalog], str] | None = None
        self._more = False
        self.title = make_title("staffTitle")
        self.exit = make_button("staffExit", role="primary")
        self.exit.clicked.connect(self.exit_requested)
        # Closing the kiosk ends it for everyone: it looks like the other actions that cannot
        # be undone (erase), and sits apart from Log out, which is tapped many times a day.
        self.quit = make_button("staffQuitKiosk", role="danger-quiet")
        self.quit.clicked.connect(self.quit_requested)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.title)
        top.addWidget(self.quit)
        top.addStretch(1)
        top.addWidget(self.exit)

        # -- on site -----------------------------------------------------------------------
        self.present_model: RecordTableModel[OnSiteRow] = RecordTableModel(PRESENT_COLUMNS)
        self.search = make_field("staffSearch")
        self.search.setClearButtonEnabled(False)
        self.search.textChanged.connect(self.search_changed)
        self.present_table = make_table("presentTable", self.present_model)
        # On a small panel the list may shrink to a couple of rows; it scrolls.
        self.present_table.setMinimumHeight(100)
        self.present_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.count = QLabel()
        self.count.setObjectName("staffPresentCount")
        self.sign_out = make_button("staffSignOutButton", role="secondary")
        self.sign_out.clicked.connect(self._on_sign_out)
        self.reprint = make_button("reprintButton", role="secondary")
        self.reprint.clicked.connect(self._on_reprint)
        # The roll call is urgent, not destructive: the green of an exit sign, not the red of
        # erase.
        self.evacuation = make_button("evacuationButton", role="evacuation")
        self.evacuation.clicked.connect(self.evacuation_requested)
        self.export = make_button("exportButton", role="secondary")
        self.export.clicked.connect(self.export_requested)
        self.message = QLabel()
        self.message.setObjectName("staffMessage")
        self.message.setWordWrap(True)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        actions = QHBoxLayout()
        for button in (self.sign_out, self.reprint):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.export)
        actions.addWidget(self.evacuation)
        self.on_site = on_site = QWidget()
        on_site.setObjectName("staffOnSiteTab")
        on_site_layout = QVBoxLayout(on_site)
        on_site_layout.setContentsMargins(0, 8, 0, 0)
        on_site_layout.setSpacing(8)
        on_site_layout.addLayout(search_row)
        on_site_layout.addWidget(self.present_table, 1)
        on_site_layout.addWidget(self.message)
        on_site_layout.addLayout(actions)

        self.rights = RightsTab()
        self.audit = AuditTab()
        self.tabs = _RoomTakingTabs()
        self.tabs.setObjectName("staffTabs")
        self.tabs.addTab(on_site, "")
        self.tabs.addTab(self.rights, "")
        self.tabs.addTab(self.audit, "")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 8, 32, 8)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self._update_buttons()

    # -- what the controller calls ---------------------------------------------------------
    def show_present(self, visits: Sequence[OnSiteRow]) -> None:
        """The rows found; one more than SEARCH_LIMIT means there are more than shown."""
        selected = set(self.selected_ids())
        self._more = len(visits) > SEARCH_LIMIT
        self.present_model.set_records(visits[:SEARCH_LIMIT])
        selection = self.present_table.selectionModel()
        for row, visit in enumerate(visits):
            if visit.visit_id in selected:
                self.present_table.selectRow(row)
        if not selected:
            selection.clearSelection()
        self._render()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.present_table.selectionModel().selectedRows()})
        return [self.present_model.record(row).visit_id for row in rows]

    def select_ids(self, visit_ids: list[int]) -> None:
        self.present_table.clearSelection()
        for row, visit in enumerate(self.present_model.records):
            if visit.visit_id in visit_ids:
                self.present_table.selectRow(row)

    def show_message(self, text: Callable[[Catalog], str] | None) -> None:
        self._message = text
        self._render()

    # -- Screen ----------------------------------------------------------------------------
    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.present_model.retranslate(catalog)
        self.rights.retranslate_ui(catalog)
        self.audit.retranslate_ui(catalog)
        self._render()

    def clear(self) -> None:
        self.search.blockSignals(True)
        clear_field(self.search)
        self.search.blockSignals(False)
        self.present_model.set_records([])
        self._message = None
        self.tabs.setCurrentIndex(0)
        self.rights.clear()
        self.audit.clear()
        self._render()

    def _render(self) -> None:
        c = self._catalog
        if c is None:
            return
        set_text(self.title, c.text("staff.title"))
        set_text(self.exit, c.text("staff.exit"))
        set_text(self.quit, c.text("staff.quit_kiosk"))
        self.search.setPlaceholderText(c.text("staff.search"))
        self.search.setAccessibleName(c.text("staff.search"))
        self.present_table.setAccessibleName(c.text("staff.tab_on_site"))
        shown = self.present_model.rowCount()
        key = "staff.count_more" if self._more else "staff.count"
        set_text(self.count, c.text(key, count=shown))
        set_text(self.sign_out, c.text("staff.sign_out"))
        set_text(self.reprint, c.text("staff.reprint"))
        set_text(self.evacuation, c.text("staff.evacuation"))
        set_text(self.export, c.text("staff.export"))
        set_text(self.message, self._message(c) if self._message else "")
        for index, key in enumerate(("staff.tab_on_site", "staff.tab_rights", "staff.tab_audit")):
            self.tabs.setTabText(index, c.text(key))
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        count = len(self.selected_ids())
        self.sign_out.setEnabled(count >= 1)
        self.reprint.setEnabled(count == 1)

    def _on_sign_out(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.sign_out_requested.emit(ids)

    def _on_reprint(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.reprint_requested.emit(ids[0])
