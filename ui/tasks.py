"""Workers: background threads the GUI thread hands work to, and gets results back from.

Like Anki's taskman: a ThreadPoolExecutor with a single worker runs jobs one after another,
and a queued signal brings each result (or error) back to the GUI thread, where callbacks
run. The database worker serialises the kiosk's database work on its own connection (the
store gives each thread one) and lets go of it after a failure, so the kiosk recovers by
itself when a fault clears; an export gets a database worker of its own, so sign-ins go on
beside a long read. The print worker renders and prints, so a printer that hangs delays
nobody.

`SessionJob` is the one way a flow hands out work whose result is for the person in front of
the kiosk: the result is dropped if the session has moved on (`ui.session`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from kiosk.domain.errors import Refusal, StorageError
from kiosk.domain.ports import Store
from kiosk.settings.i18n import Catalog
from ui.session import VisitorSession

log = logging.getLogger(__name__)
R = TypeVar("R")


class Worker(QObject):
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

    def submit(
        self,
        call: Callable[[], R],
        on_done: Callable[[R], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[None]:
        """Run `call()` on the worker; then `on_done(result)` or `on_error(exc)` on the GUI
        thread."""
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

    def run_quietly(self, call: Callable[[], object]) -> None:
        """Run `call()` on the worker; nothing comes back (a failure is logged)."""
        if not self._closed:
            self._executor.submit(self._quietly, call)

    def _quietly(self, call: Callable[[], object]) -> None:
        try:
            call()
        except Exception:
            log.exception("%s job failed", self._thread_name)

    def _after_error(self) -> None:
        pass

    def _on_thread_end(self) -> None:
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
        self._executor.submit(self._on_thread_end)
        self._executor.shutdown(wait=True)

    def abandon(self) -> None:
        """The window the results were for is gone: finish queued jobs (a sign-in under way
        is still committed), stop the thread, and hand no more results back."""
        self._abandoned = True
        self.shutdown()


class DbWorker(Worker):
    """A worker with a database connection of its own (opened by the store on first use)."""

    def __init__(self, store: Store, thread_name: str = "kiosk-db") -> None:
        super().__init__(thread_name)
        self._store = store

    def _after_error(self) -> None:
        # Close the connection (on its own thread); the next job opens a fresh one.
        self._store.close()

    def _on_thread_end(self) -> None:
        self._store.close()


class ScreenCatchUp(QObject):
    """A gate for background work that can wait a moment (the core's event subscribers:
    `kiosk.domain.events.Events.hold_for`): it returns once the GUI thread has handled what
    was queued for it and painted it, or after HOLD_AT_MOST_S if the GUI is busy or gone.
    Python threads share one interpreter lock, so a badge rendered while the screen shows the
    sign-in it belongs to slows that screen down; rendered after it, it slows nothing."""

    HOLD_AT_MOST_S = 0.25
    _asked = Signal(object)  # a threading.Event to set once the GUI has caught up

    def __init__(self) -> None:
        super().__init__()  # on the GUI thread: its queued slot runs there
        self._asked.connect(self._on_asked, Qt.ConnectionType.QueuedConnection)

    def __call__(self) -> None:
        caught_up = threading.Event()
        try:
            self._asked.emit(caught_up)
        except RuntimeError:  # the GUI's side is gone (the kiosk is closing): nothing to wait for
            return
        caught_up.wait(self.HOLD_AT_MOST_S)

    def _on_asked(self, caught_up: threading.Event) -> None:
        # Two turns of the event loop: the one that handles the result queued before this
        # request, and the one that paints what handling it changed.
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, caught_up.set))


class SessionJob(Generic[R]):
    """A job whose result is for the current visitor (or staff session): `success` and
    `failure` run on the GUI thread only if the session has not moved on since the job was
    made, e.g. `SessionJob(worker, session, call).success(show).failure(explain).run()`."""

    def __init__(self, worker: Worker, session: VisitorSession, call: Callable[[], R]) -> None:
        self._worker = worker
        self._session = session
        self._call = call
        self._token = session.token
        self._success: Callable[[R], None] = _ignore
        self._failure: Callable[[BaseException], None] = _ignore

    def success(self, callback: Callable[[R], None]) -> SessionJob[R]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> SessionJob[R]:
        self._failure = callback
        return self

    def run(self) -> None:
        self._worker.submit(self._call, self._done, self._failed)

    def _done(self, result: R) -> None:
        if self._session.is_current(self._token):
            self._success(result)

    def _failed(self, error: BaseException) -> None:
        if self._session.is_current(self._token):
            self._failure(error)


def _ignore(_value: object) -> None:
    pass


def failed_text(error: BaseException) -> Callable[[Catalog], str]:
    """What staff are told when a job failed: that the database cannot be reached (a shared
    server away, a full disk), which fixes itself once the fault is gone, or that something
    else went wrong (the cause is in the log)."""
    key = "staff.database_unreachable" if isinstance(error, StorageError) else "staff.failed"
    return lambda words: words.text(key)
