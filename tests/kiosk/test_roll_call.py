"""The evacuation roll call PDF, read back with poppler: who is on it (taken and audited by the
roll call operation on a real database), in which order, the header on every page, long text
kept inside its column, and fonts for every script. Local time is Europe/Amsterdam here.

Rows are read with `pdftotext -bbox`: each word's box, put into its row and column by the
roll call's own geometry (`ROWS_TOP`, `ROW_HEIGHT`, `COLUMNS`), so a word drawn in the wrong
place lands in the wrong cell and the test sees it."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cupssupport import pdf_text, require_tool
from visitsupport import AMSTERDAM, Clock, local

from kiosk.bootstrap import Core
from kiosk.documents.roll_call import (
    COLUMNS,
    PAGE_HEIGHT,
    ROW_HEIGHT,
    ROWS_PER_PAGE,
    ROWS_TOP,
    local_time_text,
    render_roll_call,
)
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignInForm, Visit
from kiosk.printing.cups import SaveOnly
from kiosk.printing.reports import SavedReports
from kiosk.settings.i18n import catalog
from kiosk.staff.audit import AuditLog
from kiosk.staff.reception import Reception
from kiosk.staff.roll_call import RollCall
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits

pytestmark = pytest.mark.usefixtures("amsterdam")

SITE = "Rotterdam Waalhaven, gebouw C"
MADE = local(13, 14, 30)  # Wednesday 13 May 2026, 14:30
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    x_max: float
    row: int


def words_by_page(pdf: Path) -> list[list[Word]]:
    """Every word of each page with the table row it is in (-1 above the rows)."""
    pdftotext = require_tool("pdftotext")
    xhtml = subprocess.run(
        [pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    rows_top = PAGE_HEIGHT - ROWS_TOP  # pdftotext measures from the top of the page
    for page in ET.fromstring(xhtml).iter(f"{XHTML}page"):
        words = []
        for word in page.iter(f"{XHTML}word"):
            middle = (float(word.get("yMin", 0)) + float(word.get("yMax", 0))) / 2
            row = math.floor((middle - rows_top) / ROW_HEIGHT) if middle > rows_top else -1
            x_min, x_max = float(word.get("xMin", 0)), float(word.get("xMax", 0))
            words.append(Word(word.text or "", x_min, x_max, row))
        pages.append(words)
    return pages


def column_of(word: Word) -> str:
    """The column a word starts in (one that starts on a column's edge is in that column)."""
    assert COLUMNS[0].x - 0.5 <= word.x_min < COLUMNS[-1].right, f"{word} is off the table"
    return [column.key for column in COLUMNS if column.x - 0.5 <= word.x_min][-1]


def table(pdf: Path) -> list[dict[str, str]]:
    """The rows of every page in order, as {column: text}."""
    rows: list[dict[str, str]] = []
    for words in words_by_page(pdf):
        page: dict[int, dict[str, list[str]]] = {}
        for word in words:
            if 0 <= word.row < ROWS_PER_PAGE:
                cells = page.setdefault(word.row, {})
                cells.setdefault(column_of(word), []).append(word.text)
        assert sorted(page) == list(range(len(page))), "a row is missing in the middle"
        rows.extend({k: " ".join(v) for k, v in page[i].items()} for i in sorted(page))
    return rows


def pages_text(pdf: Path) -> list[str]:
    return [page for page in pdf_text(pdf).split("\f") if page.strip()]


def write(tmp_path: Path, visits: list[Visit], site: str = SITE, language: str = "en") -> Path:
    pdf = tmp_path / f"roll-call-{language}.pdf"
    pdf.write_bytes(render_roll_call(visits, site, MADE, language=language))
    return pdf


def visit(
    visit_id: int, name: str, at: datetime = MADE, company: str = "", host: str = ""
) -> Visit:
    return Visit(
        visit_id, name, company, host, "", at, None, None, "en", "en-test", "lobby-1"
    )  # fmt: skip


# --- who is on it ----------------------------------------------------------------------------


@pytest.fixture
def roll_call(core: Core, clock: Clock) -> RollCall:
    """The roll call on the core's store, on the test's clock, for the site SITE (in Danish
    SITE_DA); in English unless asked for another language."""
    audit = AuditLog(core.store, core.config.site.kiosk_id, clock)
    reports = SavedReports(core.paths.report_dir)
    return RollCall(core.store, audit, site_name, reports, SaveOnly(), clock, default_language="en")


SITE_DA = "Rotterdam Waalhaven, bygning C"


def site_name(language: str) -> str:
    return SITE_DA if language == "da" else SITE


def test_lists_exactly_who_is_on_site_sorted_by_name_then_time_in(
    core: Core,
    visits: Visits,
    reception: Reception,
    roll_call: RollCall,
    clock: Clock,
    notice: Notice,
    tmp_path: Path,
) -> None:
    def arrive(name: str, at: datetime, company: str = "", host: str = "") -> Visit:
        clock.now = at
        return visits.sign_in(SignInForm(name, company, host), notice).visit

    arrive("Zoë de Wit", local(13, 8, 5), "Noordzee Logistiek B.V.", "Jens Kristensen")
    left = arrive("Pieter Bakker", local(13, 8, 30), "Bakker & Zn.", "Ida Holm")
    arrive("Anna Jansen", local(13, 11, 0), "Jansen Catering", "Ida Holm")
    arrive("anna jansen", local(12, 16, 45), "Fietsenmakerij Jansen", "Jens Kristensen")
    arrive("Åse Lund", local(13, 9, 0))
    arrive("bram Visser", local(13, 9, 15), "Visser Transport")
    gone = arrive("Chris Mol", local(13, 10, 0))
    clock.now = local(13, 12, 0)
    visits.sign_out(left.visit_id)
    assert reception.sign_out([gone.visit_id]) == 1
    present = visits.present()

    clock.now = MADE
    on_site = roll_call.take()
    pdf = tmp_path / "roll-call.pdf"
    report = roll_call.make(on_site, out=pdf, to_printer=False)
    rows = table(pdf)

    assert on_site.present == present
    assert on_site.taken_at == MADE
    assert (report.path, report.count, report.printed_on, report.fault) == (pdf, 5, None, None)
    assert "made 13 May 2026 14:30" in pdf_text(pdf)
    assert {row["name"] for row in rows} == {v.visitor_name for v in present}
    assert len(rows) == len(present) == 5
    assert "Pieter Bakker" not in pdf_text(pdf)
    assert "Chris Mol" not in pdf_text(pdf)
    # By name ignoring case; the two Anna Jansens by time in (the one from yesterday first).
    assert [(row["name"], row["time"]) for row in rows] == [
        ("anna jansen", "12 May 16:45"),
        ("Anna Jansen", "11:00"),
        ("bram Visser", "09:15"),
        ("Zoë de Wit", "08:05"),
        ("Åse Lund", "09:00"),
    ]
    assert rows[1]["company"] == "Jansen Catering"
    assert rows[1]["host"] == "Ida Holm"
    assert "company" not in rows[4]  # an empty company stays empty
    # Taking the roll call is audited: who was on it by visit id and how many, never a name.
    entry = core.audit.entries(limit=1)[0]
    assert (entry.action, entry.detail, entry.params, entry.at) == (
        AuditAction.EVACUATION,
        "Roll call of 5 visitors",
        {"count": 5},
        MADE,
    )
    assert sorted(entry.visit_ids) == sorted(v.visit_id for v in present)
    assert entry.visit_count == 5
    assert list(tmp_path.glob("roll-call*")) == [pdf]  # written where asked, and only there
    assert not core.paths.report_dir.exists() or list(core.paths.report_dir.iterdir()) == []


def test_made_without_a_file_it_is_saved_and_a_printer_fault_is_reported(core: Core) -> None:
    """The core's roll call: saved in the reports folder (the fallback), and a printer that
    cannot be reached (the tests' CUPS socket does not exist) is a fault in the report, not an
    error."""
    on_site = core.roll_call.take()
    report = core.roll_call.make(on_site)

    assert report.count == 0
    assert report.path.parent == core.paths.report_dir
    assert report.path.stat().st_mode & 0o777 == 0o600
    assert "0 people on site" in pdf_text(report.path)
    assert report.printed_on is None
    assert report.fault is not None
    entry = core.audit.entries(limit=1)[0]
    assert (entry.action, entry.params, entry.visit_ids) == (
        AuditAction.EVACUATION,
        {"count": 0},
        (),
    )


def test_header_says_what_when_where_and_how_many(tmp_path: Path) -> None:
    pdf = write(tmp_path, [visit(1, "Anna Jansen"), visit(2, "Bram Visser")])

    (page,) = pages_text(pdf)
    assert "Evacuation roll call" in page
    assert SITE in page
    assert "made 13 May 2026 14:30" in page
    assert "2 people on site" in page
    assert "page 1 of 1" in page


def test_one_person_is_not_people(tmp_path: Path) -> None:
    assert "1 person on site" in pdf_text(write(tmp_path, [visit(1, "Anna Jansen")]))


def test_an_empty_site_is_one_page_saying_so(tmp_path: Path) -> None:
    pdf = write(tmp_path, [])

    (page,) = pages_text(pdf)
    assert "Nobody is on site." in page
    assert "0 people on site" in page
    assert "page 1 of 1" in page
    assert table(pdf) == []


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        pytest.param(local(13, 0, 5), "00:05", id="today-just-after-midnight"),
        pytest.param(local(12, 23, 59), "12 May 23:59", id="yesterday"),
        pytest.param(datetime(2025, 12, 31, 22, 0, tzinfo=AMSTERDAM), "31 Dec 2025 22:00",
                     id="last-year"),
    ],
)  # fmt: skip
def test_time_in_has_the_date_only_when_it_is_not_today(moment: datetime, shown: str) -> None:
    assert local_time_text(moment, catalog("en"), MADE) == shown


