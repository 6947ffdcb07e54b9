"""`visitor-kiosk`: the command line (see the README, "Command line").

Exit codes: 0 success; 2 bad usage or bad input, with one line on stderr and no traceback;
1 any other failure, with a clear message (the traceback goes to the log, not the terminal).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

# Each command loads what it needs: `run` starts the database check before it loads Qt and
# the rest, and a script's `present` or `export` does not load the kiosk's screens.
from kiosk import __version__
from kiosk.cli import data, notify, operate
from kiosk.cli.common import PROG, CliState
from kiosk.domain.errors import ConfigError, FrontendUnavailable, HostsFileError, StorageError
from kiosk.settings.instance import KioskRunning

log = logging.getLogger(__name__)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the database, logs and badges live [env KIOSK_DATA_DIR; default: the "
    "platform's user data dir].",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file [env KIOSK_CONFIG; default: <data dir>/kiosk.toml].",
)
@click.version_option(__version__, prog_name=PROG)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, config_file: Path | None) -> None:
    """Visitor registration kiosk. Without a command: `run`."""
    ctx.obj = CliState(data_dir, config_file)
    if ctx.invoked_subcommand is None:
        ctx.invoke(operate.run)


for command in (
    operate.run,
    operate.check,
    operate.restore,
    operate.migrate,
    data.demo,
    data.present,
    data.export,
    data.purge,
    data.evacuation,
    operate.screenshots,
    data.set_staff_pin,
    notify.notify_test,
):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> None:
    # Before anything is written: whatever this process makes is for the kiosk's user only.
    # The kiosk's own files and folders get 0600/0700 explicitly (kiosk.settings.files) under any
    # umask; this is defence in depth for files other code makes (Qt's caches, SQLite's
    # temporary files), since the usual umask 022 would leave those readable by every
    # account on the kiosk PC, and they can hold visitors' data.
    os.umask(0o077)
    try:
        code = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except BrokenPipeError:
        # The reader went away (`visitor-kiosk export ... | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo(f"{PROG}: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"{PROG}: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"{PROG}: config error: {exc}", err=True)
        sys.exit(2)
    except HostsFileError as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(2)
    except (StorageError, FrontendUnavailable, KioskRunning) as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"{PROG}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(1)
    except Exception as exc:
        log.exception("command failed")
        click.echo(
            f"{PROG}: unexpected error ({type(exc).__name__}); details are in the log", err=True
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
