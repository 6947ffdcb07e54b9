"""`visitor-kiosk`: the command line (see the README, "Command line").

Exit codes: 0 success; 2 bad usage or bad input, with one line on stderr and no traceback;
1 any other failure, with a clear message (the traceback goes to the log, not the terminal).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

# Each command loads what it needs: `run` starts the database check before it loads Qt and
# the rest, and a script's `present` or `export` does not load the kiosk's screens.
from kiosk import __version__
from kiosk.cli.frontend import FrontendUnavailable, load_frontend
from kiosk.domain.errors import ConfigError, HostsFileError
from kiosk.maintenance.instance import KioskRunning, only_instance
from kiosk.settings.paths import resolve_paths
from storage.integrity import StorageError
from storage.integrity import check as check_database

if TYPE_CHECKING:
    from kiosk.bootstrap import Kiosk
    from storage.visits import VisitRow

PROG = "visitor-kiosk"
log = logging.getLogger(__name__)


# A large CSV export uses up to this many cores (kiosk.export.visits._write_split).
EXPORT_PROCESSES = 4


class BadInput(click.ClickException):
    """Input the user can fix; exit 2."""

    exit_code = 2


@dataclass
class CliState:
    data_dir: Path | None
    config_file: Path | None
    _kiosk: Kiosk | None = None

    def kiosk(self) -> Kiosk:
        from kiosk.bootstrap import start_kiosk

        if self._kiosk is None:
            self._kiosk = start_kiosk(self.data_dir, self.config_file)
        return self._kiosk


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
        ctx.invoke(run)


@cli.command()
@click.option("--windowed", is_flag=True, help="A normal window instead of full screen.")
@click.option("--smoke", is_flag=True, help="Paint the welcome screen once, then exit 0.")
@click.pass_obj
def run(state: CliState, windowed: bool = False, smoke: bool = False) -> None:
    """Start the kiosk (full screen). SQLite checks the database first; the kiosk does not
    run on a damaged one."""
    # SQLite's check of the file (which lets other threads run) goes on while Qt loads and
    # the window is built; nothing opens the database, and no window shows, before it has
    # found the file sound (kiosk.bootstrap.DatabaseGate). Config problems surface first.
    paths = resolve_paths(state.data_dir, state.config_file)
    with (
        only_instance(paths.data_dir),
        ThreadPoolExecutor(1, thread_name_prefix="kiosk-check") as pool,
    ):
        checked = pool.submit(check_database, paths.database)
        code = load_frontend().run(
            state.data_dir,
            state.config_file,
            windowed=windowed,
            smoke=smoke,
            database_check=checked,
        )
    if code:
        raise SystemExit(code)


@cli.command()
@click.option(
    "--thorough",
    is_flag=True,
    help="integrity_check: also compare every index with its table (slower).",
)
@click.pass_obj
def check(state: CliState, thorough: bool) -> None:
    """Check the database file with SQLite's own check, without changing it. Exit 0 when it
    is sound, 1 when damaged."""
    paths = resolve_paths(state.data_dir, state.config_file)
    problems = check_database(paths.database, thorough=thorough)
    if not problems:
        click.echo(f"{paths.database}: ok")
        return
    for problem in problems:
        click.echo(f"{paths.database}: {problem}")
    raise SystemExit(1)


@cli.command()
@click.pass_obj
def restore(state: CliState) -> None:
    """Put the newest backup that passes SQLite's check in place of the database (with the
    kiosk stopped). The current database is moved, untouched, into <data dir>/damaged/."""
    from kiosk.maintenance.backups import Backups, NoSoundBackup

    paths = resolve_paths(state.data_dir, state.config_file)
    with only_instance(paths.data_dir):
        try:
            used = Backups(paths.data_dir).restore()
        except NoSoundBackup as exc:
            raise StorageError(f"{exc} in {paths.data_dir / 'backups'}") from None
    click.echo(f"restored {paths.database} from {used.name}")


@cli.command()
@click.option("--visits", "count", type=click.IntRange(1, 5_000_000), required=True)
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True)
@click.option("--seed", type=int, default=None, help="Same seed, same visits.")
@click.pass_obj
def demo(state: CliState, count: int, days: int, seed: int | None) -> None:
    """Add N synthetic visits spread over the last D days, some still on site."""
    from kiosk.demo.generate import add_demo_visits

    kiosk = state.kiosk()
    services = kiosk.open_services()
    try:
        summary = add_demo_visits(services.store, kiosk, count=count, days=days, seed=seed)
    finally:
        services.close()
    click.echo(f"added {summary.added} visits ({summary.on_site} still on site)")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.pass_obj
def present(state: CliState, fmt: str) -> None:
    """Who is on site now."""
    from kiosk.export.visits import export_records, write_csv, write_json

    services = state.kiosk().open_services()
    try:
        rows = services.store.on_site()
    finally:
        services.close()
    out = sys.stdout
    if fmt == "csv":
        write_csv(export_records(rows), out)
    elif fmt == "json":
        write_json(export_records(rows), out)
    else:
        _print_table(rows, out)


def _print_table(rows: Sequence[VisitRow], out: TextIO) -> None:
    if not rows:
        click.echo("nobody is on site", file=out)
        return
    from kiosk.domain.clock import to_local_iso
    from kiosk.visits.service import visit_from_row

    visits = [visit_from_row(row) for row in rows]
    header = ("id", "name", "company", "host", "since")
    lines = [
        (str(v.visit_id), v.visitor_name, v.company, v.host, to_local_iso(v.signed_in_at))
        for v in visits
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        click.echo(
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip(),
            file=out,
        )
    click.echo(f"{len(visits)} on site", file=out)


@cli.command()
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (replaced only when the export is complete); default: stdout.",
)
@click.pass_obj
def export(state: CliState, first: date, last: date, fmt: str, out: Path | None) -> None:
    """Visits that signed in between two dates (local days, both inclusive)."""
    from kiosk.export.visits import ExportFormat, export_visits

    first_day, last_day = first.date(), last.date()  # type: ignore[attr-defined]
    if last_day < first_day:
        raise BadInput("--to is before --from")
    services = state.kiosk().open_services()
    try:
        with _output(out) as stream:
            count = export_visits(
                services.store,
                first_day,
                last_day,
                ExportFormat(fmt),
                stream,
                processes=min(os.cpu_count() or 1, EXPORT_PROCESSES),
            )
    finally:
        services.close()
    if out is not None:
        click.echo(f"exported {count} visits to {out}", err=True)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_obj
def purge(state: CliState, dry_run: bool) -> None:
    """The retention cleanup now: visits older than retention.visit_days (with their badge
    codes and files) and audit entries older than retention.audit_days are deleted for
    real. Also runs the auto sign-out, as the kiosk does at start-up. Prints counts only."""
    kiosk = state.kiosk()
    services = kiosk.open_services()
    try:
        if not dry_run:
            kiosk.maintain(services)
        report = services.retention.run(dry_run=dry_run)
    finally:
        services.close()
    if not dry_run:
        kiosk.backups().maintain(report.cutoff)
    verb = "would delete" if dry_run else "deleted"
    before = report.cutoff.astimezone().isoformat(timespec="seconds")
    click.echo(
        f"{verb} {report.visits} visits (signed in before {before}), "
        f"{report.audit_entries} audit entries, {report.files} files"
    )


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a temporary file beside `path` renamed over it once complete, so a failed
    export never leaves a half-written file under the real name."""
    from kiosk.settings.files import atomic_text_file

    if path is None:
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8")  # the export is UTF-8, whatever the locale
        yield sys.stdout
        return
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise BadInput(f"--out: no such folder: {directory}")
    with atomic_text_file(directory / path.name) as stream:
        yield stream


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The PDF to write (replaced only once complete; readable by you only).",
)
@click.option(
    "--print",
    "to_printer",
    is_flag=True,
    help='Also print it on the staff printer ([staff] printer; "" = the system default).',
)
@click.pass_obj
def evacuation(state: CliState, out: Path, to_printer: bool) -> None:
    """The roll call of everyone on site now: a PDF to tick off at the assembly point.

    Changes no visit. Prints how many people are on site, never their names."""
    from kiosk.documents.roll_call import people, render_roll_call
    from kiosk.settings.files import atomic_write_bytes
    from kiosk.staff.audit import AuditAction

    directory = out.parent if str(out.parent) else Path()
    if not directory.is_dir():
        raise BadInput(f"--out: no such folder: {directory}")
    kiosk = state.kiosk()
    services = kiosk.open_services()
    try:
        present = services.visits.present_visitors()
        pdf = render_roll_call(present, kiosk.config.site.name, kiosk.clock())
        try:
            atomic_write_bytes(out, pdf)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise click.ClickException(f"cannot write the roll call to {out}: {reason}") from None
        detail = f"roll call of {people(len(present))}" + (", with --print" if to_printer else "")
        services.audit.record(
            AuditAction.EVACUATION, detail=detail, visit_ids=[v.visit_id for v in present]
        )
    finally:
        services.close()
    click.echo(f"{people(len(present))} on site; roll call written to {out}")
    if to_printer:
        _print_report(out, kiosk.config.staff.printer)


