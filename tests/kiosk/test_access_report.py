"""The answer to an access request (GDPR Art. 15): the JSON copy holds exactly what is stored,
as the export writes it; the PDF shows every stored field of every visit, who holds the data
and for how long. Visits are made through the real operations on a real database; local time
is Europe/Amsterdam here."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from clisupport import CONTRACT_COLUMNS
from cupssupport import pdf_text, require_tool
from visitsupport import Clock, WriteConfig, local

from kiosk.bootstrap import Core, assemble
from kiosk.documents.access_report import (
    access_report_json,
    full_time,
    render_access_report_pdf,
    report_language,
)
from kiosk.domain.access_log import visit_record
from kiosk.domain.audit import AuditAction
from kiosk.domain.visit import SignInForm, Visit
from kiosk.export.visits import ExportFormat
from kiosk.settings.config import Config
from kiosk.settings.i18n import catalog
from kiosk.staff.reception import Reception
from kiosk.staff.rights import RightsRequests
from kiosk.visits.notice import Notice, who_sees_it
from kiosk.visits.service import Visits

pytestmark = pytest.mark.usefixtures("amsterdam")

CONTROLLER = "Noordzee Logistiek B.V., Waalhaven 12, 3089 JH Rotterdam"
MADE = local(20, 10, 15)
NAME = "Annelies van der Berg-Hoogendoorn"
PURPOSE = "Quarterly review of the logistics contract, then a tour of the new cold store, hall C"


@pytest.fixture
def her_visits(visits: Visits, reception: Reception, clock: Clock, notice: Notice) -> list[Visit]:
    """One visitor's three visits: signed out at the kiosk, by staff, and still on site."""

    def arrive(at: datetime, company: str, host: str, purpose: str) -> Visit:
        clock.now = at
        return visits.sign_in(SignInForm(NAME, company, host, purpose), notice).visit

    first = arrive(local(11, 9, 3), "Noordzee Logistiek B.V.", "Jens Kristensen", PURPOSE)
    second = arrive(local(12, 13, 45), '=HYPERLINK("x")', "Ida Holm", "")
    third = arrive(local(20, 8, 30), "", "", "Sollicitatiegesprek")
    clock.now = local(11, 17, 21)
    visits.sign_out(first.visit_id)
    clock.now = local(12, 16, 2)
    assert reception.sign_out([second.visit_id]) == 1
    return [visits.get(v.visit_id) for v in (first, second, third)]


ENGLISH = catalog("en")


def write_pdf(
    tmp_path: Path, visits: list[Visit], retention_days: int = 90, language: str = "en"
) -> Path:
    pdf = tmp_path / f"access-{language}.pdf"
    recipients = who_sees_it(Config(), language)
    pdf.write_bytes(
        render_access_report_pdf(
            visits, CONTROLLER, MADE, retention_days, recipients, language=language
        )
    )
    return pdf


def flat(text: str) -> str:
    return " ".join(text.split())


# --- JSON ------------------------------------------------------------------------------------


def test_json_is_exactly_what_is_stored_as_the_export_writes_it(
    her_visits: list[Visit], core: Core
) -> None:
    records = json.loads(access_report_json(her_visits))

    with core.store.reading() as db:
        stored = [db.visits.get(v.visit_id) for v in her_visits]
    assert stored == her_visits
    as_records = [dict(zip(CONTRACT_COLUMNS, visit_record(v), strict=True)) for v in her_visits]
    assert records == as_records
    # The export of the days of her visits (nobody else's) writes the very same records.
    out = io.StringIO()
    first, last = date(2026, 5, 11), date(2026, 5, 20)
    assert core.exports.visits(first, last, ExportFormat.JSON, out) == 3
    assert records == json.loads(out.getvalue())
    assert [list(record) for record in records] == [CONTRACT_COLUMNS] * 3
    exports = [e.detail for e in core.audit.entries(limit=None) if e.action is AuditAction.EXPORT]
    assert exports == ["Access log from 2026-05-11 to 2026-05-20, 3 rows, json"]


