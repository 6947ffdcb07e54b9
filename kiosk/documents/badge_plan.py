"""Where everything on a badge goes: the three layouts' specifications, the records a badge is
made from, and `plan_badge`, which fits the text (cap heights turned into font sizes, names
wrapped at no less than 5 mm, the QR code's box kept clear) and returns a `BadgePlan` in points,
origin at the bottom left, as in PDF. `kiosk.documents.badge` draws the plan."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum

import qrcode
import qrcode.constants
import qrcode.util

from kiosk.documents.text import (
    ASCENT,
    DESCENT,
    ELLIPSIS,
    LEADING,
    FontStyle,
    Line,
    Shaper,
    block_height,
    cap_height,
    clean,
    fit_block,
    fit_line,
    load_fonts,
)
from kiosk.domain.badge_code import read_badge_code

MM = 72 / 25.4
QUIET_ZONE = 4
"""Light modules around the QR code, the minimum the QR standard asks for."""
LARGE_CAP_MM = 5.0
"""The cap height of the word for "visitor" and of the name: readable from 2 m (5 arcmin at
2 m is 2.9 mm, the limit of recognition; this is about twice that)."""
SMALL_CAP_MM = 3.0
"""The cap height of the host and the validity: the least that can be read from 2 m."""
_BOLD_FONT = "KioskDejaVuSans-Bold"


class BadgeLayout(StrEnum):
    A6 = "a6"  # 105 x 148 mm portrait, ordinary printers
    BROTHER_62X100 = "brother-62x100"  # Brother QL 62 mm continuous, cut at 100 mm
    DYMO_99012 = "dymo-99012"  # 89 x 36 mm landscape label


@dataclass(frozen=True)
class BadgeLabels:
    """The badge's fixed words, in the site's language."""

    visitor: str
    host: str
    valid_until: str


@dataclass(frozen=True)
class BadgeContent:
    """What goes on one badge, already in the site's language and date format. `company` is
    "" unless the site prints it (`badge.show_company`); `valid_until` is "" when visits are
    not closed automatically, and then the badge shows the day it was issued instead."""

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
    role: str  # visitor, name, company, host_label, host, site, valid_label, valid
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
    left_out: tuple[str, ...] = ()  # roles asked for that found no room (company, site)

    def text(self, role: str) -> list[str]:
        return [placed.line.text for placed in self.lines if placed.role == role]

    @property
    def cut(self) -> tuple[str, ...]:
        """What does not show in full: roles shortened with "…", then those left out."""
        shortened = {
            placed.role
            for placed in self.lines
            if placed.line.text.endswith(ELLIPSIS) and placed.role != "site"
        }
        return (*sorted(shortened), *self.left_out)


@dataclass(frozen=True)
class _Spec:
    """One layout's geometry: lengths in mm, font sizes in pt. The smallest sizes of the
    large and small text come from LARGE_CAP_MM and SMALL_CAP_MM."""

    page: tuple[float, float]
    margin: float
    module: float  # QR module size
    wide: bool  # DYMO: band across the label with the validity in it; QR below it
    band: float  # height
    visitor: float  # the word for "visitor", at most
    name: tuple[float, float]  # the name at most: on one line, on more lines
    leading: float  # of the name's lines, in font sizes
    host: float  # at most; the company and the site line are one step smaller
    valid: float  # the validity at most (its label is always the smallest size)
    gap: float  # between blocks, pt
    host_lines: int  # the host's label may take a line of its own


_SPECS = {
    BadgeLayout.A6: _Spec(
        page=(105, 148), margin=8, module=1.25, wide=False, band=16, visitor=34,
        name=(44, 32), leading=1.1, host=16, valid=15, gap=9, host_lines=2,
    ),
    BadgeLayout.BROTHER_62X100: _Spec(
        page=(62, 100), margin=4, module=0.8, wide=False, band=10.5, visitor=24,
        name=(30, 26), leading=1.08, host=13, valid=13, gap=5, host_lines=2,
    ),
    BadgeLayout.DYMO_99012: _Spec(
        page=(89, 36), margin=1.5, module=0.8, wide=True, band=6.8, visitor=20,
        name=(26, 22), leading=1.0, host=12, valid=12, gap=1.5, host_lines=1,
    ),
}  # fmt: skip


@functools.cache
def smallest_sizes() -> tuple[float, float]:
    """The font sizes (pt, rounded up to 0.1) whose capitals are LARGE_CAP_MM and SMALL_CAP_MM
    high: both DejaVu faces have the same cap height, 0.729 of the size."""
    cap = cap_height(_BOLD_FONT)

    def size(cap_mm: float) -> float:
        return math.ceil(cap_mm * MM / cap * 10 - 1e-9) / 10

    return size(LARGE_CAP_MM), size(SMALL_CAP_MM)


def prepare() -> None:
    """Everything the first badge would otherwise wait for: this module's libraries (loaded
    by importing it) and the fonts (the CJK one is 4 MB)."""
    load_fonts()


def badge_page_size(layout: BadgeLayout) -> tuple[float, float]:
    """The page (label) size in points, width first."""
    width, height = _SPECS[layout].page
    return width * MM, height * MM


def name_sizes(layout: BadgeLayout) -> tuple[float, float, float]:
    """The name's font sizes on `layout` in pt: largest on one line, largest on more, smallest."""
    one, more = _SPECS[layout].name
    return one, more, smallest_sizes()[0]


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


