"""A real SMTP server on loopback for the tests (aiosmtpd), with STARTTLS, implicit TLS and
AUTH where a test asks, on a throwaway certificate made with `openssl` for 127.0.0.1.

`MailServer.refuse(code, times)` makes the next `times` recipients get `code` (a 4xx to try
again later, a 5xx for good); `messages` holds what was accepted, parsed. A server can be
started on a given port (the one a stopped server had: the mail server "comes back").
`HangingServer` accepts connections and never answers: a mail server that hangs."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
USERNAME = "kiosk"
PASSWORD = "s3cret-for-tests"


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a kiosk that trusts this certificate's maker uses."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(folder: Path, name: str = "127.0.0.1") -> Certificate:
    cert, key = folder / "server.crt", folder / "server.key"
    san = f"IP:{name}" if name.replace(".", "").isdigit() else f"DNS:{name}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={san}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(cert, key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)
    refusals: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            code = self.refusals.pop(0) if self.refusals else None
        if code is not None:
            return f"{code} {'try again later' if code < 500 else 'no such mailbox'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 2.0.0 queued as test-1"


class MailServer:
    """`security`: "starttls" (offered, and required before AUTH), "tls" (implicit) or "none"."""

    def __init__(
        self,
        certificate: Certificate | None,
        security: str = "none",
        auth: bool = False,
        port: int | None = None,
    ) -> None:
        self.handler = _Handler()
        self.port = port or free_port()
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            assert certificate is not None
            kwargs.update(tls_context=certificate.server_context(), require_starttls=True)
        elif security == "tls":
            assert certificate is not None
            kwargs.update(ssl_context=certificate.server_context())
        if auth:
            kwargs.update(
                authenticator=_check_login,
                auth_required=True,
                # With implicit TLS aiosmtpd does not see the connection as TLS: it is.
                auth_require_tls=security == "starttls",
            )
        self._controller = Controller(self.handler, hostname=HOST, port=self.port, **kwargs)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def refuse(self, code: int, times: int = 1) -> None:
        with self.handler.lock:
            self.handler.refusals.extend([code] * times)

    def start(self) -> MailServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def _check_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class HangingServer:
    """Takes connections on loopback and never says a word (not even the greeting)."""

    def __init__(self, port: int | None = None) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, port or 0))
        self._listener.listen(16)
        self.port = int(self._listener.getsockname()[1])
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="test-smtp-hang", daemon=True)

    def start(self) -> HangingServer:
        self._thread.start()
        return self

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        for conn in self._held:
            conn.close()
        self._listener.close()