# --- 500 people ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """500 people on site (rendered once for the module): unique names, long companies."""
    from kiosk.demo.names import COMPANIES, FAMILY_NAMES_NL, GIVEN_NAMES_EN

    names = [
        f"{given} {family}"
        for family in FAMILY_NAMES_NL[:25]
        for given in GIVEN_NAMES_EN[:20]
    ]  # fmt: skip
    assert len(set(names)) == 500
    start = datetime(2026, 5, 13, 7, 0, tzinfo=AMSTERDAM)
    crowd = [
        visit(
            i,
            name,
            start + timedelta(seconds=37 * i),
            COMPANIES[i % len(COMPANIES)],
            f"Host {i % 40}",
        )
        for i, name in enumerate(reversed(names))
    ]
    pdf = tmp_path_factory.mktemp("crowd") / "roll-call.pdf"
    with pytest.MonkeyPatch.context() as patch:  # `amsterdam` is for one test; this is once
        patch.setenv("TZ", "Europe/Amsterdam")
        time.tzset()
        pdf.write_bytes(render_roll_call(crowd, SITE, MADE, language="en"))
    time.tzset()
    return pdf, names


def test_500_people_each_once_in_order_on_pages_of_a_fixed_size(
    crowd: tuple[Path, list[str]],
) -> None:
    pdf, names = crowd

    rows = table(pdf)

    found = [row["name"] for row in rows]
    assert Counter(found) == Counter(names)
    assert found == sorted(names, key=str.casefold)
    assert 30 <= ROWS_PER_PAGE <= 35


