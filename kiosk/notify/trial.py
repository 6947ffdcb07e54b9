"""`visitor-kiosk notify-test ADDRESS`: one test message through the site's `[notify]` settings,
sent at once (not through the outbox) so that whoever sets the kiosk up sees what the mail
server said: accepted, or why not."""

from __future__ import annotations

import secrets
import ssl

from kiosk.notify.delivery import Accepted
from kiosk.notify.message import trial_message
from kiosk.notify.sender import smtp_server
from kiosk.notify.smtp import send
from kiosk.settings.config import Config


def send_test_message(
    config: Config, address: str, context: ssl.SSLContext | None = None
) -> Accepted:
    """Hand one test message for `address` to the mail server; SendFailed says why not.
    `context` replaces the system's trusted authorities (the tests' own certificate)."""
    notify = config.notify
    message = trial_message(
        language=config.default_language,
        sender=notify.sender,
        to=[address],
        message_id=secrets.token_hex(16),
        site=config.site_name(config.default_language),
    )
    return send(smtp_server(config), message, context)
