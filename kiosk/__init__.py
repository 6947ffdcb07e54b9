"""The kiosk's core: visits, the rights notice, configuration, export and the command line.

Nothing here imports Qt, so the command line, the services and most tests run without a display.
"""

__version__ = "0.1.0"
