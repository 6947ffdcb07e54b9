"""Render one sample badge per layout to docs/badges/<layout>.png (for the README).

The visitor is fictional. Needs `pdftoppm` (poppler-utils). Run from the checkout:

    .venv/bin/python scripts/badge_samples.py [--out docs/badges] [--keep-pdf]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from kiosk.documents.badge import BadgeContent, BadgeLabels, BadgeLayout, render_badge
from kiosk.settings.i18n import catalog

DUTCH = catalog("nl")
# As a Dutch site prints it by default: in the site's language, without the company.
SAMPLE = BadgeContent(
    visitor_name="Annelies van der Berg-Hoogendoorn",
    company="",
    host="Jens Kristensen",
    site="Rotterdam Waalhaven",
    issued="22-11-2026",
    valid_until="22-11-2026 23:00",
    token="JBSWY3DPEHPK3PXPJBSWY3DPEH",
    labels=BadgeLabels(
        visitor=DUTCH.text("badge.visitor"),
        host=DUTCH.text("badge.host"),
        valid_until=DUTCH.text("badge.valid_until"),
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/badges"))
    parser.add_argument("--keep-pdf", action="store_true", help="keep the PDFs next to the PNGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for layout in BadgeLayout:
            pdf = (args.out if args.keep_pdf else Path(tmp)) / f"{layout}.pdf"
            pdf.write_bytes(render_badge(SAMPLE, layout))
            png = args.out / layout.value
            subprocess.run(
                ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(png)], check=True
            )
            sys.stdout.write(f"{png}.png\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
