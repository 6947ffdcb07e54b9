"""Messages that leave the kiosk (an e-mail to a visitor's host or to reception, a webhook
POST), as the outbox keeps them until a server has accepted each one.

A message is written in the same transaction as the visit it tells of, so a crash after the
commit cannot lose it; it is deleted once sent (or given up), and with its visit (retention,
erasure). It holds the host's address and refers to its visit for everything else: what is
sent is composed from the visit as it is when sending, so a correction reaches the message and
an erasure takes it away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.domain.visit import HostNotice


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class Reason(StrEnum):
    """Why a message goes, and so to whom: the host, or reception and why not the host."""

    ARRIVED = "arrived"  # to the host (or to the webhook)
    HOST_UNKNOWN = (
        "host_unknown"  # to reception: the host is not in the hosts file, or has no address
    )
    HOST_NOT_REACHED = (
        "host_not_reached"  # to reception: the host's message was not accepted in time
    )
    HOST_REFUSED = "host_refused"  # to reception: the mail server refused the host's address

    @property
    def to_reception(self) -> bool:
        return self is not Reason.ARRIVED


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str  # random; the e-mail's Message-ID and the webhook's Idempotency-Key
    visit_id: int
    channel: Channel
    reason: Reason
    address: str  # the host's e-mail address; "" for reception's and the webhook (settings)
    language: str
    created_at: datetime
    not_after: datetime  # not handed over by then: given up (a host's: reception is told)
    next_try_at: datetime
    attempts: int = 0
    last_error: str = ""  # the last failure's kind and code, never an address or a name


@dataclass(frozen=True)
class Notifications:
    """What a sign-in sends, written with the visit: its messages, and where telling the
    host then stands (None: nobody is told)."""

    messages: tuple[OutboxMessage, ...] = ()
    host_notice: HostNotice | None = None


NO_NOTIFICATIONS = Notifications()