def test_json_values_round_trip(her_visits: list[Visit]) -> None:
    first, second, third = json.loads(access_report_json(her_visits))

    assert first["visitor_name"] == NAME
    assert first["purpose"] == PURPOSE
    assert second["company"] == '=HYPERLINK("x")'  # JSON keeps the value as typed
    assert first["signed_in_at"] == "2026-05-11T09:03:00+02:00"
    assert first["signed_out_at"] == "2026-05-11T17:21:00+02:00"
    assert (first["sign_out_method"], second["sign_out_method"]) == ("kiosk", "staff")
    assert third["signed_out_at"] is None
    assert third["sign_out_method"] is None
    for record, visit in zip((first, second, third), her_visits, strict=True):
        assert record["visit_id"] == visit.visit_id
        assert datetime.fromisoformat(record["signed_in_at"]) == visit.signed_in_at
        assert (record["language"], record["notice_version"], record["kiosk_id"]) == (
            visit.language,
            visit.notice_version,
            visit.kiosk_id,
        )


def test_json_of_no_visits_is_an_empty_list() -> None:
    assert json.loads(access_report_json([])) == []


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_shows_every_stored_field_of_every_visit(
    her_visits: list[Visit], tmp_path: Path
) -> None:
    text = flat(pdf_text(write_pdf(tmp_path, her_visits)))

    for visit in her_visits:
        assert f"Visit id {visit.visit_id}" in text
        assert f"Signed in {full_time(visit.signed_in_at, ENGLISH)}" in text
        assert f"Notice version {visit.notice_version}" in text
        assert f"Kiosk {visit.kiosk_id}" in text
        assert f"Language {visit.language} (English)" in text
    assert text.count(f"Name {NAME}") == 3
    assert "Company Noordzee Logistiek B.V." in text
    assert 'Company =HYPERLINK("x")' in text
    assert "Host Jens Kristensen" in text
    assert "Host Ida Holm" in text
    assert f"Purpose {PURPOSE}" in text  # wrapped over lines, never shortened
    assert "Purpose Sollicitatiegesprek" in text
    assert "Signed in 11 May 2026 09:03:00 (UTC+02:00)" in text
    assert "Signed out 11 May 2026 17:21:00 (UTC+02:00)" in text
    assert "Signed out 12 May 2026 16:02:00 (UTC+02:00)" in text
    assert "Signed out — (still on site)" in text
    assert "Sign-out method kiosk" in text
    assert "Sign-out method staff" in text
    assert "Visit 3 of 3" in text


def test_pdf_says_who_holds_the_data_when_and_for_how_long(
    her_visits: list[Visit], tmp_path: Path
) -> None:
    text = flat(pdf_text(write_pdf(tmp_path, her_visits, retention_days=45)))

    assert f"Controller {CONTROLLER}" in text
    assert "Made 20 May 2026 10:15:00 (UTC+02:00)" in text
    assert "45 days" in text
    assert "90 days" not in text
    assert "Deleted after 25 Jun 2026 09:03:00 (UTC+02:00)" in text  # 11 May + 45 days
    assert "Art. 15" in text


def test_a_long_unbroken_name_is_kept_whole(visits: Visits, notice: Notice, tmp_path: Path) -> None:
    name = ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100]
    visit = visits.sign_in(SignInForm(name), notice).visit

    text = pdf_text(write_pdf(tmp_path, [visit]))

    assert name in re.sub(r"\s+", "", text)


def test_many_visits_page_with_a_header_on_every_page(
    visits: Visits, clock: Clock, notice: Notice, tmp_path: Path
) -> None:
    made = []
    for day in range(1, 31):
        clock.now = local(day, 9)
        form = SignInForm(NAME, "Noordzee", "Ida Holm", PURPOSE)
        made.append(visits.sign_in(form, notice).visit)

    pages = [p for p in pdf_text(write_pdf(tmp_path, made)).split("\f") if p.strip()]

    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page.splitlines()[0]
    text = flat(" ".join(pages))
    assert all(f"Visit {i} of 30" in text for i in range(1, 31))
    assert all(f"Visit id {v.visit_id}" in text for v in made)


def test_no_visits_says_so(tmp_path: Path) -> None:
    text = flat(pdf_text(write_pdf(tmp_path, [])))

    assert "No visits are stored for this person." in text
    assert "Visits 0" in text


def test_pdf_metadata_and_fonts(her_visits: list[Visit], tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path, her_visits)

    pdfinfo = require_tool("pdfinfo")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Title:\s+Access report$", info.stdout, re.MULTILINE)
    assert "Annelies" not in info.stdout
    pdffonts = require_tool("pdffonts")
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True)
    listed = fonts.stdout.splitlines()[2:]
    assert listed
    assert all(line.split()[-5] == "yes" for line in listed), fonts.stdout


