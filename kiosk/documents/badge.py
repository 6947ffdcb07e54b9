"""The visitor badge as a one-page PDF (ReportLab), in three layouts: A6 paper, a Brother QL
62 mm label cut at 100 mm, and a DYMO 99012 label (89 x 36 mm).

The badge shows what a guard needs and nothing more: "VISITOR" and the issue date in a black
band, the visitor's name large, company, host, site, "valid until", and a QR code that holds only
the visit's opaque badge token. The QR code is drawn as vector squares (alphanumeric mode, error
correction M, a quiet zone of 4 modules) so it stays sharp on any printer.

`plan_badge` decides where everything goes (points, origin at the bottom left, as in PDF);
`render_badge` draws that plan. Text is fitted by `kiosk.documents.text`: never over the QR code's
box (quiet zone included) and never off the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

import qrcode
import qrcode.constants
import qrcode.util
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.text import (
    ASCENT,
    BODY_FONT,
    DESCENT,
    LEADING,
    FontStyle,
    Line,
    Shaper,
    clean,
    draw_line,
    fit_block,
    fit_line,
    load_fonts,
)
from kiosk.domain.badge_code import read_badge_code

MM = 72 / 25.4
QUIET_ZONE = 4
"""Light modules around the QR code, the minimum the QR standard asks for."""
PDF_TITLE = "Visitor badge"
SHRINK = 0.85
"""Company, host, site and date lines shrink to this share of their size before "…"."""
CAP_HEIGHT = 0.73  # DejaVu Sans, in font sizes


class BadgeLayout(StrEnum):
    A6 = "a6"  # 105 x 148 mm portrait, ordinary printers
    BROTHER_62X100 = "brother-62x100"  # Brother QL 62 mm continuous, cut at 100 mm
    DYMO_99012 = "dymo-99012"  # 89 x 36 mm landscape label


@dataclass(frozen=True)
class BadgeLabels:
    """The badge's fixed words, already in the visitor's language."""

    visitor: str
    host: str
    valid_until: str


@dataclass(frozen=True)
class BadgeContent:
    visitor_name: str
    company: str
    host: str
    site: str
    issued: str
    valid_until: str
    token: str
    labels: BadgeLabels


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class PlacedLine:
    role: str  # visitor, issued, name, company, host, site, valid_label, valid
    line: Line
    x: float
    baseline: float
    bold: bool
    inverse: bool  # white on the black band

    @property
    def box(self) -> Box:
        size = self.line.size
        return Box(
            self.x, self.baseline - DESCENT * size, self.line.width, (ASCENT + DESCENT) * size
        )


@dataclass(frozen=True)
class BadgePlan:
    layout: BadgeLayout
    page: tuple[float, float]
    band: Box
    qr_box: Box  # the whole symbol, quiet zone included
    qr_matrix: tuple[tuple[bool, ...], ...]  # quiet zone included, row 0 at the top
    lines: tuple[PlacedLine, ...]

    def text(self, role: str) -> list[str]:
        return [placed.line.text for placed in self.lines if placed.role == role]


@dataclass(frozen=True)
class _Spec:
    """One layout's geometry: lengths in mm, font sizes in pt."""

    page: tuple[float, float]
    margin: float
    module: float  # QR module size
    qr_at_side: bool  # QR right of all text (a wide label), else at the bottom right
    centred: bool  # name and details in the middle of the room they have, else at its top
    band: float
    band_text: float
    name: tuple[float, float, float]  # one line at most, two lines at most, smallest
    company: float
    detail: float
    date_label: float
    date: float
    gap: float  # between blocks, pt


_SPECS = {
    BadgeLayout.A6: _Spec(
        page=(105, 148), margin=8, module=1.25, qr_at_side=False,
        centred=True,
        band=14, band_text=20, name=(40, 30, 14), company=16, detail=13, date_label=10,
        date=13, gap=9,
    ),
    BadgeLayout.BROTHER_62X100: _Spec(
        page=(62, 100), margin=4, module=1.0, qr_at_side=False,
        centred=True,
        band=9, band_text=13, name=(26, 20, 11), company=11, detail=9.5, date_label=7.5,
        date=9, gap=5,
    ),
    BadgeLayout.DYMO_99012: _Spec(
        page=(89, 36), margin=2.5, module=0.9, qr_at_side=True,
        centred=False,
        band=5, band_text=9, name=(18, 13, 8.5), company=9, detail=8, date_label=8,
        date=8, gap=2.5,
    ),
}  # fmt: skip


