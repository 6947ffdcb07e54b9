"""The access log as an Excel workbook (.xlsx: SpreadsheetML, ECMA-376), for the people who
open exports in Excel or LibreOffice: every character right and every field in its own
column, whatever the reader's language and list separator (a CSV file needs both guessed).

One sheet; its first row holds the column names (bold, kept in view while scrolling), then one
row per record, in the export's column order. Text is written as text (inline strings), so no
cell is ever a formula, whatever it starts with; text a spreadsheet would run as a formula if
someone edited the cell and pressed Enter (starting with =, +, -, @, a tab or a carriage
return) also gets Excel's own "quote prefix" style, the apostrophe Excel shows in its formula
bar, which is not part of the value. So the values are exactly the JSON export's: a whole
number is a number, a time (`times`, ISO 8601 text as in the JSON) is a date-time cell in that
text's local wall-clock time (a workbook has no time zones), shown as yyyy-mm-dd hh:mm:ss, and
None is an empty cell. Characters XML 1.0 cannot hold (control characters other than tab,
line feed and carriage return; U+FFFE, U+FFFF; lone surrogates) are left out: the kiosk's
normalisation never stores them.

`write_xlsx` is the reference: a plain writer on the standard library's zipfile. The SQLite
store writes the same sheet, byte for byte, much faster (storage/sqlite/export_xlsx.py); a test
holds the two together. A sheet holds at most `MAX_RECORDS` records (Excel's 1,048,576 rows,
less the header): more is refused (`WorkbookTooLarge`), never cut."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from kiosk.domain.access_log import EXPORT_COLUMNS, FORMULA_START

MAX_RECORDS = 1_048_575
SHEET_PART = "xl/worksheets/sheet1.xml"
TIME_COLUMNS = ("signed_in_at", "signed_out_at")
# Day 0 of Excel's dates (its 1900 date system, as Excel and LibreOffice write by default).
EPOCH = date(1899, 12, 30)
# The cell styles of styles.xml, by their index.
STYLE_TIME = 1
STYLE_QUOTED = 2
STYLE_HEADER = 3
# Digits after the decimal point of a time's day fraction: 1e-10 day is under 9 µs, so every
# whole second reads back exactly (readers round to the millisecond).
FRACTION_DIGITS = 10
# Column widths, in characters; any other column gets DEFAULT_WIDTH.
WIDTHS = {
    "visit_id": 10,
    "visitor_name": 28,
    "company": 32,
    "host": 28,
    "purpose": 28,
    "signed_in_at": 20,
    "signed_out_at": 20,
    "sign_out_method": 17,
    "language": 10,
    "notice_version": 18,
    "kiosk_id": 12,
    "audit_id": 10,
    "at": 20,
    "action": 16,
    "detail": 48,
    "visit_count": 12,
    "visit_ids": 30,
}
DEFAULT_WIDTH = 16


class WorkbookTooLarge(ValueError):
    """The export does not fit one sheet (or one ZIP file without its 64-bit extensions):
    refused, with what to do instead."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count
        has = f"; this export has {count:,}" if count is not None else ""
        super().__init__(
            f"a workbook holds at most {MAX_RECORDS:,} records{has}: export fewer days, or as CSV"
        )


# -- cells and rows ----------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_SPACE = (" ", "\t", "\n", "\r")


def xml_text(value: str) -> str:
    """`value` as XML character data: escaped, without what XML cannot hold. (A carriage
    return is written as a reference: XML readers turn a literal one into a line feed.)"""
    return _NOT_XML.sub("", value).translate(_ESCAPES)


def text_cell(value: str, style: int | None = None) -> str:
    """A text cell: an inline string, quote-prefixed if it looks like a formula, its white
    space at either end kept."""
    value = _NOT_XML.sub("", value)
    if style is None and value.startswith(FORMULA_START):
        style = STYLE_QUOTED
    styled = f' s="{style}"' if style is not None else ""
    preserve = value.startswith(_XML_SPACE) or value.endswith(_XML_SPACE)
    space = ' xml:space="preserve"' if preserve else ""
    return f'<c t="inlineStr"{styled}><is><t{space}>{value.translate(_ESCAPES)}</t></is></c>'


