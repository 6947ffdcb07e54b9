"""The evacuation roll call: everyone on site now, as an A4 portrait PDF to take outside.

One row per visitor, sorted by name: an empty box to tick at the assembly point, the name,
company, host and time in (the date too when it is not the day the list was made). Every
page carries the title, the site, when the list was made, how many people are on site and
"page X of Y", so a page that goes astray still says what it is.

Every word is in the language it is made in (`roll_call.*` in the catalogs, `assets/i18n/`;
`kiosk.staff.roll_call` chooses it: the staff screen's language, or from the command line the
site's default language). Dates carry the month's name from the catalog (`day_text`), never
from the machine's locale; the access report writes its dates the same way.

A visitor whose processing is restricted (GDPR Art. 18) is on the list like everyone else, and
marked under their name ("restricted — use only for the evacuation", explained in the footer
of their page): the list is for finding everyone, and only for that.

Text goes through `kiosk.documents.text` (the badge's embedded fonts with per-character
fallback, Arabic shaping and right-to-left order); a cell too long for its column shrinks,
then is shortened with "…", and never runs into the next column. The PDF's metadata holds no
personal data. `new_canvas` is shared with the access report (`kiosk.documents.access_report`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.text import (
    ASCENT,
    BODY_FONT,
    FontStyle,
    Shaper,
    draw_line,
    fit_line,
)
from kiosk.domain.visit import Visit
from kiosk.settings.i18n import Catalog, catalog

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 12 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 12 * MM
ROWS_PER_PAGE = 32
ROW_HEIGHT = 21.0
"""7.4 mm: room to tick a box by hand, and 32 rows leave the header and footer their room."""
TICK_BOX = 13.0
CAP_HEIGHT = 0.73  # DejaVu Sans, in font sizes
GUTTER = 8.0
"""Free space at the end of a column's text, before the next column."""
GREY = Color(0.35, 0.35, 0.35)
SHADE = Color(0.93, 0.93, 0.93)


@dataclass(frozen=True)
class Column:
    key: str  # tick, name, company, host, time
    title_key: str  # the catalog's key of its title; "" for none
    x: float
    width: float

    @property
    def right(self) -> float:
        return self.x + self.width


def _columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    x = MARGIN_X
    for key, width in (
        ("tick", 26.0),
        ("name", 152.0),
        ("company", 172.0),
        ("host", 111.0),
        ("time", 66.0),
    ):
        columns.append(Column(key, f"roll_call.col_{key}" if key != "tick" else "", x, width))
        x += width
    return tuple(columns)


COLUMNS = _columns()
"""Where each column is on the page (points from the left edge); they span the text width."""

# Top to bottom, in points from the bottom of the page (as in PDF).
_TOP = PAGE_HEIGHT - MARGIN_TOP
_TITLE_SIZE, _LINE_SIZE, _SMALL_SIZE = 16.0, 11.0, 9.0
_TITLE_BASE = _TOP - ASCENT * _TITLE_SIZE
_SITE_BASE = _TITLE_BASE - 20
_MADE_BASE = _SITE_BASE - 15
_HEAD_BASE = _MADE_BASE - 22
ROWS_TOP = _HEAD_BASE - 6
_FOOTER_BASE = MARGIN_BOTTOM
assert ROWS_TOP - ROWS_PER_PAGE * ROW_HEIGHT >= _FOOTER_BASE + 10, "rows run into the footer"
_NOTE_BASE = _FOOTER_BASE + 9  # what a restricted visitor's mark means, above the footer
_NOTE_SIZE = (7.0, 6.0)
_NOTE_TOP = _NOTE_BASE + ASCENT * _NOTE_SIZE[0]
assert ROWS_TOP - ROWS_PER_PAGE * ROW_HEIGHT >= _NOTE_TOP + 2, "rows run into the note"

# Cell text: (largest size, smallest size before "…"), per column.
_SIZES = {"name": (11.0, 8.0), "company": (9.5, 7.5), "host": (9.5, 7.5), "time": (9.5, 7.5)}
# A restricted visitor's row: the name a little smaller and higher, the mark under it
# (`roll_call.restricted_mark`), explained in the page's footer (`roll_call.restricted_note`).
_RESTRICTED_NAME = (9.5, 7.5)
_RESTRICTED_NAME_RISE = 1.5  # the name's baseline above the row's middle
_MARK_SIZE = (6.5, 5.5)
_MARK_DROP = 7.5  # the mark's baseline below the row's middle


