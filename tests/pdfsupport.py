"""Reading what a PDF tells the printer to draw as text: for each text-showing operator on the
first page, the font, the size it is drawn at, where its baseline starts and the text itself.

Enough of PDF for the files ReportLab writes (and nothing more): objects with direct lengths,
ASCII85 and Flate filters, TrueType subset fonts with a /ToUnicode map, and a content stream of
`q`/`Q`/`cm` and `BT … Tm/Td … Tf … Tj/TJ … ET`. It reads the very bytes that are printed
(no re-rendering, no uncompressed variant written for the test). Anything it does not
understand in a text object fails loudly rather than being skipped."""

from __future__ import annotations

import base64
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_OBJECT = re.compile(rb"(\d+) 0 obj\b(.*?)\bendobj", re.DOTALL)
_REF = rb"(\d+) 0 R"
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention: a point p goes to p * m * n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


@dataclass(frozen=True)
class Font:
    base: str  # /BaseFont without the subset prefix, e.g. DejaVuSans-Bold
    to_unicode: dict[int, str]
    widths: dict[int, float]  # per code, in 1/1000 of the size


@dataclass(frozen=True)
class TextRun:
    """One text-showing operator: `text` drawn in `font` at `size` points (the font size as
    scaled by the text and graphics matrices, vertically), its first glyph's origin at
    (`x`, `baseline`) in points from the page's bottom left."""

    font: Font
    size: float
    x: float
    baseline: float
    text: str
    advances: tuple[float, ...]  # each character's advance, in points

    @property
    def right(self) -> float:
        return self.x + sum(self.advances)


def _found(pattern: bytes, data: bytes) -> bytes:
    """The first group of `pattern`'s first match in `data`, which must match."""
    match = re.search(pattern, data)
    assert match is not None, (pattern, data[:80])
    return match.group(1)


