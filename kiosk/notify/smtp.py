"""Handing one message to the site's mail server, with the standard library's `smtplib`.

The connection is encrypted unless the site chose `none` (a relay on this machine): STARTTLS
on the submission port, or TLS from the first byte (`tls`, port 465). Either way the server's
certificate and name are checked against the system's trusted authorities
(`ssl.create_default_context()`): `smtplib` given no context checks nothing, and a message
would go to whoever answers. AUTH is used when a username is set. Every network call has a
timeout, so a mail server that hangs holds up the sender's thread for `timeout_s` at most,
never a sign-in.

A failure says what kind it is (`kiosk.notify.delivery`): a 4xx reply is `temporary`, a 5xx
about this message or its recipient `permanent`, TLS or a login refused `setup`."""

from __future__ import annotations

import io
import smtplib
import ssl
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from kiosk.notify.delivery import Accepted, FailureKind, SendFailed

SECURITY_MODES = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 587
    security: str = "starttls"  # one of SECURITY_MODES
    username: str = ""
    password: str = ""
    timeout_s: float = 20.0


def send(
    server: SmtpServer, message: EmailMessage, context: ssl.SSLContext | None = None
) -> Accepted:
    """Hand `message` to `server` (its From and To headers are the envelope); Accepted once
    the server said it took it, SendFailed otherwise. `context` replaces the system's trusted
    authorities (the tests' own certificate)."""
    if server.security not in SECURITY_MODES:
        raise SendFailed("setup", f"unknown security mode {server.security!r}")
    if context is None and server.security != "none":
        context = ssl.create_default_context()  # about 20 ms: it reads the system's authorities
    try:
        with _connect(server, context) as smtp:
            if server.username:
                smtp.login(server.username, server.password)
            return _deliver(smtp, message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        worst = max(codes) if codes else 550
        raise SendFailed(_kind_of(worst), "recipient refused", worst) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed("setup", "login refused", exc.smtp_code) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendFailed("setup", _short(str(exc))) from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(_kind_of(exc.smtp_code), "the server refused", exc.smtp_code) from None
    except ssl.SSLCertVerificationError as exc:
        raise SendFailed("setup", f"the server's certificate: {exc.verify_message}") from None
    except ssl.SSLError as exc:
        raise SendFailed("setup", f"TLS: {exc.reason or 'failed'}") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise SendFailed("temporary", _short(str(exc)) or "disconnected") from None
    except TimeoutError:
        raise SendFailed("temporary", "no answer in time") from None
    except OSError as exc:  # refused, unreachable, no such host
        raise SendFailed("temporary", exc.strerror or type(exc).__name__) from None


def _connect(server: SmtpServer, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if server.security == "tls":
        return smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout_s, context=context)
    smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
    try:
        if server.security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _deliver(smtp: smtplib.SMTP, message: EmailMessage) -> Accepted:
    # smtplib's send_message keeps no reply to the data; the same steps, with the reply.
    sender = parseaddr(str(message["From"]))[1]
    recipients = [address for _name, address in getaddresses([str(message["To"])])]
    smtp.ehlo_or_helo_if_needed()
    code, text = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, text, sender)
    for recipient in recipients:
        code, text = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    code, text = smtp.data(out.getvalue())
    if code != 250:
        raise smtplib.SMTPDataError(code, text)
    return Accepted(code, text.decode("utf-8", "replace"))


def _kind_of(code: int) -> FailureKind:
    return "temporary" if 400 <= code < 500 else "permanent"


def _short(text: str) -> str:
    return text.splitlines()[0][:120] if text else ""
