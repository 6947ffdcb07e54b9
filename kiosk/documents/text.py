"""Text on a badge: fonts with per-character fallback, right-to-left shaping, and fitting a
string into a box (shrink, then wrap onto as many lines as the box holds, then shorten with
"…").

Fonts: DejaVu Sans (Bold for the name) covers Latin, Greek, Cyrillic, Hebrew and Arabic
presentation forms; Droid Sans Fallback covers Chinese and Japanese (it has almost no Hangul,
so Korean prints as empty boxes). A string is split into runs by the first font of the chain
that has each character's glyph. ReportLab draws glyphs in the order given and does no
shaping, so a string with Hebrew or Arabic is reshaped into Arabic presentation forms
(arabic-reshaper) and put into visual order (python-bidi) before it is measured and drawn.
Wrapping and shortening work on the logical string, line by line.
"""

from __future__ import annotations

import functools
import itertools
import math
import struct
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
"""A name that fits on one line is wrapped only if more lines allow a size this much larger
(one line at 80 % of the wrapped size or less)."""
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


@functools.cache
def cap_height(name: str) -> float:
    """The height of the font's capital letters, in font sizes: OS/2 `sCapHeight` when the
    font has it (table version 2 and later), else the top of its "H" outline. DejaVu's OS/2
    table is version 1, and ReportLab's own `capHeight` is the ascent (0.76, not 0.729)."""
    face = font(name).face
    os2 = face.get_table("OS/2")
    (version,) = struct.unpack(">H", os2[:2])
    if version >= 2 and len(os2) >= 90:
        (height,) = struct.unpack(">h", os2[88:90])
        if height > 0:
            return float(height / face.unitsPerEm)
    glyph = face.charToGlyph[ord("H")]
    position = face.glyphPos[glyph]
    (y_max,) = struct.unpack(">h", face.get_table("glyf")[position + 8 : position + 10])
    return float(y_max / face.unitsPerEm)


@functools.cache
def glyph_top(name: str, ch: str) -> float:
    """How far the outline of `ch` reaches above the baseline in font `name`, in font sizes
    (an accented capital such as "É" reaches 0.93, above the ascent); ASCENT if the font has
    no outline for it."""
    face = font(name).face
    glyph = face.charToGlyph.get(ord(ch))
    if glyph is None:
        return ASCENT
    position, following = face.glyphPos[glyph], face.glyphPos[glyph + 1]
    if following - position < 10:  # no outline (a space)
        return 0.0
    (y_max,) = struct.unpack(">h", face.get_table("glyf")[position + 8 : position + 10])
    return float(y_max / face.unitsPerEm)


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

    def top(self, text: str) -> float:
        """How far `text`'s highest outline reaches above the baseline, in font sizes."""
        return max(
            (glyph_top(run.font, ch) for run in self.shape(text)[0] for ch in run.text),
            default=0.0,
        )

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


def _line_starts(text: str) -> list[int]:
    """Where a line may start when `text` is wrapped: after a space, after a hyphen that ends
    a part of a word, and between Chinese, Japanese or Korean characters."""
    starts: list[int] = []
    for i in range(1, len(text)):
        before, ch = text[i - 1], text[i]
        if ch == " ":
            continue
        # After a hyphen that follows a letter (Berg-Hoogendoorn), not a digit (22-11-2026).
        hyphen = before in "-\u2010" and i > 1 and unicodedata.category(text[i - 2])[0] in "LM"
        wide = (_wide(before) or _wide(ch)) and ch not in _NO_LINE_START
        breaks = before == " " or hyphen or (wide and not unicodedata.combining(ch))
        if breaks and text[:i].strip():
            starts.append(i)
    return starts


def break_points(text: str) -> list[tuple[str, str]]:
    """The ways to wrap `text` onto two lines: at a space, after a hyphen, and between
    Chinese, Japanese or Korean characters."""
    return [(text[:i].rstrip(), text[i:]) for i in _line_starts(text)]


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