@pytest.mark.parametrize(
    ("notify", "said"),
    [
        # Notification off: reception tells the host, not the kiosk.
        (
            "",
            "Reception lets the person you are visiting know that you have arrived; "
            "this kiosk does not send them a message.",
        ),
        (
            'smtp_host = "127.0.0.1"\nsmtp_security = "none"\n',
            "we also tell the person you are visiting by e-mail",
        ),
    ],
)
def test_the_copy_names_the_host_as_a_recipient_when_the_kiosk_tells_hosts(
    data_dir: Path, write_config: WriteConfig, tmp_path: Path, notify: str, said: str
) -> None:
    core = assemble(data_dir, write_config(f"[notify]\n{notify}"))
    try:
        visit = core.visits.sign_in(SignInForm(NAME, "Noordzee"), core.notices.notice("en")).visit
        pdf = core.rights.copy([visit], "pdf", tmp_path / "copy.pdf")
    finally:
        core.close()

    text = flat(pdf_text(pdf))
    assert said in text
    assert ("by e-mail" in text) == bool(notify)
    assert "the list of who is inside goes to our fire marshals" in text
    assert "if needed, to the emergency services" in text
    # In the notice's own words, for these settings.
    assert flat(core.notices.notice("en").full).count(said) == 1


# --- in the visitor's language ---------------------------------------------------------------

# Words of the English report (labels, the "about" block, the running header, a month, the
# language names) that a Danish or Dutch report must not have.
ENGLISH_WORDS = (
    "Access report", "Your data", "visitor register", "Controller", "Made", "Kept for", "days",
    "Purpose", "Legal basis", "Legitimate interest", "Who sees it", "Source", "Your rights",
    "Visit 1 of 2", "Visit id", "Name", "Company", "Host", "Signed in", "Signed out",
    "still on site", "Sign-out method", "signed out at the kiosk", "Language", "English",
    "Danish", "Dutch", "Notice version", "Deleted after", "Restricted since", "page 1 of",
    "May", "Reception and security staff",
)  # fmt: skip
# For each language: what the copy of VISITS says, {first} and {second} being their visit ids.
IN_LANGUAGE = {
    "da": (
        "Indsigtsrapport",
        [
            "Indsigtsrapport, oprettet",
            "side 1 af",
            "Dine oplysninger i besøgsregistret",
            "databeskyttelsesforordningens art. 15",
            f"Dataansvarlig {CONTROLLER}",
            "Besøg 2",
            "Opbevaringsperiode 45 dage: hvert besøg slettes automatisk 45 dage efter",
            "Formål At overvåge adgangen til vores lokaliteter.",
            "Retsgrundlag Legitim interesse (databeskyttelsesforordningens art. 6, stk. 1",
            "Hvem har adgang Receptions- og sikkerhedspersonalet på dette sted",
            "Dine rettigheder Du kan bede om",
            "Besøg 1 af 2",
            "Besøgsnummer {first}",
            f"Navn {NAME}",
            "Virksomhed Noordzee Logistiek B.V.",
            "Vært Jens Kristensen",
            "Formål med besøget Jobsamtale",
            "Formål med besøget Levering",
            "Tjekket ind 11. maj 2026 09:03:00 (UTC+02:00)",
            "Tjekket ud 11. maj 2026 17:21:00 (UTC+02:00)",
            "Udtjekning kiosk (tjekket ud ved kiosken)",
            "Sprog en (engelsk)",
            "Opbevares til 25. jun. 2026 09:03:00 (UTC+02:00) (45 dage)",
            "Besøgsnummer {second}",
            "Tjekket ud — (stadig til stede)",
            "Sprog da (dansk)",
            "Begrænset siden",
            "bevaret, men bruges kun til dine egne anmodninger",
        ],
    ),
    "nl": (
        "Inzageoverzicht",
        [
            "Inzageoverzicht, gemaakt op",
            "pagina 1 van",
            "Uw gegevens in het bezoekersregister",
            "(art. 15 AVG)",
            f"Verantwoordelijke {CONTROLLER}",
            "Bezoeken 2",
            "Bewaartermijn 45 dagen: elk bezoek wordt 45 dagen na de aanmelding automatisch",
            "Doel De toegang tot onze gebouwen monitoren.",
            "Grondslag Legitiem belang (art. 6, lid 1, onder f, AVG)",
            "Wie heeft toegang De receptie- en beveiligingsmedewerkers van deze vestiging",
            "Uw rechten U kunt ons vragen",
            "Bezoek 1 van 2",
            "Bezoeknummer {first}",
            f"Naam {NAME}",
            "Bedrijf Noordzee Logistiek B.V.",
            "Contactpersoon Jens Kristensen",
            "Doel van het bezoek Sollicitatiegesprek",
            "Doel van het bezoek Bezorging",
            "Aangemeld 11 mei 2026 09:03:00 (UTC+02:00)",
            "Afgemeld 11 mei 2026 17:21:00 (UTC+02:00)",
            "Afmelding kiosk (zelf afgemeld bij de kiosk)",
            "Taal en (Engels)",
            "Bewaard tot 25 jun 2026 09:03:00 (UTC+02:00) (45 dagen)",
            "Bezoeknummer {second}",
            "Afgemeld — (nog aanwezig)",
            "Taal nl (Nederlands)",
            "Beperkt sinds",
            "bewaard, maar alleen gebruikt voor uw eigen verzoeken",
        ],
    ),
}


