"""Text on a badge: fonts with per-character fallback, right-to-left shaping, and fitting a
string into a width (shrink, then wrap onto two lines, then shorten with "…").

Fonts: DejaVu Sans (Bold for the name) covers Latin, Greek, Cyrillic, Hebrew and Arabic
presentation forms; Droid Sans Fallback covers Chinese and Japanese (it has almost no Hangul,
so Korean prints as empty boxes). A string is split into runs by the first font of the chain
that has each character's glyph. ReportLab draws glyphs in the order given and does no
shaping, so a string with Hebrew or Arabic is reshaped into Arabic presentation forms
(arabic-reshaper) and put into visual order (python-bidi) before it is measured and drawn.
Wrapping and shortening work on the logical string, line by line.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import arabic_reshaper
from bidi import get_display
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.settings.assets import asset_path

ELLIPSIS = "…"
LEADING = 1.15
"""Baseline-to-baseline distance of wrapped lines, in font sizes."""
WRAP_GAIN = 0.8
"""A name that fits on one line is wrapped only if two lines allow a size this much larger
(one line at 80 % of the two-line size or less)."""
ASCENT = 0.77
DESCENT = 0.24
"""Above and below the baseline, in font sizes: the largest of the fonts' own values
(DejaVu Sans 0.760/0.240, Droid Sans Fallback 0.766/0.238)."""


class FontStyle(StrEnum):
    REGULAR = "regular"
    BOLD = "bold"


_FONT_FILES = {
    "KioskDejaVuSans": "DejaVuSans.ttf",
    "KioskDejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "KioskDroidSansFallback": "DroidSansFallbackFull.ttf",
}
_CHAINS = {
    FontStyle.REGULAR: ("KioskDejaVuSans", "KioskDroidSansFallback"),
    FontStyle.BOLD: ("KioskDejaVuSans-Bold", "KioskDroidSansFallback"),
}
BODY_FONT = "KioskDejaVuSans"
FALLBACK_FONT = "KioskDroidSansFallback"
"""Has no bold face: the renderer emboldens its runs in bold text with a thin outline."""

_load_lock = threading.Lock()
_loaded: dict[str, TTFont] = {}

# DejaVu has no glyph for the "Allah" ligature (U+FDF2) that arabic-reshaper makes by default,
# which would turn a name like عبد الله into a missing-glyph box.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})

# Characters that must not start a line in Chinese or Japanese (a small kinsoku set).
_NO_LINE_START = frozenset(
    "、。，．,.・ー）」』】〕〉》！？：；ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)


def font(name: str) -> TTFont:
    """A badge font, loaded and registered with ReportLab on first use. The CJK fallback
    (a 4 MB file, about 20 MB in memory) loads only for text that needs it."""
    loaded = _loaded.get(name)
    if loaded is None:
        with _load_lock:
            loaded = _loaded.get(name)
            if loaded is None:
                loaded = TTFont(name, str(asset_path("fonts", _FONT_FILES[name])))
                pdfmetrics.registerFont(loaded)
                _loaded[name] = loaded
    return loaded


def load_fonts() -> None:
    """The faces every badge uses (about 0.1 s), ahead of the first badge."""
    for style in FontStyle:
        font(_CHAINS[style][0])


def clean(text: str) -> str:
    """One line of text: white space runs become one space, control characters go."""
    text = " ".join(text.split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def is_rtl(text: str) -> bool:
    """Whether `text` reads right to left as a whole: its first letter is Arabic or Hebrew
    (the rule python-bidi follows to order the text, so alignment and order agree)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def visual(text: str) -> str:
    """`text` as drawn: Arabic in presentation forms, right-to-left runs in visual order."""
    if not _has_rtl(text):
        return text
    shown = get_display(_RESHAPER.reshape(text))
    assert isinstance(shown, str)
    return shown


def _sticky(ch: str) -> bool:
    """Spaces, marks and format characters stay in the font of the run they are in."""
    return unicodedata.category(ch)[0] in "ZMC"


@dataclass(frozen=True)
class Run:
    font: str
    text: str
    width: float  # at 1 pt