def day_text(moment: datetime, words: Catalog, *, year: bool = True) -> str:
    """The day of `moment` (taken as it is: convert to local time first) with the month's
    name in `words`' language, whatever the machine's locale: "12 May 2026", "12 mei 2026",
    "12. maj 2026"; without `year`, "12 May"."""
    month = words.text(f"roll_call.month.{moment.month}")
    key = "roll_call.date_year" if year else "roll_call.date"
    return words.text(key, day=moment.day, month=month, year=moment.year)


def local_time_text(moment: datetime, words: Catalog, today: datetime | None = None) -> str:
    """`moment` in local time: "09:05" on the local day of `today`, "12 May 09:05" on
    another day of its year, else "12 May 2025 09:05"; without `today` the full form. The
    month in `words`' language."""
    local = moment.astimezone()
    clock = f"{local:%H:%M}"
    if today is not None:
        day = today.astimezone()
        if local.date() == day.date():
            return clock
        if local.year == day.year:
            return f"{day_text(local, words, year=False)} {clock}"
    return f"{day_text(local, words)} {clock}"


def people_on_site(count: int, words: Catalog) -> str:
    """The head count in `words`' language: "1 person on site", "2 people on site" (and
    "0 people on site")."""
    key = "roll_call.on_site_one" if count == 1 else "roll_call.on_site_many"
    return words.text(key, count=count)


def roll_call_order(visits: Sequence[Visit]) -> list[Visit]:
    """By name (ignoring case), then by time in (then visit id, so the order is fixed)."""
    return sorted(visits, key=lambda v: (v.visitor_name.casefold(), v.signed_in_at, v.visit_id))


def new_canvas(out: BytesIO, title: str) -> Canvas:
    """An A4 canvas whose metadata names no one: anyone with the file or the print queue's
    history sees it. Starts in an embedded font, so the PDF names no font it does not embed."""
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=BODY_FONT)
    canvas.setTitle(title)
    canvas.setAuthor("visitor-kiosk")
    canvas.setCreator("visitor-kiosk")
    canvas.setSubject("")
    return canvas


