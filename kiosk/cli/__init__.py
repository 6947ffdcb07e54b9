"""The command line, `visitor-kiosk` (see the README, "Command line")."""

from kiosk.cli.main import cli, main

__all__ = ["cli", "main"]
