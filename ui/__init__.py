"""The kiosk's touchscreen front end (Qt). All Qt code of the project lives in this package."""

from ui.app import create_main_window

__all__ = ["create_main_window"]
