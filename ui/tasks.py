"""One worker thread owns the database; the GUI thread hands it work and gets results back.

Like Anki's taskman: a ThreadPoolExecutor with a single worker serialises every write, and a
queued signal brings each result (or error) back to the GUI thread, where callbacks run.
The worker opens its own SQLite connection on first use (connections belong to the thread
that opened it) and opens it again after a failure, so the kiosk recovers by itself when a
fault clears. A second worker prints badges, so a printer that hangs delays nobody.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.errors import Refusal
from kiosk.printing.badges import BadgeService

log = logging.getLogger(__name__)
R = TypeVar("R")


class _Worker(QObject):
    """One background thread; results come back to the GUI thread by a queued signal."""

    _delivered = Signal(object, object)  # callback, result or exception

    def __init__(self, thread_name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread_name = thread_name
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self._abandoned = False
        self.pending = 0

    def _run_later(
        self,
        call: Callable[[], R],
        on_done: Callable[[R], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[None]:
        if self._closed:
            raise RuntimeError(f"the {self._thread_name} worker is shut down")
        self.pending += 1

        def run() -> None:
            try:
                result = call()
            except Refusal as exc:
                # An unknown badge, a field left empty: the screen says so; not a fault.
                log.info("%s job: %s", self._thread_name, type(exc).__name__)
                self._delivered.emit(on_error, exc)
            except Exception as exc:
                log.exception("%s job failed", self._thread_name)
                self._after_error()
                self._delivered.emit(on_error, exc)
            else:
                self._delivered.emit(on_done, result)

        return self._executor.submit(run)

    def _after_error(self) -> None:
        pass

    @property
    def closed(self) -> bool:
        return self._closed

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self.pending -= 1
        if not self._abandoned:
            callback(value)

    def shutdown(self) -> None:
        """Finish queued jobs, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self._after_error)
        self._executor.shutdown(wait=True)

    def abandon(self) -> None:
        """The window the results were for is gone: finish queued jobs (a sign-in under way
        is still committed), stop the thread, and hand no more results back."""
        self._abandoned = True
        self.shutdown()


class DbWorker(_Worker):
    def __init__(self, kiosk: Kiosk, parent: QObject | None = None) -> None:
        super().__init__("kiosk-db", parent)
        self._kiosk = kiosk
        self._services: Services | None = None

    def submit(
        self,
        job: Callable[[Services], R],
        on_done: Callable[[R], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[None]:
        """Run `job(services)` on the worker; then `on_done(result)` or `on_error(exc)` on the
        GUI thread."""
        return self._run_later(lambda: job(self._open()), on_done, on_error)

    def _open(self) -> Services:
        assert threading.current_thread().name.startswith("kiosk-db")
        if self._services is None:
            self._services = self._kiosk.open_services()
        return self._services

    def _after_error(self) -> None:
        # Close the connection (on its own thread); the next job opens a fresh one.
        if self._services is not None:
            try:
                self._services.close()
            finally:
                self._services = None


def _prepare_badges() -> None:
    from kiosk.documents.badge import prepare

    prepare()


class PrintWorker(_Worker):
    """Badges are rendered and printed here, so a slow or hung printer never holds up the
    screen or the database worker. Print jobs run one after another."""

    def __init__(self, badges: BadgeService, parent: QObject | None = None) -> None:
        super().__init__("kiosk-print", parent)
        self.badges = badges

    def prepare(self) -> None:
        """Load the badge libraries and fonts (about 0.3 s) on this thread, ahead of the
        first badge: an import while a visitor signs in would hold the screen too."""
        if not self.closed:
            self._executor.submit(_prepare_badges)

    def submit(
        self,
        job: Callable[[BadgeService], R],
        on_done: Callable[[R], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[None]:
        return self._run_later(lambda: job(self.badges), on_done, on_error)