def prepare() -> None:
    """Everything the first badge would otherwise wait for: this module's libraries (loaded
    by importing it) and the fonts (the CJK one is 4 MB)."""
    load_fonts()


def badge_page_size(layout: BadgeLayout) -> tuple[float, float]:
    """The page (label) size in points, width first."""
    width, height = _SPECS[layout].page
    return width * MM, height * MM


def name_sizes(layout: BadgeLayout) -> tuple[float, float, float]:
    """The name's font sizes on `layout` in pt: largest on one line, largest on two, smallest."""
    return _SPECS[layout].name


def qr_matrix(token: str) -> tuple[tuple[bool, ...], ...]:
    """The token's QR code, quiet zone included (True is a dark module)."""
    if read_badge_code(token) != token:
        raise ValueError("a badge token is 26 characters from A-Z and 2-7")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


class _Column:
    """Places lines in a column, left-aligned (right-aligned for right-to-left text)."""

    def __init__(self, left: float, right: float) -> None:
        self.left, self.right = left, right
        self.placed: list[PlacedLine] = []

    @property
    def width(self) -> float:
        return self.right - self.left

    def put(self, role: str, line: Line, baseline: float, bold: bool = False) -> None:
        x = self.right - line.width if line.rtl else self.left
        self.placed.append(PlacedLine(role, line, x, baseline, bold, inverse=False))


def _height(lines: list[Line]) -> float:
    """From the top of the first line to the bottom of the last."""
    if not lines:
        return 0.0
    size = lines[0].size
    return (ASCENT + DESCENT + (len(lines) - 1) * LEADING) * size


def _pitch(role: str, line: Line, gap: float) -> float:
    """From a detail line's baseline to the next one's; the company stands a little apart."""
    return line.size * LEADING + (gap / 3 if role == "company" else 0)


def plan_badge(content: BadgeContent, layout: BadgeLayout) -> BadgePlan:
    """Where every line and the QR code go on the badge."""
    spec = _SPECS[layout]
    width, height = badge_page_size(layout)
    margin, gap = spec.margin * MM, spec.gap
    regular, bold = Shaper(FontStyle.REGULAR), Shaper(FontStyle.BOLD)

    matrix = qr_matrix(content.token)
    side = len(matrix) * spec.module * MM
    quiet = QUIET_ZONE * spec.module * MM
    # The code's dark part lines up with the margins; its quiet zone may use the margin.
    qr_x = min(width, width - margin + quiet) - side
    qr_y = (height - side) / 2 if spec.qr_at_side else max(0.0, margin - quiet)
    qr_box = Box(qr_x, qr_y, side, side)

    band_right = qr_box.x - gap if spec.qr_at_side else width - margin
    band = Box(margin, height - margin - spec.band * MM, band_right - margin, spec.band * MM)
    in_band = _place_band(content, spec, band, regular, bold)

    # "Valid until" at the bottom left: beside the QR code, or under the text on a wide label.
    beside = _Column(margin, qr_box.x - gap)
    stack_top = _place_validity(content, spec, beside, margin, regular, bold)
    floor = stack_top + gap / 2 if spec.qr_at_side else max(qr_box.top, stack_top) + gap

    # Between the band and that: the name, then company, host and site.
    above = _Column(margin, qr_box.x - gap if spec.qr_at_side else width - margin)
    host = f"{content.labels.host}: {content.host}" if clean(content.host) else ""
    details: list[tuple[str, Line]] = []
    for role, text, size in (
        ("company", content.company, spec.company),
        ("host", host, spec.detail),
        ("site", content.site, spec.detail),
    ):
        line = fit_line(regular, text, above.width, size, size * SHRINK)
        if line is not None:
            details.append((role, line))
    ceiling = band.y - gap
    detail_height = sum(_pitch(role, line, gap) for role, line in details)
    room = ceiling - floor - detail_height - (gap if details else 0)
    name = fit_block(bold, content.visitor_name, above.width, room, spec.name)
    used = _height(name) + (gap + detail_height if details else 0)
    y = ceiling - (ceiling - floor - used) / 2 if spec.centred else ceiling
    for i, line in enumerate(name):
        above.put("name", line, y - ASCENT * line.size - i * LEADING * line.size, bold=True)
    y -= _height(name) + gap
    for role, line in details:
        above.put(role, line, y - ASCENT * line.size)
        y -= _pitch(role, line, gap)

    lines = (*in_band, *above.placed, *beside.placed)
    return BadgePlan(layout, (width, height), band, qr_box, matrix, lines)


