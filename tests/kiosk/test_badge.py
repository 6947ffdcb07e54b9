"""The visitor badge PDF, read back with poppler (pdftotext, pdftoppm, pdffonts, pdfinfo,
pdfimages) and zbar (zbarimg), as a guard's scanner and a print queue would see it.

Where the QR code is comes from the render plan (`plan_badge`, the same plan `render_badge`
draws); `test_qr_box_is_where_the_plan_says` checks that plan against the 300 dpi raster, so the
overlap test can trust it.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
import qrcode.util
from cupssupport import require_tool

from kiosk.documents.badge import (
    PDF_TITLE,
    QUIET_ZONE,
    BadgeContent,
    BadgeLabels,
    BadgeLayout,
    BadgePlan,
    badge_page_size,
    name_sizes,
    plan_badge,
    qr_matrix,
    render_badge,
)
from kiosk.documents.text import (
    ELLIPSIS,
    FontStyle,
    Shaper,
    block_height,
    break_points,
    fit_block,
)

TOKEN = base64.b32encode(b"kiosk-test-token").decode().rstrip("=")
LABELS = BadgeLabels(visitor="BESØGENDE", host="Vært", valid_until="Gyldig til")
LATIN = "Wilhelmina Cornelia van der Heijden-Oosterhuis"
NAMES = {
    "latin": LATIN,
    "greek": "Αικατερίνη Παπαδοπούλου-Χατζηγεωργίου",
    "cyrillic": "Александра Владимировна Преображенская-Большакова",
    "arabic": "عبد الله محمد بن عبد العزيز آل سعود",
    "hebrew": "יהונתן בן־אליעזר רוזנבלום־הורוביץ",
    "chinese": "欧阳慕容婉清",
    "japanese": "アレクサンドラ・ヴィクトリア・シュヴァルツェンベルク",
    "hundred": ("Maximiliaan Adriaan Johannes Cornelis van Wassenaer " * 2)[:100],
    "unbroken": ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100],
}
LAYOUTS = list(BadgeLayout)
WritePdf = Callable[[BadgeContent, BadgeLayout], Path]


def content(name: str = LATIN, **fields: str) -> BadgeContent:
    """A badge with every detail as long as a visitor could plausibly make it."""
    values = {
        "company": "Internationale Handels- en Scheepvaartmaatschappij Noordzee-Oostzee B.V.",
        "host": "Jens-Christian Østergaard-Kristensen",
        "site": "Rotterdam Waalhaven, gebouw C, tweede verdieping",
        "issued": "22-11-2026",
        "valid_until": "22-11-2026 23:00",
        **fields,
    }
    return BadgeContent(visitor_name=name, token=TOKEN, labels=LABELS, **values)


def run(name: str, *args: str | Path) -> str:
    done = subprocess.run(
        [require_tool(name), *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


@pytest.fixture
def write_pdf(tmp_path: Path) -> WritePdf:
    def write(badge: BadgeContent, layout: BadgeLayout) -> Path:
        path = tmp_path / f"{layout}.pdf"
        path.write_bytes(render_badge(badge, layout))
        return path

    return write


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the top of the page, as pdftotext gives it
    x1: float
    y1: float

    def overlaps(self, x0: float, y0: float, x1: float, y1: float, slack: float = 0.0) -> bool:
        return (
            self.x0 < x1 - slack
            and x0 < self.x1 - slack
            and self.y0 < y1 - slack
            and y0 < self.y1 - slack
        )


def words(pdf: Path) -> list[Word]:
    page = ET.fromstring(run("pdftotext", "-bbox", pdf, "-"))
    found = [
        Word(
            element.text or "",
            *(float(element.attrib[key]) for key in ("xMin", "yMin", "xMax", "yMax")),
        )
        for element in page.iter("{http://www.w3.org/1999/xhtml}word")
    ]
    assert found
    return found


def qr_box_from_top(plan: BadgePlan) -> tuple[float, float, float, float]:
    box, height = plan.qr_box, plan.page[1]
    return box.x, height - box.top, box.right, height - box.y


# --- text placement, read back from the PDF --------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("script", [*NAMES, "cramped"])
def test_text_stays_on_the_page_and_off_the_qr_code(
    write_pdf: WritePdf, layout: BadgeLayout, script: str
) -> None:
    """Every word inside the page, none on the QR code (quiet zone included), none on another.
    "cramped": a "valid until" label so long that it wraps, leaving the name little room."""
    if script == "cramped":
        labels = replace(LABELS, valid_until="Gyldig til og med udgangen af")
        badge = replace(content(LATIN), labels=labels)
    else:
        badge = content(NAMES[script])
    pdf = write_pdf(badge, layout)
    width, height = badge_page_size(layout)
    plan = plan_badge(badge, layout)
    qr = qr_box_from_top(plan)
    band = (plan.band.x, height - plan.band.top, plan.band.right, height - plan.band.y)
    found = words(pdf)
    # Words in the black band (white on black) are held by the band: their boxes (font ascent
    # to descent) may reach past its edge, where nothing white shows; every other word stays
    # out of the band.
    in_band = [word for word in found if band[1] < (word.y0 + word.y1) / 2 < band[3]]
    for word in found:
        assert word.x0 >= 0, word
        assert word.x1 <= width, word
        assert word.y0 >= 0, word
        assert word.y1 <= height, word
        assert not word.overlaps(*qr), f"{word} is on the QR code {qr}"
        if word not in in_band:
            assert not word.overlaps(*band, slack=0.5), f"{word} is on the band {band}"
    for i, word in enumerate(found):
        for other in found[i + 1 :]:
            if (word in in_band) != (other in in_band):
                continue
            assert not word.overlaps(other.x0, other.y0, other.x1, other.y1, slack=0.5), (
                word,
                other,
            )
    text = run("pdftotext", pdf, "-")
    assert TOKEN not in text.replace(" ", "").replace("\n", "")
    if script in ("latin", "hundred", "unbroken", "cramped"):
        assert badge.visitor_name.split()[0][:10] in text


def test_a_name_that_fits_is_shown_whole(write_pdf: WritePdf) -> None:
    """46 characters (with every other line as long as it gets): whole on A6 and Brother; on
    the DYMO label, where three lines at 5 mm hold about 35, the name comes first and the
    company gives up its line, but the last line still ends in "…" (test_badge_sizes has the
    review's 33-character sample whole on every layout)."""

    def letters(text: str) -> str:  # pdftotext joins a word hyphenated at a line's end
        return "".join(text.split()).replace("-", "")

    for layout in LAYOUTS:
        text = letters(run("pdftotext", write_pdf(content(LATIN), layout), "-"))
        if layout is BadgeLayout.DYMO_99012:
            assert letters(LATIN) not in text
            assert plan_badge(content(LATIN), layout).cut[:2] == ("host", "name")
        else:
            assert letters(LATIN) in text, layout


@pytest.mark.parametrize("script", ["greek", "cyrillic", "chinese", "japanese"])
def test_other_scripts_are_real_text_in_embedded_fonts(write_pdf: WritePdf, script: str) -> None:
    badge = content(NAMES[script])
    pdf = write_pdf(badge, BadgeLayout.A6)
    shown = "".join(plan_badge(badge, BadgeLayout.A6).text("name"))
    assert shown.startswith(NAMES[script].split()[0])

    def letters(text: str) -> str:  # pdftotext joins a word hyphenated at a line's end
        return "".join(text.split()).replace("-", "").replace(ELLIPSIS, "")

    assert letters(shown) in letters(run("pdftotext", pdf, "-"))
    fonts = run("pdffonts", pdf).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    wanted = "DroidSansFallback" if script in ("chinese", "japanese") else "DejaVuSans-Bold"
    assert any(wanted in line for line in fonts), fonts


def test_a_latin_badge_does_not_embed_the_cjk_font(write_pdf: WritePdf) -> None:
    fonts = run("pdffonts", write_pdf(content(LATIN), BadgeLayout.A6))
    assert "DejaVuSans" in fonts
    assert "Droid" not in fonts


def test_blank_fields_are_left_out(write_pdf: WritePdf) -> None:
    badge = content("Bo Li", company="", host="  ", site="")
    for layout in LAYOUTS:
        text = run("pdftotext", write_pdf(badge, layout), "-")
        assert "Bo Li" in text
        assert "Vært" not in text
        assert ":" not in text.replace("23:00", "")
        assert {line.role for line in plan_badge(badge, layout).lines}.isdisjoint(
            {"company", "host", "site"}
        )


def test_the_title_and_metadata_hold_no_name(write_pdf: WritePdf) -> None:
    badge = content(LATIN, company="Noordzee Logistiek B.V.")
    for layout in LAYOUTS:
        info = run("pdfinfo", write_pdf(badge, layout))
        assert re.search(rf"^Title:\s+{PDF_TITLE}$", info, re.MULTILINE)
        for part in (*LATIN.split(), "Noordzee", "Østergaard"):
            assert part not in info


# --- the QR code -----------------------------------------------------------------------------


@pytest.fixture(params=LAYOUTS, ids=str)
def raster(request: pytest.FixtureRequest, write_pdf: WritePdf) -> tuple[BadgeLayout, Path]:
    layout = request.param
    pdf = write_pdf(content(LATIN), layout)
    run("pdftoppm", "-r", "300", "-gray", "-singlefile", pdf, pdf.with_suffix(""))
    return layout, pdf.with_suffix(".pgm")


def test_the_qr_code_scans_at_300_dpi(raster: tuple[BadgeLayout, Path]) -> None:
    _, pgm = raster
    assert run("zbarimg", "--raw", "-q", pgm).strip() == TOKEN


def test_qr_box_is_where_the_plan_says(raster: tuple[BadgeLayout, Path]) -> None:
    """In the 300 dpi raster the plan's QR box has a quiet zone of 4 light modules all round,
    and the finder patterns' corners are dark just inside it."""
    layout, pgm = raster
    header, pixels = pgm.read_bytes().split(b"\n255\n", 1)
    columns = int(header.split()[1])
    plan = plan_badge(content(LATIN), layout)
    scale = 300 / 72
    box = plan.qr_box
    module = box.width / len(plan.qr_matrix) * scale
    left, top = box.x * scale, (plan.page[1] - box.top) * scale
    size = box.width * scale

    def grey(x: float, y: float) -> int:
        return pixels[int(y) * columns + int(x)]

    inner = QUIET_ZONE * module
    step = module / 3
    ring = [i * step for i in range(int(size / step))]
    for along in ring:
        for across in [0.5 + i * step for i in range(int((inner - 1.5) / step))]:
            for x, y in (
                (along, across),
                (along, size - 1 - across),
                (across, along),
                (size - 1 - across, along),
            ):
                assert grey(left + x, top + y) > 200, (layout, x, y)
    for x, y in ((inner, inner), (size - inner, inner), (inner, size - inner)):
        corner_x = left + x + (module / 2 if x == inner else -module / 2)
        corner_y = top + y + (module / 2 if y == inner else -module / 2)
        assert grey(corner_x, corner_y) < 60, (layout, x, y)


def test_the_qr_code_is_drawn_as_vectors(write_pdf: WritePdf) -> None:
    for layout in LAYOUTS:
        listing = run("pdfimages", "-list", write_pdf(content(LATIN), layout))
        assert len(listing.strip().splitlines()) == 2, listing  # the header only: no images


def test_the_qr_code_is_alphanumeric_level_m_with_the_token_only() -> None:
    """Byte mode or another error correction level gives a different symbol."""

    def reference(mode: int, level: int) -> tuple[tuple[bool, ...], ...]:
        code = qrcode.QRCode(error_correction=level, border=QUIET_ZONE)
        code.add_data(qrcode.util.QRData(TOKEN, mode=mode))
        code.make(fit=True)
        return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())

    matrix = qr_matrix(TOKEN)
    m = qrcode.constants.ERROR_CORRECT_M
    assert matrix == reference(qrcode.util.MODE_ALPHA_NUM, m)
    assert matrix != reference(qrcode.util.MODE_8BIT_BYTE, m)
    assert matrix != reference(qrcode.util.MODE_ALPHA_NUM, qrcode.constants.ERROR_CORRECT_Q)


