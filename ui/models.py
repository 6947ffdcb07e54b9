"""Table models for the staff screen: a list of records shown in columns (Qt model/view)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from kiosk.settings.i18n import Catalog
from ui.touch import touch_scroll

T = TypeVar("T")
TABLE_ROW = 64  # px: a touch target, and room for a value and its mark on two lines
Index = QModelIndex | QPersistentModelIndex


def _no_note(_record: object) -> str | None:
    return None


def _no_value(_record: object) -> str:
    return ""


def format_when(
    moment: datetime | None, catalog: Catalog, *, seconds: bool = False, today: bool = False
) -> str:
    """A time as the staff screens show every time: the reader's language's one date format
    (`format.date`) and the 24-hour clock, in local time; with `today`, a time of today shows
    as the time alone (the date would be noise in the list of who is here now)."""
    if moment is None:
        return ""
    local = moment.astimezone()
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    if today and local.date() == datetime.now().astimezone().date():
        return clock
    return f"{local.strftime(catalog.text('format.date'))} {clock}"


@dataclass(frozen=True)
class Column(Generic[T]):
    header_key: str  # i18n key of the column's title
    value: Callable[[T], str] = _no_value
    # The i18n key of a short note shown under a record's value (a mark staff should see); the
    # key + "_tip", if the catalogs have it, explains it in a tooltip.
    note: Callable[[T], str | None] = _no_note
    # A time column: shown by `format_when` in the reader's language (value is then unused).
    when: Callable[[T], datetime | None] | None = None
    seconds: bool = False
    today: bool = False
    # A value worded in the reader's language (value is then unused).
    worded: Callable[[T, Catalog], str] | None = None


class RecordTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]]) -> None:
        super().__init__()
        self._columns = tuple(columns)
        self._rows: list[T] = []
        self._headers = [c.header_key for c in self._columns]
        self._catalog: Catalog | None = None

    @property
    def records(self) -> list[T]:
        return list(self._rows)

    def record(self, row: int) -> T:
        return self._rows[row]

    def set_records(self, records: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()

    def retranslate(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._headers = [catalog.text(c.header_key) for c in self._columns]
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column, record = self._columns[index.column()], self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._note_tip(column, record)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        value = self._value(column, record)
        note = column.note(record)
        if note is None or self._catalog is None:
            return value
        marked = f"⚠ {self._catalog.text(note)}"
        return f"{value}\n{marked}" if value else marked

    def _value(self, column: Column[T], record: T) -> str:
        if column.when is None and column.worded is None:
            return column.value(record)
        if self._catalog is None:
            return ""
        if column.worded is not None:
            return column.worded(record, self._catalog)
        assert column.when is not None
        return format_when(
            column.when(record), self._catalog, seconds=column.seconds, today=column.today
        )

    def _note_tip(self, column: Column[T], record: T) -> str | None:
        """The note's longer explanation (its key + "_tip"), for a pointer resting on it."""
        note = column.note(record)
        if note is None or self._catalog is None:
            return None
        return self._catalog.messages.get(f"{note}_tip")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


def make_table(object_name: str, model: RecordTableModel[Any]) -> QTableView:
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(TABLE_ROW)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(False)
    # Dragged with a finger, a pixel at a time (a row at a time jumps under the finger).
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    touch_scroll(table)
    return table
