"""The visitor privacy notice (GDPR Art. 13) in the visitor's language, filled in from config.

The retention period shown is `config.retention.visit_days`, the same value the cleanup
enforces. What the settings make true is chosen from the notice file's choices: who sees the
data (`config.notify` says whether the host is e-mailed and whether the chat channel is told;
`site.processors` names contractors), whether the kiosk records that the host was told, which
copies are made outside the kiosk, the data protection officer (`site.dpo_contact`), what the
badge shows (`badge.show_company`), and when visits nobody signed out are closed
(`kiosk.auto_sign_out`, the time `Config.auto_sign_out_time` gives the auto sign-out; nothing
is said when it is off).
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
# Values from the settings, usable in the parts and in the choices' texts.
SETTING_FIELDS = frozenset(
    {
        "site",
        "controller",
        "privacy_contact",
        "supervisory_authority",
        "retention_days",
        "dpo_contact",
        "processors",
        "auto_sign_out",
    }
)
# Who is told of an arrival: the variants of the two recipient choices.
Recipients = Literal["off", "email", "email_webhook"]
RECIPIENT_VARIANTS: tuple[Recipients, ...] = ("off", "email", "email_webhook")
RECIPIENT_FIELDS = ("who_sees_it", "who_can_see_it")
# Texts the settings choose between: a table per choice in the notice file, one text per
# variant. `processors` is filled in first: the recipient texts use it. Like `processors`, the
# setting `auto_sign_out` (the time, "HH:MM") is used only inside its choice, whose text then
# takes its name.
CHOICES: dict[str, tuple[str, ...]] = {
    "processors": ("none", "listed"),
    "dpo": ("none", "set"),
    "dpo_full": ("none", "set"),
    "badge": ("name_host", "name_company_host"),
    "who_sees_it": RECIPIENT_VARIANTS,
    "who_can_see_it": RECIPIENT_VARIANTS,
    # Whether the visit records that the host was told (`host_notice`): only when they are.
    "host_told": ("off", "on"),
    # Copies made outside the kiosk for the same purpose: the e-mail and chat message too.
    "copies": RECIPIENT_VARIANTS,
    # Visits nobody signed out: closed at the time set, or nothing said when that is off.
    "auto_sign_out": ("off", "set"),
}
# What the parts use: the settings shown as they are, and the chosen texts (the data protection
# officer's contact and the processors appear only inside those).
NOTICE_FIELDS = (SETTING_FIELDS - {"dpo_contact", "processors"}) | (
    frozenset(CHOICES) - {"processors"}
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
def _notice_file(language: str) -> dict[str, Any]:
    with asset_path("notice", f"{language}.toml").open("rb") as fh:
        return tomllib.load(fh)


def notice_template(language: str) -> dict[str, str]:
    raw = _notice_file(language)
    return {part: str(raw[part]).strip() for part in NOTICE_PARTS}


def choice_templates(language: str) -> dict[str, dict[str, str]]:
    """For each of CHOICES, its text in each variant."""
    raw = _notice_file(language)
    # Only the line breaks of a multi-line text go: a leading space ("Questions: x.{dpo}") is
    # part of the words.
    return {
        choice: {variant: str(raw[choice][variant]).strip("\n") for variant in variants}
        for choice, variants in CHOICES.items()
    }


def recipient_templates(language: str) -> dict[str, dict[str, str]]:
    """For each of RECIPIENT_FIELDS, its text in each variant."""
    choices = choice_templates(language)
    return {field: choices[field] for field in RECIPIENT_FIELDS}


def recipients(notify: NotifyConfig) -> Recipients:
    """Who the notice says is told of an arrival: nobody while notification is off (the webhook
    goes only with a mail server, as `NotifyConfig.on` says), else the host by e-mail, and the
    webhook's channel too when one is set."""
    if not notify.on:
        return "off"
    return "email_webhook" if notify.webhook_url else "email"


def chosen(config: Config) -> dict[str, str]:
    """The variant of each choice that the settings make true."""
    recipient = recipients(config.notify)
    dpo = "set" if config.site.dpo_contact else "none"
    return {
        "processors": "listed" if config.site.processors else "none",
        "dpo": dpo,
        "dpo_full": dpo,
        "badge": "name_company_host" if config.badge.show_company else "name_host",
        "who_sees_it": recipient,
        "who_can_see_it": recipient,
        "host_told": "on" if config.notify.on else "off",
        "copies": recipient,
        "auto_sign_out": "off" if config.auto_sign_out_time() is None else "set",
    }


def notice_values(config: Config, language: str = "en") -> dict[str, str]:
    """Every placeholder's value: the settings, then the chosen texts filled in with them."""
    auto_sign_out = config.auto_sign_out_time()
    values = {
        "site": config.site_name(language),
        "controller": config.site.controller,
        "privacy_contact": config.site.privacy_contact,
        "supervisory_authority": config.site.supervisory_authority,
        "retention_days": str(config.retention.visit_days),
        "dpo_contact": config.site.dpo_contact,
        "processors": ", ".join(config.site.processors),
        "auto_sign_out": "" if auto_sign_out is None else f"{auto_sign_out:%H:%M}",
    }
    texts = choice_templates(language)
    # processors first: the others use it. A choice named as a setting (processors,
    # auto_sign_out) is filled in with the setting's value, then takes its place.
    for choice, variant in chosen(config).items():
        values[choice] = texts[choice][variant].format(**values)
    return values


def who_sees_it(config: Config, language: str = "en") -> str:
    """The recipients for these settings as the whole notice names them ("Who can see it"):
    the visitor's access report lists them in the same words."""
    return notice_values(config, language)["who_can_see_it"].strip()


def render_notice(language: str, config: Config) -> Notice:
    values = notice_values(config, language)
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
