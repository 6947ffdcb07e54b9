"""A badge a guard can read from 2 m, on every layout: the word for "visitor" and the name at
least 5 mm high in capitals, the host and the validity at least 3 mm, and a QR code at least
20 mm across that the scanner reads.

How the sizes are measured: on the PDF the printer gets, as cap height (the height of a capital
H on paper). A PDF does not state cap heights; it says "draw these characters in this font at
this size, here". So each text-showing operator is read from the badge's own content stream
(tests/pdfsupport.py reads the printed bytes; the size is the one the text and graphics
matrices give), and its cap height is that size times the font's cap height: the top of the
"H" outline over the units per em, read here from the TrueType file the PDF embeds (DejaVu Sans
and Sans Bold: 1493/2048 = 0.729). Not the PDF's own /CapHeight entry: ReportLab writes the
ascent there (0.76), which would flatter every size by 4 %.

That reading is exact, but it is a reading: `test_the_reading_matches_the_ink` checks it
against the paper. It rasterises each layout at 600 dpi (pdftoppm) and counts the rows of ink
of a flat capital (one whose outline runs from the baseline exactly to the cap height: B, E, H
and the like; not O, which overshoots, nor É) in every line that has one, and they agree within
2 px (0.085 mm). Pixels alone would be the wrong measure for the limits: which letter is
counted changes the answer (round letters overshoot, ascenders and accents are taller) and
anti-aliasing moves it by a pixel, while the limits leave only 0.015 mm to spare."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from cupssupport import require_tool
from pdfsupport import TextRun, text_runs
from reportlab.pdfbase.ttfonts import TTFontFile

from kiosk.documents.badge import BadgeContent, BadgeLayout, plan_badge, render_badge
from kiosk.documents.text import ELLIPSIS
from kiosk.domain.events import Hook
from kiosk.domain.visit import Visit
from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.printing.cups import SaveOnly
from kiosk.settings.assets import asset_path
from kiosk.settings.config import parse_config

MM_PER_PT = 25.4 / 72
LAYOUTS = list(BadgeLayout)
LANGUAGES = ["en", "nl", "da"]
CODE = "JBSWY3DPEHPK3PXPJBSWY3DPEH"
HOST = "Jens Kristensen"
SAMPLE = "Annelies van der Berg-Hoogendoorn"  # the visitor-side review's sample
NAMES = {
    "short": "Henk de Vries",
    "sample": SAMPLE,
    "hundred": ("Maximiliaan Adriaan Johannes Cornelis van Wassenaer " * 2)[:100],
}
FONT_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DroidSansFallback": "DroidSansFallbackFull.ttf",
}


@dataclass(frozen=True)
class Outlines:
    cap: float  # the top of "H", in font sizes
    flat: frozenset[str]  # capitals and digits whose outline runs from 0 to exactly `cap`


@cache
def outlines(base_font: str) -> Outlines:
    """Read from the font file itself with ReportLab's TrueType parser (not the kiosk's code)."""
    face = TTFontFile(str(asset_path("fonts", FONT_FILES[base_font])))
    glyf = face.get_table("glyf")

    def box(ch: str) -> tuple[int, int]:
        position = face.glyphPos[face.charToGlyph[ord(ch)]]
        y_min = int.from_bytes(glyf[position + 4 : position + 6], "big", signed=True)
        y_max = int.from_bytes(glyf[position + 8 : position + 10], "big", signed=True)
        return y_min, y_max

    top = box("H")[1]
    flat = frozenset(ch for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if box(ch) == (0, top))
    return Outlines(top / face.unitsPerEm, flat)


def cap_mm(run: TextRun) -> float:
    return run.size * outlines(run.font.base).cap * MM_PER_PT


def visit(name: str, language: str) -> Visit:
    return Visit(
        visit_id=7,
        visitor_name=name,
        company="Noordzee Logistiek B.V.",
        host=HOST,
        purpose="Meeting",
        signed_in_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        signed_out_at=None,
        sign_out_method=None,
        language=language,
        notice_version=f"{language}-000000000000",
        kiosk_id="lobby-1",
    )


def badge(name: str, site_language: str, layout: BadgeLayout, **badge_keys: object) -> BadgeContent:
    """What the kiosk prints for a visitor at a site whose language is `site_language`."""
    others = [lang for lang in LANGUAGES if lang != site_language]
    config = parse_config(
        {
            "kiosk": {"languages": [site_language, *others]},
            "site": {"name": "Rotterdam Waalhaven"},
            "badge": {"layout": layout.value, **badge_keys},
        }
    )
    printing = BadgePrinting(config, BadgeFiles(Path("unused")), SaveOnly(), Hook("printed"))
    return printing.content(visit(name, "en"), CODE)


@dataclass(frozen=True)
class Measured:
    visitor: list[TextRun]
    name: list[TextRun]
    host: list[TextRun]
    validity: list[TextRun]


def measure(content: BadgeContent, layout: BadgeLayout) -> Measured:
    """The badge's text runs, sorted by what they show (by their text, which is distinct)."""
    runs = text_runs(render_badge(content, layout))
    words = content.labels
    validity_parts = {content.valid_until, *content.valid_until.split(), words.valid_until}
    name_parts = content.visitor_name

    def is_name(run: TextRun) -> bool:
        return run.font.base.endswith("Bold") and run.text.removesuffix(ELLIPSIS) in name_parts

    return Measured(
        visitor=[run for run in runs if run.text == words.visitor],
        name=[run for run in runs if run.text != words.visitor and is_name(run)],
        host=[run for run in runs if HOST in run.text or run.text.startswith(words.host)],
        validity=[
            run for run in runs if run.text in validity_parts or content.valid_until in run.text
        ],
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("which", list(NAMES))
def test_cap_heights_read_from_the_pdf(layout: BadgeLayout, language: str, which: str) -> None:
    content = badge(NAMES[which], language, layout)
    found = measure(content, layout)

    (visitor,) = found.visitor
    assert cap_mm(visitor) >= 5.0, (visitor.text, cap_mm(visitor))
    assert found.name, "the name is on the badge"
    for line in found.name:
        assert cap_mm(line) >= 5.0, (line.text, cap_mm(line))
    assert found.host, "the host is on the badge"
    for line in found.host:
        assert cap_mm(line) >= 3.0, (line.text, cap_mm(line))
    shown_validity = " ".join(run.text for run in found.validity).split()
    assert set(content.valid_until.split()) <= set(shown_validity), "the validity"
    for line in found.validity:
        assert cap_mm(line) >= 3.0, (line.text, cap_mm(line))

    shown = "".join(line.text for line in found.name)
    whole = shown.replace(" ", "") == NAMES[which].replace(" ", "")
    # Every layout shows the review's sample whole, and A6 even the 100 characters; where a
    # name does not fit at 5 mm, its last line ends in "…" and nothing is cut unseen.
    if which != "hundred" or layout is BadgeLayout.A6:
        assert whole, [line.text for line in found.name]
    else:
        assert not whole
        # ... after filling every line the label has room for.
        assert len(found.name) >= {BadgeLayout.BROTHER_62X100: 5, BadgeLayout.DYMO_99012: 3}[layout]
        assert found.name[-1].text.endswith(ELLIPSIS)
        assert NAMES[which].replace(" ", "").startswith(shown[:-1].replace(" ", ""))
        assert plan_badge(content, layout).cut[0] == "name"  # (the site line may make room)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_date_is_printed_once(layout: BadgeLayout) -> None:
    content = badge(SAMPLE, "nl", layout)
    date = content.issued
    assert content.valid_until.startswith(date)
    runs = text_runs(render_badge(content, layout))
    assert sum(run.text.count(date) for run in runs) == 1, [run.text for run in runs]


# --- the reading against the ink ------------------------------------------------------------

DPI = 600


def rasterise(pdf: bytes, tmp_path: Path, name: str) -> tuple[int, int, bytes]:
    """The page at DPI as 8-bit grey: (columns, rows, pixels)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    stem = tmp_path / name
    subprocess.run(
        [require_tool("pdftoppm"), "-r", str(DPI), "-gray", "-singlefile", str(path), str(stem)],
        check=True,
        timeout=60,
    )
    header, pixels = stem.with_suffix(".pgm").read_bytes().split(b"\n255\n", 1)
    columns, rows = (int(n) for n in header.split()[1:3])
    return columns, rows, pixels


def ink_rows(raster: tuple[int, int, bytes], page_height: float, run: TextRun, index: int) -> int:
    """How many rows of ink character `index` of `run` has, within its advance, from the one
    on its baseline (give or take a pixel) up to the first row without ink: dark on light, or
    light on the band."""
    columns, _rows, pixels = raster
    scale = DPI / 72
    x0 = run.x + sum(run.advances[:index])
    left, right = int(x0 * scale) + 1, int((x0 + run.advances[index]) * scale) - 1
    baseline = round((page_height - run.baseline) * scale)  # the first row below the glyph
    # Light text on the black band: the ground just left of the glyph is dark.
    inverse = pixels[(baseline - 3) * columns + int(x0 * scale) - 2] < 128

    def inked(y: int) -> bool:
        row = pixels[y * columns + left : y * columns + right]
        return any(value > 127 for value in row) if inverse else min(row) < 128

    # The rasteriser may move a glyph by up to a pixel to sit it on the pixel grid (hinting).
    bottom = next(y for y in (baseline + 1, baseline, baseline - 1, baseline - 2) if inked(y))
    top = bottom
    while inked(top - 1):
        top -= 1
    return bottom - top + 1


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_reading_matches_the_ink(layout: BadgeLayout, tmp_path: Path) -> None:
    content = badge(SAMPLE, "nl", layout)
    pdf = render_badge(content, layout)
    raster = rasterise(pdf, tmp_path, layout.value)
    page_height = plan_badge(content, layout).page[1]
    checked = []
    for run in text_runs(pdf):
        flat = outlines(run.font.base).flat
        index = next((i for i, ch in enumerate(run.text) if ch in flat), None)
        if index is None:
            continue
        measured = ink_rows(raster, page_height, run, index) / DPI * 25.4
        assert abs(measured - cap_mm(run)) <= 2 / DPI * 25.4, (run.text, measured, cap_mm(run))
        checked.append(run.text)
    # "BEZOEKER", the name's lines, the host, the validity: every line has a flat capital.
    assert len(checked) >= 5, checked


# --- the QR code ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dpi", [300, 150])
def test_the_qr_code_is_20_mm_or_more_and_scans(
    layout: BadgeLayout, dpi: int, tmp_path: Path
) -> None:
    """The code's dark part measured in the raster (within the plan's box, which test_badge
    checks against the raster) and read back with zbarimg, at a printer's 300 dpi and, with
    room to spare for a worn or creased label, at 150 dpi."""
    content = badge(SAMPLE, "nl", layout)
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(render_badge(content, layout))
    stem = tmp_path / "badge"
    subprocess.run(
        [require_tool("pdftoppm"), "-r", str(dpi), "-gray", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    pgm = stem.with_suffix(".pgm")
    read = subprocess.run(
        [require_tool("zbarimg"), "--raw", "-q", str(pgm)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert read.stdout.strip() == CODE

    header, pixels = pgm.read_bytes().split(b"\n255\n", 1)
    columns = int(header.split()[1])
    box = plan_badge(content, layout).qr_box
    scale = dpi / 72
    top = int((plan_badge(content, layout).page[1] - box.top) * scale)
    rows = range(top, top + int(box.height * scale))
    dark_columns = [
        x
        for x in range(int(box.x * scale), int(box.right * scale))
        if any(pixels[y * columns + x] < 128 for y in rows)
    ]
    width_mm = (dark_columns[-1] - dark_columns[0] + 1) / dpi * 25.4
    assert width_mm >= 20.0 - 25.4 / dpi, width_mm
