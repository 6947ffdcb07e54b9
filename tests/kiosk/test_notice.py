"""The privacy notice shown before any data is typed (PRIVACY.md, GDPR Art. 13 and 21)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from kiosk.settings.config import SUPPORTED_LANGUAGES, Config, parse_config
from kiosk.settings.i18n import catalog
from kiosk.visits.notice import Notice, render_notice

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
    "en": r"the person you are visiting.*e-mail",
    "nl": r"degene die u bezoekt.*e-mail",
    "da": r"den person, du besøger.*e-mail",
}
CHAT = {"en": "internal chat channel", "nl": "interne chatkanaal", "da": "interne chatkanal"}
# The notice's versions before the host could be told: with notification off a notice must
# still read exactly so, or every stored visit's notice version would stop matching.
VERSIONS_BEFORE_NOTIFY = {
    "default": {"en": "en-82655ad5f198", "nl": "nl-b9760c04242d", "da": "da-7a35ed65382d"},
    "site": {"en": "en-90fd6b3b5e6e", "nl": "nl-7047ef1fe512", "da": "da-ba17dc599b48"},
}


def _with(*settings: Mapping[str, Any]) -> Config:
    """One config from several tables of settings, merged section by section."""
    raw: dict[str, dict[str, Any]] = {}
    for table in settings:
        for name, values in table.items():
            raw.setdefault(name, {}).update(values)
    return parse_config(raw)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize(
    ("settings", "versions"),
    [
        ({}, "default"),
        (SITE, "site"),
        # A webhook without a mail server sends nothing (NotifyConfig.on), so it changes nothing.
        ({"notify": {"webhook_url": "https://hooks.acme.test/arrivals"}}, "default"),
    ],
)
def test_with_notification_off_the_notice_is_unchanged(
    language: str, settings: Mapping[str, Any], versions: str
) -> None:
    config = _with(settings)
    assert not config.notify.on
    notice = render_notice(language, config)
    assert notice.version == VERSIONS_BEFORE_NOTIFY[versions][language]
    assert "e-mail" not in notice.text
    assert "chat" not in notice.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_notification_on_the_notice_says_the_host_is_emailed(language: str) -> None:
    notice = render_notice(language, _with(SITE, MAIL))
    for part in (notice.summary, notice.full):
        assert re.search(HOST_TOLD[language], part, re.IGNORECASE)
        assert "chat" not in part  # no webhook: no chat channel
    assert "{" not in notice.text
    assert "47" in notice.summary  # the rest is filled in as before
    assert notice.version != VERSIONS_BEFORE_NOTIFY["site"][language]


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