def test_500_people_header_on_every_page(crowd: tuple[Path, list[str]]) -> None:
    pdf, _ = crowd

    pages = pages_text(pdf)

    count = math.ceil(500 / ROWS_PER_PAGE)
    assert len(pages) == count
    for number, page in enumerate(pages, start=1):
        head = "\n".join(page.splitlines()[:4])
        assert "Evacuation roll call" in head
        assert SITE in head
        assert "500 people on site" in head
        assert "made 13 May 2026 14:30" in head
        assert re.search(rf"\bpage {number} of {count}\b", head), head
    pdfinfo = require_tool("pdfinfo")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(rf"^Pages:\s+{count}$", info.stdout, re.MULTILINE)


# --- long text and other scripts -------------------------------------------------------------

LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100]
LONG_COMPANY = "Internationale Handels- en Scheepvaartmaatschappij Noordzee-Oostzee B.V."
LONG_HOST = "Jens-Christian Østergaard-Kristensen van Oldenbarnevelt"


def test_long_text_is_shortened_and_stays_in_its_column(tmp_path: Path) -> None:
    pdf = write(
        tmp_path,
        [
            visit(1, LONG_NAME, company=LONG_COMPANY, host=LONG_HOST),
            visit(2, "Maximiliaan Adriaan Johannes Cornelis van Wassenaer van Obdam"),
        ],
    )

    (words,) = words_by_page(pdf)
    in_rows = [word for word in words if 0 <= word.row < ROWS_PER_PAGE]
    for word in in_rows:
        column = next(c for c in COLUMNS if c.key == column_of(word))
        assert word.x_max <= column.right + 0.5, f"{word.text!r} runs out of {column.key}"
    for row in (0, 1):
        line = sorted((w for w in in_rows if w.row == row), key=lambda w: w.x_min)
        for before, after in itertools.pairwise(line):
            assert before.x_max <= after.x_min, f"{before.text!r} overlaps {after.text!r}"
    cells = table(pdf)
    long_row = next(row for row in cells if row["name"].startswith("Wolfe"))
    assert long_row["name"].endswith("…")
    assert LONG_NAME.startswith(long_row["name"].removesuffix("…"))
    assert len(long_row["name"]) > 20  # shortened, not emptied


