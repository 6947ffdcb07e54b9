"""The commands on the kiosk's data: `present`, `export`, `purge`, `evacuation`, `demo` and
`set-staff-pin`. Each calls the same operation of the core as the staff screen does (and is
audited the same way); none decides anything itself."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from kiosk.cli.common import BadInput, CliState, folder_must_exist, output

if TYPE_CHECKING:
    from kiosk.domain.visit import Visit

# A large CSV or workbook export uses up to this many cores (storage.sqlite.forked).
EXPORT_PROCESSES = 4


@click.command()
@click.option("--visits", "count", type=click.IntRange(1, 5_000_000), required=True)
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True)
@click.option("--seed", type=int, default=None, help="Same seed, same visits.")
@click.option(
    "--on-site",
    "on_site",
    type=click.IntRange(0, 5_000_000),
    default=None,
    help="Exactly K still on site (default: 1 in 100); every other visit signed out.",
)
@click.pass_obj
def demo(state: CliState, count: int, days: int, seed: int | None, on_site: int | None) -> None:
    """Add N synthetic visits spread over the last D days; exactly K of them still on site,
    signed in today before now, every other one signed out."""
    from kiosk.demo.generate import add_demo_visits

    core = state.core()
    summary = add_demo_visits(
        core.store,
        core.notices,
        languages=core.config.kiosk.languages,
        kiosk_id=core.config.site.kiosk_id,
        hosts=core.hosts,
        clock=core.clock,
        count=count,
        days=days,
        seed=seed,
        on_site=on_site,
    )
    click.echo(f"added {summary.added} visits ({summary.on_site} still on site)")


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.pass_obj
def present(state: CliState, fmt: str) -> None:
    """Who is on site now (visits whose processing is restricted left out)."""
    from kiosk.domain.access_log import visit_record, write_csv, write_json

    visits = state.core().visits.present()
    out = sys.stdout
    if fmt == "csv":
        write_csv((visit_record(v) for v in visits), out)
    elif fmt == "json":
        write_json((visit_record(v) for v in visits), out)
    else:
        _print_table(visits, out)


def _print_table(visits: list[Visit], out: TextIO) -> None:
    if not visits:
        click.echo("nobody is on site", file=out)
        return
    from kiosk.domain.clock import to_local_iso

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


@click.command()
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "xlsx"]),
    default="csv",
    show_default=True,
    help="xlsx: an Excel workbook, written only with --out.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (replaced only when the export is complete); default: stdout.",
)
@click.pass_obj
def export(state: CliState, first: datetime, last: datetime, fmt: str, out: Path | None) -> None:
    """Visits that signed in between two dates (local days, both inclusive), restricted ones
    left out. Recorded in the staff audit log (the range and the count), as an export from the
    staff screen is. A workbook (xlsx) is a binary file: it needs --out, never goes to
    stdout."""
    from kiosk.domain.workbook import WorkbookTooLarge
    from kiosk.export.visits import ExportFormat

    first_day, last_day = first.date(), last.date()
    if last_day < first_day:
        raise BadInput("--to is before --from")
    form = ExportFormat(fmt)
    if form.binary and out is None:
        raise BadInput(f"--format {fmt} needs --out FILE: a workbook is a file, not text")
    exports = state.core().exports
    try:
        with output(out, binary=form.binary) as stream:
            count = exports.visits(
                first_day,
                last_day,
                form,
                stream,
                processes=min(os.cpu_count() or 1, EXPORT_PROCESSES),
            )
    except WorkbookTooLarge as exc:
        raise BadInput(str(exc)) from None
    if out is not None:
        click.echo(f"exported {count} visits to {out}", err=True)


@click.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_obj
def purge(state: CliState, dry_run: bool) -> None:
    """The retention cleanup now: visits older than retention.visit_days (with their badge
    codes, files and copies in the backups) and audit entries older than
    retention.audit_days are deleted for real. Also runs the auto sign-out, as the kiosk does
    at start-up. Prints counts only."""
    core = state.core()
    if not dry_run:
        core.visits.auto_sign_out()
    report = core.retention.run(dry_run=dry_run)
    if not dry_run:
        core.backups.make_if_due()
    verb = "would delete" if dry_run else "deleted"
    before = report.cutoff.astimezone().isoformat(timespec="seconds")
    click.echo(
        f"{verb} {report.visits} visits (signed in before {before}), "
        f"{report.audit_entries} audit entries, {report.files} files"
    )


@click.command()
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
    Visitors whose processing is restricted are on it, marked: use only for the evacuation.

    Changes no visit; recorded in the staff audit log. Prints how many people are on site,
    never their names."""
    from kiosk.domain.visit import people

    folder_must_exist(out)
    roll_call = state.core().roll_call
    on_site = roll_call.take()
    try:
        report = roll_call.make(on_site, out=out, to_printer=to_printer)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise click.ClickException(f"cannot write the roll call to {out}: {reason}") from None
    click.echo(f"{people(report.count)} on site; roll call written to {out}")
    if not to_printer:
        return
    if report.fault is not None:
        raise click.ClickException(f"not printed ({report.fault}); the file is {out}")
    if report.printed_on is None:
        raise click.ClickException(f'not printed: [staff] printer is "none"; see {out}')
    click.echo(f"printed on {report.printed_on}")


@click.command("set-staff-pin")
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
    state.core().staff_auth.set_pin(pin)
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