@pytest.mark.parametrize("token", ["", TOKEN.lower(), TOKEN[:-1], TOKEN + "A", TOKEN[:-1] + "1"])
def test_only_a_badge_code_goes_into_the_qr_code(token: str) -> None:
    with pytest.raises(ValueError, match="26 characters"):
        qr_matrix(token)


# --- fitting, on the render plan ---------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_short_name_is_large_on_one_line(layout: BadgeLayout) -> None:
    plan = plan_badge(content("Bo Li"), layout)
    (name,) = [line for line in plan.lines if line.role == "name"]
    assert name.line.text == "Bo Li"
    assert name.line.size == max(line.line.size for line in plan.lines)
    assert name.line.size >= name_sizes(layout)[1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_long_name_wraps_then_is_shortened(layout: BadgeLayout) -> None:
    """Never below the smallest size (5 mm capitals): a name wraps onto as many lines as the
    room holds, breaking inside a word only when the word alone is wider than a line, and one
    too long for all of them ends in "…". A6 holds 100 characters whole."""
    smallest = name_sizes(layout)[2]
    wrapped = plan_badge(content(LATIN), layout)
    assert all(line.line.size >= smallest for line in wrapped.lines if line.role == "name")
    for script in ("hundred", "unbroken"):
        plan = plan_badge(content(NAMES[script]), layout)
        name = [line.line for line in plan.lines if line.role == "name"]
        assert len(name) >= 2
        assert all(line.size >= smallest for line in name)
        shown = "".join(line.text for line in name).replace(" ", "")
        if layout is BadgeLayout.A6:
            assert shown == NAMES[script].replace(" ", "")
            continue
        assert all(line.size == smallest for line in name)
        assert name[-1].text.endswith(ELLIPSIS)
        assert NAMES[script].replace(" ", "").startswith(shown.removesuffix(ELLIPSIS))
        assert "name" in plan.cut


@pytest.mark.parametrize("height", [12.0, 30.0, 60.0])
def test_a_name_block_keeps_to_its_height(height: float) -> None:
    lines = fit_block(Shaper(FontStyle.BOLD), LATIN, 200.0, height, (40.0, 30.0, 8.0))
    assert lines
    assert block_height(len(lines), lines[0].size) <= height
    assert all(line.width <= 200.0 for line in lines)


def test_wrapping_breaks_at_spaces_and_hyphens_and_anywhere_in_cjk() -> None:
    assert ("Berg-", "Hoogendoorn") in break_points("Berg-Hoogendoorn")
    assert ("van der", "Berg") in break_points("van der Berg")
    assert ("Hoogen", "doorn") not in break_points("Hoogendoorn")
    assert ("欧阳", "慕容婉清") in break_points("欧阳慕容婉清")
    assert not any(second.startswith("・") for _, second in break_points("アレク・サンドラ"))


def test_right_to_left_names_are_shaped_reordered_and_right_aligned() -> None:
    plan = plan_badge(content(NAMES["arabic"]), BadgeLayout.A6)
    name = [line for line in plan.lines if line.role == "name"]
    first = "".join(run.text for run in name[0].line.runs)
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in first)  # presentation forms
    assert first[-1] == "\ufecb"  # the name's first letter, initial ain, at the right end
    assert first[0] == "\ufee6"  # the first line's last letter, final noon of بن, at the left
    for line in name:
        assert line.line.rtl
        assert line.box.right == pytest.approx(plan.band.right)
    company = [line for line in plan.lines if line.role == "company"]
    assert company[0].x == pytest.approx(plan.band.x)


