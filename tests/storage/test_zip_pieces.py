"""The ZIP around the workbook export (storage/sqlite/zip_pieces.py): a member joined from raw
deflate pieces compressed apart reads back whole, with the right CRC-32, through the standard
library and through a pipe that cannot seek; what needs ZIP64 is refused, not written wrong."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import storage.sqlite.zip_pieces
from kiosk.domain.workbook import WorkbookTooLarge
from storage.sqlite.zip_pieces import Deflater, Piece, ZipWriter, crc32_combine, joined


@given(first=st.binary(max_size=3000), second=st.binary(max_size=3000))
def test_crc32_combine_is_the_crc_of_the_two_joined(first: bytes, second: bytes) -> None:
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(
        first + second
    )


def test_crc32_combine_of_long_pieces() -> None:
    first, second = os.urandom(1 << 20), b"<row>" * 300_000
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(
        first + second
    )


class Unseekable(io.RawIOBase):
    """A pipe: takes bytes, cannot tell or seek."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.data += data
        return len(data)


@given(chunks=st.lists(st.binary(max_size=5000), min_size=1, max_size=6))
def test_a_member_joined_from_pieces_reads_back_whole(chunks: list[bytes]) -> None:
    out = Unseekable()
    book = ZipWriter(out.write)
    book.add("first.xml", b"<a>small</a>")
    book.start("joined.xml")
    pieces = []
    for n, chunk in enumerate(chunks):
        # Each piece compressed apart, as the helper processes do, into its own buffer.
        spool = io.BytesIO()
        deflater = Deflater(spool.write)
        deflater.add(chunk)
        pieces.append(Piece.from_report(deflater.end(last=n == len(chunks) - 1).report()))
        book.write(spool.getvalue())
    book.finish(joined(pieces))
    book.close()

    with zipfile.ZipFile(io.BytesIO(bytes(out.data))) as read:
        assert read.testzip() is None
        assert read.namelist() == ["first.xml", "joined.xml"]
        assert read.read("first.xml") == b"<a>small</a>"
        assert read.read("joined.xml") == b"".join(chunks)
        assert read.getinfo("joined.xml").file_size == sum(map(len, chunks))


def test_a_member_past_the_zip_limits_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.sqlite.zip_pieces, "_LIMIT", 1000)
    book = ZipWriter(io.BytesIO().write)
    book.start("sheet.xml")
    deflater = Deflater(book.write)
    deflater.add(os.urandom(2000))
    with pytest.raises(WorkbookTooLarge):
        book.finish(deflater.end(last=True))