Block = list[tuple[str, Line]]


def plan_badge(content: BadgeContent, layout: BadgeLayout) -> BadgePlan:
    """Where every line and the QR code go on the badge."""
    spec = _SPECS[layout]
    width, height = badge_page_size(layout)
    margin, gap = spec.margin * MM, spec.gap
    regular, bold = Shaper(FontStyle.REGULAR), Shaper(FontStyle.BOLD)

    matrix = qr_matrix(content.token)
    side = len(matrix) * spec.module * MM
    quiet = QUIET_ZONE * spec.module * MM
    band = Box(margin, height - margin - spec.band * MM, width - 2 * margin, spec.band * MM)
    # The code's dark part lines up with the margin on the right; its quiet zone may use the
    # margin. On a wide label it hangs from the band, a gap below it.
    qr_x = min(width, width - margin + quiet) - side
    qr_y = band.y - gap - side if spec.wide else max(0.0, margin - quiet)
    qr_box = Box(qr_x, qr_y, side, side)

    valid = clean(content.valid_until)
    date = valid or clean(content.issued)
    label = content.labels.valid_until if valid else ""
    below: tuple[str, str] | None = None  # the validity, if it goes under the name
    if spec.wide:  # "VISITOR ... 22-11-2026 23:00" in the band; name and host beside the code
        lines = _place_band(content.labels.visitor, date, spec, band, regular, bold)
        if date and not any(placed.role == "valid" for placed in lines):
            below = (label, date)  # a word for "visitor" too long to share the band
        column = _Column(margin, qr_box.x - gap)
        bottom = margin
    else:  # the validity at the bottom left, beside the code; name and details above both
        lines = _place_band(content.labels.visitor, "", spec, band, regular, bold)
        beside = _Column(margin, qr_box.x - gap)
        stack_top = _place_validity(label, date, spec, beside, margin, regular, bold)
        lines += beside.placed
        column = _Column(margin, width - margin)
        bottom = max(qr_box.top, stack_top) + gap
    body = _Body(content, spec, column.width, regular, below)
    left_out = _place_body(body, column, band.y - gap, bottom, bold)
    return BadgePlan(
        layout, (width, height), band, qr_box, matrix, (*lines, *column.placed), left_out
    )


def _place_band(
    word: str, date: str, spec: _Spec, band: Box, regular: Shaper, bold: Shaper
) -> list[PlacedLine]:
    """The black band: the word for "visitor" at its start, at least LARGE_CAP_MM high; on a
    wide label the validity (or the date) at its end, at least SMALL_CAP_MM high, if both fit
    whole (else the word alone: the validity then goes under the name)."""
    large, small = smallest_sizes()
    pad = band.height * 0.25
    inner = band.width - 2 * pad
    end = fit_line(regular, date, inner / 2, spec.valid, small) if date else None
    room = inner - (end.width + pad if end is not None else 0)
    label = fit_line(bold, word, room, spec.visitor, large)
    if end is not None and label is not None and label.text != clean(word):
        end, label = None, fit_line(bold, word, inner, spec.visitor, large)
    # One baseline for both, with the word's capitals in the middle of the band.
    size = label.size if label is not None else spec.visitor
    baseline = band.y + band.height / 2 - cap_height(_BOLD_FONT) * size / 2
    placed: list[PlacedLine] = []
    if label is not None:
        placed.append(PlacedLine("visitor", label, band.x + pad, baseline, True, inverse=True))
    if end is not None:
        x = band.right - pad - end.width
        placed.append(PlacedLine("valid", end, x, baseline, False, inverse=True))
    return placed


def _place_validity(
    label: str,
    date: str,
    spec: _Spec,
    column: _Column,
    bottom: float,
    regular: Shaper,
    bold: Shaper,
) -> float:
    """The "valid until" label and the date and time in `column`, upwards from `bottom`; the
    date and time may wrap at the space between them. Returns the top of what was placed."""
    if not date:
        return bottom
    small = smallest_sizes()[1]
    values = fit_block(bold, date, column.width, 1e9, (spec.valid, spec.valid, small))
    lines = [("valid", line, True) for line in values]
    label_line = fit_line(regular, label, column.width, small, small)
    if label_line is not None:
        lines.insert(0, ("valid_label", label_line, False))
    for role, line, is_bold in reversed(lines):
        column.put(role, line, bottom + DESCENT * line.size, is_bold)
        bottom += line.size * LEADING
    return bottom


