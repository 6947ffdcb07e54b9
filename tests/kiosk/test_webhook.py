"""Posting an arrival to a real webhook receiver on loopback (`http.server` over TLS on a
throwaway certificate): the JSON, its headers and its letters arrive once and intact; the
certificate and name are checked, clear text goes to this machine only, a redirect is not
followed, and each answer is named so the outbox knows whether to try again, give up, or ask
for the URL to be fixed, in words that never hold the URL's secret."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpsupport import WebhookServer, closed_port
from smtpsupport import HOST, Certificate, make_certificate

from kiosk.notify.delivery import Accepted
from kiosk.notify.webhook import SendFailed, post

SECRET = "S3cretSig-never-logged"
# As a Teams workflow's: the secret is in the query; Slack's hold it in the path.
PATH = f"/workflows/7d1c/triggers/manual/paths/invoke?api-version=1&sig={SECRET}"
KEY = "notify-4711"
PAYLOAD = {
    "visitor": "Søren Ærøskøbing",
    "company": "IJsselmeer Visserij, café 't Hoekje",
    "host": "Jens Madsen",
    "text": "Søren Ærøskøbing (IJsselmeer Visserij) is here for Jens Madsen — geëerd, Zoë.",
}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("cert"))


@pytest.fixture
def servers() -> Iterator[list[WebhookServer]]:
    started: list[WebhookServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def webhook(servers: list[WebhookServer], certificate: Certificate) -> WebhookServer:
    server = WebhookServer(certificate).start()
    servers.append(server)
    return server


@pytest.fixture
def silent() -> Iterator[socket.socket]:
    """A loopback port that takes connections (the kernel's backlog) and never reads or
    answers; `connections(silent)` says who came."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        yield listener


def connections(listener: socket.socket) -> list[bytes]:
    """What each connection waiting on `listener` sent before it was closed."""
    listener.setblocking(False)
    got: list[bytes] = []
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return got
        with conn:
            conn.settimeout(2)
            got.append(conn.recv(65536))


def send(url: str, certificate: Certificate | None, timeout_s: float = 5.0) -> Accepted:
    context = certificate.client_context() if certificate else None
    return post(url, PAYLOAD, key=KEY, timeout_s=timeout_s, context=context)


def test_the_arrival_arrives_once_as_json_with_its_key_and_letters_intact(
    webhook: WebhookServer, certificate: Certificate
) -> None:
    webhook.answer(200, b'{"ok": true}', {"Content-Type": "application/json"})
    accepted = post(
        webhook.url(PATH), PAYLOAD, key=KEY, timeout_s=5, context=certificate.client_context()
    )
    assert (accepted.code, accepted.reply) == (200, '{"ok": true}')
    [got] = webhook.requests
    assert (got.method, got.path) == ("POST", PATH)
    assert got.body == json.dumps(PAYLOAD, ensure_ascii=False).encode("utf-8")
    assert json.loads(got.body.decode("utf-8")) == PAYLOAD
    assert "Søren Ærøskøbing".encode() in got.body  # as UTF-8, not \\u escapes
    headers = {name.lower(): value for name, value in got.headers.items()}
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["idempotency-key"] == KEY
    assert headers["user-agent"].startswith("visitor-kiosk/")
    assert headers["content-length"] == str(len(got.body))


@pytest.mark.parametrize(("code", "reply"), [(200, "Accepted"), (202, "Accepted"), (204, "")])
def test_a_2xx_answer_is_accepted(
    webhook: WebhookServer, certificate: Certificate, code: int, reply: str
) -> None:
    webhook.answer(code, reply.encode())
    accepted = send(webhook.url(PATH), certificate)
    assert accepted == Accepted(code, reply or "No Content")
    assert len(webhook.requests) == 1


def test_an_accepting_answer_that_echoes_the_url_keeps_its_secret(
    webhook: WebhookServer, certificate: Certificate
) -> None:
    webhook.answer(200, f"queued for POST {PATH}\n".encode())
    accepted = post(
        webhook.url(PATH), PAYLOAD, key=KEY, timeout_s=5, context=certificate.client_context()
    )
    assert accepted.code == 200
    assert accepted.reply.startswith("queued for POST")
    assert SECRET not in accepted.reply


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (503, "temporary"),
        (500, "temporary"),
        (429, "temporary"),
        (408, "temporary"),
        (404, "setup"),
        (401, "setup"),
        (403, "setup"),
        (410, "setup"),
        (400, "permanent"),
        (413, "permanent"),
    ],
)
def test_each_refusal_says_whether_to_try_again(
    webhook: WebhookServer, certificate: Certificate, code: int, kind: str
) -> None:
    # Receivers often echo the request's path: none of it may reach the log.
    webhook.answer(code, f"Cannot POST {PATH} ({json.dumps(PAYLOAD)})".encode())
    with pytest.raises(SendFailed) as failed:
        send(webhook.url(PATH), certificate)
    assert (failed.value.kind, failed.value.code) == (kind, code)
    assert SECRET not in str(failed.value)
    assert "Søren" not in str(failed.value)
    assert len(webhook.requests) == 1  # posted once; the outbox decides about again
    webhook.answer(200)
    assert send(webhook.url(PATH), certificate).code == 200


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(
    webhook: WebhookServer, certificate: Certificate, code: int
) -> None:
    webhook.answer(code, headers={"Location": webhook.url(f"/moved?sig={SECRET}")})
    with pytest.raises(SendFailed) as failed:
        send(webhook.url(PATH), certificate)
    assert (failed.value.kind, failed.value.reason, failed.value.code) == (
        "setup",
        "the webhook redirects",
        code,
    )
    assert [(got.method, got.path) for got in webhook.requests] == [("POST", PATH)]
    assert SECRET not in str(failed.value)


