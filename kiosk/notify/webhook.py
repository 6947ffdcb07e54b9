"""Handing one arrival to the site's webhook (a Microsoft Teams or Slack workflow) as a JSON POST,
with the standard library's `urllib`.

The address is https://, and the server's certificate and name are checked against the system's
trusted authorities (`ssl.create_default_context()`); http:// goes only to this machine
(localhost, 127.0.0.0/8, ::1), and any other address is refused before a connection is made (the
config refuses it first). A proxy named in the environment (`https_proxy`, `no_proxy`) is used,
never for this machine. A redirect is not followed: the message would go where the site did not
send it, and urllib would send it on as a GET without its body; the site fixes the URL instead.
Every network step (connect, TLS, each read) has a timeout, so a webhook that hangs holds up the
sender's thread, never a sign-in.

Each POST carries an `Idempotency-Key`, the outbox's stable id for the message: when the kiosk
stopped between the receiver's 2xx and noting it, the receiver can drop the copy sent again.

A failure says what kind it is (`kiosk.notify.delivery`): no answer, 408, 425, 429 or a 5xx is
`temporary`; a URL refused or gone (401, 403, 404, 410), a redirect or TLS `setup`; any other 4xx
`permanent`. Webhook URLs hold their secret in the path or query: a reason never holds the URL,
nor the payload."""

from __future__ import annotations

import http.client
import ipaddress
import json
import ssl
import string
import urllib.error
import urllib.request
from collections.abc import Mapping
from functools import cache
from http import HTTPStatus
from http.client import HTTPMessage
from importlib import metadata
from typing import IO
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from kiosk.notify.delivery import Accepted, SendFailed

PRODUCT = "visitor-kiosk"
# The URL is refused and should be fixed: a wrong or revoked secret, a deleted workflow.
SETUP_CODES = (401, 403, 404, 410)
# Busy or not ready: asked again later.
TEMPORARY_CODES = (408, 425, 429)
_REPLY_BYTES = 4096  # of an accepting answer's body, for its first words


def post(
    url: str,
    payload: Mapping[str, str],
    *,
    key: str,
    timeout_s: float = 10.0,
    context: ssl.SSLContext | None = None,
) -> Accepted:
    """POST `payload` as JSON to `url`, once; Accepted on a 2xx answer, SendFailed otherwise.
    `key` is the message's stable id (the Idempotency-Key header); `context` replaces the
    system's trusted authorities (the tests' own certificate)."""
    if not key or not key.isascii() or not key.isprintable():
        raise ValueError("the idempotency key must be printable ASCII")
    parts = _checked(url)
    local = _is_loopback(parts.hostname or "")
    request = urllib.request.Request(
        _plain(parts),
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "User-Agent": _user_agent(),
        },
        method="POST",
    )
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({} if local else None),  # None: from the environment
        urllib.request.HTTPSHandler(context=context or ssl.create_default_context()),
        _NoRedirects(),
    )
    try:
        with opener.open(request, timeout=timeout_s) as response:
            return _accepted(response, parts)
    except urllib.error.HTTPError as exc:  # every answer but a 2xx
        exc.close()
        raise _refused(exc.code) from None
    except urllib.error.URLError as exc:  # what failed while connecting and sending
        cause = exc.reason
        if isinstance(cause, BaseException):
            raise _failed(cause) from None
        raise SendFailed("temporary", _short(str(cause)) or "failed") from None
    except (OSError, http.client.HTTPException) as exc:  # while waiting for the answer
        raise _failed(exc) from None


@cache
def _user_agent() -> str:
    """The product and its installed version (read once, when the first POST goes)."""
    try:
        return f"{PRODUCT}/{metadata.version(PRODUCT)}"
    except metadata.PackageNotFoundError:
        return PRODUCT


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        return None  # not followed: the 3xx comes back as an HTTPError


def _checked(url: str) -> SplitResult:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise SendFailed("setup", "the webhook URL is not an https:// address")
    if parts.scheme == "http" and not _is_loopback(host):
        raise SendFailed("setup", "the webhook URL is http:// to another machine (not encrypted)")
    if parts.username is not None or parts.password is not None:
        raise SendFailed("setup", "the webhook URL holds a user name (not supported)")
    try:
        _ = parts.port  # raises on a port that is not one
        host.encode("idna")
    except ValueError:  # UnicodeError is one
        raise SendFailed("setup", "the webhook URL's host or port is not valid") from None
    return parts


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _plain(parts: SplitResult) -> str:
    """The URL as sent: letters beyond ASCII and spaces in the path and query %-encoded (the
    request line is ASCII), everything else as the site wrote it; no fragment."""
    path = quote(parts.path or "/", safe=string.punctuation)
    query = quote(parts.query, safe=string.punctuation)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _accepted(response: http.client.HTTPResponse, parts: SplitResult) -> Accepted:
    # Taken once the status line said so: a body that does not come costs only the reply text.
    try:
        text = response.read(_REPLY_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        text = ""
    for secret in (parts.query, parts.path):
        if len(secret) > 1:
            text = text.replace(secret, "…")
    return Accepted(response.status, " ".join(text.split())[:120] or response.reason)


def _refused(code: int) -> SendFailed:
    if 300 <= code < 400:
        return SendFailed("setup", "the webhook redirects", code)
    reason = f"the webhook answered {_phrase(code)}"
    if code in SETUP_CODES:
        return SendFailed("setup", reason, code)
    if code in TEMPORARY_CODES or code >= 500:
        return SendFailed("temporary", reason, code)
    if 400 <= code < 500:
        return SendFailed("permanent", reason, code)
    return SendFailed("temporary", "the webhook answered what HTTP does not define", code)


def _failed(exc: BaseException) -> SendFailed:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendFailed("setup", f"the webhook's certificate: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return SendFailed("setup", f"TLS: {exc.reason or 'failed'}")
    if isinstance(exc, TimeoutError):
        return SendFailed("temporary", "no answer in time")
    if isinstance(exc, http.client.InvalidURL):
        return SendFailed("setup", "the webhook URL is not valid")
    if isinstance(exc, OSError):  # refused, reset, unreachable, no such host, a proxy's refusal
        return SendFailed("temporary", exc.strerror or _short(str(exc)) or type(exc).__name__)
    return SendFailed("temporary", "the webhook's answer is not HTTP")


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "an unknown status"


def _short(text: str) -> str:
    return text.splitlines()[0][:120] if text else ""
