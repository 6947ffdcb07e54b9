"""The staff screen's "visitor requests" tab (GDPR Art. 15-18, 21): find one person's visits by
their exact name, give them a copy (JSON or a readable PDF), correct a field, restrict them or
lift the restriction, record an objection, or erase them; each change after a confirmation.
Only that person's visits are ever listed, restricted ones marked under the name.

So that every button fits at 1024x600 in three rows, the copies sit beside *Find visits* (they
copy every visit found), *Select all* beside *Correct*, and the bottom row holds what changes
the selected visits' processing: restrict, lift, objection, erase."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.visit import Visit
from kiosk.settings.i18n import Catalog
from ui.models import Column, RecordTableModel, format_when, make_table
from ui.screens.base import clear_field, make_button, make_field, set_text

FIELDS = ("visitor_name", "company", "host", "purpose")
NAME_MIN_WIDTH = 240


def restriction_mark(visit: Visit) -> str | None:
    """Under the name: an objection (the visit restricted until it is decided), or a
    restriction."""
    if visit.objection_at is not None:
        return "staff.rights_mark_objection"
    return "staff.rights_mark_restricted" if visit.restricted else None


def restriction_text(visit: Visit, catalog: Catalog) -> str:
    """Since when the visit is restricted and, under it, when an objection came in: one
    column for both, so the table keeps to the screen's width."""
    if visit.restricted_at is None:
        return ""
    since = format_when(visit.restricted_at, catalog)
    if visit.objection_at is None:
        return since
    objection = format_when(visit.objection_at, catalog)
    return f"{since}\n{catalog.text('staff.rights_objection_on', when=objection)}"


RIGHTS_COLUMNS: tuple[Column[Visit], ...] = (
    Column("staff.col_visit", lambda v: str(v.visit_id)),
    Column("staff.col_name", lambda v: v.visitor_name, note=restriction_mark),
    Column("staff.col_company", lambda v: v.company),
    Column("staff.col_host", lambda v: v.host),
    Column("staff.col_purpose", worded=lambda v, catalog: catalog.purpose(v.purpose)),
    Column("staff.col_in", when=lambda v: v.signed_in_at),
    Column("staff.col_out", when=lambda v: v.signed_out_at),
    Column("staff.col_restricted", worded=restriction_text),
)


