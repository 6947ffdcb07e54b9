"""The kiosk's core: visits, the rights notice, staff work, exports, retention, the
composition root (`bootstrap`) and the command line (`cli`), in rooms (README, "The house").

Nothing here imports Qt, so the command line, the core and most tests run without a display.
"""

__version__ = "0.1.0"
