"""Touch gestures the kiosk's widgets share."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QScroller


def touch_scroll(area: QAbstractScrollArea) -> None:
    """A finger dragging on the area scrolls it, with momentum, as on a phone (the thin scroll
    bar alone is no way to move a form on a touch screen). A tap still taps; a drag that
    starts on a text field selects text in it, as a field should."""
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
