"""The kiosk's words in each language, from `assets/i18n/<lang>.toml`.

Each file is a flat table of message ids to text; `{name}` marks a value filled in at run time.
English is the reference: every other language must have exactly its keys and placeholders
(a test checks this, so a missing translation fails the build instead of showing an id).
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from kiosk.domain.visit import PURPOSES
from kiosk.settings.assets import asset_path

REFERENCE_LANGUAGE = "en"


class TranslationError(LookupError):
    pass


@dataclass(frozen=True)
class Catalog:
    language: str
    messages: dict[str, str]

    def text(self, key: str, **values: Any) -> str:
        try:
            template = self.messages[key]
        except KeyError:
            raise TranslationError(f"{self.language}: no text for {key!r}") from None
        return template.format(**values) if values else template

    def purpose(self, stored: str) -> str:
        """A visit's purpose as this language's reader sees it: a purpose picked from the
        list (stored as its key, `kiosk.domain.visit.PURPOSES`) in this language, one the
        visitor typed as typed."""
        return self.text(f"details.purpose.{stored}") if stored in PURPOSES else stored


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalog(language: str) -> Catalog:
    path = asset_path("i18n", f"{language}.toml")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    messages = {str(k): str(v) for k, v in raw.items()}
    return Catalog(language=language, messages=messages)


def language_name(language: str) -> str:
    """The language's name in itself ("Nederlands", "Dansk"), for the language buttons."""
    return catalog(language).text("language.name")
