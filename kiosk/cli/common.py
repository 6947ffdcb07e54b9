"""What the command line's commands share: the options every command has, the core built on
first use, bad input (exit 2), and output that appears only once complete."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

import click

from kiosk.domain.clock import Clock, utc_now

if TYPE_CHECKING:
    from kiosk.bootstrap import Core

PROG = "visitor-kiosk"


class BadInput(click.ClickException):
    """Input the user can fix; exit 2."""

    exit_code = 2


@dataclass
class CliState:
    data_dir: Path | None
    config_file: Path | None
    # The wall clock; a command run as of another moment (the benchmarks' fixed workload)
    # is given another.
    clock: Clock = utc_now
    _core: Core | None = None

    def core(self) -> Core:
        """The core on the data dir, built on first use and closed when the command ends.
        (Built here, not before: `run` starts the database check first, and the commands
        that need no database never open it.)"""
        from kiosk.bootstrap import assemble

        if self._core is None:
            self._core = assemble(self.data_dir, self.config_file, self.clock)
            click.get_current_context().call_on_close(self._core.close)
        return self._core


@contextlib.contextmanager
def output(path: Path | None, binary: bool = False) -> Iterator[TextIO | BinaryIO]:
    """stdout, or a temporary file beside `path` renamed over it once complete, so a failed
    export never leaves a half-written file under the real name. A binary file (`binary`)
    only ever goes to a file."""
    from kiosk.settings.files import atomic_binary_file, atomic_text_file

    if path is None:
        if binary:
            raise BadInput("a binary file needs --out FILE")
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8")  # the export is UTF-8, whatever the locale
        yield sys.stdout
        return
    folder_must_exist(path)
    if binary:
        with atomic_binary_file(path) as binary_stream:
            yield binary_stream
        return
    with atomic_text_file(path) as stream:
        yield stream


def folder_must_exist(path: Path) -> None:
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise BadInput(f"--out: no such folder: {directory}")