def _place_band(
    content: BadgeContent, spec: _Spec, band: Box, regular: Shaper, bold: Shaper
) -> list[PlacedLine]:
    """The black band: "VISITOR" at its start, the issue date at its end."""
    pad = band.height * 0.3
    size = spec.band_text
    baseline = band.y + band.height / 2 - CAP_HEIGHT / 2 * size
    placed: list[PlacedLine] = []
    issued = fit_line(regular, content.issued, band.width / 2 - pad, size * 0.7, size * 0.5)
    room = band.width - 2 * pad - (issued.width + pad if issued else 0)
    label = fit_line(bold, content.labels.visitor, room, size, size * 0.6)
    if label is not None:
        placed.append(PlacedLine("visitor", label, band.x + pad, baseline, True, inverse=True))
    if issued is not None:
        x = band.right - pad - issued.width
        placed.append(PlacedLine("issued", issued, x, baseline, False, inverse=True))
    return placed


def _place_validity(
    content: BadgeContent,
    spec: _Spec,
    column: _Column,
    bottom: float,
    regular: Shaper,
    bold: Shaper,
) -> float:
    """The "valid until" label and date in `column`, upwards from `bottom`; the date may wrap
    at a space (date / time). Returns the top of what was placed."""
    valid = clean(content.valid_until)
    if not valid:
        return bottom
    label = content.labels.valid_until
    if spec.qr_at_side:  # one line: "Valid until 22-11-2026 23:00"
        valid, label = f"{label} {valid}", ""
    sizes = (spec.date, spec.date, spec.date * SHRINK)
    lines = [("valid", line, True) for line in fit_block(bold, valid, column.width, 1e9, sizes)]
    small = spec.date_label
    label_line = fit_line(regular, label, column.width, small, small * SHRINK)
    if label_line is not None:
        lines.insert(0, ("valid_label", label_line, False))
    for role, line, is_bold in reversed(lines):
        column.put(role, line, bottom + DESCENT * line.size, is_bold)
        bottom += line.size * LEADING
    return bottom


def render_badge(content: BadgeContent, layout: BadgeLayout) -> bytes:
    """The badge as a one-page PDF with its fonts embedded."""
    plan = plan_badge(content, layout)
    out = BytesIO()
    # The canvas starts in one of our fonts, so the PDF names no font it does not embed.
    canvas = Canvas(out, pagesize=plan.page, pageCompression=1, initialFontName=BODY_FONT)
    # Metadata is visible to anyone with the file or the print queue: no personal data.
    canvas.setTitle(PDF_TITLE)
    canvas.setAuthor("visitor-kiosk")
    canvas.setCreator("visitor-kiosk")
    canvas.setSubject("")

    canvas.setFillColor(black)
    band = plan.band
    canvas.roundRect(band.x, band.y, band.width, band.height, band.height * 0.18, stroke=0, fill=1)
    for placed in plan.lines:
        colour = white if placed.inverse else black
        draw_line(canvas, placed.line, placed.x, placed.baseline, placed.bold, colour)
    _draw_qr(canvas, plan)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_qr(canvas: Canvas, plan: BadgePlan) -> None:
    """Dark modules as one path of rectangles (a run of dark modules in a row is one
    rectangle), filled at once so no hairline seams show between them. The path is written in
    module units (a scaled coordinate system), which keeps it small and quick to write."""
    box, matrix = plan.qr_box, plan.qr_matrix
    count = len(matrix)
    module = box.width / count
    rects: list[str] = []
    for row_index, row in enumerate(matrix):
        y = count - 1 - row_index
        start: int | None = None
        for column, dark in enumerate((*row, False)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                rects.append(f"{start} {y} {column - start} 1 re")
                start = None
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.transform(module, 0, 0, module, box.x, box.y)
    canvas.addLiteral("\n".join([*rects, "f"]))
    canvas.restoreState()