@pytest.mark.parametrize("script", NAMES)
def test_every_character_has_a_glyph(script: str) -> None:
    for style in FontStyle:
        assert Shaper(style).missing(NAMES[script]) == ""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_one_page_of_the_layout_s_size(write_pdf: WritePdf, layout: BadgeLayout) -> None:
    info = run("pdfinfo", write_pdf(content(), layout))
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert size is not None
    width, height = badge_page_size(layout)
    assert float(size[1]) == pytest.approx(width, abs=0.01)
    assert float(size[2]) == pytest.approx(height, abs=0.01)
    expected = {"a6": (105, 148), "brother-62x100": (62, 100), "dymo-99012": (89, 36)}[layout]
    assert (width * 25.4 / 72, height * 25.4 / 72) == pytest.approx(expected)


def test_the_cjk_font_loads_only_for_a_name_that_needs_it() -> None:
    # In a fresh process: other tests have loaded every font in this one.
    script = (
        "import kiosk.documents.text as t\n"
        "t.load_fonts()\n"
        "t.Shaper(t.FontStyle.BOLD).shape('Zoë Ødegård-Ñúñez')\n"
        "print(t.FALLBACK_FONT in t._loaded)\n"
        "t.Shaper(t.FontStyle.BOLD).shape('中村 さくら')\n"
        "print(t.FALLBACK_FONT in t._loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]