NAMES = {
    "greek": "Αικατερίνη Παπαδοπούλου",
    "cyrillic": "Александра Преображенская",
    "arabic": "عبد الله محمد",
    "hebrew": "יהונתן רוזנבלום",
    "chinese": "欧阳慕容婉清",
    "japanese": "アレクサンドラ・シュヴァルツ",
}


def test_names_in_any_script_render_with_embedded_fonts(tmp_path: Path) -> None:
    pdf = write(tmp_path, [visit(i, name) for i, name in enumerate(NAMES.values())])

    pdffonts = require_tool("pdffonts")
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True)
    listed = fonts.stdout.splitlines()[2:]
    assert listed, fonts.stdout
    assert all(line.split()[-5] == "yes" for line in listed), fonts.stdout  # emb
    names = {line.split()[0].split("+")[-1] for line in listed}
    assert {"DejaVuSans-Bold", "DroidSansFallback"} <= names
    text = pdf_text(pdf)
    for script in ("greek", "cyrillic", "chinese", "japanese"):
        assert NAMES[script] in text, script


def test_metadata_names_no_one(tmp_path: Path) -> None:
    pdf = write(tmp_path, [visit(1, "Anna Jansen", company="Jansen Catering")])

    pdfinfo = require_tool("pdfinfo")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Title:\s+Evacuation roll call$", info.stdout, re.MULTILINE)
    assert "Jansen" not in info.stdout


# --- in the reader's language ----------------------------------------------------------------

