"""The privacy notice shown before any data is typed (PRIVACY.md, GDPR Art. 13 and 21)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from kiosk.notify.message import Arrival, webhook_payload
from kiosk.settings.config import SUPPORTED_LANGUAGES, Config, parse_config
from kiosk.settings.i18n import catalog
from kiosk.visits.notice import Notice, render_notice, who_sees_it

SITE = {
    "site": {
        "name": "Acme Lobby West",
        "controller": "Acme Testbedrijf B.V.",
        "privacy_contact": "dpo@acme.test",
        "supervisory_authority": "Datatilsynet (datatilsynet.dk)",
    },
    "retention": {"visit_days": 47},
}

LEGITIMATE_INTEREST = {
    "en": r"legitimate interest",
    "nl": r"legitieme? belang",  # "ons legitieme belang" is the inflected "legitiem belang"
    "da": r"legitime? interesse",  # "vores legitime interesse" is the inflected form
}
ARTICLE = {"en": "Article", "nl": "artikel", "da": "artikel"}
CONSENT_WORDING = (
    "i agree",
    "i consent",
    "i accept",
    "ik ga akkoord",
    "ik stem in",
    "ik geef toestemming",
    "jeg accepterer",
    "jeg giver samtykke",
    "jeg samtykker",
    "jeg er enig",
)
CONTINUE_BUTTON = {"en": "Continue", "nl": "Verder", "da": "Fortsæt"}


@pytest.fixture(scope="module")
def config() -> Config:
    return parse_config(SITE)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_notice_names_who_and_how_long(config: Config, language: str) -> None:
    notice = render_notice(language, config)
    assert notice.language == language
    assert "Acme Testbedrijf B.V." in notice.summary
    assert "Acme Testbedrijf B.V." in notice.full
    assert "dpo@acme.test" in notice.summary
    assert "dpo@acme.test" in notice.objection  # how to object, right there
    assert "Datatilsynet (datatilsynet.dk)" in notice.full
    assert "Acme Lobby West" in notice.full
    assert "47" in notice.summary
    assert "47" in notice.full
    # The controller's name may end in a full stop ("B.V."): no sentence adds a second one.
    assert ".." not in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_default_notice_shows_the_default_retention(language: str) -> None:
    notice = render_notice(language, Config())
    assert "90" in notice.summary
    assert Config().site.privacy_contact in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_retention_setting_changes_text_and_version(language: str) -> None:
    default = render_notice(language, Config())
    shorter = render_notice(language, parse_config({"retention": {"visit_days": 30}}))
    assert "30" in shorter.summary
    assert "30" in shorter.full
    assert "90" not in shorter.text
    assert shorter.text != default.text
    assert shorter.version != default.version


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_controller_change_changes_the_version(language: str) -> None:
    other = parse_config({"site": {"controller": "Other Holding A/S"}})
    assert render_notice(language, other).version != render_notice(language, Config()).version


def test_version_differs_per_language_and_is_stable(config: Config) -> None:
    versions = [render_notice(lang, config).version for lang in SUPPORTED_LANGUAGES]
    assert len(set(versions)) == len(SUPPORTED_LANGUAGES)
    again = [render_notice(lang, parse_config(SITE)).version for lang in SUPPORTED_LANGUAGES]
    assert versions == again
    for lang, version in zip(SUPPORTED_LANGUAGES, versions, strict=True):
        assert version.startswith(f"{lang}-")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_placeholder_is_left_unfilled(config: Config, language: str) -> None:
    notice = render_notice(language, config)
    for part in (notice.title, notice.summary, notice.full, notice.objection_title):
        assert "{" not in part
        assert "}" not in part
    assert "{" not in notice.text
    assert "}" not in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_braces_in_config_values_are_shown_as_typed(language: str) -> None:
    odd = parse_config({"site": {"controller": "Curly {Brace} B.V."}})
    assert "Curly {Brace} B.V." in render_notice(language, odd).full


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_basis_is_legitimate_interest(config: Config, language: str) -> None:
    notice = render_notice(language, config)
    assert re.search(LEGITIMATE_INTEREST[language], notice.summary, re.IGNORECASE)
    assert re.search(LEGITIMATE_INTEREST[language], notice.full, re.IGNORECASE)
    assert re.search(LEGITIMATE_INTEREST[language], notice.objection, re.IGNORECASE)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_consent_wording(config: Config, language: str) -> None:
    text = render_notice(language, config).text.casefold()
    for wording in CONSENT_WORDING:
        assert wording not in text
    buttons = catalog(language)
    assert buttons.text("notice.continue") == CONTINUE_BUTTON[language]
    assert buttons.text("notice.continue").casefold() not in CONSENT_WORDING


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_objection_mentions_article_21(config: Config, language: str) -> None:
    notice = render_notice(language, config)
    assert re.search(rf"\b{ARTICLE[language]} 21\b", notice.objection, re.IGNORECASE)
    assert notice.objection_title
    assert notice.objection not in notice.full  # shown apart, not buried in the rest


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_text_holds_every_part(config: Config, language: str) -> None:
    notice = render_notice(language, config)
    for part in (
        notice.title,
        notice.summary,
        notice.full,
        notice.objection_title,
        notice.objection,
    ):
        assert part
        assert part in notice.text
    assert notice == Notice(
        language=language,
        title=notice.title,
        summary=notice.summary,
        full=notice.full,
        objection_title=notice.objection_title,
        objection=notice.objection,
    )


# Telling the host (PRIVACY.md, "Telling the host"): the notice names the host among the
# recipients exactly when the kiosk tells them, from the same [notify] settings.
MAIL = {"notify": {"smtp_host": "mail.acme.test"}}
MAIL_AND_WEBHOOK = {
    "notify": {"smtp_host": "mail.acme.test", "webhook_url": "https://hooks.acme.test/arrivals"}
}
# What the host is told of, and by what: the e-mail, and the webhook's chat channel.
HOST_TOLD = {
    "en": r"person you (are )?visit.*e-mail",
    "nl": r"contactpersoon.*e-mail",
    "da": r"vært.*mail",
}
CHAT = {"en": "internal chat channel", "nl": "interne chatkanaal", "da": "interne chatkanal"}


def _with(*settings: Mapping[str, Any]) -> Config:
    """One config from several tables of settings, merged section by section."""
    raw: dict[str, dict[str, Any]] = {}
    for table in settings:
        for name, values in table.items():
            raw.setdefault(name, {}).update(values)
    return parse_config(raw)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize(
    "settings",
    [
        {},
        SITE,
        # A webhook without a mail server sends nothing (NotifyConfig.on), so it changes nothing.
        {"notify": {"webhook_url": "https://hooks.acme.test/arrivals"}},
    ],
)
def test_with_notification_off_the_notice_says_nobody_is_emailed(
    language: str, settings: Mapping[str, Any]
) -> None:
    config = _with(settings)
    assert not config.notify.on
    notice = render_notice(language, config)
    assert not re.search(HOST_TOLD[language], notice.text, re.IGNORECASE)
    assert "chat" not in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_notification_on_the_notice_says_the_host_is_emailed(language: str) -> None:
    notice = render_notice(language, _with(SITE, MAIL))
    for part in (notice.summary, notice.full):
        assert re.search(HOST_TOLD[language], part, re.IGNORECASE)
        assert "chat" not in part  # no webhook: no chat channel
    assert "{" not in notice.text
    assert "47" in notice.summary  # the rest is filled in as before
    assert notice.version != render_notice(language, _with(SITE)).version


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_a_webhook_the_notice_names_the_chat_channel(language: str) -> None:
    notice = render_notice(language, _with(SITE, MAIL_AND_WEBHOOK))
    for part in (notice.summary, notice.full):
        assert re.search(HOST_TOLD[language], part, re.IGNORECASE)
        assert CHAT[language] in part
    assert "hooks.acme.test" not in notice.text  # the channel, not its address


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_each_notify_setting_gives_its_own_version(language: str) -> None:
    versions = {
        render_notice(language, _with(SITE, settings)).version
        for settings in ({}, MAIL, MAIL_AND_WEBHOOK)
    }
    assert len(versions) == 3


def test_the_host_is_never_told_more_than_the_notice_says() -> None:
    """The notice lists what the e-mail holds: name, company, time; never purpose or badge."""
    full = render_notice("en", _with(MAIL)).full
    told = full[full.index("## Who can see it") : full.index("## How long")]
    assert "purpose of your visit" not in told
    assert "badge" not in told
    for said in ("your name", "your company", "when and where you signed in"):
        assert said in told


# The whole truth (issue: what people read and touch; review §2): every recipient, what is
# recorded besides the typed fields, what is required, where to complain, and the way out as an
# alternative rather than a refusal, each read from the settings that make it true. The first
# layer (`summary`) has one short line per fact; the details are in the whole notice (`full`).
FACILITIES = {"en": "facilities staff", "nl": "facilitair", "da": "facility management"}
ONLY = {"en": r"\bonly\b", "nl": r"\balleen\b", "da": r"\bkun\b"}
REQUIRED = {"en": "only your name", "nl": "alleen uw naam", "da": "kun dit navn"}
REQUIRED_SHORT = {"en": "name (required)", "nl": "naam (verplicht)", "da": "navn (påkrævet)"}
WHERE_YOU_LIVE = {
    "en": "where you live or work",
    "nl": "waar u woont of werkt",
    "da": "hvor du bor eller arbejder",
}
SYSTEM = {
    "en": "our electronic visitor system",
    "nl": "ons elektronische bezoekerssysteem",
    "da": "vores elektroniske system for besøgende",
}
TECHNICAL = {
    "en": ("version of this notice", "badge"),
    "nl": ("versie van deze verklaring", "bezoekerspas"),
    "da": ("version af denne erklæring", "gæstekort"),
}
NOTHING_MORE = ("Nothing more", "Meer niet", "Intet andet")
PROCESSORS = {"site": {"processors": ["Securitas (beveiliging)", "CleanCo"]}}
DPO = {"site": {"dpo_contact": "fg@acme.test"}}


def _who_sees_it(summary: str, language: str) -> str:
    label = {"en": "Who sees it", "nl": "Wie heeft toegang", "da": "Hvem har adgang"}[language]
    return next(line for line in summary.splitlines() if label in line)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_recipients_are_all_named_and_never_only_reception(language: str) -> None:
    notice = render_notice(language, _with(SITE))
    who = _who_sees_it(notice.summary, language)
    assert FACILITIES[language] in who
    assert FACILITIES[language] in notice.full
    assert not re.search(ONLY[language], who, re.IGNORECASE)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_processors_from_the_settings_are_named(language: str) -> None:
    without = render_notice(language, _with(SITE))
    notice = render_notice(language, _with(SITE, PROCESSORS))
    for part in (_who_sees_it(notice.summary, language), notice.full):
        assert "Securitas (beveiliging), CleanCo" in part
    assert "Securitas" not in without.text
    assert notice.version != without.version


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_data_protection_officer_is_named_when_there_is_one(language: str) -> None:
    assert "fg@acme.test" not in render_notice(language, _with(SITE)).text
    notice = render_notice(language, _with(SITE, DPO))
    assert "fg@acme.test" in notice.summary
    assert "fg@acme.test" in notice.full
    # A sentence of its own, after the privacy contact's: "dpo@acme.test. Data protection…"
    for part in (notice.summary, notice.full):
        assert not re.search(r"[a-z]\.[A-Z]", part), part


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_what_is_recorded_is_complete_and_what_is_required_is_said(language: str) -> None:
    notice = render_notice(language, _with(SITE))
    for said in TECHNICAL[language]:
        assert said in notice.full
    assert REQUIRED_SHORT[language] in notice.summary
    assert REQUIRED[language] in notice.full.lower()
    for claim in NOTHING_MORE:
        assert claim not in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_complaint_may_go_where_the_visitor_lives_or_works(language: str) -> None:
    notice = render_notice(language, _with(SITE))
    assert WHERE_YOU_LIVE[language] in notice.full


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_notice_names_the_system_as_the_company_notice_does(language: str) -> None:
    assert SYSTEM[language] in render_notice(language, _with(SITE)).full


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_way_out_is_named_by_its_button_as_an_alternative(language: str) -> None:
    notice = render_notice(language, _with(SITE))
    button = catalog(language).text("notice.decline")
    assert f"*{button}*" in notice.summary
    assert f"*{button}*" in notice.objection  # objecting before registering
    assert "reception" in button.lower() or "receptie" in button.lower()


BADGE_COMPANY = {
    "en": "Your name, company and host are printed on your badge",
    "nl": "Uw naam, bedrijf en contactpersoon staan op uw bezoekerspas",
    "da": "Dit navn, din virksomhed og din vært står på dit gæstekort",
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_notice_says_what_the_badge_shows(language: str) -> None:
    without = render_notice(language, _with(SITE))
    with_company = render_notice(language, _with(SITE, {"badge": {"show_company": True}}))
    assert BADGE_COMPANY[language] not in without.full
    assert BADGE_COMPANY[language] in with_company.full


def test_the_notice_names_the_site_in_its_language() -> None:
    config = _with(SITE, {"site": {"names": {"nl": "Acme Lobby West (NL)"}}})
    assert "Acme Lobby West (NL)" in render_notice("nl", config).full
    assert "Acme Lobby West (NL)" not in render_notice("en", config).full
    assert "Acme Lobby West" in render_notice("en", config).full


# What the whole notice says only because a setting makes it true (review §2, new
# observations): the auto sign-out and its time, who tells the host, what the chat message holds,
# that the visit records whether the host was told, and the copies made outside the kiosk.
RECORD_HEADING = {
    "en": "## What we record",
    "nl": "## Wat we vastleggen",
    "da": "## Hvad vi registrerer",
}
RECIPIENTS_HEADING = {
    "en": "## Who can see it",
    "nl": "## Wie uw gegevens kan zien",
    "da": "## Hvem kan se dine oplysninger",
}
KEPT_HEADING = {
    "en": "## How long we keep it",
    "nl": "## Hoe lang we uw gegevens bewaren",
    "da": "## Hvor længe vi opbevarer dine oplysninger",
}


def _section(full: str, heading: str) -> str:
    """One section of the whole notice, from its heading up to the next one."""
    start = full.index(heading)
    end = full.find("\n## ", start + len(heading))
    return full[start:] if end == -1 else full[start:end]


AUTO_CLOSED = {
    "en": "closed automatically at {time} local time",
    "nl": "sluiten we om {time} uur plaatselijke tijd automatisch af",
    "da": "afsluttes automatisk kl. {time} lokal tid",
}
# What any claim of an automatic sign-out says, whatever the time (and what the fixed text said).
AUTOMATIC_CLOSING = {
    "en": ("closed automatically", "end of the day"),
    "nl": ("automatisch af", "eind van de dag"),
    "da": ("afsluttes automatisk", "sidst på dagen"),
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_auto_sign_out_is_claimed_only_at_the_time_it_runs(language: str) -> None:
    never = _with(SITE, {"kiosk": {"auto_sign_out": ""}})
    assert never.auto_sign_out_time() is None
    text = render_notice(language, never).text
    for claim in AUTOMATIC_CLOSING[language]:
        assert claim not in text
    assert "23:00" not in text

    at_23 = render_notice(language, _with(SITE, {"kiosk": {"auto_sign_out": "23:00"}}))
    kept = _section(at_23.full, KEPT_HEADING[language])
    assert AUTO_CLOSED[language].format(time="23:00") in kept
    # The time the auto sign-out keeps (Config.auto_sign_out_time), written "HH:MM".
    early = render_notice(language, _with(SITE, {"kiosk": {"auto_sign_out": "7:45"}}))
    assert AUTO_CLOSED[language].format(time="07:45") in early.full
    assert "23:00" not in early.text
    versions = {n.version for n in (render_notice(language, never), at_23, early)}
    assert len(versions) == 3


RECEPTION_TELLS_THE_HOST = {
    "en": "Reception lets the person you are visiting know that you have arrived; "
    "this kiosk does not send them a message.",
    "nl": "De receptie laat uw contactpersoon weten dat u er bent; "
    "deze kiosk stuurt hem of haar geen bericht.",
    "da": "Receptionen giver din vært besked om, at du er kommet; "
    "kiosken sender ikke selv værten nogen besked.",
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_notification_off_the_notice_says_reception_tells_the_host(language: str) -> None:
    off = render_notice(language, _with(SITE))
    assert RECEPTION_TELLS_THE_HOST[language] in _section(off.full, RECIPIENTS_HEADING[language])
    for on in (MAIL, MAIL_AND_WEBHOOK):  # the kiosk e-mails the host: reception need not
        assert (
            RECEPTION_TELLS_THE_HOST[language] not in render_notice(language, _with(SITE, on)).text
        )


# Each field of the webhook's JSON (kiosk/notify/message.py, webhook_payload) that tells about
# the visitor, and the words the notice says it with; the others tell nothing about anyone.
CHAT_HOLDS = {
    "visitor_name": {"en": "your name", "nl": "uw naam", "da": "dit navn"},
    "company": {"en": "your company", "nl": "uw bedrijf", "da": "din virksomhed"},
    "host": {
        "en": "the name of the person you are visiting",
        "nl": "de naam van uw contactpersoon",
        "da": "navnet på din vært",
    },
    "signed_in_at": {
        "en": "when and where you signed in",
        "nl": "hoe laat en waar u zich heeft aangemeld",
        "da": "hvornår og hvor du tjekkede ind",
    },
}
CHAT_HOLDS["time"] = CHAT_HOLDS["kiosk"] = CHAT_HOLDS["site"] = CHAT_HOLDS["signed_in_at"]
CHAT_SAYS_NOTHING_MORE = {"event", "message_id", "text"}  # `text` is the fields in one sentence
CHAT_READERS = {
    "en": "where everyone in that channel can read it",
    "nl": "waar iedereen in dat kanaal het kan lezen",
    "da": "hvor alle i kanalen kan læse den",
}
EVACUATION = {
    "en": "In an evacuation, the list of who is inside goes to our fire marshals and, if needed, "
    "to the emergency services.",
    "nl": "Bij een ontruiming gaat de lijst van wie er binnen is naar onze bedrijfshulpverleners "
    "en zo nodig naar de hulpdiensten.",
    "da": "Ved en evakuering går listen over, hvem der er i bygningen, til vores "
    "evakueringsansvarlige og om nødvendigt til redningsberedskabet.",
}

ONLY_THE_LAW = {
    "en": r"^ We do not pass your data to anyone else, unless the law requires us to \(",
    "nl": r"^ We geven uw gegevens niet aan anderen door, tenzij de wet ons daartoe verplicht \(",
    "da": r"^ Vi videregiver ikke dine oplysninger til andre, medmindre loven kræver det \(",
}


def test_the_notice_knows_every_field_the_webhook_sends() -> None:
    arrival = Arrival(1, "Ann", "Noordzee", "Bob", datetime(2026, 3, 2, 9, tzinfo=UTC), "k1", "S")
    payload = webhook_payload(arrival, message_id="0" * 32, language="en", tz=UTC)
    assert set(payload) == set(CHAT_HOLDS) | CHAT_SAYS_NOTHING_MORE


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_a_webhook_the_notice_says_what_the_chat_message_holds(language: str) -> None:
    full = render_notice(language, _with(SITE, MAIL_AND_WEBHOOK)).full
    # From the channel's name up to the next recipient (the evacuation list).
    start = full.index(CHAT[language])
    chat = full[start : full.index(EVACUATION[language], start)]
    assert CHAT_READERS[language] in chat
    for words in CHAT_HOLDS.values():
        assert words[language] in chat
    host = CHAT_HOLDS["host"][language]
    assert host not in render_notice(language, _with(SITE, MAIL)).full  # the e-mail leaves it out


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("settings", [{}, MAIL, MAIL_AND_WEBHOOK])
def test_the_emergency_services_are_named_with_every_notify_setting(
    language: str, settings: Mapping[str, Any]
) -> None:
    config = _with(SITE, settings)
    recipients = _section(render_notice(language, config).full, RECIPIENTS_HEADING[language])
    assert EVACUATION[language] in recipients
    # Still nobody else, unless the law requires it; and the access report says the same.
    assert re.search(ONLY_THE_LAW[language], recipients.split(EVACUATION[language])[1])
    assert EVACUATION[language] in who_sees_it(config, language)


HOST_TOLD_RECORDED = {
    "en": "how you signed out, and whether our e-mail to the person you are visiting reached them.",
    "nl": "hoe u zich afmeldde, en of onze e-mail uw contactpersoon heeft bereikt.",
    "da": "hvordan du tjekkede ud, samt om vores mail til din vært nåede frem.",
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_visit_records_whether_the_host_was_told_only_when_they_are(language: str) -> None:
    """`visits.host_notice` is set only while the kiosk e-mails the host (kiosk/notify/plan.py)."""
    assert HOST_TOLD_RECORDED[language] not in render_notice(language, _with(SITE)).text
    for on in (MAIL, MAIL_AND_WEBHOOK):
        full = render_notice(language, _with(SITE, on)).full
        assert HOST_TOLD_RECORDED[language] in _section(full, RECORD_HEADING[language])


EXPORT_COPY = {
    "en": "export of the access log",
    "nl": "export van het toegangslogboek",
    "da": "udtræk af adgangsloggen",
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_copies_kept_outside_the_kiosk_are_those_the_settings_make(language: str) -> None:
    def kept(*settings: Mapping[str, Any]) -> str:
        full = render_notice(language, _with(SITE, *settings)).full
        return _section(full, KEPT_HEADING[language])

    for section in (kept(), kept(MAIL), kept(MAIL_AND_WEBHOOK)):
        assert EXPORT_COPY[language] in section
    assert "mail" not in kept()  # no e-mail is sent
    assert "mail" in kept(MAIL)
    assert "chat" not in kept(MAIL)
    assert "chat" in kept(MAIL_AND_WEBHOOK)
