"""Who is told of an arrival, decided when the visitor signs in: the messages written with the
visit (`Visits.sign_in` takes a `WhoIsTold` as its `notifications`).

- The host chosen from the hosts file, with an address: one e-mail to them, in their language
  (else the site's), and the visit's host is `pending` until their server accepts it.
- A host typed as free text, or without an address: one e-mail to reception instead, and the
  host is `not_reached` at once (reception's list marks it).
- With `notify.webhook_url`: one POST as well, for whoever watches that channel.
Nothing while `notify.smtp_host` is empty (notification off)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.outbox import NO_NOTIFICATIONS, Channel, Notifications, OutboxMessage, Reason
from kiosk.domain.visit import HostNotice, Visit, normalise_text
from kiosk.settings.config import Config
from kiosk.visits.hosts import Host

# A message to reception is tried while its visitor is on site, and for a day at most.
RECEPTION_PATIENCE = timedelta(days=1)


def new_message(
    visit_id: int,
    channel: Channel,
    reason: Reason,
    *,
    address: str,
    language: str,
    now: datetime,
    expire_after_s: int,
) -> OutboxMessage:
    """A message to try from `now` on, with a random id (the e-mail's Message-ID and the
    webhook's key, so it tells nothing). One to reception waits `RECEPTION_PATIENCE`; any other
    `expire_after_s`."""
    patience = RECEPTION_PATIENCE if reason.to_reception else timedelta(seconds=expire_after_s)
    return OutboxMessage(
        message_id=secrets.token_hex(16),
        visit_id=visit_id,
        channel=channel,
        reason=reason,
        address=address,
        language=language,
        created_at=now,
        not_after=now + patience,
        next_try_at=now,
    )


class WhoIsTold:
    def __init__(self, config: Config, hosts: Iterable[Host], clock: Clock = utc_now) -> None:
        self._config = config
        self._clock = clock
        self._hosts: dict[str, Host] = {}
        for host in hosts:
            self._hosts.setdefault(host_key(host.name), host)

    def __call__(self, visit: Visit) -> Notifications:
        notify = self._config.notify
        if not notify.on:
            return NO_NOTIFICATIONS
        now = self._clock()
        site_language = self._config.default_language
        host = self._hosts.get(host_key(visit.host))
        if host is not None and host.email:
            to_host = (Reason.ARRIVED, host.email, host.language or site_language)
            host_notice = HostNotice.PENDING
        else:
            to_host = (Reason.HOST_UNKNOWN, "", site_language)
            host_notice = HostNotice.NOT_REACHED
        reason, address, language = to_host
        channels = [(Channel.EMAIL, reason, address, language)]
        if notify.webhook_url:
            channels.append((Channel.WEBHOOK, Reason.ARRIVED, "", site_language))
        messages = tuple(
            new_message(
                visit.visit_id,
                channel,
                reason,
                address=address,
                language=language,
                now=now,
                expire_after_s=notify.expire_after_s,
            )
            for channel, reason, address, language in channels
        )
        return Notifications(messages, host_notice)


def host_key(name: str) -> str:
    """A host's name as the hosts file and a sign-in are matched: normalised, case folded."""
    return normalise_text(name).casefold()
