"""The answer to one visitor's access request (GDPR Art. 15): their visits, in full.

Two forms of the same visits, in the order given:
- `render_access_report_pdf`: a readable A4 PDF to hand over or send: who holds the data (the
  controller), when the report was made, why the data is kept and for how long, who sees it,
  the visitor's rights, and for each visit every stored field. Nothing is shortened: a long
  value wraps onto more lines.
- `access_report_json`: the same visits as the export's records (`EXPORT_COLUMNS`, local ISO
  8601 times with the UTC offset), the machine-readable copy Art. 15(3) and Art. 20 ask for.

Text goes through `kiosk.documents.text`, so any name the kiosk accepts renders with embedded
fonts. The PDF's metadata holds no personal data.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from reportlab.lib.colors import Color, black

from kiosk.documents.roll_call import GREY, MONTHS, PAGE_HEIGHT, PAGE_WIDTH, new_canvas
from kiosk.documents.text import ASCENT, LEADING, FontStyle, Line, Shaper, clean, draw_line
from kiosk.domain.access_log import visit_record, write_json
from kiosk.domain.visit import SignOutMethod, Visit

PDF_TITLE = "Access report"
MM = 72 / 25.4
MARGIN_X = 20 * MM
MARGIN_TOP = 16 * MM
MARGIN_BOTTOM = 16 * MM
LABEL_WIDTH = 120.0
SIZE = 10.0
HEADING_SIZE = 12.0
TITLE_SIZE = 17.0
NONE = "—"

_LEFT, _RIGHT = MARGIN_X, PAGE_WIDTH - MARGIN_X
_VALUE_X = _LEFT + LABEL_WIDTH
_BODY_TOP = PAGE_HEIGHT - MARGIN_TOP - 22  # under the running header
_BODY_BOTTOM = MARGIN_BOTTOM

_METHODS = {
    SignOutMethod.KIOSK: "kiosk (signed out at the kiosk)",
    SignOutMethod.STAFF: "staff (signed out by reception staff)",
    SignOutMethod.AUTO: "auto (closed automatically at the end of the day)",
}
_LANGUAGES = {"en": "English", "nl": "Dutch", "da": "Danish"}
# What a restriction (GDPR Art. 18) means for a visit, after its date.
_KEPT = (
    ": kept, but used for nothing but your own requests and, while you are on site, the "
    "evacuation list"
)
# Who sees it when the kiosk tells no host; the site's own text comes from its notice.
WHO_SEES_IT = "Reception and security staff of the site; no one outside unless the law requires it."
_ABOUT = (
    ("Purpose", "Monitoring access to the premises."),
    (
        "Legal basis",
        "Legitimate interest (GDPR Art. 6(1)(f)): protecting business secrets, employees, "
        "premises and visitors.",
    ),
    (
        "Source",
        "You, at the visitor kiosk. Sign-out times come from the kiosk, from staff or from the "
        "automatic sign-out at the end of the day.",
    ),
    (
        "Your rights",
        "You may ask for your data to be corrected or erased, for its use to be restricted, "
        "and object to its use (Art. 21). You may also complain to the supervisory authority. "
        "Ask at reception or write to the privacy contact.",
    ),
)


# --- JSON ----------------------------------------------------------------------------------


def access_report_json(visits: Iterable[Visit]) -> str:
    """The visits as a JSON array of export records (one object per line)."""
    out = io.StringIO()
    write_json((visit_record(visit) for visit in visits), out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------


def full_time(moment: datetime) -> str:
    """Local time to the second, with the offset: "13 May 2026 09:05:12 (UTC+02:00)"."""
    local = moment.astimezone()
    offset = local.isoformat()[-6:] if local.utcoffset() else "+00:00"
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M:%S} (UTC{offset})"


def wrap(shaper: Shaper, text: str, width: float, size: float) -> list[str]:
    """`text` in lines at most `width` wide at `size`: broken at spaces, and inside a word
    only when the word alone is too wide. Nothing is left out."""
    limit = width / size
    lines: list[str] = []
    current = ""
    for word in clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if shaper.width(candidate) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while shaper.width(current) > limit and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and shaper.width(current[:cut]) > limit:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class _Text:
    line: Line
    x: float
    dy: float  # baseline below the row's top
    bold: bool = False
    colour: Color = black


@dataclass(frozen=True)
class _Row:
    texts: tuple[_Text, ...]
    height: float
    rule: bool = False  # a thin line along the row's top


class _Builder:
    def __init__(self) -> None:
        self.regular = Shaper(FontStyle.REGULAR)
        self.bold = Shaper(FontStyle.BOLD)

    def lines(
        self, text: str, left: float, right: float, size: float, bold: bool, pitch: float = 0
    ) -> list[_Text]:
        """`text` wrapped between `left` and `right`, every line starting at `left` (right-to-left
        text too, so a value sits by its label), `pitch` apart (default: the size's leading)."""
        shaper = self.bold if bold else self.regular
        pitch = pitch or LEADING * size
        return [
            _Text(shaper.line(part, size), left, ASCENT * pitch / LEADING + i * pitch, bold)
            for i, part in enumerate(wrap(shaper, text, right - left, size))
        ]

    def heading(self, text: str, size: float, gap: float, rule: bool = False) -> _Row:
        texts = [
            _Text(t.line, t.x, t.dy + gap, True)
            for t in self.lines(text, _LEFT, _RIGHT, size, bold=True)
        ]
        return _Row(tuple(texts), gap + len(texts) * LEADING * size + 4, rule)

    def field(self, label: str, value: str, bold: bool = False) -> _Row:
        labels = [
            _Text(t.line, t.x, t.dy, colour=GREY)
            for t in self.lines(label, _LEFT, _VALUE_X - 10, SIZE - 1, False, LEADING * SIZE)
        ]
        values = self.lines(clean(value) or NONE, _VALUE_X, _RIGHT, SIZE, bold)
        count = max(len(labels), len(values))
        return _Row((*labels, *values), count * LEADING * SIZE + 3.5)


def _visit_rows(
    builder: _Builder, visit: Visit, number: int, count: int, retention_days: int
) -> list[_Row]:
    out = visit.signed_out_at
    method = visit.sign_out_method
    language = _LANGUAGES.get(visit.language)
    deleted = visit.signed_in_at + timedelta(days=retention_days)
    rows = [
        builder.heading(f"Visit {number} of {count}", HEADING_SIZE, gap=14, rule=True),
        builder.field("Visit id", str(visit.visit_id)),
        builder.field("Name", visit.visitor_name, bold=True),
        builder.field("Company", visit.company),
        builder.field("Host", visit.host),
        builder.field("Purpose", visit.purpose),
        builder.field("Signed in", full_time(visit.signed_in_at)),
        builder.field("Signed out", full_time(out) if out else f"{NONE} (still on site)"),
        builder.field("Sign-out method", _METHODS.get(method, method.value) if method else ""),
        builder.field("Language", f"{visit.language} ({language})" if language else visit.language),
        builder.field("Notice version", visit.notice_version),
        builder.field("Kiosk", visit.kiosk_id),
        builder.field("Deleted after", f"{full_time(deleted)} ({retention_days} days)"),
    ]
    if visit.restricted_at is not None:
        rows.append(builder.field("Restricted since", f"{full_time(visit.restricted_at)}{_KEPT}"))
    if visit.objection_at is not None:
        rows.append(builder.field("Objection received", full_time(visit.objection_at)))
    return rows


def _blocks(
    visits: Sequence[Visit],
    controller: str,
    made_at: datetime,
    retention_days: int,
    who_sees_it: str,
) -> list[list[_Row]]:
    """The report as blocks of rows; a block is kept on one page when it fits."""
    builder = _Builder()
    intro = [
        builder.heading("Your data in the visitor register", TITLE_SIZE, gap=0),
        builder.field("", "A copy of what the visitor register holds about you (GDPR Art. 15)."),
        builder.field("Controller", controller),
        builder.field("Made", full_time(made_at)),
        builder.field("Visits", str(len(visits))),
        builder.field(
            "Kept for",
            f"{retention_days} days: each visit is deleted automatically {retention_days} "
            "days after sign-in.",
        ),
    ]
    about = [builder.field(label, text) for label, text in _ABOUT]
    about.insert(2, builder.field("Who sees it", who_sees_it))
    blocks = [intro, about]
    if not visits:
        blocks.append([builder.heading("No visits are stored for this person.", SIZE, gap=14)])
    for number, visit in enumerate(visits, start=1):
        blocks.append(_visit_rows(builder, visit, number, len(visits), retention_days))
    return blocks


def _paginate(blocks: list[list[_Row]]) -> list[list[tuple[float, _Row]]]:
    """Rows with their top on each page; a block that does not fit below the rows before it
    starts a new page (unless it is taller than a page, then it breaks between rows)."""
    pages: list[list[tuple[float, _Row]]] = [[]]
    room = _BODY_TOP - _BODY_BOTTOM
    y = _BODY_TOP
    for block in blocks:
        height = sum(row.height for row in block)
        if height > y - _BODY_BOTTOM and pages[-1] and height <= room:
            pages.append([])
            y = _BODY_TOP
        for row in block:
            if row.height > y - _BODY_BOTTOM and pages[-1]:
                pages.append([])
                y = _BODY_TOP
            pages[-1].append((y, row))
            y -= row.height
    return pages


def render_access_report_pdf(
    visits: list[Visit],
    controller: str,
    made_at: datetime,
    retention_days: int,
    who_sees_it: str = WHO_SEES_IT,
) -> bytes:
    """The access report for one visitor's `visits` as an A4 PDF, fonts embedded."""
    pages = _paginate(_blocks(visits, controller, made_at, retention_days, who_sees_it))
    small = Shaper(FontStyle.REGULAR)
    out = BytesIO()
    canvas = new_canvas(out, PDF_TITLE)
    header_base = PAGE_HEIGHT - MARGIN_TOP - ASCENT * 8.5
    for number, rows in enumerate(pages, start=1):
        page = small.line(f"page {number} of {len(pages)}", 8.5)
        draw_line(canvas, small.line(f"{PDF_TITLE}, made {full_time(made_at)}", 8.5), _LEFT,
                  header_base, colour=GREY)  # fmt: skip
        draw_line(canvas, page, _RIGHT - page.width, header_base, colour=GREY)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.line(_LEFT, header_base - 6, _RIGHT, header_base - 6)
        for top, row in rows:
            if row.rule and top < _BODY_TOP:  # not under the running header's own rule
                canvas.setStrokeColor(black)
                canvas.setLineWidth(0.6)
                canvas.line(_LEFT, top - 4, _RIGHT, top - 4)
            for text in row.texts:
                draw_line(canvas, text.line, text.x, top - text.dy, text.bold, text.colour)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