class _Page:
    """Draws one page of the roll call."""

    def __init__(self, canvas: Canvas, regular: Shaper, bold: Shaper, words: Catalog) -> None:
        self.canvas = canvas
        self.regular = regular
        self.bold = bold
        self.words = words

    def text(
        self,
        text: str,
        left: float,
        right: float,
        baseline: float,
        size: tuple[float, float],
        *,
        bold: bool = False,
        align_right: bool = False,
        colour: Color = black,
    ) -> float:
        """Fit `text` between `left` and `right`; returns the width drawn. It starts at `left`
        (right-to-left text too: a column reads down one edge), or ends at `right` with
        `align_right`."""
        shaper = self.bold if bold else self.regular
        line = fit_line(shaper, text, right - left, size[0], size[1])
        if line is None:
            return 0.0
        x = right - line.width if align_right else left
        draw_line(self.canvas, line, x, baseline, bold, colour)
        return line.width

    def header(self, site: str, made: str, count: int, number: int, pages: int) -> None:
        left, right = MARGIN_X, PAGE_WIDTH - MARGIN_X
        words = self.words
        page = words.text("roll_call.page", number=number, count=pages)
        used = self.text(page, left, right, _TITLE_BASE, (_LINE_SIZE, 8), align_right=True)
        title = words.text("roll_call.title")
        self.text(title, left, right - used - 12, _TITLE_BASE, (_TITLE_SIZE, 10), bold=True)
        on_site = people_on_site(count, words)
        size = (_LINE_SIZE + 1, _LINE_SIZE)
        used = self.text(on_site, left, right, _SITE_BASE, size, bold=True, align_right=True)
        self.text(site, left, right - used - 16, _SITE_BASE, (_LINE_SIZE, 8))
        made_line = words.text("roll_call.made", time=made)
        self.text(made_line, left, right, _MADE_BASE, (_SMALL_SIZE, 7), colour=GREY)

    def column_titles(self) -> None:
        for column in COLUMNS:
            if column.title_key:
                self.text(
                    self.words.text(column.title_key),
                    column.x,
                    column.right - (0 if column.key == "time" else GUTTER),
                    _HEAD_BASE,
                    (_SMALL_SIZE, 7),
                    bold=True,
                    align_right=column.key == "time",
                    colour=GREY,
                )
        self.canvas.setStrokeColor(black)
        self.canvas.setLineWidth(0.8)
        self.canvas.line(MARGIN_X, ROWS_TOP, PAGE_WIDTH - MARGIN_X, ROWS_TOP)

    def row(self, index: int, visit: Visit, today: datetime) -> None:
        canvas = self.canvas
        top = ROWS_TOP - index * ROW_HEIGHT
        bottom = top - ROW_HEIGHT
        middle = bottom + ROW_HEIGHT / 2
        if index % 2:
            canvas.setFillColor(SHADE)
            canvas.rect(MARGIN_X, bottom, PAGE_WIDTH - 2 * MARGIN_X, ROW_HEIGHT, stroke=0, fill=1)
        tick = COLUMNS[0]
        canvas.setStrokeColor(black)
        canvas.setLineWidth(0.9)
        canvas.setFillColor(Color(1, 1, 1))
        box_x = tick.x + (tick.width - TICK_BOX) / 2 - 2
        canvas.rect(box_x, middle - TICK_BOX / 2, TICK_BOX, TICK_BOX, stroke=1, fill=1)
        cells = {
            "name": visit.visitor_name,
            "company": visit.company,
            "host": visit.host,
            "time": local_time_text(visit.signed_in_at, self.words, today),
        }
        for column in COLUMNS[1:]:
            size = _SIZES[column.key]
            baseline = middle - CAP_HEIGHT / 2 * size[0]  # capitals centred on the box
            if column.key == "name" and visit.restricted:
                size, baseline = _RESTRICTED_NAME, middle + _RESTRICTED_NAME_RISE
            is_time = column.key == "time"
            self.text(
                cells[column.key],
                column.x,
                column.right - (0 if is_time else GUTTER),
                baseline,
                size,
                bold=column.key == "name",
                align_right=is_time,
            )
        if visit.restricted:
            name = COLUMNS[1]
            mark = self.words.text("roll_call.restricted_mark")
            self.text(mark, name.x, name.right - GUTTER, middle - _MARK_DROP, _MARK_SIZE)

    def footer(self, restricted: bool) -> None:
        """The instruction, and on a page with a restricted visitor what their mark means."""
        note = self.words.text("roll_call.tick")
        left, right = MARGIN_X, PAGE_WIDTH - MARGIN_X
        self.text(note, left, right, _FOOTER_BASE, (8, 7), colour=GREY)
        if restricted:
            restricted_note = self.words.text("roll_call.restricted_note")
            self.text(restricted_note, left, right, _NOTE_BASE, _NOTE_SIZE)


def render_roll_call(visits: list[Visit], site: str, made_at: datetime, *, language: str) -> bytes:
    """The roll call of `visits` (everyone on site, restricted visits marked) as an A4 PDF in
    `language` (one of the catalogs), fonts embedded; `site` is the site's name in it."""
    words = catalog(language)
    ordered = roll_call_order(visits)
    pages = max(1, math.ceil(len(ordered) / ROWS_PER_PAGE))
    made = local_time_text(made_at, words)
    # Shapers live for one roll call, so nothing of the names is kept afterwards.
    regular, bold = Shaper(FontStyle.REGULAR), Shaper(FontStyle.BOLD)
    out = BytesIO()
    canvas = new_canvas(out, words.text("roll_call.title"))
    page = _Page(canvas, regular, bold, words)
    for number in range(1, pages + 1):
        page.header(site, made, len(ordered), number, pages)
        chunk = ordered[(number - 1) * ROWS_PER_PAGE : number * ROWS_PER_PAGE]
        if chunk:
            page.column_titles()
            for index, visit in enumerate(chunk):
                page.row(index, visit, made_at)
            page.footer(any(visit.restricted for visit in chunk))
        else:
            right = PAGE_WIDTH - MARGIN_X
            nobody = words.text("roll_call.nobody")
            page.text(nobody, MARGIN_X, right, _HEAD_BASE, (14, 14), bold=True)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