@dataclass(frozen=True)
class Line:
    """One line ready to draw: `runs` in visual order, left to right."""

    text: str  # the logical text (with "…" if shortened), for tests and debugging
    runs: tuple[Run, ...]
    size: float
    width: float
    rtl: bool


class Shaper:
    """Splits, shapes and measures strings in one style. Lives for one badge, so measurements
    of a visitor's name are not kept after the badge is rendered."""

    def __init__(self, style: FontStyle) -> None:
        self.style = style
        self._primary = font(_CHAINS[style][0])
        self._cache: dict[str, tuple[tuple[Run, ...], float]] = {}

    @property
    def _chain(self) -> tuple[TTFont, ...]:
        """Every font in fallback order: asking for it loads the fallback."""
        return tuple(font(name) for name in _CHAINS[self.style])

    def _font_for(self, ch: str, current: TTFont | None) -> TTFont:
        code = ord(ch)
        if current is not None and _sticky(ch) and code in current.face.charToGlyph:
            return current
        if code in self._primary.face.charToGlyph:
            return self._primary
        for candidate in self._chain[1:]:
            if code in candidate.face.charToGlyph:
                return candidate
        return current or self._primary

    def shape(self, text: str) -> tuple[tuple[Run, ...], float]:
        """The runs of `text` (logical order in, visual order out) and its width at 1 pt."""
        if text in self._cache:
            return self._cache[text]
        runs: list[Run] = []
        current: TTFont | None = None
        start = 0
        shown = visual(text)
        for i, ch in enumerate(shown):
            font = self._font_for(ch, current)
            if font is not current:
                if current is not None:
                    runs.append(_run(current, shown[start:i]))
                current, start = font, i
        if current is not None:
            runs.append(_run(current, shown[start:]))
        self._cache[text] = (tuple(runs), sum(run.width for run in runs))
        return self._cache[text]

    def missing(self, text: str) -> str:
        """The characters of `text` as drawn that none of the fonts has."""
        shown = visual(clean(text))
        chain = self._chain
        return "".join(ch for ch in shown if not any(ord(ch) in f.face.charToGlyph for f in chain))

    def width(self, text: str) -> float:
        return self.shape(text)[1]

    def line(self, text: str, size: float) -> Line:
        runs, width = self.shape(text)
        return Line(text, runs, size, width * size, is_rtl(text))


def _run(font: TTFont, text: str) -> Run:
    return Run(font.fontName, text, font.stringWidth(text, 1.0))


def _floor(size: float) -> float:
    """Font sizes in steps of 0.1 pt, rounded down so a fitted line stays inside its width."""
    return math.floor(size * 10 + 1e-9) / 10


def _cut_points(text: str) -> Iterator[int]:
    """Where a shortened string may end: not inside a character with its combining marks."""
    for i in range(1, len(text)):
        if not unicodedata.combining(text[i]) and text[i] != "\u200d" and text[i - 1] != "\u200d":
            yield i


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def break_points(text: str) -> list[tuple[str, str]]:
    """The ways to wrap `text` onto two lines: at a space, after a hyphen, and between
    Chinese, Japanese or Korean characters."""
    options: list[tuple[str, str]] = []
    for i in range(1, len(text)):
        before, ch = text[i - 1], text[i]
        if ch == " ":
            continue
        hyphen = before in "-\u2010" and i > 1 and text[i - 2] != " "
        wide = (_wide(before) or _wide(ch)) and ch not in _NO_LINE_START
        if before == " " or hyphen or (wide and not unicodedata.combining(ch)):
            first, second = text[:i].rstrip(), text[i:]
            if first:
                options.append((first, second))
    return options


def _longest_start(shaper: Shaper, text: str, limit: float, suffix: str) -> str:
    """The longest start of `text` (cut between characters, trailing spaces and hyphens
    dropped) whose width with `suffix` after it is at most `limit` (at 1 pt); may be ""."""
    cuts = list(_cut_points(text))
    low, high = 0, len(cuts) - 1
    best = ""
    while low <= high:
        middle = (low + high) // 2
        start = text[: cuts[middle]].rstrip(" -\u2010")
        if shaper.width(start + suffix) <= limit:
            best, low = start, middle + 1
        else:
            high = middle - 1
    return best


