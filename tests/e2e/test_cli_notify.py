"""`visitor-kiosk notify-test ADDRESS` end to end, against a real SMTP server on loopback: one
test message through the [notify] settings (STARTTLS and a login included), and what the server
said, accepted or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clisupport import Cli, UsageError, ok
from smtpsupport import HOST, PASSWORD, USERNAME, MailServer, free_port, make_certificate


@pytest.fixture
def servers() -> Iterator[list[MailServer]]:
    started: list[MailServer] = []
    yield started
    for server in started:
        server.stop()


def config(tmp_path: Path, port: int, security: str = "none", extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[site]
name = "Harbour Office"

[notify]
smtp_host = "{HOST}"
smtp_port = {port}
smtp_security = "{security}"
sender = "kiosk@example.com"
reception = "reception@example.com"
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_a_test_message_arrives_and_the_server_reply_is_printed(
    cli: Cli, tmp_path: Path, servers: list[MailServer]
) -> None:
    certificate = make_certificate(tmp_path)
    server = MailServer(certificate, "starttls", auth=True).start()
    servers.append(server)
    password = tmp_path / "smtp-password"
    password.write_text(PASSWORD, encoding="utf-8")
    password.chmod(0o600)
    extra = f'smtp_username = "{USERNAME}"\nsmtp_password_file = "smtp-password"'
    path = config(tmp_path, server.port, "starttls", extra)

    result = ok(
        cli(
            "--config", path, "notify-test", "it@example.com",
            env={"SSL_CERT_FILE": str(certificate.cert)},
        )
    )  # fmt: skip

    assert "accepted the message: 250" in result.stdout
    assert "queued as test-1" in result.stdout
    [message] = server.messages
    assert message["To"] == "it@example.com"
    assert "Harbour Office" in message.as_string()


def test_a_refusal_is_printed_and_exits_1(
    cli: Cli, tmp_path: Path, servers: list[MailServer]
) -> None:
    server = MailServer(None).start()
    servers.append(server)
    server.refuse(550)

    result = cli("--config", config(tmp_path, server.port), "notify-test", "nobody@example.com")

    assert result.returncode == 1
    assert "did not take the message: permanent: recipient refused (550)" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.messages == []


def test_nothing_listening_is_said_plainly(cli: Cli, tmp_path: Path) -> None:
    result = cli("--config", config(tmp_path, free_port()), "notify-test", "it@example.com")
    assert result.returncode == 1
    assert "did not take the message: temporary" in result.stderr
    assert "Traceback" not in result.stderr


def test_with_notification_off_it_says_what_to_set(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("", encoding="utf-8")
    result = cli("--config", path, "notify-test", "it@example.com")
    assert result.returncode == 1
    assert "notify.smtp_host" in result.stderr


def test_a_bad_address_is_bad_input(cli: Cli, usage_error: UsageError, tmp_path: Path) -> None:
    path = config(tmp_path, free_port())
    assert "not an e-mail address" in usage_error(cli("--config", path, "notify-test", "jens"))