# What the roll call says in each language: the title (also the PDF's title), the column
# titles, page, when made, the head count for one and for two people, the time in of a visitor
# who came yesterday, the restricted mark and its note, the instruction, and an empty site.
IN_LANGUAGE = {
    "nl": {
        "title": "Ontruimingslijst",
        "columns": ["Naam", "Bedrijf", "Contactpersoon", "Aangemeld"],
        "page": "pagina 1 van 1",
        "made": "gemaakt op 13 mei 2026 14:30",
        "one": "1 persoon aanwezig",
        "two": "2 personen aanwezig",
        "none": "0 personen aanwezig",
        "yesterday": "12 mei 16:45",
        "mark": "beperkt — alleen voor de ontruiming",
        "note": "Beperkt: op verzoek van de bezoeker is het gebruik",
        "tick": "Vink iedereen af die op de verzamelplaats aanwezig is.",
        "nobody": "Er is niemand aanwezig.",
    },
    "da": {
        "title": "Evakueringsliste",
        "columns": ["Navn", "Virksomhed", "Vært", "Ankommet"],
        "page": "side 1 af 1",
        "made": "oprettet 13. maj 2026 14:30",
        "one": "1 person til stede",
        "two": "2 personer til stede",
        "none": "0 personer til stede",
        "yesterday": "12. maj 16:45",
        "mark": "begrænset — kun til evakueringen",
        "note": "Begrænset: brugen af den besøgendes oplysninger er begrænset",
        "tick": "Sæt kryds ved hver person, der er nået frem til samlingsstedet.",
        "nobody": "Der er ingen til stede.",
    },
}
ENGLISH_WORDS = (
    "Evacuation", "roll call", "Name", "Company", "Host", "Time in", "page", "made", "May",
    "person on site", "people", "on site", "Tick", "restricted", "Restricted", "GDPR Art",
    "Nobody",
)  # fmt: skip


def header_words(pdf: Path) -> str:
    """The words of the first page above the rows, in reading order."""
    (words, *_) = words_by_page(pdf)
    return " ".join(word.text for word in words if word.row < 0)


@pytest.mark.parametrize("language", ["nl", "da"])
def test_in_another_language_every_word_is_in_it(tmp_path: Path, language: str) -> None:
    said = IN_LANGUAGE[language]
    yesterday = visit(2, "Bram Visser", local(12, 16, 45), "Visser Transport", "Ida Holm")
    restricted = dataclasses.replace(visit(1, "Anna Jansen"), restricted_at=MADE)

    pdf = write(tmp_path, [restricted, yesterday], language=language)

    (page,) = pages_text(pdf)
    text = " ".join(page.split())
    for key in ("title", "page", "made", "two", "note", "tick"):
        assert said[key] in text, key
    assert header_words(pdf).split()[-len(" ".join(said["columns"]).split()) :] == (
        " ".join(said["columns"]).split()
    )
    rows = table(pdf)
    assert [row["name"] for row in rows] == [f"Anna Jansen {said['mark']}", "Bram Visser"]
    assert rows[1]["time"] == said["yesterday"]
    for word in ENGLISH_WORDS:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    pdfinfo = require_tool("pdfinfo")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(rf"^Title:\s+{said['title']}$", info.stdout, re.MULTILINE)


@pytest.mark.parametrize("language", ["en", "nl", "da"])
def test_the_head_count_is_singular_for_one_person_in_every_language(
    tmp_path: Path, language: str
) -> None:
    said = IN_LANGUAGE.get(language, {"one": "1 person on site", "none": "0 people on site"})

    one = " ".join(pdf_text(write(tmp_path, [visit(1, "Anna Jansen")], language=language)).split())
    assert said["one"] in one
    empty = " ".join(pdf_text(write(tmp_path, [], language=language)).split())
    assert said["none"] in empty
    if language != "en":
        assert said["nobody"] in empty


def test_made_in_a_language_and_else_in_the_sites_default(
    core: Core, roll_call: RollCall, visits: Visits, clock: Clock, notice: Notice, tmp_path: Path
) -> None:
    """The staff screen asks for its language; the command line asks for none and gets the
    site's default language (here English); the site's name is the one for that language."""
    visits.sign_in(SignInForm("Anna Jansen"), notice)
    on_site = roll_call.take()

    danish = roll_call.make(on_site, out=tmp_path / "da.pdf", to_printer=False, language="da")
    default = roll_call.make(on_site, out=tmp_path / "default.pdf", to_printer=False)

    danish_text = " ".join(pdf_text(danish.path).split())
    assert "Evakueringsliste" in danish_text
    assert SITE_DA in danish_text
    assert "1 person til stede" in danish_text
    default_text = " ".join(pdf_text(default.path).split())
    assert "Evacuation roll call" in default_text
    assert SITE in default_text
    assert "1 person on site" in default_text
