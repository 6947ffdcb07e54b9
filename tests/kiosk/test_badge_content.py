"""What a badge says, read back from the PDF the kiosk saves: one word for "visitor" and one
date format for every badge of a site (the site's language, the first of `kiosk.languages`,
whatever language the visitor chose), the company only when the site asks for it
(`badge.show_company`, off by default), and a log line, without the name, when a badge could
not hold all of it."""

from __future__ import annotations

import logging
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cupssupport import require_tool

from kiosk.documents.badge import BadgeLayout, plan_badge
from kiosk.domain.events import Hook
from kiosk.domain.visit import Visit
from kiosk.printing.badges import BadgeFiles, BadgePrinting
from kiosk.printing.cups import SaveOnly
from kiosk.settings.config import ConfigError, parse_config
from kiosk.settings.i18n import catalog

CODE = "MFRGGZDFMZTWQ2LKNNWG23TPOA"
COMPANY = "Nørgaard Rådgivning ApS"


def visit(language: str, name: str = "Mette Kjær") -> Visit:
    return Visit(
        visit_id=7,
        visitor_name=name,
        company=COMPANY,
        host="Jens Kristensen",
        purpose="Møde",
        signed_in_at=datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        signed_out_at=None,
        sign_out_method=None,
        language=language,
        notice_version=f"{language}-000000000000",
        kiosk_id="lobby-1",
    )


def printing(tmp_path: Path, **raw: dict[str, object]) -> BadgePrinting:
    return BadgePrinting(
        parse_config(raw), BadgeFiles(tmp_path / "badges"), SaveOnly(), Hook("badge_printed")
    )


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        [require_tool("pdftotext"), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return " ".join(done.stdout.split())


@pytest.mark.parametrize("layout", list(BadgeLayout))
@pytest.mark.parametrize("visitor_language", ["da", "en", "nl"])
def test_a_dutch_site_prints_dutch_badges_whatever_the_visitor_speaks(
    tmp_path: Path, layout: BadgeLayout, visitor_language: str
) -> None:
    badges = printing(
        tmp_path, kiosk={"languages": ["nl", "da", "en"]}, badge={"layout": layout.value}
    )
    text = pdf_text(badges.write(visit(visitor_language), CODE))
    assert "BEZOEKER" in text
    assert "GÆST" not in text
    assert "VISITOR" not in text
    local = visit(visitor_language).signed_in_at.astimezone()
    assert local.strftime("%d-%m-%Y") in text  # Dutch: 20-11-2026, never 20.11.2026 or 20/11
    assert not re.search(r"\d\d[./]\d\d[./]\d{4}", text)
    if layout is not BadgeLayout.DYMO_99012:  # the DYMO label has no room for the label
        assert "Geldig tot" in text


def test_the_site_language_is_the_first_configured(tmp_path: Path) -> None:
    danish = printing(tmp_path, kiosk={"languages": ["da", "nl"]}).content(visit("nl"), CODE)
    assert danish.labels.visitor == catalog("da").text("badge.visitor")
    assert danish.labels.host == "Vært"
    assert danish.issued == visit("nl").signed_in_at.astimezone().strftime("%d.%m.%Y")
    english = printing(tmp_path).content(visit("da"), CODE)  # the default: en, nl, da
    assert english.labels.visitor == "VISITOR"
    assert english.issued == visit("da").signed_in_at.astimezone().strftime("%Y-%m-%d")


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_the_company_is_printed_only_when_the_site_asks(
    tmp_path: Path, layout: BadgeLayout
) -> None:
    default = printing(tmp_path, badge={"layout": layout.value})
    assert default.content(visit("da"), CODE).company == ""
    assert "Nørgaard" not in pdf_text(default.write(visit("da"), CODE))

    shown = printing(tmp_path, badge={"layout": layout.value, "show_company": True})
    assert shown.content(visit("da"), CODE).company == COMPANY
    assert COMPANY in pdf_text(shown.write(visit("da"), CODE))


def test_show_company_is_off_unless_set_and_must_be_true_or_false() -> None:
    assert parse_config({}).badge.show_company is False
    assert parse_config({"badge": {"show_company": True}}).badge.show_company is True
    with pytest.raises(ConfigError, match=r"badge\.show_company: must be true or false"):
        parse_config({"badge": {"show_company": "yes"}})


def test_a_name_too_long_for_the_badge_is_logged_without_the_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On a DYMO label three lines at 5 mm hold about 35 characters: the rest of a longer name
    is cut, visibly ("…" on the badge) and in the log, by visit id."""
    name = ("Maximiliaan Adriaan Johannes Cornelis van Wassenaer " * 2)[:100]
    badges = printing(tmp_path, badge={"layout": "dymo-99012"})
    content = badges.content(visit("en", name), CODE)
    assert plan_badge(content, BadgeLayout.DYMO_99012).cut == ("name",)
    with caplog.at_level(logging.WARNING, logger="kiosk.printing.badges"):
        pdf = badges.write(visit("en", name), CODE)
    assert "…" in pdf_text(pdf)
    (record,) = [r for r in caplog.records if r.name == "kiosk.printing.badges"]
    assert record.getMessage() == (
        "visit 7: badge printed without all of name (no room on layout dymo-99012)"
    )
    assert "Maximiliaan" not in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kiosk.printing.badges"):
        badges.write(visit("en", "Annelies van der Berg-Hoogendoorn"), CODE)
    assert not caplog.records