def _spans(shaper: Shaper, text: str, limit: float) -> list[tuple[int, int]]:
    """`text` (one clean line) wrapped into lines no wider than `limit` (at 1 pt), each as
    (start, end): every line ends at the last break that still fits; a word wider than a whole
    line is broken between two of its characters (no hyphen is added: it could be read as part
    of a double name)."""
    starts = _line_starts(text)
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end: int | None = None
        for candidate in (*(i for i in starts if i > start), len(text)):
            if shaper.width(text[start:candidate].rstrip()) > limit:
                break
            end = candidate
        if end is None:  # the word alone is too wide: as much of it as fits
            rest = text[start:]
            piece = _longest_start(shaper, rest, limit, "")
            end = start + (len(piece) if piece else next(_cut_points(rest), len(rest)))
        spans.append((start, end))
        start = end
        while start < len(text) and text[start] == " ":
            start += 1
    return spans


def _widest_word(shaper: Shaper, text: str) -> float:
    """The width (at 1 pt) of the widest part of `text` that no line break may divide."""
    bounds = [0, *_line_starts(text), len(text)]
    return max(shaper.width(text[a:b].rstrip()) for a, b in itertools.pairwise(bounds))


def _balanced(shaper: Shaper, text: str, limit: float) -> list[str]:
    """`text` in as few lines as `limit` allows, with the narrowest longest line that keeps
    that count (so two lines come out about even, not one full and one short)."""
    count = len(_spans(shaper, text, limit))
    low = min(limit, max(_widest_word(shaper, text), shaper.width(text) / count))
    high = limit
    for _ in range(16):
        middle = (low + high) / 2
        if len(_spans(shaper, text, middle)) <= count:
            high = middle
        else:
            low = middle
    return [text[start:end].rstrip() for start, end in _spans(shaper, text, high)]


def block_height(lines: int, size: float, leading: float = LEADING) -> float:
    """From the top of the first of `lines` lines to the bottom of the last."""
    return (ASCENT + DESCENT + (lines - 1) * leading) * size if lines else 0.0


def fit_block(
    shaper: Shaper,
    text: str,
    width: float,
    height: float,
    sizes: tuple[float, float, float],
    leading: float = LEADING,
) -> list[Line]:
    """`text` in a `width` x `height` box, on as many lines as it needs and the box holds.
    `sizes` is (largest on one line, largest on more lines, smallest). The size is as large as
    fits, but fewer lines win unless more allow a clearly larger size (see WRAP_GAIN). Lines
    break at spaces and hyphens (a word wider than a line at the smallest size, between its
    characters) and come out about even. Below the smallest size it never goes: a text that
    needs more lines than the box holds fills them, and the last one ends in "…". The block is
    at most `height` high (see `block_height`), unless one line at the smallest size is
    higher."""
    one_max, more_max, min_size = sizes
    text = clean(text)
    if not text:
        return []
    # No word is broken for a larger size; only one too wide for a line at the smallest.
    whole_words = width / _widest_word(shaper, text)
    if whole_words >= min_size:
        more_max = min(more_max, whole_words)
    smallest = math.ceil(min_size * 10 - 1e-9)

    def largest(most_lines: int, max_size: float) -> float | None:
        """The largest size, in steps of 0.1 pt, at which the text fits in `most_lines`."""

        def fits(tenths: int) -> bool:
            size = tenths / 10
            count = len(_spans(shaper, text, width / size))
            return count <= most_lines and block_height(count, size, leading) <= height

        low, high = smallest, math.floor(max_size * 10 + 1e-9)
        if high < low or not fits(low):
            return None
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        return low / 10

    any_count = largest(len(text), more_max)
    one = largest(1, one_max)
    best = max(one or 0.0, any_count or 0.0)
    if best:
        most = len(_spans(shaper, text, width / best))
        for count in range(1, most + 1):
            size = one if count == 1 else largest(count, more_max)
            if size is not None and size >= WRAP_GAIN * best:
                if count == 1:
                    return [shaper.line(text, size)]
                return [shaper.line(line, size) for line in _balanced(shaper, text, width / size)]
    # Too long for the box even at the smallest size: the lines it holds, the last shortened.
    room = max(1, int((height / min_size - ASCENT - DESCENT) / leading + 1e-9) + 1)
    spans = _spans(shaper, text, width / min_size)
    lines = [text[start:end].rstrip() for start, end in spans[: room - 1]]
    last = shorten(shaper, text[spans[len(lines)][0] :], min_size, width)
    return [shaper.line(line, min_size) for line in (*lines, last)]


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
