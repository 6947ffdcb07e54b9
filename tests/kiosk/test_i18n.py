"""The kiosk's words and notices in every supported language (assets/i18n, assets/notice)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.settings.assets import asset_path
from kiosk.settings.config import SUPPORTED_LANGUAGES
from kiosk.settings.i18n import (
    REFERENCE_LANGUAGE,
    TranslationError,
    catalog,
    language_name,
    placeholders,
)
from kiosk.visits.notice import (
    CHOICES,
    NOTICE_FIELDS,
    NOTICE_PARTS,
    SETTING_FIELDS,
    choice_templates,
    notice_template,
)

OTHER_LANGUAGES = [lang for lang in SUPPORTED_LANGUAGES if lang != REFERENCE_LANGUAGE]


def _toml(*parts: str) -> dict[str, object]:
    with asset_path(*parts).open("rb") as fh:
        return tomllib.load(fh)


def test_english_is_the_reference() -> None:
    assert REFERENCE_LANGUAGE == "en"
    assert REFERENCE_LANGUAGE in SUPPORTED_LANGUAGES
    assert len(catalog("en").messages) > 20


@pytest.mark.parametrize("folder", ["i18n", "notice"])
def test_a_file_per_supported_language(folder: str) -> None:
    files = {path.stem for path in Path(asset_path(folder)).glob("*.toml")}
    assert files == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_catalog_has_exactly_the_english_keys(language: str) -> None:
    reference = catalog(REFERENCE_LANGUAGE).messages
    messages = catalog(language).messages
    assert sorted(set(reference) - set(messages)) == []  # missing translations
    assert sorted(set(messages) - set(reference)) == []  # keys English does not have


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_catalog_keeps_the_placeholders(language: str) -> None:
    reference = catalog(REFERENCE_LANGUAGE).messages
    messages = catalog(language).messages
    differing = {
        key: (placeholders(reference[key]), placeholders(messages[key]))
        for key in reference
        if key in messages and placeholders(reference[key]) != placeholders(messages[key])
    }
    assert differing == {}


def test_placeholders_finds_the_names() -> None:
    assert placeholders("{field} is too long: at most {limit}") == {"field", "limit"}
    assert placeholders("no names here") == set()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_values_are_text_and_not_empty(language: str) -> None:
    raw = _toml("i18n", f"{language}.toml")
    assert raw
    for key, value in raw.items():
        assert isinstance(value, str), key
        assert value.strip(), f"{language}: {key} is empty"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_can_be_filled_in(language: str) -> None:
    messages = catalog(language)
    for key, template in messages.messages.items():
        values = {name: "X" for name in placeholders(template)}
        text = messages.text(key, **values)
        assert "{" not in text, key


@pytest.mark.parametrize(
    ("language", "name"), [("en", "English"), ("nl", "Nederlands"), ("da", "Dansk")]
)
def test_language_name_in_itself(language: str, name: str) -> None:
    assert language_name(language) == name


def test_missing_key_raises() -> None:
    with pytest.raises(TranslationError, match=r"no\.such\.key"):
        catalog("nl").text("no.such.key")


def test_text_fills_in_values() -> None:
    assert catalog("en").text("welcome.title", site="Acme") == "Welcome to Acme"
    assert "Acme" in catalog("da").text("welcome.title", site="Acme")


# The choices' variants that may be empty besides "none": the host is not e-mailed, so nothing is
# recorded of it; no auto sign-out, so none is claimed.
SAYS_NOTHING = {("host_told", "off"), ("auto_sign_out", "off")}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_notice_file_has_exactly_the_parts(language: str) -> None:
    raw = _toml("notice", f"{language}.toml")
    assert set(raw) == set(NOTICE_PARTS) | set(CHOICES)
    for part in NOTICE_PARTS:
        assert isinstance(raw[part], str)
        assert str(raw[part]).strip(), f"{language}: notice part {part} is empty"
    for field, variants in CHOICES.items():
        texts = raw[field]
        assert isinstance(texts, dict), field
        assert set(texts) == set(variants), field
        for variant, text in texts.items():
            assert isinstance(text, str)
            # "none": nothing to add (no officer, no contractors); and a sentence that is true
            # only with its setting on says nothing while it is off.
            assert text.strip() or variant == "none" or (field, variant) in SAYS_NOTHING, (
                f"{language}: {field}.{variant} is empty"
            )


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_recipients_appear_in_summary_and_full_text(language: str) -> None:
    template = notice_template(language)
    assert "who_sees_it" in placeholders(template["summary"])
    assert "who_can_see_it" in placeholders(template["full"])


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_choice_texts_use_only_the_settings(language: str) -> None:
    reference = choice_templates(REFERENCE_LANGUAGE)
    for field, texts in choice_templates(language).items():
        for variant, text in texts.items():
            assert placeholders(text) <= SETTING_FIELDS, (field, variant)
            assert placeholders(text) == placeholders(reference[field][variant]), (field, variant)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_notice_placeholders_are_known_fields(language: str) -> None:
    template = notice_template(language)
    for part in NOTICE_PARTS:
        assert placeholders(template[part]) <= NOTICE_FIELDS, part


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_notice_keeps_the_english_placeholders(language: str) -> None:
    reference = notice_template(REFERENCE_LANGUAGE)
    template = notice_template(language)
    for part in NOTICE_PARTS:
        assert placeholders(template[part]) == placeholders(reference[part]), part


def test_english_notice_uses_every_field() -> None:
    used = set().union(*(placeholders(t) for t in notice_template("en").values()))
    assert used == NOTICE_FIELDS
