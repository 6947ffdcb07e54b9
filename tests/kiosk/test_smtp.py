"""Handing a message to a real SMTP server on loopback (aiosmtpd): STARTTLS and implicit TLS
with the certificate and name checked, AUTH, and each kind of failure named so the outbox
knows whether to try again, tell reception, or ask for the settings to be fixed."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from smtpsupport import HOST, PASSWORD, USERNAME, Certificate, MailServer, make_certificate

from kiosk.notify.smtp import SendFailed, SmtpServer, send


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("cert"))


@pytest.fixture
def servers() -> Iterator[list[MailServer]]:
    started: list[MailServer] = []
    yield started
    for server in started:
        server.stop()


def start(
    servers: list[MailServer], certificate: Certificate, security: str, auth: bool = False
) -> MailServer:
    server = MailServer(certificate, security, auth).start()
    servers.append(server)
    return server


def message(to: str = "jens.madsen@example.com") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "reception@example.com"
    msg["To"] = to
    msg["Subject"] = "Anna Jansen (Acme) is here"
    msg.set_content("Anna Jansen of Acme signed in at 09:12 at lobby-1.")
    return msg


def test_starttls_with_login_hands_over_one_message(
    servers: list[MailServer], certificate: Certificate
) -> None:
    server = start(servers, certificate, "starttls", auth=True)
    settings = SmtpServer(HOST, server.port, "starttls", USERNAME, PASSWORD, timeout_s=5)
    accepted = send(settings, message(), certificate.client_context())
    assert accepted.code == 250
    assert "queued as test-1" in accepted.reply
    [got] = server.messages
    assert got["To"] == "jens.madsen@example.com"
    assert got["Subject"] == "Anna Jansen (Acme) is here"


def test_implicit_tls_hands_over_the_message(
    servers: list[MailServer], certificate: Certificate
) -> None:
    server = start(servers, certificate, "tls", auth=True)
    settings = SmtpServer(HOST, server.port, "tls", USERNAME, PASSWORD, timeout_s=5)
    assert send(settings, message(), certificate.client_context()).code == 250
    assert len(server.messages) == 1


def test_a_certificate_the_kiosk_does_not_trust_is_refused(
    servers: list[MailServer], certificate: Certificate, tmp_path: Path
) -> None:
    server = start(servers, certificate, "starttls")
    settings = SmtpServer(HOST, server.port, "starttls", timeout_s=5)
    with pytest.raises(SendFailed) as failed:
        send(settings, message())  # the system's authorities: they never signed the test's
    assert failed.value.kind == "setup"
    assert "certificate" in failed.value.reason
    other = make_certificate(tmp_path)  # trusted, but not the server's
    with pytest.raises(SendFailed) as failed:
        send(settings, message(), other.client_context())
    assert failed.value.kind == "setup"
    assert server.messages == []


def test_a_certificate_for_another_name_is_refused(
    servers: list[MailServer], tmp_path: Path
) -> None:
    elsewhere = make_certificate(tmp_path, "mail.example.com")
    server = start(servers, elsewhere, "tls")
    with pytest.raises(SendFailed) as failed:
        send(
            SmtpServer(HOST, server.port, "tls", timeout_s=5), message(), elsewhere.client_context()
        )
    assert failed.value.kind == "setup"
    assert server.messages == []


def test_a_wrong_password_is_a_setup_fault(
    servers: list[MailServer], certificate: Certificate
) -> None:
    server = start(servers, certificate, "starttls", auth=True)
    settings = SmtpServer(HOST, server.port, "starttls", USERNAME, "wrong", timeout_s=5)
    with pytest.raises(SendFailed) as failed:
        send(settings, message(), certificate.client_context())
    assert (failed.value.kind, failed.value.reason) == ("setup", "login refused")
    assert server.messages == []


def test_a_server_without_starttls_gets_nothing_in_clear_text(
    servers: list[MailServer], certificate: Certificate
) -> None:
    server = start(servers, certificate, "none")
    with pytest.raises(SendFailed) as failed:
        send(SmtpServer(HOST, server.port, "starttls", timeout_s=5), message())
    assert failed.value.kind == "setup"
    assert "STARTTLS" in failed.value.reason
    assert server.messages == []
    # Asked for in so many words (a relay on this machine), clear text is used.
    assert send(SmtpServer(HOST, server.port, "none", timeout_s=5), message()).code == 250


@pytest.mark.parametrize(("code", "kind"), [(450, "temporary"), (550, "permanent")])
def test_a_refused_recipient_says_whether_to_try_again(
    servers: list[MailServer], certificate: Certificate, code: int, kind: str
) -> None:
    server = start(servers, certificate, "none")
    server.refuse(code)
    settings = SmtpServer(HOST, server.port, "none", timeout_s=5)
    with pytest.raises(SendFailed) as failed:
        send(settings, message())
    assert (failed.value.kind, failed.value.code) == (kind, code)
    assert "@" not in str(failed.value)  # logged: no address in it
    assert send(settings, message()).code == 250  # the next try goes through
    assert len(server.messages) == 1


def test_no_server_is_a_temporary_fault() -> None:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(SendFailed) as failed:
        send(SmtpServer(HOST, port, "none", timeout_s=2), message())
    assert failed.value.kind == "temporary"


def test_a_server_that_never_answers_costs_the_timeout_and_no_more() -> None:
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen()  # accepts the connection, never greets
        began = time.monotonic()
        with pytest.raises(SendFailed) as failed:
            send(SmtpServer(HOST, silent.getsockname()[1], "none", timeout_s=0.5), message())
        took = time.monotonic() - began
    assert failed.value.kind == "temporary"
    assert took < 2.0