def shorten(shaper: Shaper, text: str, size: float, width: float) -> str:
    """`text` if it fits in `width`, else its longest start that fits with "…" after it."""
    if shaper.width(text) * size <= width:
        return text
    return _longest_start(shaper, text, width / size, ELLIPSIS) + ELLIPSIS


def fit_line(
    shaper: Shaper, text: str, width: float, max_size: float, min_size: float
) -> Line | None:
    """One line: as large as fits up to `max_size`, down to `min_size`, then shortened.
    None for a blank text."""
    text = clean(text)
    if not text:
        return None
    natural = shaper.width(text)
    size = _floor(min(max_size, width / natural)) if natural else max_size
    if size >= min_size:
        return shaper.line(text, size)
    return shaper.line(shorten(shaper, text, min_size, width), min_size)


def fit_block(
    shaper: Shaper,
    text: str,
    width: float,
    height: float,
    sizes: tuple[float, float, float],
) -> list[Line]:
    """At most two lines in a `width` x `height` box. `sizes` is (largest on one line, largest
    on two lines, smallest). One line shrunk as needed, unless two lines allow a clearly
    larger size (see WRAP_GAIN); else two lines (the break that allows the largest size, then
    one at a space, then the most even one); else two lines at the smallest size, the second
    one shortened. The block's height is at most len(lines) * size * LEADING, unless even one
    line at the smallest size is taller than `height`."""
    one_max, two_max, min_size = sizes
    text = clean(text)
    if not text:
        return []
    one_max = min(one_max, height / LEADING)
    natural = shaper.width(text)
    one = _floor(min(one_max, width / natural)) if natural else one_max
    two_max = min(two_max, height / (2 * LEADING))
    if one >= min_size and one >= WRAP_GAIN * two_max:
        return [shaper.line(text, one)]
    if two_max < min_size:  # no room for two lines: one line, shortened
        return [shaper.line(shorten(shaper, text, min_size, width), min_size)]
    best: tuple[float, bool, float, str, str] | None = None
    for first, second in break_points(text):
        w1, w2 = shaper.width(first), shaper.width(second)
        size = _floor(min(two_max, width / max(w1, w2, 1e-9)))
        # The largest size; then a break at a space; then the most even lines.
        key = (size, text[len(first)] == " ", -abs(w1 - w2), first, second)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is not None and best[0] >= min_size and best[0] * WRAP_GAIN > one:
        size, _, _, first, second = best
        return [shaper.line(first, size), shaper.line(second, size)]
    if one >= min_size:
        return [shaper.line(text, one)]
    # At the smallest size: fill the first line, shorten the second.
    limit = width / min_size
    first, second = "", text
    for option in break_points(text):
        if shaper.width(option[0]) <= limit:
            first, second = option
    if not first:  # the first word alone is too long: break inside it
        first = _longest_start(shaper, text, limit, "") or text[:1]
        second = text[len(first) :].lstrip()
    second = shorten(shaper, second, min_size, width)
    return [shaper.line(first, min_size), shaper.line(second, min_size)]


def draw_line(
    canvas: Canvas, line: Line, x: float, baseline: float, bold: bool = False, colour: Color = black
) -> None:
    """Draw a fitted line with its left edge at `x`. The CJK fallback font has no bold face:
    its runs in bold text are filled and outlined, in a saved graphics state."""
    size = line.size
    canvas.setFillColor(colour)
    for run in line.runs:
        outline = bold and run.font == FALLBACK_FONT
        text = canvas.beginText(x, baseline)
        text.setFont(run.font, size)
        if outline:
            canvas.saveState()
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(size * 0.025)
            text.setTextRenderMode(2)
        text.textOut(run.text)
        canvas.drawText(text)
        if outline:
            canvas.restoreState()
        x += run.width * size
