"""The visitor badge as a one-page PDF (ReportLab), in three layouts: A6 paper, a Brother QL
62 mm label cut at 100 mm, and a DYMO 99012 label (89 x 36 mm).

The badge shows what a guard needs, sized to be read from 2 m: the word for "visitor" in a black
band and the visitor's name, both at least 5 mm high in capitals (cap height); the host and the
validity (the date, and the time the visit ends) at least 3 mm; the company only when the site
asks for it; the site's name where there is room; and a QR code, at least 20 mm across, that
holds only the visit's opaque badge token. The QR code is drawn as vector squares (alphanumeric
mode, error correction M, a quiet zone of 4 modules) so it stays sharp on any printer.

Sizes are given as cap heights and turned into font sizes with the font's own cap height
(`kiosk.documents.text.cap_height`). A name never goes below 5 mm: it wraps onto as many lines
as the room holds (breaking inside a word only if the word alone is wider than a line), and a
name too long even for that ends in "…" on the last line, which `BadgePlan.cut` reports.

A6 and Brother: the band across the top, then name, company, host and site; the validity at
the bottom left, beside the QR code at the bottom right. DYMO (36 mm high, too low for that):
the band runs across the whole label and carries the validity at its right end; below it the
name and the host, beside the QR code; no site line.

`plan_badge` decides where everything goes (points, origin at the bottom left, as in PDF);
`render_plan` draws that plan. Text is fitted by `kiosk.documents.text`: never over the QR
code's box (quiet zone included) and never off the page.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.badge_plan import (
    QUIET_ZONE,
    BadgeContent,
    BadgeLabels,
    BadgeLayout,
    BadgePlan,
    badge_page_size,
    name_sizes,
    plan_badge,
    prepare,
    qr_matrix,
)
from kiosk.documents.text import BODY_FONT, draw_line

__all__ = [
    "PDF_TITLE",
    "QUIET_ZONE",
    "BadgeContent",
    "BadgeLabels",
    "BadgeLayout",
    "BadgePlan",
    "badge_page_size",
    "name_sizes",
    "plan_badge",
    "prepare",
    "qr_matrix",
    "render_badge",
    "render_plan",
]

PDF_TITLE = "Visitor badge"


def render_badge(content: BadgeContent, layout: BadgeLayout) -> bytes:
    """The badge as a one-page PDF with its fonts embedded."""
    return render_plan(plan_badge(content, layout))


def render_plan(plan: BadgePlan) -> bytes:
    """A planned badge as a one-page PDF with its fonts embedded."""
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
