"""How handing a message over ended, the same for every channel (the mail server, a webhook):
the outbox decides what to do next from it.

A failure says what kind it is: `temporary` (no answer, a 4xx reply, an HTTP 429 or 5xx: try
again later), `permanent` (the server refused this message or its recipient: trying again
cannot help) or `setup` (TLS, a login or a URL refused: the site's settings or the server's
certificate must be fixed; tried again, and logged as an error). Failures carry the server's
reply code and a short reason, never an address or a name: they are logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FailureKind = Literal["temporary", "permanent", "setup"]


@dataclass(frozen=True)
class Accepted:
    """The server took the message: its reply code and text."""

    code: int
    reply: str


class SendFailed(Exception):
    def __init__(self, kind: FailureKind, reason: str, code: int | None = None) -> None:
        super().__init__(f"{kind}: {reason}" + (f" ({code})" if code is not None else ""))
        self.kind: FailureKind = kind
        self.reason = reason
        self.code = code
