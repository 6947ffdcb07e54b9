"""Errors of the kiosk's setup that the command line reports as bad input (exit 2). They live
here, apart from the code that raises them, so the command line can name them without
loading that code before `run` has started the database check."""

from __future__ import annotations

from pathlib import Path


class ConfigError(ValueError):
    """The configuration file cannot be used. The message names the key and what is wrong."""

    def __init__(self, key: str, problem: str, source: Path | None = None) -> None:
        self.key = key
        self.problem = problem
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}" if key else f"{where}{problem}")


class HostsFileError(ValueError):
    """The hosts file named by `hosts.file` cannot be read."""


class Refusal(Exception):
    """An ordinary outcome the person at the kiosk is told about (a badge that is no one's, a
    visit already signed out, a field left empty), not a fault: logged without a traceback."""
