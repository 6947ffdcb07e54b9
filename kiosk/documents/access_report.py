"""The answer to one visitor's access request (GDPR Art. 15): their visits, in full.

Two forms of the same visits, in the order given:
- `render_access_report_pdf`: a readable A4 PDF to hand over or send: who holds the data (the
  controller), when the report was made, why the data is kept and for how long, who sees it,
  the visitor's rights, and for each visit every stored field. Nothing is shortened: a long
  value wraps onto more lines.
- `access_report_json`: the same visits as the export's records (`EXPORT_COLUMNS`, local ISO
  8601 times with the UTC offset), the machine-readable copy Art. 15(3) and Art. 20 ask for.

The PDF is for the visitor, so it is in their language: the language of their latest visit
(the one they chose at the kiosk), or the site's default language when the kiosk has no words
for that one (`report_language`). Every word comes from the catalogs (`report.*`, and the
roll call's dates and month names), a picked purpose included (`Catalog.purpose`); what the
visitor typed is shown as typed.

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

from kiosk.documents.roll_call import GREY, PAGE_HEIGHT, PAGE_WIDTH, day_text, new_canvas
from kiosk.documents.text import ASCENT, LEADING, FontStyle, Line, Shaper, clean, draw_line
from kiosk.domain.access_log import visit_record, write_json
from kiosk.domain.visit import Visit
from kiosk.settings.config import SUPPORTED_LANGUAGES
from kiosk.settings.i18n import Catalog, catalog

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

# Why the data is kept and on what basis, where it comes from and the visitor's rights: a
# label and its text (the key + "_text"), in this order; who sees it goes after the basis.
_ABOUT = (
    "report.about_purpose",
    "report.about_basis",
    "report.about_source",
    "report.about_rights",
)


def report_language(visits: Sequence[Visit], default: str) -> str:
    """The language the visitor reads: that of their latest visit (the one they chose at the
    kiosk) when the kiosk has words for it, else `default` (the site's default language)."""
    if visits:
        latest = max(visits, key=lambda visit: (visit.signed_in_at, visit.visit_id))
        if latest.language in SUPPORTED_LANGUAGES:
            return latest.language
    return default


# --- JSON ----------------------------------------------------------------------------------


def access_report_json(visits: Iterable[Visit]) -> str:
    """The visits as a JSON array of export records (one object per line)."""
    out = io.StringIO()
    write_json((visit_record(visit) for visit in visits), out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------


def full_time(moment: datetime, words: Catalog) -> str:
    """Local time to the second, with the offset, the month in `words`' language:
    "13 May 2026 09:05:12 (UTC+02:00)", "13. maj 2026 09:05:12 (UTC+02:00)"."""
    local = moment.astimezone()
    offset = local.isoformat()[-6:] if local.utcoffset() else "+00:00"
    return f"{day_text(local, words)} {local:%H:%M:%S} (UTC{offset})"


def days(count: int, words: Catalog) -> str:
    """A number of days in `words`' language: "1 day", "90 days"."""
    return words.text("report.days_one" if count == 1 else "report.days_many", count=count)


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
    def __init__(self, words: Catalog) -> None:
        self.regular = Shaper(FontStyle.REGULAR)
        self.bold = Shaper(FontStyle.BOLD)
        self.words = words

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

    def field(self, label_key: str, value: str, bold: bool = False) -> _Row:
        """A row: the label (its catalog key; "" for none) and its value."""
        label = self.words.text(label_key) if label_key else ""
        labels = [
            _Text(t.line, t.x, t.dy, colour=GREY)
            for t in self.lines(label, _LEFT, _VALUE_X - 10, SIZE - 1, False, LEADING * SIZE)
        ]
        values = self.lines(clean(value) or NONE, _VALUE_X, _RIGHT, SIZE, bold)
        count = max(len(labels), len(values))
        return _Row((*labels, *values), count * LEADING * SIZE + 3.5)


def _explained(kind: str, stored: str | None, words: Catalog) -> str:
    """A stored code as it is, with what it means in the report's language when the catalog
    says (`report.<kind>.<code>`): "staff (signed out by reception staff)", "da (Danish)"."""
    if not stored:
        return ""
    meaning = words.messages.get(f"report.{kind}.{stored}")
    return f"{stored} ({meaning})" if meaning else stored


def _visit_rows(
    builder: _Builder, visit: Visit, number: int, count: int, retention_days: int
) -> list[_Row]:
    words = builder.words
    out = visit.signed_out_at
    still_on_site = f"{NONE} ({words.text('report.still_on_site')})"
    method = visit.sign_out_method
    deleted = visit.signed_in_at + timedelta(days=retention_days)
    heading = words.text("report.visit", number=number, count=count)
    deleted_text = words.text(
        "report.deleted_after_text",
        time=full_time(deleted, words),
        days=days(retention_days, words),
    )
    rows = [
        builder.heading(heading, HEADING_SIZE, gap=14, rule=True),
        builder.field("report.visit_id", str(visit.visit_id)),
        builder.field("report.name", visit.visitor_name, bold=True),
        builder.field("report.company", visit.company),
        builder.field("report.host", visit.host),
        builder.field("report.purpose", words.purpose(visit.purpose)),
        builder.field("report.signed_in", full_time(visit.signed_in_at, words)),
        builder.field("report.signed_out", full_time(out, words) if out else still_on_site),
        builder.field("report.sign_out_method", _explained("method", method, words)),
        builder.field("report.language", _explained("language", visit.language, words)),
        builder.field("report.notice_version", visit.notice_version),
        builder.field("report.kiosk", visit.kiosk_id),
        builder.field("report.deleted_after", deleted_text),
    ]
    if visit.restricted_at is not None:
        since = full_time(visit.restricted_at, words)
        rows.append(
            builder.field("report.restricted", words.text("report.restricted_text", time=since))
        )
    if visit.objection_at is not None:
        rows.append(builder.field("report.objection", full_time(visit.objection_at, words)))
    return rows


def _blocks(
    visits: Sequence[Visit],
    controller: str,
    made_at: datetime,
    retention_days: int,
    who_sees_it: str,
    words: Catalog,
) -> list[list[_Row]]:
    """The report as blocks of rows; a block is kept on one page when it fits."""
    builder = _Builder(words)
    kept = days(retention_days, words)
    intro = [
        builder.heading(words.text("report.heading"), TITLE_SIZE, gap=0),
        builder.field("", words.text("report.intro")),
        builder.field("report.controller", controller),
        builder.field("report.made", full_time(made_at, words)),
        builder.field("report.visits", str(len(visits))),
        builder.field("report.kept_for", words.text("report.kept_for_text", days=kept)),
    ]
    about = [builder.field(label, words.text(f"{label}_text")) for label in _ABOUT]
    about.insert(2, builder.field("report.about_who", who_sees_it))
    blocks = [intro, about]
    if not visits:
        blocks.append([builder.heading(words.text("report.no_visits"), SIZE, gap=14)])
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
    who_sees_it: str,
    *,
    language: str,
) -> bytes:
    """The access report for one visitor's `visits` as an A4 PDF in `language` (one of the
    catalogs; see `report_language`), fonts embedded. `who_sees_it`: the recipients, as the
    notice in that language names them."""
    words = catalog(language)
    blocks = _blocks(visits, controller, made_at, retention_days, who_sees_it, words)
    pages = _paginate(blocks)
    small = Shaper(FontStyle.REGULAR)
    out = BytesIO()
    canvas = new_canvas(out, words.text("report.title"))
    header = words.text("report.running_header", time=full_time(made_at, words))
    header_base = PAGE_HEIGHT - MARGIN_TOP - ASCENT * 8.5
    for number, rows in enumerate(pages, start=1):
        page = small.line(words.text("report.page", number=number, count=len(pages)), 8.5)
        draw_line(canvas, small.line(header, 8.5), _LEFT, header_base, colour=GREY)
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
