"""`[notify]` (contract: "Host notification"): off while smtp_host is empty; a mail server that
is reached in clear text only on this machine; the password only ever in a file of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.settings.config import ConfigError, load_config

WriteConfig = Callable[[str], Path]


def password_file(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "smtp-password"
    path.write_text("s3cret\n", encoding="utf-8")
    path.chmod(mode)
    return path


def test_off_by_default_and_while_smtp_host_is_empty(write_config: WriteConfig) -> None:
    assert not load_config(None).notify.on
    config = load_config(write_config('[notify]\nwebhook_url = "https://example.com/hook"\n'))
    assert not config.notify.on


def test_a_full_section_is_read(tmp_path: Path, write_config: WriteConfig) -> None:
    password_file(tmp_path)
    config = load_config(
        write_config(
            "[notify]\n"
            'smtp_host = "mail.example.com"\n'
            "smtp_port = 465\n"
            'smtp_security = "tls"\n'
            'smtp_username = "kiosk"\n'
            'smtp_password_file = "smtp-password"\n'
            'sender = "kiosk@example.com"\n'
            'reception = "desk@example.com"\n'
            "expire_after_s = 600\n"
            'webhook_url = "https://example.com/hook"\n'
        )
    )
    notify = config.notify
    assert notify.on
    assert (notify.smtp_host, notify.smtp_port, notify.smtp_security) == (
        "mail.example.com",
        465,
        "tls",
    )
    assert config.smtp_password_path() == tmp_path / "smtp-password"
    assert (notify.sender, notify.reception, notify.expire_after_s) == (
        "kiosk@example.com",
        "desk@example.com",
        600,
    )


def test_a_password_in_the_config_is_refused_and_the_message_does_not_repeat_it(
    write_config: WriteConfig,
) -> None:
    path = write_config('[notify]\nsmtp_host = "mail.example.com"\nsmtp_password = "hunter2"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "notify.smtp_password"
    assert "smtp_password_file" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_password_file_others_can_read_is_refused(
    tmp_path: Path, write_config: WriteConfig
) -> None:
    password_file(tmp_path, 0o644)
    text = (
        '[notify]\nsmtp_host = "mail.example.com"\n'
        'smtp_username = "k"\nsmtp_password_file = "smtp-password"\n'
    )
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        load_config(write_config(text))
    assert caught.value.key == "notify.smtp_password_file"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('smtp_host = "mail.example.com"\nsmtp_security = "ssl"', "notify.smtp_security"),
        ('smtp_host = "mail.example.com"\nsmtp_security = "none"', "notify.smtp_security"),
        ('smtp_host = "mail.example.com"\nsmtp_port = 0', "notify.smtp_port"),
        ('smtp_host = "mail.example.com"\nexpire_after_s = 5', "notify.expire_after_s"),
        ('smtp_host = "mail.example.com"\nreception = "reception"', "notify.reception"),
        ('smtp_host = "mail.example.com"\nsender = "a@b.c, d@e.f"', "notify.sender"),
        ('smtp_host = "mail.example.com"\nsmtp_username = "kiosk"', "notify.smtp_password_file"),
        ('smtp_host = "m"\nsmtp_password_file = "absent"', "notify.smtp_password_file"),
        ('smtp_host = "m"\nwebhook_url = "http://hooks.example.com/x"', "notify.webhook_url"),
        ('smtp_host = "m"\nwebhook_url = "ftp://hooks.example.com/x"', "notify.webhook_url"),
        ('smtp_host = "m"\nwebhook_url = "https://"', "notify.webhook_url"),
    ],
    ids=[
        "unknown-security",
        "clear-text-to-another-machine",
        "port-zero",
        "expiry-too-short",
        "reception-not-an-address",
        "two-senders",
        "username-without-password",
        "missing-password-file",
        "webhook-in-clear-text",
        "webhook-not-http",
        "webhook-without-host",
    ],
)
def test_bad_value_names_the_key(write_config: WriteConfig, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(f"[notify]\n{text}\n"))
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


def test_clear_text_and_plain_http_are_allowed_to_this_machine(write_config: WriteConfig) -> None:
    config = load_config(
        write_config(
            "[notify]\n"
            'smtp_host = "localhost"\n'
            "smtp_port = 25\n"
            'smtp_security = "none"\n'
            'webhook_url = "http://127.0.0.1:8080/hook"\n'
        )
    )
    assert config.notify.smtp_security == "none"
    assert config.notify.webhook_url == "http://127.0.0.1:8080/hook"
