"""Events out of the core: what happened, told to whoever subscribed, once it is committed.

An operation emits its event after its transaction has committed (a sign-in emits
`visit_signed_in`). Each subscriber is called on a thread of its own, one event after another
in the order they were emitted. Emitting never waits for a subscriber: a slow subscriber
delays only its own later events, and a failing one is logged and goes no further, so neither
delays nor fails the operation. Subscribers are wired in the composition root
(`kiosk.bootstrap`); a front end subscribes to what it shows."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from kiosk.domain.visit import Visit

log = logging.getLogger(__name__)
E = TypeVar("E")


@dataclass(frozen=True)
class VisitSignedIn:
    """A sign-in was committed: the visit and the code for its badge."""

    visit: Visit
    badge_code: str


@dataclass(frozen=True)
class HostTold:
    """The host's mail server accepted the message telling them of the visit's arrival."""

    visit_id: int


@dataclass(frozen=True)
class PrintOutcome:
    """How a badge print ended: `printed` (at the printer), `saved` (printer "none"), or a
    fault (`fault` holds PrintFault's code). `pdf` is the saved file when one was kept."""

    visit_id: int
    status: str  # "printed" | "saved" | "fault"
    fault: str | None = None
    pdf: Path | None = None

    @property
    def at_printer(self) -> bool:
        return self.status == "printed"


class _Subscriber(Generic[E]):
    def __init__(
        self, hook: str, name: str, handler: Callable[[E], object], gate: Callable[[], None]
    ) -> None:
        self.name = name
        self._hook = hook
        self._handler = handler
        self._gate = gate
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kiosk-on-{name}")

    def deliver(self, event: E) -> None:
        try:
            self._gate()
            self._handler(event)
        except Exception:
            log.exception("%s subscriber %s failed", self._hook, self.name)


def _open() -> None:
    pass


class Hook(Generic[E]):
    """One kind of event and its subscribers. Before each delivery a subscriber's thread
    passes `gate` (`Events.hold_for`): a front end may ask that work caused by an event wait
    until its screen has shown what the event's operation returned."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.gate: Callable[[], None] = _open
        self._subscribers: list[_Subscriber[E]] = []
        self._lock = threading.Lock()
        self._closed = False

    def subscribe(self, name: str, handler: Callable[[E], object]) -> None:
        """Call `handler(event)` on a thread named after `name` for every event from now on."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed")
            self._subscribers.append(_Subscriber(self.name, name, handler, self._pass_gate))

    def _pass_gate(self) -> None:
        self.gate()

    def emit(self, event: E) -> None:
        """Hand `event` to every subscriber; returns at once."""
        with self._lock:
            if self._closed:
                log.warning("%s after the kiosk closed: not delivered", self.name)
                return
            for subscriber in self._subscribers:
                try:
                    subscriber.executor.submit(subscriber.deliver, event)
                except RuntimeError:
                    # The interpreter is exiting (its executors take no more work): the
                    # operation has committed all the same and must not fail now.
                    log.warning("%s while the kiosk exits: not delivered", self.name)

    def settle(self) -> None:
        """Return once every subscriber has handled what was emitted before this call."""
        with self._lock:
            subscribers = [] if self._closed else list(self._subscribers)
        for subscriber in subscribers:
            subscriber.executor.submit(lambda: None).result()

    def close(self) -> None:
        """Deliver what was emitted, then stop the subscribers' threads."""
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.executor.shutdown(wait=True)


class Events:
    """Every event the core emits."""

    def __init__(self) -> None:
        self.visit_signed_in: Hook[VisitSignedIn] = Hook("visit_signed_in")
        self.badge_printed: Hook[PrintOutcome] = Hook("badge_printed")
        self.host_told: Hook[HostTold] = Hook("host_told")

    def hold_for(self, gate: Callable[[], None]) -> None:
        """Have every subscriber pass `gate` before it handles an event. The Qt front end's
        gate returns once the screen has caught up with what it was given to show, so that
        the work an event causes (rendering a badge) never competes with the screen that
        shows the operation's result; without a front end nothing waits."""
        for hook in (self.visit_signed_in, self.badge_printed, self.host_told):
            hook.gate = gate

    def settle(self) -> None:
        """Return once every event emitted so far, and every event that caused, is handled."""
        # In the order events cause each other: a sign-in's badge is printed, then reported.
        self.visit_signed_in.settle()
        self.badge_printed.settle()
        self.host_told.settle()

    def close(self) -> None:
        self.visit_signed_in.close()
        self.badge_printed.close()
        self.host_told.close()