class Pdf:
    def __init__(self, data: bytes) -> None:
        self.objects: dict[int, bytes] = {
            int(m.group(1)): m.group(2) for m in _OBJECT.finditer(data)
        }

    def dictionary(self, number: int) -> bytes:
        body = self.objects[number]
        return body.split(b"stream", 1)[0]

    def stream(self, number: int) -> bytes:
        body = self.objects[number]
        head, rest = body.split(b"stream", 1)
        rest = rest[2:] if rest.startswith(b"\r\n") else rest[1:]
        length = int(_found(rb"/Length (\d+)", head))
        data = rest[:length]
        filters = re.search(rb"/Filter\s*\[?([^\]>]*)", head)
        for name in re.findall(rb"/(\w+)", filters.group(1)) if filters else []:
            if name == b"ASCII85Decode":
                data = base64.a85decode(data.strip().removesuffix(b"~>"))
            elif name == b"FlateDecode":
                data = zlib.decompress(data)
            else:
                raise ValueError(f"filter {name!r} is not read here")
        return data

    def page(self) -> int:
        for number in sorted(self.objects):
            if re.search(rb"/Type\s*/Page\b(?!s)", self.dictionary(number)):
                return number
        raise ValueError("no page")

    def fonts(self, page: int) -> dict[str, Font]:
        head = self.dictionary(page)
        inline = re.search(rb"/Font\s*<<(.*?)>>", head, re.DOTALL)
        table = inline.group(1) if inline else self.dictionary(int(_found(b"/Font " + _REF, head)))
        fonts: dict[str, Font] = {}
        for name, ref in re.findall(rb"/([\w+.-]+)\s+" + _REF, table):
            fonts[name.decode()] = self._font(int(ref))
        return fonts

    def _font(self, number: int) -> Font:
        head = self.dictionary(number)
        base = _found(rb"/BaseFont /(?:[A-Z]{6}\+)?([\w.-]+)", head).decode()
        to_unicode: dict[int, str] = {}
        ref = re.search(rb"/ToUnicode " + _REF, head)
        if ref:
            cmap = self.stream(int(ref.group(1))).decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
                for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    to_unicode[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
                for low, high, uni in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    for offset in range(int(high, 16) - int(low, 16) + 1):
                        to_unicode[int(low, 16) + offset] = chr(int(uni, 16) + offset)
        first = re.search(rb"/FirstChar (\d+)", head)
        widths_text = re.search(rb"/Widths \[([^\]]*)\]", head)
        widths: dict[int, float] = {}
        if first and widths_text:
            for i, width in enumerate(widths_text.group(1).split()):
                widths[int(first.group(1)) + i] = float(width)
        return Font(base, to_unicode, widths)


def _tokens(content: bytes) -> Iterator[object]:
    """Numbers (float), names (str with "/"), strings (bytes), arrays (list) and operators
    (str) of a content stream."""
    i, n = 0, len(content)
    stack: list[list[object]] = []

    def emit(token: object) -> Iterator[object]:
        if stack:
            stack[-1].append(token)
        else:
            yield token

    while i < n:
        ch = content[i : i + 1]
        if ch.isspace():
            i += 1
        elif ch == b"%":
            while i < n and content[i : i + 1] not in b"\r\n":
                i += 1
        elif ch == b"(":
            depth, i, out = 1, i + 1, bytearray()
            while depth:
                c = content[i : i + 1]
                if c == b"\\":
                    nxt = content[i + 1 : i + 2]
                    if nxt.isdigit():
                        digits = _found(rb"([0-7]{1,3})", content[i + 1 : i + 4])
                        out.append(int(digits, 8) & 0xFF)
                        i += 1 + len(digits)
                        continue
                    out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(
                        nxt, nxt
                    )
                    i += 2
                    continue
                if c == b"(":
                    depth += 1
                elif c == b")":
                    depth -= 1
                    if not depth:
                        i += 1
                        break
                out += c
                i += 1
            yield from emit(bytes(out))
        elif ch == b"<" and content[i + 1 : i + 2] != b"<":
            end = content.index(b">", i)
            yield from emit(bytes.fromhex(content[i + 1 : end].decode()))
            i = end + 1
        elif ch == b"[":
            stack.append([])
            i += 1
        elif ch == b"]":
            array = stack.pop()
            i += 1
            yield from emit(array)
        else:
            match = re.match(rb"/?[^\s()<>\[\]/%]+|<<|>>", content[i:])
            assert match is not None, content[i : i + 20]
            word = match.group(0)
            i += len(word)
            try:
                yield from emit(float(word))
            except ValueError:
                yield from emit(word.decode("latin-1"))


def text_runs(pdf_bytes: bytes) -> list[TextRun]:
    """Every text-showing operator on the first page, in drawing order."""
    pdf = Pdf(pdf_bytes)
    page = pdf.page()
    fonts = pdf.fonts(page)
    head = pdf.dictionary(page)
    contents = [int(ref) for ref in re.findall(rb"/Contents\s*\[?\s*" + _REF, head)]
    content = b"\n".join(pdf.stream(number) for number in contents)

    runs: list[TextRun] = []
    ctm: Matrix = IDENTITY
    saved: list[Matrix] = []
    tm = line = IDENTITY
    font: Font | None = None
    size = leading = 0.0
    operands: list[Any] = []
    for token in _tokens(content):
        if not isinstance(token, str) or token.startswith("/"):
            operands.append(token)
            continue
        op, args = token, operands
        operands = []
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = multiply(tuple(args), ctm)
        elif op == "BT":
            tm = line = IDENTITY
        elif op == "Tm":
            tm = line = tuple(args)
        elif op in ("Td", "TD"):
            tx, ty = args
            if op == "TD":
                leading = -ty
            tm = line = multiply((1, 0, 0, 1, tx, ty), line)
        elif op == "T*":
            tm = line = multiply((1, 0, 0, 1, 0, -leading), line)
        elif op == "TL":
            leading = args[0]
        elif op == "Tf":
            font, size = fonts[args[0][1:]], args[1]
        elif op in ("Tj", "TJ", "'", '"'):
            if op in ("'", '"'):
                tm = line = multiply((1, 0, 0, 1, 0, -leading), line)
            assert font is not None, "text shown before a font is set"
            pieces = args[-1] if op == "TJ" else [args[-1]]
            codes = b"".join(piece for piece in pieces if isinstance(piece, bytes))
            full = multiply(tm, ctm)
            scale = math.hypot(full[2], full[3])
            advances = tuple(font.widths.get(code, 0.0) / 1000 * size * scale for code in codes)
            text = "".join(font.to_unicode.get(code, "\ufffd") for code in codes)
            runs.append(TextRun(font, size * scale, full[4], full[5], text, advances))
            shift = sum(font.widths.get(code, 0.0) / 1000 * size for code in codes)
            tm = multiply((1, 0, 0, 1, shift, 0), tm)
    return runs


def text_runs_of(path: Path) -> list[TextRun]:
    return text_runs(path.read_bytes())
