"""The staff screen's audit tab: what staff did and when, newest first, and its export.
Entries hold visit ids and counts, never visitor data."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from kiosk.settings.i18n import Catalog
from kiosk.staff.audit import AuditEntry, entry_detail, worded_action
from ui.models import Column, RecordTableModel, make_table
from ui.screens.base import make_button, set_text

AUDIT_COLUMNS: tuple[Column[AuditEntry], ...] = (
    Column("staff.col_when", when=lambda e: e.at, seconds=True),
    Column("staff.col_action", worded=lambda e, words: worded_action(words, e.action)),
    Column("staff.col_detail", worded=lambda e, words: entry_detail(words, e)),
    Column("staff.col_visits", worded=lambda e, words: visits_of(words, e)),
)


ACTION, DETAIL = 1, 2


def visits_of(words: Catalog, entry: AuditEntry) -> str:
    """The visit ids an entry still links ("1, 17"); for visits deleted since (erased, or past
    retention), how many there were."""
    if entry.visit_ids:
        return ", ".join(str(i) for i in entry.visit_ids)
    if entry.visit_count:
        return words.text("staff.audit_visits_gone", count=entry.visit_count)
    return ""


class AuditTab(QWidget):
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffAuditTab")
        self._catalog: Catalog | None = None
        self.model: RecordTableModel[AuditEntry] = RecordTableModel(AUDIT_COLUMNS)
        self.table = make_table("auditTable", self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The action and the detail share what the time and the visits leave, the detail the
        # larger part; a long one (an export's dates, count and format) takes a second line of
        # its row rather than being cut off with "…" at 1024 and 1280 px.
        header.setSectionResizeMode(ACTION, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(DETAIL, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.viewport().installEventFilter(self)
        self.model.modelReset.connect(self._share_width)
        self.note = QLabel()
        self.note.setObjectName("auditNote")
        self.note.setWordWrap(True)
        self.export = make_button("auditExportButton", role="secondary")
        self.export.clicked.connect(self.export_requested)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._share_width()
        return False

    def _share_width(self) -> None:
        header = self.table.horizontalHeader()
        fixed = header.sectionSize(0) + header.sectionSize(len(AUDIT_COLUMNS) - 1)
        free = max(0, self.table.viewport().width() - fixed)
        header.resizeSection(ACTION, max(header.sectionSizeHint(ACTION) // 2, free * 2 // 5))

    def show_entries(self, entries: list[AuditEntry]) -> None:
        self.model.set_records(entries)

    def retranslate_ui(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.model.retranslate(catalog)
        self.table.setAccessibleName(catalog.text("staff.tab_audit"))
        set_text(self.note, catalog.text("staff.audit_note"))
        set_text(self.export, catalog.text("staff.audit_export"))

    def clear(self) -> None:
        self.model.set_records([])