def _print_report(path: Path, queue: str) -> None:
    """Print a saved report on `queue` and wait until it has left the queue; exit 1 if not."""
    from kiosk.printing.cups import ROLL_CALL_TITLE, PrintFault, make_printer
    from kiosk.printing.reports import REPORT_PRINT_TIMEOUT_S

    printer = make_printer(queue, REPORT_PRINT_TIMEOUT_S, ROLL_CALL_TITLE)
    try:
        job = printer.submit(path)
        if job is None:
            raise click.ClickException(f'not printed: [staff] printer is "none"; see {path}')
        printer.wait(job)
    except PrintFault as fault:
        raise click.ClickException(f"not printed ({fault}); the file is {path}") from None
    click.echo(f"printed on {job.rsplit('-', 1)[0]}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.pass_obj
def screenshots(state: CliState, out: Path) -> None:
    """Render every screen in every configured language to PNG files in OUT.

    Uses the configured site and languages, with a throw-away database and a made-up
    visitor: no real visitor's data appears in the pictures."""
    kiosk = state.kiosk()
    out.mkdir(parents=True, exist_ok=True)
    files = load_frontend().screenshots(out, kiosk.paths.config_file)
    click.echo(f"wrote {len(files)} screenshots to {out}")


@cli.command("set-staff-pin")
@click.pass_obj
def set_staff_pin(state: CliState) -> None:
    """Set the staff PIN (4 to 12 digits 0-9), read from stdin, or asked for twice without
    echo at a terminal. Lifts a staff lock-out."""
    from kiosk.staff.auth import PinRuleError, check_pin

    pin = _read_pin()
    try:
        check_pin(pin)
    except PinRuleError as exc:
        raise BadInput(str(exc)) from None
    services = state.kiosk().open_services()
    try:
        services.staff_auth.set_pin(pin)
    finally:
        services.close()
    click.echo("staff PIN set")


def _read_pin() -> str:
    """One line from stdin (without its line end), or a hidden prompt at a terminal."""
    stdin = sys.stdin
    if stdin is None:
        raise BadInput("no staff PIN given: stdin is closed")
    if stdin.isatty():
        return str(click.prompt("New staff PIN", hide_input=True, confirmation_prompt=True))
    try:
        line = stdin.readline()
    except UnicodeDecodeError:
        raise BadInput("a staff PIN may hold only the digits 0-9") from None
    return line.removesuffix("\n").removesuffix("\r")


def main(argv: Sequence[str] | None = None) -> None:
    # Before anything is written: whatever this process makes is for the kiosk's user only.
    # The kiosk's own files and folders get 0600/0700 explicitly (storage.files) under any
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