class RightsTab(QWidget):
    find_requested = Signal(str)
    export_requested = Signal(str, list)  # "json" | "pdf", the visits found
    correct_requested = Signal(int, str, str)  # visit id, field, new value
    erase_requested = Signal(list)  # visit ids
    restrict_requested = Signal(list)  # visit ids
    lift_requested = Signal(list)  # visit ids
    objection_requested = Signal(list)  # visit ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffRightsTab")
        self._catalog: Catalog | None = None
        self._message: Callable[[Catalog], str] | None = None
        self.name_input = make_field("rightsNameInput")
        # A full name stays readable beside the buttons (at 1024 px they take the rest).
        self.name_input.setMinimumWidth(NAME_MIN_WIDTH)
        self.name_input.returnPressed.connect(self._on_find)
        self.find_button = make_button("rightsFindButton", role="secondary")
        self.find_button.clicked.connect(self._on_find)
        self.model: RecordTableModel[Visit] = RecordTableModel(RIGHTS_COLUMNS)
        self.table = make_table("rightsTable", self.model)
        # Many columns: each as wide as its content, scrolling sideways if need be.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.select_all = make_button("rightsSelectAll", role="secondary")
        self.select_all.clicked.connect(self.table.selectAll)
        self.export_json = make_button("rightsExportJsonButton", role="secondary")
        self.export_json.clicked.connect(lambda: self._on_export("json"))
        self.export_pdf = make_button("rightsExportPdfButton", role="secondary")
        self.export_pdf.clicked.connect(lambda: self._on_export("pdf"))
        self.field = QComboBox()
        self.field.setObjectName("rightsCorrectField")
        # As wide as its longest field name, so none is cut ("Volledige naam").
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.value = make_field("rightsCorrectValue")
        self.correct = make_button("rightsCorrectButton", role="secondary")
        self.correct.clicked.connect(self._on_correct)
        self.erase = make_button("rightsEraseButton", role="danger")
        self.erase.clicked.connect(self._on_erase)
        self.restrict = make_button("rightsRestrictButton", role="secondary")
        self.restrict.clicked.connect(lambda: self._emit_selected(self.restrict_requested))
        self.lift = make_button("rightsLiftButton", role="secondary")
        self.lift.clicked.connect(lambda: self._emit_selected(self.lift_requested))
        self.objection = make_button("rightsObjectionButton", role="secondary")
        self.objection.clicked.connect(lambda: self._emit_selected(self.objection_requested))
        self.message = QLabel()
        self.message.setObjectName("rightsMessage")
        self.message.setWordWrap(True)

        find_row = QHBoxLayout()
        find_row.addWidget(self.name_input, 1)
        find_row.addWidget(self.find_button)
        find_row.addWidget(self.export_json)
        find_row.addWidget(self.export_pdf)
        correct_row = QHBoxLayout()
        correct_row.addWidget(self.field)
        correct_row.addWidget(self.value, 1)
        correct_row.addWidget(self.correct)
        correct_row.addWidget(self.select_all)
        change_row = QHBoxLayout()
        change_row.addWidget(self.restrict)
        change_row.addWidget(self.lift)
        change_row.addWidget(self.objection)
        change_row.addStretch(1)
        change_row.addWidget(self.erase)
        self.table.setMinimumHeight(100)  # (it scrolls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(find_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(correct_row)
        layout.addLayout(change_row)
        self._update_buttons()

    def show_found(self, visits: list[Visit]) -> None:
        self.model.set_records(visits)
        self.table.clearSelection()
        self._message = (
            (lambda c: c.text("staff.rights_found", count=len(visits)))
            if visits
            else (lambda c: c.text("staff.rights_none"))
        )
        self._render()

    def show_message(self, text: Callable[[Catalog], str] | None) -> None:
        self._message = text
        self._render()

    def selected_ids(self) -> list[int]:
        return [visit.visit_id for visit in self.selected()]

    def selected(self) -> list[Visit]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row) for row in rows]

    def show_changed(self, changed: list[Visit], text: Callable[[Catalog], str]) -> None:
        """Visits as they are after a change (a restriction, its lifting, an objection): each
        replaces its row, and the selection stays."""
        by_id = {visit.visit_id: visit for visit in changed}
        selected = self.selected_ids()
        self.model.set_records([by_id.get(v.visit_id, v) for v in self.model.records])
        for row, visit in enumerate(self.model.records):
            if visit.visit_id in selected:
                self.table.selectRow(row)
        self.show_message(text)

    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.model.retranslate(catalog)
        current = self.field.currentIndex()
        self.field.clear()
        for field in FIELDS:
            self.field.addItem(catalog.text(f"field.{field}"), field)
        self.field.setCurrentIndex(max(current, 0))
        self._render()

    def clear(self) -> None:
        clear_field(self.name_input)
        clear_field(self.value)
        self.model.set_records([])
        self._message = None
        self._render()

    def _render(self) -> None:
        c = self._catalog
        if c is None:
            return
        self.name_input.setPlaceholderText(c.text("staff.rights_name"))
        self.name_input.setAccessibleName(c.text("staff.rights_name"))
        self.table.setAccessibleName(c.text("staff.tab_rights"))
        self.field.setAccessibleName(c.text("staff.rights_field"))
        self.value.setPlaceholderText(c.text("staff.rights_new_value"))
        self.value.setAccessibleName(c.text("staff.rights_new_value"))
        set_text(self.find_button, c.text("staff.rights_find"))
        set_text(self.select_all, c.text("staff.rights_select_all"))
        set_text(self.export_json, c.text("staff.rights_export_json"))
        set_text(self.export_pdf, c.text("staff.rights_export_pdf"))
        set_text(self.correct, c.text("staff.rights_correct"))
        set_text(self.erase, c.text("staff.rights_erase"))
        set_text(self.restrict, c.text("staff.rights_restrict"))
        set_text(self.lift, c.text("staff.rights_lift"))
        set_text(self.objection, c.text("staff.rights_objection"))
        set_text(self.message, self._message(c) if self._message else "")
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        found = self.model.rowCount() > 0
        selected = self.selected()
        for button in (self.select_all, self.export_json, self.export_pdf):
            button.setEnabled(found)
        self.erase.setEnabled(len(selected) >= 1)
        self.correct.setEnabled(len(selected) == 1)
        # Each only where it would change something.
        self.restrict.setEnabled(any(not v.restricted for v in selected))
        self.lift.setEnabled(any(v.restricted for v in selected))
        self.objection.setEnabled(any(v.objection_at is None for v in selected))

    def _on_find(self) -> None:
        if self.name_input.text().strip():
            self.find_requested.emit(self.name_input.text())

    def _on_export(self, kind: str) -> None:
        if self.model.rowCount():
            self.export_requested.emit(kind, self.model.records)

    def _on_correct(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.correct_requested.emit(ids[0], self.field.currentData(), self.value.text())

    def _on_erase(self) -> None:
        self._emit_selected(self.erase_requested)

    def _emit_selected(self, signal: SignalInstance) -> None:
        ids = self.selected_ids()
        if ids:
            signal.emit(ids)
