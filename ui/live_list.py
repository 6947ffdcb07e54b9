"""The staff screen's on-site list kept current with what other kiosks do: on a site whose
kiosks share one database, a sign-in at the front door shows in the goods entrance's list
within a second. The core calls `changed()` from its own thread when the database says the
visits changed (kiosk.bootstrap.Core.watch_visits); the list is read again shortly after (one
read for a burst), and every POLL_MS in any case, while staff look at it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

# A burst of changes (a purge, a demo) is read once, this long after its first notice.
SETTLE_MS = 100
# The safety net: read again this often while the list shows (a notice missed, a change from
# the command line on a single kiosk's SQLite file).
POLL_MS = 10_000


class LiveList(QObject):
    _changed = Signal()

    def __init__(
        self, refresh: Callable[[], None], showing: Callable[[], bool], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._refresh = refresh
        self._showing = showing
        self._soon = QTimer(self)
        self._soon.setObjectName("liveListSoon")
        self._soon.setSingleShot(True)
        self._soon.setInterval(SETTLE_MS)
        self._soon.timeout.connect(self._refresh_if_showing)
        self._poll = QTimer(self)
        self._poll.setObjectName("liveListPoll")
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._refresh_if_showing)
        # Emitted from the core's thread, delivered on this object's (the GUI's).
        self._changed.connect(self._soon_unless_pending)

    def changed(self) -> None:
        """From any thread: the visits may have changed elsewhere."""
        self._changed.emit()

    def start(self) -> None:
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self._soon.stop()

    def _soon_unless_pending(self) -> None:
        if not self._soon.isActive():
            self._soon.start()

    def _refresh_if_showing(self) -> None:
        if self._showing():
            self._refresh()