def arrive_in(visits: Visits, core: Core, clock: Clock, at: datetime, language: str,
              host: str, purpose: str) -> Visit:  # fmt: skip
    clock.now = at
    form = SignInForm(NAME, "Noordzee Logistiek B.V.", host, purpose)
    return visits.sign_in(form, core.notices.notice(language)).visit


@pytest.mark.parametrize("language", ["da", "nl"])
def test_the_copy_is_in_the_language_of_the_visitors_latest_visit(
    core: Core, visits: Visits, clock: Clock, tmp_path: Path, language: str
) -> None:
    """Her first visit was in English, her latest in `language`: the whole copy is in it, a
    purpose she picked from the list (stored as its key) too, and none of it in English."""
    first = arrive_in(visits, core, clock, local(11, 9, 3), "en", "Jens Kristensen", "interview")
    clock.now = local(11, 17, 21)
    visits.sign_out(first.visit_id)
    second = arrive_in(visits, core, clock, local(20, 8, 30), language, "Ida Holm", "delivery")
    clock.now = local(20, 9)
    core.rights.restrict([second.visit_id])
    rights = RightsRequests(
        core.store,
        core.audit,
        core.personal_data,
        controller=CONTROLLER,
        retention_days=45,
        who_sees_it=partial(who_sees_it, core.config),
        default_language="en",
    )
    mine = [visits.get(second.visit_id), visits.get(first.visit_id)]  # in any order

    pdf = rights.copy(mine, "pdf", tmp_path / "copy.pdf")

    title, phrases = IN_LANGUAGE[language]
    text = flat(pdf_text(pdf))
    for phrase in phrases:
        assert phrase.format(first=first.visit_id, second=second.visit_id) in text
    for word in ENGLISH_WORDS:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    assert "interview" not in text
    assert "delivery" not in text
    pdfinfo = require_tool("pdfinfo")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(rf"^Title:\s+{title}$", info.stdout, re.MULTILINE)


def test_a_picked_purpose_reads_in_english_in_an_english_copy(
    visits: Visits, notice: Notice, tmp_path: Path
) -> None:
    visit = visits.sign_in(SignInForm(NAME, purpose="interview"), notice).visit

    text = flat(pdf_text(write_pdf(tmp_path, [visit])))

    assert "Purpose Job interview" in text
    assert "Language en (English)" in text


def test_a_language_the_kiosk_has_no_words_for_gets_the_sites_default(
    data_dir: Path, write_config: WriteConfig, tmp_path: Path
) -> None:
    core = assemble(data_dir, write_config('[kiosk]\nlanguages = ["nl", "en", "da"]\n'))
    try:
        visit = core.visits.sign_in(SignInForm(NAME), core.notices.notice("da")).visit
        older = dataclasses.replace(visit, signed_in_at=visit.signed_in_at - timedelta(days=1))
        latest = dataclasses.replace(visit, language="fr")  # a language no longer offered
        pdf = core.rights.copy([latest, older], "pdf", tmp_path / "copy.pdf")
    finally:
        core.close()

    text = flat(pdf_text(pdf))
    assert "Uw gegevens in het bezoekersregister" in text
    assert "Taal fr" in text  # the stored code, with no name for it
    assert "Taal da (Deens)" in text


def test_report_language_is_the_latest_visits_whatever_the_order() -> None:
    def visit(day: int, language: str) -> Visit:
        return Visit(day, NAME, "", "", "", local(day, 9), None, None, language, "v", "lobby-1")

    assert report_language([visit(12, "nl"), visit(11, "da")], "en") == "nl"
    assert report_language([visit(11, "nl"), visit(12, "da")], "en") == "da"
    assert report_language([visit(11, "da"), visit(12, "xx")], "nl") == "nl"
    assert report_language([], "da") == "da"
