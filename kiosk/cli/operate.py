"""The commands that run the kiosk and look after its database: `run`, `check`, `restore`,
`migrate` and `screenshots`. Each loads only what it needs: `run` starts SQLite's check of the
file before it loads Qt and the rest of the kiosk."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from kiosk.cli.common import CliState
from kiosk.cli.frontend import load_frontend
from kiosk.domain.errors import StorageError
from kiosk.settings.instance import only_instance
from kiosk.settings.paths import resolve_paths
from storage.sqlite.integrity import check as check_database


@click.command()
@click.option("--windowed", is_flag=True, help="A normal window instead of full screen.")
@click.option("--smoke", is_flag=True, help="Paint the welcome screen once, then exit 0.")
@click.pass_obj
def run(state: CliState, windowed: bool = False, smoke: bool = False) -> None:
    """Start the kiosk (full screen). SQLite checks the database first; the kiosk does not
    run on a damaged one."""
    # SQLite's check of the file (which lets other threads run) goes on while Qt loads and
    # the window is built; nothing opens the database, and no window shows, before it has
    # found the file sound (storage.sqlite.store). Config problems surface first.
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


def _sqlite_only(state: CliState, command: str) -> None:
    """`check` and `restore` are about the SQLite file in the data dir; a kiosk on the site's
    PostgreSQL database has none (the server's own tools check and restore it)."""
    from kiosk.bootstrap import read_settings

    _paths, config = read_settings(state.data_dir, state.config_file)
    if config.database.shared:
        raise click.UsageError(
            f"{command} is for the SQLite file in the data dir; this kiosk's database is on "
            "the PostgreSQL server (database.url): check and restore it with the server's "
            "tools (pg_amcheck, your pg_dump or pgBackRest backups)"
        )


@click.command()
@click.option(
    "--thorough",
    is_flag=True,
    help="integrity_check: also compare every index with its table (slower).",
)
@click.pass_obj
def check(state: CliState, thorough: bool) -> None:
    """Check the database file with SQLite's own check, without changing it. Exit 0 when it
    is sound, 1 when damaged."""
    _sqlite_only(state, "check")
    paths = resolve_paths(state.data_dir, state.config_file)
    problems = check_database(paths.database, thorough=thorough)
    if not problems:
        click.echo(f"{paths.database}: ok")
        return
    for problem in problems:
        click.echo(f"{paths.database}: {problem}")
    raise SystemExit(1)


@click.command()
@click.pass_obj
def restore(state: CliState) -> None:
    """Put the newest backup that passes SQLite's check in place of the database (with the
    kiosk stopped). The current database is moved, untouched, into <data dir>/damaged/."""
    from storage.sqlite.backups import NoSoundBackup, SqliteBackups

    _sqlite_only(state, "restore")
    paths = resolve_paths(state.data_dir, state.config_file)
    with only_instance(paths.data_dir):
        try:
            used = SqliteBackups(paths.database).restore()
        except NoSoundBackup as exc:
            raise StorageError(f"{exc} in {paths.data_dir / 'backups'}") from None
    click.echo(f"restored {paths.database} from {used.name}")


@click.command()
@click.option(
    "--grant-to",
    "grant_to",
    metavar="ROLE",
    default="",
    help="Then give ROLE, the role every kiosk logs in as, what the kiosk needs and no more.",
)
@click.pass_obj
def migrate(state: CliState, grant_to: str) -> None:
    """Create or upgrade the schema of the site's shared PostgreSQL database, as its owner
    (database.url or KIOSK_DATABASE_URL naming the owner's login); kiosks whose own role may
    not change the schema need it after each upgrade. A kiosk's SQLite file is upgraded by
    the kiosk itself when it starts."""
    from kiosk.bootstrap import read_settings

    _paths, config = read_settings(state.data_dir, state.config_file)
    if not config.database.shared:
        raise click.UsageError(
            "migrate is for a shared PostgreSQL database (database.url); a kiosk's SQLite "
            "file is upgraded by the kiosk when it starts"
        )
    from storage.postgres.database import SCHEMA_VERSION, connect, grant_to_kiosks

    conn = connect(config.database.url)
    try:
        if grant_to:
            grant_to_kiosks(conn, grant_to)
    finally:
        conn.close()
    granted = f"; {grant_to} has the kiosks' rights" if grant_to else ""
    click.echo(f"the database is at schema version {SCHEMA_VERSION}{granted}")


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.pass_obj
def screenshots(state: CliState, out: Path) -> None:
    """Render every screen in every configured language to PNG files in OUT.

    Uses the configured site and languages, with a throw-away database and a made-up
    visitor: the data dir is not opened, and no real visitor's data appears in the pictures."""
    from kiosk.bootstrap import read_settings

    paths, _config = read_settings(state.data_dir, state.config_file)  # a bad config stops here
    out.mkdir(parents=True, exist_ok=True)
    files = load_frontend().screenshots(out, paths.config_file)
    click.echo(f"wrote {len(files)} screenshots to {out}")
