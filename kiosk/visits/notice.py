"""The visitor privacy notice (GDPR Art. 13) in the visitor's language, filled in from config.

The retention period shown is `config.retention.visit_days`, the same value the cleanup
enforces. Who is told of an arrival ("Who sees it", "Who can see it") is chosen by
`config.notify`, the same settings that switch telling the host on: while they are off the
notice does not mention it (and reads exactly as it did before the kiosk could tell anyone).
A notice's version is a hash of the words shown, so it changes whenever the text, the
controller, the contact, the retention period or who is told changes; each visit stores it.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from kiosk.domain.ports import NoticeText
from kiosk.settings.assets import asset_path
from kiosk.settings.config import Config, NotifyConfig

NOTICE_PARTS = ("title", "summary", "full", "objection_title", "objection")
# Values from the settings, usable in the parts and in the recipients' texts.
SETTING_FIELDS = frozenset(
    {"site", "controller", "privacy_contact", "supervisory_authority", "retention_days"}
)
# Who is told of an arrival: a table per field in the notice file, one text per variant.
RECIPIENT_FIELDS = ("who_sees_it", "who_can_see_it")
Recipients = Literal["off", "email", "email_webhook"]
RECIPIENT_VARIANTS: tuple[Recipients, ...] = ("off", "email", "email_webhook")
NOTICE_FIELDS = SETTING_FIELDS | frozenset(RECIPIENT_FIELDS)


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
def _notice_file(language: str) -> dict[str, Any]:
    with asset_path("notice", f"{language}.toml").open("rb") as fh:
        return tomllib.load(fh)


def notice_template(language: str) -> dict[str, str]:
    raw = _notice_file(language)
    return {part: str(raw[part]).strip() for part in NOTICE_PARTS}


def recipient_templates(language: str) -> dict[str, dict[Recipients, str]]:
    """For each of RECIPIENT_FIELDS, its text in each variant."""
    raw = _notice_file(language)
    return {
        field: {variant: str(raw[field][variant]).strip() for variant in RECIPIENT_VARIANTS}
        for field in RECIPIENT_FIELDS
    }


def recipients(notify: NotifyConfig) -> Recipients:
    """Who the notice says is told of an arrival: nobody while notification is off (the webhook
    goes only with a mail server, as `NotifyConfig.on` says), else the host by e-mail, and the
    webhook's channel too when one is set."""
    if not notify.on:
        return "off"
    return "email_webhook" if notify.webhook_url else "email"


def who_sees_it(config: Config, language: str = "en") -> str:
    """The notice's "Who sees it" for these settings, as a sentence of its own (the visitor's
    access report lists the recipients in the same words)."""
    text = recipient_templates(language)["who_sees_it"][recipients(config.notify)]
    text = text.format(**notice_values(config))
    return text[:1].upper() + text[1:]


def notice_values(config: Config) -> dict[str, str]:
    return {
        "site": config.site.name,
        "controller": config.site.controller,
        "privacy_contact": config.site.privacy_contact,
        "supervisory_authority": config.site.supervisory_authority,
        "retention_days": str(config.retention.visit_days),
    }


def render_notice(language: str, config: Config) -> Notice:
    settings = notice_values(config)
    variant = recipients(config.notify)
    values = dict(settings)
    for field, texts in recipient_templates(language).items():
        values[field] = texts[variant].format(**settings)
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
