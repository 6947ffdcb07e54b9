"""What telling a visitor's arrival says: the e-mail to the host or to reception, the webhook's
JSON, and the test message of `visitor-kiosk notify-test`.

Only what PRIVACY.md allows leaves the kiosk: the visitor's name and company, the time they
signed in, and where (site and kiosk); never the purpose, the badge code or a photo. Every
word comes from the catalogs (`notify.*`), in the language given.

Every value is put on one line first (`normalise_text`: line breaks and other control
characters become spaces), so what a visitor typed can neither add a header to the e-mail nor
a line of its own to the text; in the HTML part every value is escaped. The e-mail says it was
sent automatically (`Auto-Submitted`, RFC 3834, and Exchange's `X-Auto-Response-Suppress`),
so out-of-office replies do not come back to the sender. Its Message-ID is the outbox's random
token at the sender's domain: nothing about the visitor is in it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from kiosk.domain.outbox import Reason
from kiosk.domain.visit import normalise_text
from kiosk.settings.i18n import Catalog, catalog

REASONS = tuple(Reason)

EVENT = "visitor_arrived"
_MESSAGE_ID = re.compile(r"[0-9a-fA-F]{16,64}")


@dataclass(frozen=True)
class Arrival:
    visit_id: int
    visitor_name: str
    company: str  # may be ""
    host: str  # the host's name as chosen or typed; may be ""
    signed_in_at: datetime  # timezone-aware (UTC)
    kiosk_id: str
    site: str  # config.site.name

    def __post_init__(self) -> None:
        if self.signed_in_at.utcoffset() is None:
            raise ValueError("Arrival.signed_in_at must be timezone-aware")


def email_message(
    arrival: Arrival,
    *,
    reason: Reason,
    language: str,
    sender: str,
    to: Sequence[str],
    message_id: str,
    tz: tzinfo | None = None,
) -> EmailMessage:
    """The e-mail telling `to` of `arrival`: to the host (`reason` "arrived"), or to reception
    saying why the host was not told. Times in `tz` (None: the machine's local time zone);
    the Date header is when the message is composed, as RFC 5322 has it."""
    reason = Reason(reason)  # ValueError for one that is not
    words = catalog(language)
    facts = _Facts.of(arrival, words, tz)
    if reason is Reason.ARRIVED:
        subject = words.text("notify.subject.arrived", visitor=facts.visitor)
        opening = [words.text("notify.intro.arrived")]
        closing = [words.text("notify.ask.host")]
    elif facts.host:
        subject = words.text("notify.subject.reception", host=facts.host, visitor=facts.visitor)
        opening = [
            words.text("notify.intro.reception", host=facts.host),
            words.text(f"notify.reason.{reason}", host=facts.host),
            words.text("notify.ask.reception", host=facts.host),
        ]
        closing = []
    else:  # no host given: whatever went wrong, reception must find out whom they visit
        subject = words.text("notify.subject.reception_no_host", visitor=facts.visitor)
        opening = [
            words.text("notify.intro.reception_no_host"),
            words.text("notify.reason.no_host"),
            words.text("notify.ask.reception_no_host"),
        ]
        closing = []
    rows = facts.rows(words, with_host=reason.to_reception)
    return _compose(
        _Letter(
            language=language,
            subject=subject,
            opening=opening,
            rows=rows,
            closing=closing,
            footer=words.text("notify.footer"),
        ),
        sender=sender,
        to=to,
        message_id=message_id,
        tz=tz,
    )


def webhook_payload(
    arrival: Arrival, *, message_id: str, language: str, tz: tzinfo | None = None
) -> dict[str, str]:
    """One arrival as a flat JSON object of strings (a Slack workflow takes only top-level
    string variables); `text` is one ready sentence in `language`."""
    words = catalog(language)
    facts = _Facts.of(arrival, words, tz)
    if facts.host:
        text = words.text(
            "notify.webhook.text",
            visitor=facts.visitor,
            host=facts.host,
            time=facts.time,
            place=facts.place,
        )
    else:
        text = words.text(
            "notify.webhook.text_no_host", visitor=facts.visitor, time=facts.time, place=facts.place
        )
    return {
        "event": EVENT,
        "message_id": _checked_id(message_id),
        "visitor_name": facts.name,
        "company": facts.company,
        "host": facts.host,
        "signed_in_at": arrival.signed_in_at.astimezone(UTC).isoformat(timespec="seconds"),
        "time": facts.time,
        "kiosk": facts.kiosk,
        "site": facts.site,
        "text": text,
    }


def trial_message(
    *, language: str, sender: str, to: Sequence[str], message_id: str, site: str
) -> EmailMessage:
    """The message `visitor-kiosk notify-test ADDRESS` sends: it says nothing about anyone."""
    words = catalog(language)
    site = normalise_text(site)
    return _compose(
        _Letter(
            language=language,
            subject=words.text("notify.test.subject"),
            opening=[words.text("notify.test.body", site=site)],
            footer=words.text("notify.footer"),
        ),
        sender=sender,
        to=to,
        message_id=message_id,
        tz=None,
    )


def _clock(moment: datetime, tz: tzinfo | None = None) -> str:
    """HH:MM of `moment` in `tz` (None: the machine's local time zone)."""
    return f"{moment.astimezone(tz):%H:%M}"


@dataclass(frozen=True)
class _Facts:
    """What a message may say about an arrival, each value on one line."""

    name: str
    company: str
    host: str
    time: str
    site: str
    kiosk: str
    visitor: str  # the name, with the company in brackets when there is one
    place: str

    @classmethod
    def of(cls, arrival: Arrival, words: Catalog, tz: tzinfo | None) -> _Facts:
        name = normalise_text(arrival.visitor_name)
        company = normalise_text(arrival.company)
        site = normalise_text(arrival.site)
        kiosk = normalise_text(arrival.kiosk_id)
        return cls(
            name=name,
            company=company,
            host=normalise_text(arrival.host),
            time=_clock(arrival.signed_in_at, tz),
            site=site,
            kiosk=kiosk,
            visitor=f"{name} ({company})" if company else name,
            place=words.text("notify.place", site=site, kiosk=kiosk),
        )

    def rows(self, words: Catalog, *, with_host: bool) -> list[tuple[str, str]]:
        rows = [(words.text("notify.label.visitor"), self.name)]
        if self.company:
            rows.append((words.text("notify.label.company"), self.company))
        if with_host and self.host:
            rows.append((words.text("notify.label.host"), self.host))
        rows.append((words.text("notify.label.time"), self.time))
        rows.append((words.text("notify.label.place"), self.place))
        return rows


@dataclass(frozen=True)
class _Letter:
    """An e-mail's words, before they become text and HTML."""

    language: str
    subject: str
    opening: list[str]
    rows: list[tuple[str, str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    footer: str = ""

    def plain(self) -> str:
        blocks = ["\n".join(self.opening)]
        if self.rows:
            blocks.append("\n".join(f"{label}: {value}" for label, value in self.rows))
        blocks.extend(self.closing)
        blocks.append(f"-- \n{self.footer}")
        return "\n\n".join(blocks) + "\n"

    def html(self) -> str:
        e = html.escape
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{e(self.language)}">',
            '<head><meta charset="utf-8">',
            f"<title>{e(self.subject)}</title></head>",
            '<body style="font-family: sans-serif;">',
        ]
        parts += [f"<p>{e(line)}</p>" for line in self.opening]
        if self.rows:
            parts.append('<table role="presentation" cellpadding="4">')
            parts += [
                f'<tr><th align="left" valign="top">{e(label)}</th><td>{e(value)}</td></tr>'
                for label, value in self.rows
            ]
            parts.append("</table>")
        parts += [f"<p>{e(line)}</p>" for line in self.closing]
        parts.append(f'<p style="color: #666666; font-size: small;">{e(self.footer)}</p>')
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"


def _compose(
    letter: _Letter, *, sender: str, to: Sequence[str], message_id: str, tz: tzinfo | None
) -> EmailMessage:
    if isinstance(to, str) or not to:
        raise ValueError("to must be a non-empty list of addresses")
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = normalise_text(letter.subject)
    message["Date"] = format_datetime(datetime.now(UTC).astimezone(tz))
    message["Message-ID"] = f"<{_checked_id(message_id)}@{_domain(sender)}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    # Quoted-printable: 7-bit safe, whatever the server says of 8BITMIME.
    message.set_content(letter.plain(), charset="utf-8", cte="quoted-printable")
    message.add_alternative(letter.html(), subtype="html", charset="utf-8", cte="quoted-printable")
    # After the parts: add_alternative moves the Content-* headers there were into the first part.
    message["Content-Language"] = letter.language
    return message


def _checked_id(message_id: str) -> str:
    if not _MESSAGE_ID.fullmatch(message_id):
        raise ValueError("message_id must be a random hex token (16 to 64 hex digits)")
    return message_id


def _domain(sender: str) -> str:
    _local, at, domain = parseaddr(sender)[1].rpartition("@")
    if not at or not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        raise ValueError("sender must be an e-mail address with a domain")
    return domain
