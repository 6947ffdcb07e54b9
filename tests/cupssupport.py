"""Fixtures for tests that print through a real CUPS scheduler (see cupsserver.py).

Without root or the CUPS packages these tests skip with the reason; under `CI=true` they
fail instead, so CI can never pass by skipping the real print path."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cupsserver import CupsServer, missing_requirements


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    reason = missing_requirements()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the CUPS tests: {reason}")
        pytest.skip(reason)
    server = CupsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cups(cups_server: CupsServer, monkeypatch: pytest.MonkeyPatch) -> CupsServer:
    """The private scheduler, with this process's CUPS clients pointed at it."""
    monkeypatch.setenv("CUPS_SERVER", str(cups_server.socket))
    return cups_server


def require_tool(name: str) -> str:
    """The path of a command-line tool the test reads results with (poppler, zbar)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian packages poppler-utils, zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdf_text(pdf: Path) -> str:
    pdftotext = require_tool("pdftotext")
    return subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def qr_codes(pdf: Path, tmp_path: Path, dpi: int = 300) -> list[str]:
    """Every QR code zbarimg finds on the PDF's first page rendered at `dpi`."""
    pdftoppm = require_tool("pdftoppm")
    zbarimg = require_tool("zbarimg")
    stem = tmp_path / f"{pdf.stem}-{dpi}"
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-gray", "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )
    found = subprocess.run(
        [zbarimg, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f"{stem}.png"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in found.stdout.splitlines() if line]
