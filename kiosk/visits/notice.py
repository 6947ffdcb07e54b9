"""The visitor privacy notice (GDPR Art. 13) in the visitor's language, filled in from config.

The retention period shown is `config.retention.visit_days`, the same value the cleanup
enforces. A notice's version is a hash of the words shown, so it changes whenever the
text, the controller, the contact or the retention period changes; each visit stores it.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache

from kiosk.domain.ports import NoticeText
from kiosk.settings.assets import asset_path
from kiosk.settings.config import Config

NOTICE_PARTS = ("title", "summary", "full", "objection_title", "objection")
NOTICE_FIELDS = frozenset(
    {"site", "controller", "privacy_contact", "supervisory_authority", "retention_days"}
)


@dataclass(frozen=True)
class Notice:
    language: str
    title: str
    summary: str  # the short first layer (Markdown)
    full: str  # the whole notice (Markdown)
    objection_title: str
    objection: str  # the right to object, shown apart (Markdown)

    @property
    def text(self) -> str:
        """Everything the visitor is shown, as one document (stored once per version)."""
        return "\n\n".join(
            [
                f"# {self.title}",
                self.summary,
                self.full,
                f"## {self.objection_title}",
                self.objection,
            ]
        )

    @property
    def version(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return f"{self.language}-{digest[:12]}"

    @property
    def stored(self) -> NoticeText:
        """What the database keeps of it, once per version."""
        return NoticeText(version=self.version, language=self.language, text=self.text)


@cache
def notice_template(language: str) -> dict[str, str]:
    with asset_path("notice", f"{language}.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return {part: str(raw[part]).strip() for part in NOTICE_PARTS}


def notice_values(config: Config) -> dict[str, str]:
    return {
        "site": config.site.name,
        "controller": config.site.controller,
        "privacy_contact": config.site.privacy_contact,
        "supervisory_authority": config.site.supervisory_authority,
        "retention_days": str(config.retention.visit_days),
    }


def render_notice(language: str, config: Config) -> Notice:
    values = notice_values(config)
    template = notice_template(language)
    return Notice(
        language=language, **{part: template[part].format(**values) for part in NOTICE_PARTS}
    )


class Notices:
    """The notice in each language, rendered from the settings that enforce it."""

    def __init__(self, config: Config) -> None:
        self._config = config

    def notice(self, language: str) -> Notice:
        return render_notice(language, self._config)
