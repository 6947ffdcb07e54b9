"""The errors every room may raise or report: bad settings (the command line's exit 2), an
ordinary refusal the person at the kiosk is told about, and a database that cannot be used.
They live here, apart from the code that raises them, so the command line and the front ends
can name them without loading that code (or the database engine) first."""

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


class StorageError(RuntimeError):
    """The database cannot be used (unreachable, a schema newer than this program, an
    unreadable file). The message says what and where, never what a visitor typed."""


class DamagedDatabase(StorageError):
    """The database engine's own check found the database damaged."""


class FrontendUnavailable(RuntimeError):
    """The front end cannot start here (no display, say); the message says why and what to do."""
