"""What telling a visitor's arrival says (kiosk.notify.message): the e-mail to the host or to
reception, the webhook's JSON and the test message; only name, company, time and place
(PRIVACY.md, "Telling the host"), in the site's words, and nothing a visitor types can add a
header or run in the HTML."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import unescape
from typing import Any

import pytest

from kiosk.notify import message as composing
from kiosk.notify.message import REASONS, Arrival, Reason, email_message, webhook_payload
from kiosk.settings.config import SUPPORTED_LANGUAGES
from kiosk.settings.i18n import catalog

CEST = timezone(timedelta(hours=2))
TOKEN = "0123456789abcdef0123456789abcdef"
SENDER = "reception@acme.test"
ARRIVAL = Arrival(
    visit_id=42,
    visitor_name="Anna de Vries",
    company="Acme",
    host="Jens Hansen",
    signed_in_at=datetime(2025, 5, 12, 7, 5, tzinfo=UTC),
    kiosk_id="lobby-1",
    site="Acme Lobby West",
)
SUBJECT_TO_HOST = {
    "en": "Your visitor has arrived: Anna de Vries (Acme)",
    "nl": "Uw bezoeker is er: Anna de Vries (Acme)",
    "da": "Du har besøg: Anna de Vries (Acme)",
}


def arrival(**changes: Any) -> Arrival:
    return replace(ARRIVAL, **changes)


def mail(
    reason: Reason = Reason.ARRIVED,
    language: str = "en",
    of: Arrival = ARRIVAL,
    to: tuple[str, ...] = ("jens.hansen@acme.test",),
) -> EmailMessage:
    return email_message(
        of, reason=reason, language=language, sender=SENDER, to=to, message_id=TOKEN, tz=CEST
    )


def sent(message: EmailMessage) -> EmailMessage:
    """The message as the server receives it: its bytes, read back."""
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def html_part(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_host_is_told_name_company_time_and_place(language: str) -> None:
    message = sent(mail(language=language))
    assert message["Subject"] == SUBJECT_TO_HOST[language]
    assert message["From"] == SENDER
    assert message["To"] == "jens.hansen@acme.test"
    assert message.get_content_type() == "multipart/alternative"
    for text in (plain(message), unescape(html_part(message))):
        assert "Anna de Vries" in text
        assert "Acme" in text
        assert "09:05" in text  # 07:05 UTC, shown in the time zone given
        assert "Acme Lobby West" in text
        assert "lobby-1" in text
        assert catalog(language).text("notify.intro.arrived") in text
        assert catalog(language).text("notify.ask.host") in text
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert part.get_content_charset() == "utf-8"


def test_headers_say_it_was_sent_automatically_and_name_nobody() -> None:
    message = sent(mail())
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Message-ID"] == f"<{TOKEN}@acme.test>"
    assert message["Date"]
    assert message["Content-Language"] == "en"
    expected = {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "Content-Language",
        "MIME-Version",
        "Content-Type",
    }
    assert set(message.keys()) == expected
    for name in expected - {"Subject"}:
        assert "Anna" not in str(message[name])
        assert "Acme)" not in str(message[name])


def test_several_recipients_share_one_to_header() -> None:
    message = sent(mail(to=("a@acme.test", "b@acme.test")))
    assert message["To"] == "a@acme.test, b@acme.test"


def test_without_a_company_there_is_no_empty_bracket_or_line() -> None:
    message = sent(mail(of=arrival(company="")))
    assert message["Subject"] == "Your visitor has arrived: Anna de Vries"
    body = plain(message)
    assert "()" not in body
    assert "Company" not in body
    assert "Company" not in html_part(message)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("reason", [r for r in REASONS if r.to_reception])
def test_reception_is_told_why_and_asked_to_tell_the_host(language: str, reason: Reason) -> None:
    words = catalog(language)
    message = sent(mail(reason, language, to=("desk@acme.test",)))
    assert message["To"] == "desk@acme.test"
    assert message["Subject"] == words.text(
        "notify.subject.reception", host="Jens Hansen", visitor="Anna de Vries (Acme)"
    )
    for text in (plain(message), unescape(html_part(message))):
        assert words.text(f"notify.reason.{reason}", host="Jens Hansen") in text
        assert words.text("notify.ask.reception", host="Jens Hansen") in text
        assert words.text("notify.label.host") in text
        assert "Anna de Vries" in text
        assert "09:05" in text
    assert words.text("notify.ask.host") not in plain(message)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_reception_is_told_when_the_visitor_named_no_host(language: str) -> None:
    words = catalog(language)
    message = sent(mail("host_unknown", language, of=arrival(host=""), to=("desk@acme.test",)))
    assert message["Subject"] == words.text(
        "notify.subject.reception_no_host", visitor="Anna de Vries (Acme)"
    )
    body = plain(message)
    assert words.text("notify.reason.no_host") in body
    assert words.text("notify.ask.reception_no_host") in body
    assert words.text("notify.label.host") not in body


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_is_in_its_own_language(language: str) -> None:
    others = [lang for lang in SUPPORTED_LANGUAGES if lang != language]
    for reason in REASONS:
        body = plain(sent(mail(reason, language)))
        for other in others:
            assert catalog(other).text("notify.footer") not in body


def test_a_line_break_in_a_name_adds_no_header() -> None:
    hostile = arrival(
        visitor_name="Anna\r\nBcc: thief@evil.test",
        company="Acme\nX-Injected: yes",
        host="Jens\rHansen",
        site="Lobby\n\nSecret line",
    )
    for reason in REASONS:
        raw = mail(reason, of=hostile).as_bytes()
        message = sent(mail(reason, of=hostile))
        assert "Bcc" not in message
        assert "X-Injected" not in message
        assert b"\r\nBcc:" not in raw
        assert b"\nX-Injected:" not in raw
        assert "Anna Bcc: thief@evil.test (Acme X-Injected: yes)" in message["Subject"]
        assert "\nSecret line" not in plain(message)


def test_what_a_visitor_types_cannot_run_in_the_html() -> None:
    hostile = arrival(
        visitor_name="<script>alert(1)</script>",
        company='"><img src=x onerror=alert(2)>',
        host="Jens & <b>Hansen</b>",
    )
    for reason in REASONS:
        page = html_part(sent(mail(reason, of=hostile)))
        assert "<script" not in page
        assert "<img" not in page
        assert "<b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    page = html_part(sent(mail("host_refused", of=hostile)))
    assert "Jens &amp; &lt;b&gt;Hansen&lt;/b&gt;" in page
    # the plain text shows what was typed, as it was typed
    assert "<script>alert(1)</script>" in plain(sent(mail(of=hostile)))


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_letters_beyond_ascii_arrive_intact(language: str) -> None:
    someone = arrival(
        visitor_name="Søren Ærøskøbing-Łukasiewicz",
        company="Ølfabrikken Æbelø ApS",
        host="Zoë Çelik",
    )
    for reason in REASONS:
        composed = mail(reason, language, of=someone)
        raw = composed.as_bytes()
        assert max(raw) < 128  # 7-bit on the wire: no server needs 8BITMIME
        message = sent(composed)
        assert "Søren Ærøskøbing-Łukasiewicz (Ølfabrikken Æbelø ApS)" in message["Subject"]
        assert "Søren Ærøskøbing-Łukasiewicz" in plain(message)
        assert "Søren Ærøskøbing-Łukasiewicz" in html_part(message)


def test_a_long_name_folds_and_reads_back_whole() -> None:
    long_name = "Anna " + "van den " * 12 + "Berg"
    message = sent(mail(of=arrival(visitor_name=long_name)))
    assert message["Subject"] == f"Your visitor has arrived: {long_name} (Acme)"


def test_without_a_time_zone_the_machine_local_time_is_shown(amsterdam: None) -> None:
    message = email_message(
        ARRIVAL,
        reason=Reason.ARRIVED,
        language="en",
        sender=SENDER,
        to=["h@acme.test"],
        message_id=TOKEN,
    )
    assert "09:05" in plain(sent(message))  # CEST in May
    winter = arrival(signed_in_at=datetime(2025, 1, 13, 7, 5, tzinfo=UTC))
    payload = webhook_payload(winter, message_id=TOKEN, language="en")
    assert payload["time"] == "08:05"  # CET in January


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        arrival(signed_in_at=datetime(2025, 5, 12, 7, 5))
    with pytest.raises(ValueError, match="hex"):
        email_message(
            ARRIVAL,
            reason=Reason.ARRIVED,
            language="en",
            sender=SENDER,
            to=["h@acme.test"],
            message_id="visit-42-anna",
        )
    with pytest.raises(ValueError, match="addresses"):
        mail(to="h@acme.test")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="addresses"):
        mail(to=())
    with pytest.raises(ValueError, match="not a valid Reason"):
        mail("purpose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="domain"):
        email_message(
            ARRIVAL,
            reason=Reason.ARRIVED,
            language="en",
            sender="reception",
            to=["h@acme.test"],
            message_id=TOKEN,
        )


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_webhook_gets_flat_strings_and_one_sentence(language: str) -> None:
    payload = webhook_payload(ARRIVAL, message_id=TOKEN, language=language, tz=CEST)
    assert payload == {
        "event": "visitor_arrived",
        "message_id": TOKEN,
        "visitor_name": "Anna de Vries",
        "company": "Acme",
        "host": "Jens Hansen",
        "signed_in_at": "2025-05-12T07:05:00+00:00",
        "time": "09:05",
        "kiosk": "lobby-1",
        "site": "Acme Lobby West",
        "text": catalog(language).text(
            "notify.webhook.text",
            visitor="Anna de Vries (Acme)",
            host="Jens Hansen",
            time="09:05",
            place="Acme Lobby West, kiosk lobby-1",
        ),
    }
    assert all(isinstance(value, str) for value in payload.values())
    assert json.loads(json.dumps(payload)) == payload


def test_the_webhook_sentence_without_host_or_company() -> None:
    payload = webhook_payload(arrival(host="", company=""), message_id=TOKEN, language="en", tz=UTC)
    assert payload["host"] == ""
    assert payload["company"] == ""
    assert (
        payload["text"]
        == "Anna de Vries has arrived (signed in at 07:05, Acme Lobby West, kiosk lobby-1)."
    )


def test_the_webhook_gets_one_line_values() -> None:
    payload = webhook_payload(
        arrival(visitor_name="Anna\nde  Vries", host="Jens\r\nHansen"),
        message_id=TOKEN,
        language="en",
        tz=UTC,
    )
    assert payload["visitor_name"] == "Anna de Vries"
    assert payload["host"] == "Jens Hansen"
    assert "\n" not in payload["text"]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_test_message_names_the_site_and_nobody(language: str) -> None:
    composed = composing.trial_message(
        language=language,
        sender=SENDER,
        to=["it@acme.test"],
        message_id=TOKEN,
        site="Acme Lobby West",
    )
    message = sent(composed)
    words = catalog(language)
    assert message["Subject"] == words.text("notify.test.subject")
    assert message["To"] == "it@acme.test"
    assert message["Message-ID"] == f"<{TOKEN}@acme.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert words.text("notify.test.body", site="Acme Lobby West") in plain(message)
    assert "Acme Lobby West" in html_part(message)


def test_nothing_but_name_company_time_and_place_is_said() -> None:
    """The facts of every message are these rows: no purpose, no badge, not even the visit id."""
    words = catalog("en")
    labels = {key: words.text(f"notify.label.{key}") for key in LABELS}
    for reason in REASONS:
        body = plain(sent(mail(reason)))
        rows = [line for line in body.splitlines() if line.split(":")[0] in labels.values()]
        expected = [
            f"{labels['visitor']}: Anna de Vries",
            f"{labels['company']}: Acme",
            *([f"{labels['host']}: Jens Hansen"] if reason != "arrived" else []),
            f"{labels['time']}: 09:05",
            f"{labels['place']}: Acme Lobby West, kiosk lobby-1",
        ]
        assert rows == expected
        assert "42" not in body


LABELS = ("visitor", "company", "host", "time", "place")
