"""Export from the staff screen: a date range and a format (CSV, JSON, or an Excel workbook for
those who open it in a spreadsheet), to a file staff choose; the export runs on a database
worker of its own and shows its progress. Dates are local calendar days, both ends included,
as in `visitor-kiosk export`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.export.visits import ExportFormat
from kiosk.settings.i18n import Catalog
from ui.screens.base import make_button, set_text


class ExportDialog(QDialog):
    start_requested = Signal(object, object, object, object)  # first, last, ExportFormat, Path

    def __init__(self, catalog: Catalog, title_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setModal(True)
        self._catalog = catalog
        self.setWindowTitle(catalog.text(title_key))
        today = QDate.currentDate()
        self.first = QDateEdit(today.addDays(-30))
        self.first.setObjectName("exportFrom")
        self.last = QDateEdit(today)
        self.last.setObjectName("exportTo")
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        self.format.addItem("CSV", ExportFormat.CSV)
        self.format.addItem("JSON", ExportFormat.JSON)
        self.format.addItem(catalog.text("staff.export_xlsx"), ExportFormat.XLSX)
        self.format.currentIndexChanged.connect(self._on_format)
        self.path = QLineEdit(str(Path.home() / "visits.csv"))
        self.path.setObjectName("exportPath")
        self.choose = make_button("exportChoose", role="secondary")
        self.choose.clicked.connect(self._on_choose)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.start = make_button("exportStart", role="primary")
        self.start.clicked.connect(self._on_start)
        self.close_button = make_button("exportClose", role="secondary")
        self.close_button.clicked.connect(self.reject)

        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.choose)
        form = QFormLayout()
        c = catalog
        form.addRow(c.text("staff.export_from"), self.first)
        form.addRow(c.text("staff.export_to"), self.last)
        form.addRow(c.text("staff.export_format"), self.format)
        form.addRow(c.text("staff.export_file"), path_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        set_text(self.choose, c.text("staff.export_choose"))
        set_text(self.start, c.text("staff.export_start"))
        set_text(self.close_button, c.text("staff.export_close"))
        self.resize(900, 520)

    # -- what the controller calls ---------------------------------------------------------
    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def finished_export(self, count: int, path: Path) -> None:
        self.start.setEnabled(True)
        set_text(self.message, self._catalog.text("staff.export_done", count=count, path=path))

    def failed_export(self, reason: str) -> None:
        self.start.setEnabled(True)
        set_text(self.message, self._catalog.text("staff.export_failed", reason=reason))

    # -- internals -------------------------------------------------------------------------
    def _dates(self) -> tuple[date, date]:
        return self.first.date().toPython(), self.last.date().toPython()  # type: ignore[return-value]

    def _on_format(self) -> None:
        path = Path(self.path.text())
        fmt = ExportFormat(self.format.currentData())
        self.path.setText(str(path.with_suffix(f".{fmt.value}")))

    def _on_choose(self) -> None:
        chooser = QFileDialog(self, self._catalog.text("staff.export_choose"))
        chooser.setObjectName("exportFileChooser")
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        chooser.selectFile(self.path.text())
        chooser.fileSelected.connect(self.path.setText)
        chooser.open()

    def _on_start(self) -> None:
        first, last = self._dates()
        path = Path(self.path.text()).expanduser()
        if last < first:
            set_text(self.message, self._catalog.text("staff.export_bad_range"))
            return
        if not path.name or not path.parent.is_dir():
            set_text(self.message, self._catalog.text("staff.export_bad_path"))
            return
        self.start.setEnabled(False)
        self.message.clear()
        self.start_requested.emit(first, last, ExportFormat(self.format.currentData()), path)