@dataclass(frozen=True)
class _Body:
    """What goes between the band and the bottom: the name, then the company (if printed),
    the host, the site (not on a wide label), and the validity if the band has no room for
    it (`below`: its label and date)."""

    content: BadgeContent
    spec: _Spec
    width: float
    regular: Shaper
    below: tuple[str, str] | None

    def optional(self) -> list[str]:
        """The lines that make room for the name, in the order they give it up."""
        texts = (("site", self.content.site), ("company", self.content.company))
        return [
            role for role, text in texts if clean(text) and not (role == "site" and self.spec.wide)
        ]

    def blocks(self, roles: list[str]) -> list[Block]:
        """The lines under the name (those of `roles` and the host), in their order."""
        small = smallest_sizes()[1]
        host_size = self.spec.host
        blocks: list[Block] = []
        for role in ("company", "host", "site", "valid"):
            block: Block = []
            if role == "host":
                block = self._host()
            elif role == "valid" and self.below is not None:
                block = self._validity(*self.below)
            elif role in roles:
                text = self.content.company if role == "company" else self.content.site
                size = max(small, host_size * (0.875 if role == "company" else 0.75))
                line = fit_line(self.regular, text, self.width, size, small)
                block = [(role, line)] if line is not None else []
            if block:
                blocks.append(block)
        return blocks

    def _host(self) -> Block:
        """ "Host: Jens Kristensen" on one line, at least SMALL_CAP_MM high. If that does not
        fit: the label on a line of its own and the host on up to two lines, where the layout
        has room for them; else the host alone on one line."""
        small, spec, regular, width = smallest_sizes()[1], self.spec, self.regular, self.width
        host, label = clean(self.content.host), clean(self.content.labels.host)
        if not host:
            return []
        if label:
            joined = fit_line(regular, f"{label}: {host}", width, spec.host, small)
            if joined is not None and not joined.text.endswith(ELLIPSIS):
                return [("host", joined)]
        if not label or spec.host_lines < 2:
            line = fit_line(regular, host, width, spec.host, small)
            return [("host", line)] if line is not None else []
        above = fit_line(regular, f"{label}:", width, spec.host, small)
        assert above is not None
        lines = fit_block(
            regular, host, width, block_height(2, spec.host), (spec.host,) * 2 + (small,)
        )
        size = min(above.size, *(line.size for line in lines))  # the label and host alike
        return [("host_label", regular.line(above.text, size))] + [
            ("host", regular.line(line.text, size)) for line in lines
        ]

    def _validity(self, label: str, date: str) -> Block:
        small, spec = smallest_sizes()[1], self.spec
        if label:
            joined = fit_line(self.regular, f"{label} {date}", self.width, spec.valid, small)
            if joined is not None and not joined.text.endswith(ELLIPSIS):
                return [("valid", joined)]
        line = fit_line(self.regular, date, self.width, spec.valid, small)
        return [("valid", line)] if line is not None else []


def _place_body(
    body: _Body, column: _Column, top: float, bottom: float, bold: Shaper
) -> tuple[str, ...]:
    """The name, then the lines under it, between `top` and `bottom`. The name comes first:
    if it does not fit whole, the site and then the company make room for it. Returns what
    was left out for want of room."""
    spec, large = body.spec, smallest_sizes()[0]
    optional = body.optional()
    left_out: list[str] = []
    overhang = 0.0  # how far an accented capital in the first line reaches above the ascent
    while True:
        blocks = body.blocks(optional)
        room = top - bottom - sum(_block_height(block) + spec.gap for block in blocks)
        for _ in range(3):
            name = fit_block(
                bold,
                body.content.visitor_name,
                column.width,
                room - overhang,
                (*spec.name, large),
                spec.leading,
            )
            above = (bold.top(name[0].text) - ASCENT) * name[0].size if name else 0.0
            if above <= overhang + 1e-6:
                break
            overhang = above
        shortened = bool(name) and name[-1].text.endswith(ELLIPSIS)
        if not shortened or not optional:
            break
        left_out.append(optional.pop(0))

    name_height = overhang + block_height(len(name), name[0].size, spec.leading) if name else 0.0
    used = name_height + sum(_block_height(block) + spec.gap for block in blocks)
    if not name and blocks:
        used -= spec.gap
    y = top if spec.wide else top - max(0.0, top - bottom - used) / 2
    for i, line in enumerate(name):
        baseline = y - overhang - ASCENT * line.size - i * spec.leading * line.size
        column.put("name", line, baseline, bold=True)
    if name:
        y -= name_height + spec.gap
    for block in blocks:
        for i, (role, line) in enumerate(block):
            column.put(role, line, y - ASCENT * line.size - i * LEADING * line.size)
        y -= _block_height(block) + spec.gap
    return tuple(left_out)


def _block_height(block: Block) -> float:
    return block_height(len(block), max(line.size for _, line in block))
