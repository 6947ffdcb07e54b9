"""One worker thread owns the database; the GUI thread hands it work and gets results back.

Like Anki's taskman: a ThreadPoolExecutor with a single worker serialises every write, and a
queued signal brings each result (or error) back to the GUI thread, where callbacks run.
The worker opens its own SQLite connection on first use (connections belong to the thread
that opened it) and opens it again after a failure, so the kiosk recovers by itself when a
fault clears.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.setup import Kiosk, Services

log = logging.getLogger(__name__)
R = TypeVar("R")


class DbWorker(QObject):
    _delivered = Signal(object, object)  # callback, result or exception

    def __init__(self, kiosk: Kiosk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kiosk = kiosk
        self._services: Services | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-db")
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self.pending = 0

    def submit(
        self,
        job: Callable[[Services], R],
        on_done: Callable[[R], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[None]:
        """Run `job(services)` on the worker; then `on_done(result)` or `on_error(exc)` on the
        GUI thread."""
        if self._closed:
            raise RuntimeError("the database worker is shut down")
        self.pending += 1

        def run() -> None:
            try:
                result = job(self._open())
            except Exception as exc:
                log.exception("database job failed")
                self._reset()
                self._delivered.emit(on_error, exc)
            else:
                self._delivered.emit(on_done, result)

        return self._executor.submit(run)

    def _open(self) -> Services:
        assert threading.current_thread().name.startswith("kiosk-db")
        if self._services is None:
            self._services = self._kiosk.open_services()
        return self._services

    def _reset(self) -> None:
        if self._services is not None:
            try:
                self._services.close()
            finally:
                self._services = None

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self.pending -= 1
        callback(value)

    def shutdown(self) -> None:
        """Finish queued jobs, close the connection on its own thread, stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self._reset)
        self._executor.shutdown(wait=True)
