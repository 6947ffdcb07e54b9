"""A real webhook receiver on loopback for the tests (`http.server`), over TLS on a throwaway
certificate (`smtpsupport.make_certificate`) or in clear text.

It answers every request with what the test set (`answer(status, body, headers)`), or with
nothing at all (`hang()`), and keeps each request it read in `requests`; a connection whose TLS
handshake failed reaches no handler and is counted in `handshakes_failed`. `stop()` ends the
server thread and every handler thread."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smtpsupport import HOST, Certificate

# How long a handler waits for a client that went quiet: well past any test's timeout_s.
HANDLER_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Script:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # stop() joins them (ThreadingMixIn.block_on_close)

    def __init__(self, context: ssl.SSLContext | None) -> None:
        super().__init__((HOST, 0), _Handler)
        self.context = context
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.handshakes_failed = 0
        self.script = _Script()
        self.released = threading.Event()  # set by stop(): a hanging handler ends

    def finish_request(self, request: Any, client_address: Any) -> None:
        # In the handler's thread, so a client that never finishes its handshake holds no one else.
        request.settimeout(HANDLER_TIMEOUT_S)
        if self.context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError too: the client did not trust us, or left
            with self.lock:
                self.handshakes_failed += 1
            return
        with tls:
            super().finish_request(tls, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._record_and_answer()

    def do_GET(self) -> None:
        self._record_and_answer()

    def _record_and_answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        got = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
        with self.server.lock:
            self.server.requests.append(got)
            script = self.server.script
        if script.hang:
            self.server.released.wait(HANDLER_TIMEOUT_S)
            self.close_connection = True
            return
        self.send_response(script.status)
        for name, value in script.headers.items():
            self.send_header(name, value)
        if script.status not in (204, 304):
            self.send_header("Content-Length", str(len(script.body)))
        self.end_headers()
        if script.status not in (204, 304):
            self.wfile.write(script.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read `requests`


class WebhookServer:
    def __init__(self, certificate: Certificate | None) -> None:
        self._server = _Server(certificate.server_context() if certificate else None)
        self.port = int(self._server.server_address[1])
        self.scheme = "https" if certificate else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-server"
        )

    def url(self, path: str = "/hook", host: str = HOST) -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    @property
    def requests(self) -> list[Request]:
        with self._server.lock:
            return list(self._server.requests)

    @property
    def handshakes_failed(self) -> int:
        with self._server.lock:
            return self._server.handshakes_failed

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        with self._server.lock:
            self._server.script = _Script(status, body, dict(headers or {}))

    def hang(self) -> None:
        """Read each request, then answer nothing until stopped."""
        with self._server.lock:
            self._server.script = _Script(hang=True)

    def start(self) -> WebhookServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.released.set()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()  # joins the handler threads


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])
