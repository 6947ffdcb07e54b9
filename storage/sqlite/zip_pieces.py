"""A ZIP file written front to back as it streams (a pipe will do), whose one large member is
joined from pieces of raw deflate compressed apart, in several processes, each with its own
CRC-32 and sizes.

A piece ends with a sync flush: its last block is complete and byte-aligned and says it is
not the last, so the next piece's blocks can follow it as they are (a new compressor refers
back to nothing before its own start); the member's last piece ends the stream. The member's
CRC-32 is its pieces' CRCs combined (zlib's crc32_combine, by GF(2) matrices). Its sizes
follow its data in a data descriptor, as Java's ZipOutputStream writes them, which Excel and
LibreOffice read. No ZIP64: a member or a file past 4 GiB is refused (WorkbookTooLarge)."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from kiosk.domain.workbook import WorkbookTooLarge

Write = Callable[[bytes], object]
LEVEL = 1  # deflate's fastest: the sheet's XML repeats itself, so even this makes it ~10x smaller
_LIMIT = 0xFFFFFFFF
_FLAG_DESCRIPTOR = 0x08
_DEFLATED = 8
_VERSION = 20


class Piece(NamedTuple):
    """What one piece of a member holds: the CRC-32 and length of its bytes before
    compression, and its length compressed."""

    crc: int
    size: int
    compressed: int

    def report(self) -> str:
        return f"{self.crc} {self.size} {self.compressed}"

    @classmethod
    def from_report(cls, text: str) -> Piece:
        crc, size, compressed = (int(word) for word in text.split())
        return cls(crc, size, compressed)


class Deflater:
    """One piece: bytes in, raw deflate out to `write`, ended by `end()`."""

    def __init__(self, write: Write) -> None:
        self._write = write
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._crc = 0
        self._size = 0
        self._compressed = 0

    def add(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out(self._compressor.compress(data))

    def end(self, last: bool = False) -> Piece:
        """The piece done: a sync flush, or the end of the stream if it is the member's last."""
        self._out(self._compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        return Piece(self._crc, self._size, self._compressed)

    def _out(self, data: bytes) -> None:
        if data:
            self._write(data)
            self._compressed += len(data)


def joined(pieces: Sequence[Piece]) -> Piece:
    """The pieces, one after the other, as one."""
    crc, size, compressed = 0, 0, 0
    for piece in pieces:
        crc = crc32_combine(crc, piece.crc, piece.size)
        size += piece.size
        compressed += piece.compressed
    return Piece(crc, size, compressed)


class _Entry(NamedTuple):
    name: bytes
    flags: int
    piece: Piece
    offset: int


class ZipWriter:
    """Members one after the other, then the central directory (`close`). Dated now, in
    local time, as zip tools do."""

    def __init__(self, write: Write) -> None:
        self._sink = write
        self._offset = 0
        self._entries: list[_Entry] = []
        self._open: tuple[bytes, int] | None = None
        now = time.localtime()
        self._time = (now.tm_hour << 11) | (now.tm_min << 5) | (now.tm_sec // 2)
        self._date = (max(now.tm_year - 1980, 0) << 9) | (now.tm_mon << 5) | now.tm_mday

    def write(self, data: bytes) -> None:
        """Raw bytes of the member being streamed (its pieces' output)."""
        self._sink(data)
        self._offset += len(data)

    def add(self, name: str, data: bytes) -> None:
        """A whole member at once."""
        self.start(name)
        deflater = Deflater(self.write)
        deflater.add(data)
        self.finish(deflater.end(last=True))

    def start(self, name: str) -> None:
        """A member whose data (raw deflate) follows through `write`, its sizes after it."""
        encoded = name.encode("ascii")
        self._open = (encoded, self._offset)
        self.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                _VERSION,
                _FLAG_DESCRIPTOR,
                _DEFLATED,
                self._time,
                self._date,
                0,
                0,
                0,
                len(encoded),
                0,
            )
            + encoded
        )

    def finish(self, piece: Piece) -> None:
        """The member streamed since `start` is complete; `piece` says what it holds."""
        assert self._open is not None
        name, offset = self._open
        self._open = None
        if piece.size > _LIMIT or piece.compressed > _LIMIT or self._offset > _LIMIT:
            raise WorkbookTooLarge()
        self.write(struct.pack("<IIII", 0x08074B50, piece.crc, piece.compressed, piece.size))
        self._entries.append(_Entry(name, _FLAG_DESCRIPTOR, piece, offset))

    def close(self) -> None:
        """The central directory and its end record."""
        start = self._offset
        for entry in self._entries:
            self.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    _VERSION,
                    _VERSION,
                    entry.flags,
                    _DEFLATED,
                    self._time,
                    self._date,
                    entry.piece.crc,
                    entry.piece.compressed,
                    entry.piece.size,
                    len(entry.name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    entry.offset,
                )
                + entry.name
            )
        size = self._offset - start
        if self._offset > _LIMIT:
            raise WorkbookTooLarge()
        count = len(self._entries)
        self.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


# -- CRC-32 of two pieces joined, from theirs (zlib's crc32_combine) ----------------------------

_POLYNOMIAL = 0xEDB88320


def _times(matrix: list[int], vector: int) -> int:
    total = 0
    row = 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B, from crc1 = crc32(A), crc2 = crc32(B) and B's length."""
    if length2 <= 0:
        return crc1
    odd = [_POLYNOMIAL] + [1 << n for n in range(31)]  # one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four
    while True:  # apply len(B) zero bytes to crc1, a bit of the length at a time
        even = _square(odd)
        if length2 & 1:
            crc1 = _times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _square(even)
        if length2 & 1:
            crc1 = _times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2