def excel_time(iso: str) -> str:
    """An ISO 8601 time as an Excel serial number (days since EPOCH, the day's fraction after
    the point) of its own wall-clock date and time, to the second: what the JSON export says,
    less the offset."""
    moment = datetime.fromisoformat(iso)
    days = (moment.date() - EPOCH).days
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return f"{days}.{(seconds * 10**FRACTION_DIGITS + 43200) // 86400:0{FRACTION_DIGITS}d}"


def cell(value: Any, time: bool = False) -> str:
    if value is None:
        return "<c/>"
    if time:
        return f'<c s="{STYLE_TIME}"><v>{excel_time(value)}</v></c>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"
    return text_cell(str(value))


def sheet_row(record: Sequence[Any], times: Sequence[bool]) -> bytes:
    """One record as a sheet row (no row or cell references: they are optional, and each cell
    follows the one before it, empty ones included)."""
    cells = "".join(cell(value, time) for value, time in zip(record, times, strict=True))
    return f"<row>{cells}</row>".encode()


def time_flags(columns: Sequence[str], times: Sequence[str]) -> list[bool]:
    return [column in times for column in columns]


# -- the parts ---------------------------------------------------------------------------------

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def sheet_head(columns: Sequence[str] = EXPORT_COLUMNS) -> bytes:
    """The sheet's XML up to and including its header row: the first row frozen, the widths."""
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{WIDTHS.get(column, DEFAULT_WIDTH)}" customWidth="1"/>'
        for n, column in enumerate(columns, start=1)
    )
    header = "".join(text_cell(column, STYLE_HEADER) for column in columns)
    return (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        f"<cols>{widths}</cols><sheetData><row>{header}</row>"
    ).encode()


SHEET_TAIL = b"</sheetData></worksheet>"


def workbook_parts(sheet_name: str) -> list[tuple[str, bytes]]:
    """Every part of the workbook but the sheet, in the order they are written."""
    name = xml_text(sheet_name).replace('"', "&quot;")
    types = (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
        f'<Override PartName="/{SHEET_PART}" ContentType="{_TYPES}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.styles+xml"/></Types>'
    )
    package_rels = (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        f'<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    plain = 'fontId="0" fillId="0" borderId="0"'
    styles = (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        f'<cellStyleXfs count="1"><xf numFmtId="0" {plain}/></cellStyleXfs>'
        '<cellXfs count="4">'
        f'<xf numFmtId="0" {plain} xfId="0"/>'
        f'<xf numFmtId="164" {plain} xfId="0" applyNumberFormat="1"/>'
        f'<xf numFmtId="0" {plain} xfId="0" quotePrefix="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return [
        ("[Content_Types].xml", (_DECLARATION + types).encode()),
        ("_rels/.rels", (_DECLARATION + package_rels).encode()),
        ("xl/workbook.xml", (_DECLARATION + workbook).encode()),
        ("xl/_rels/workbook.xml.rels", (_DECLARATION + workbook_rels).encode()),
        ("xl/styles.xml", (_DECLARATION + styles).encode()),
    ]


# -- the reference writer ----------------------------------------------------------------------

_BUFFER = 1 << 16


def write_xlsx(
    records: Iterable[Sequence[Any]],
    out: IO[bytes],
    columns: Sequence[str] = EXPORT_COLUMNS,
    times: Sequence[str] = TIME_COLUMNS,
    sheet_name: str = "Visits",
) -> int:
    """The workbook of `records` (the export's records, as `write_json` takes them) written
    to `out`, streaming; returns how many. WorkbookTooLarge past MAX_RECORDS."""
    import zipfile  # here, not at start-up: the kiosk loads this module, and zipfile is slow

    flags = time_flags(columns, times)
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, data in workbook_parts(sheet_name):
            book.writestr(name, data)
        with book.open(SHEET_PART, "w") as sheet:
            pending = [sheet_head(columns)]
            size = 0
            for record in records:
                count += 1
                if count > MAX_RECORDS:
                    raise WorkbookTooLarge()
                row = sheet_row(record, flags)
                pending.append(row)
                size += len(row)
                if size >= _BUFFER:
                    sheet.write(b"".join(pending))
                    pending, size = [], 0
            pending.append(SHEET_TAIL)
            sheet.write(b"".join(pending))
    return count
