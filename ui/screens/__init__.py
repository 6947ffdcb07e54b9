"""The kiosk's screens, one class a file. Each takes what it needs in its constructor, talks to
the window through signals, and has `retranslate_ui(catalog)` and `clear()`."""