def test_a_webhook_that_takes_the_post_and_never_answers_costs_the_timeout(
    webhook: WebhookServer, certificate: Certificate
) -> None:
    webhook.hang()
    began = time.monotonic()
    with pytest.raises(SendFailed) as failed:
        send(webhook.url(PATH), certificate, timeout_s=0.5)
    took = time.monotonic() - began
    assert (failed.value.kind, failed.value.reason) == ("temporary", "no answer in time")
    assert took < 3.0
    assert len(webhook.requests) == 1


def test_a_server_that_accepts_and_never_speaks_costs_the_timeout(
    silent: socket.socket, certificate: Certificate
) -> None:
    url = f"https://{HOST}:{silent.getsockname()[1]}{PATH}"
    began = time.monotonic()
    with pytest.raises(SendFailed) as failed:
        send(url, certificate, timeout_s=0.5)  # waits for the TLS handshake's answer
    took = time.monotonic() - began
    assert (failed.value.kind, failed.value.reason) == ("temporary", "no answer in time")
    assert took < 3.0
    assert len(connections(silent)) == 1


def test_nothing_listening_is_a_temporary_fault(certificate: Certificate) -> None:
    with pytest.raises(SendFailed) as failed:
        send(f"https://{HOST}:{closed_port()}{PATH}", certificate)
    assert failed.value.kind == "temporary"
    assert SECRET not in str(failed.value)


def test_a_certificate_for_another_name_is_refused(
    servers: list[WebhookServer], tmp_path: Path
) -> None:
    elsewhere = make_certificate(tmp_path, "hooks.example.com")  # trusted, for another name
    server = WebhookServer(elsewhere).start()
    servers.append(server)
    with pytest.raises(SendFailed) as failed:
        send(server.url(PATH), elsewhere)
    assert failed.value.kind == "setup"
    assert "certificate" in failed.value.reason
    assert SECRET not in str(failed.value)
    assert server.requests == []


def test_a_certificate_the_kiosk_does_not_trust_is_refused(webhook: WebhookServer) -> None:
    with pytest.raises(SendFailed) as failed:
        send(webhook.url(PATH), None)  # the system's authorities: they never signed the test's
    assert failed.value.kind == "setup"
    assert "certificate" in failed.value.reason
    assert webhook.requests == []


@pytest.mark.parametrize("host", [HOST, "localhost"])
def test_clear_text_to_this_machine_is_posted(servers: list[WebhookServer], host: str) -> None:
    plain = WebhookServer(None).start()
    servers.append(plain)
    assert plain.url(PATH, host).startswith("http://")
    assert send(plain.url(PATH, host), None).code == 200
    [got] = plain.requests
    assert json.loads(got.body) == PAYLOAD


@pytest.mark.parametrize("host", ["0.0.0.0", "hooks.example.com"])
def test_clear_text_to_another_machine_is_refused_without_connecting(
    silent: socket.socket, host: str
) -> None:
    # 0.0.0.0 would reach the silent port on this machine: nobody may come.
    url = f"http://{host}:{silent.getsockname()[1]}{PATH}"
    with pytest.raises(SendFailed) as failed:
        send(url, None)
    assert failed.value.kind == "setup"
    assert "http://" in failed.value.reason
    assert SECRET not in str(failed.value)
    assert connections(silent) == []


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://hooks.example.com{PATH}",
        "file:///etc/passwd",
        f"hooks.example.com{PATH}",
        "https://",
    ],
)
def test_an_address_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(SendFailed) as failed:
        send(url, None)
    assert failed.value.kind == "setup"
    assert SECRET not in str(failed.value)


def test_a_proxy_from_the_environment_is_used_for_another_machine_through_a_tunnel(
    silent: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", f"http://{HOST}:{silent.getsockname()[1]}")
    with pytest.raises(SendFailed) as failed:
        send(f"https://hooks.example.com{PATH}", None, timeout_s=0.5)
    assert failed.value.kind == "temporary"  # the proxy never answered
    [sent] = connections(silent)
    assert sent.startswith(b"CONNECT hooks.example.com:443 ")
    assert SECRET.encode() not in sent  # the path goes inside the tunnel only


def test_no_proxy_is_used_for_this_machine(
    webhook: WebhookServer,
    certificate: Certificate,
    silent: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    proxy = f"http://{HOST}:{silent.getsockname()[1]}"
    monkeypatch.setenv("https_proxy", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    assert send(webhook.url(PATH), certificate, timeout_s=2).code == 200
    assert len(webhook.requests) == 1
    assert connections(silent) == []
