"""Telling a kiosk that other kiosks changed the visits: PostgreSQL's LISTEN/NOTIFY as the
wake-up. A trigger on `visits` (schema version 2) notifies `kiosk_visits` once per statement
that changed rows; a thread of the store's listens on a connection of its own and calls the
kiosk back. After the connection was lost it calls back once it is listening again (what was
missed meanwhile is read then), and tries again with growing pauses while the server is away.
The front end's slow poll is the safety net behind it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from storage.postgres.database import _reason, connection_settings

log = logging.getLogger(__name__)

CHANNEL = "kiosk_visits"
# How often the listening thread looks up from waiting to see whether it should stop.
WAKE_S = 0.5
RETRY_S = (1.0, 2.0, 5.0, 10.0)
STOP_WAIT_S = 2.0


class VisitWatcher:
    def __init__(self, url: str, changed: Callable[[], None]) -> None:
        self._url = url
        self._changed = changed
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-watch-visits", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """Whether the thread listens (for the tests: a change from now on is seen)."""
        return self._listening.wait(timeout)

    def stop(self) -> None:
        """Stop listening; the kiosk does not wait longer than STOP_WAIT_S for it (a connection
        attempt under way ends by itself, on a daemon thread)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_S)

    def _run(self) -> None:
        failures = 0
        first = True
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self._url, **connection_settings(self._url, "visitor-kiosk watch")
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    if not first:
                        log.info("listening for other kiosks' changes again")
                        self._call_back()  # what changed while the connection was lost
                    first, failures = False, 0
                    while not self._stopping.is_set():
                        for _notice in conn.notifies(timeout=WAKE_S):
                            self._call_back()
                            break  # one call for a burst: the notices queued are read next
            except Exception as exc:  # the thread must not die: the list would only poll
                self._listening.clear()
                pause = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                if failures == 1:
                    why = _reason(exc) if isinstance(exc, psycopg.Error) else type(exc).__name__
                    log.warning("not told of other kiosks' changes: %s", why)
                self._stopping.wait(pause)
        self._listening.clear()

    def _call_back(self) -> None:
        try:
            self._changed()
        except Exception:
            log.exception("a change of the visits could not be passed on")
