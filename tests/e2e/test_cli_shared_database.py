"""The command line on a site's shared PostgreSQL database (KIOSK_DATABASE_URL): what one
kiosk's data dir adds, another's sees; the SQLite-file commands say they do not apply."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

from clisupport import ok
from pgsupport import PostgresServer

from tests.e2e.conftest import Cli, UsageError


def test_two_data_dirs_on_one_database_see_the_same_visits(
    cli: Cli, tmp_path: Path, database_url: str, usage_error: UsageError
) -> None:
    env = {"KIOSK_DATABASE_URL": database_url}
    front, goods = tmp_path / "front", tmp_path / "goods"
    added = ok(
        cli("--data-dir", front, "demo", "--visits", "200", "--days", "5", "--seed", "3", env=env)
    )
    assert added.stdout.startswith("added 200 visits")

    on_site = [
        json.loads(ok(cli("--data-dir", where, "present", "--format", "json", env=env)).stdout)
        for where in (front, goods)
    ]
    assert on_site[0] == on_site[1]
    assert len(on_site[0]) >= 1

    today = date.today()
    first, last = (today - timedelta(days=6)).isoformat(), today.isoformat()
    exported = [
        json.loads(
            ok(
                cli(
                    "--data-dir",
                    where,
                    "export",
                    "--from",
                    first,
                    "--to",
                    last,
                    "--format",
                    "json",
                    env=env,
                )
            ).stdout
        )
        for where in (front, goods)
    ]
    assert len(exported[0]) == 200
    assert exported[0] == exported[1]
    # Nothing of it in a SQLite file of either data dir.
    assert not (front / "kiosk.db").exists()
    assert not (goods / "kiosk.db").exists()

    said = usage_error(cli("--data-dir", goods, "check", env=env))
    assert "PostgreSQL" in said
    said = usage_error(cli("--data-dir", goods, "restore", env=env))
    assert "PostgreSQL" in said


def test_an_unreachable_server_is_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    url = f"postgresql:///visitors?host={tmp_path / 'no-server'}&connect_timeout=2"
    result = cli("--data-dir", tmp_path / "data", "present", env={"KIOSK_DATABASE_URL": url})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "cannot reach the database" in lines[0]


def test_migrate_as_the_owner_then_every_kiosk_runs_as_its_own_role(
    cli: Cli, tmp_path: Path, postgres_server: PostgresServer, usage_error: UsageError
) -> None:
    n = f"{os.getpid()}_cli"
    owner, kiosk, database = f"owner_{n}", f"kiosk_{n}", f"site_{n}"
    postgres_server.sql(f'CREATE ROLE "{owner}" LOGIN')
    postgres_server.sql(f'CREATE ROLE "{kiosk}" LOGIN')
    postgres_server.sql(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    try:
        as_kiosk = {"KIOSK_DATABASE_URL": postgres_server.url(database, user=kiosk)}
        # Before the owner migrated, the kiosk's role may not make the schema: one line, exit 1.
        refused = cli("--data-dir", tmp_path / "front", "present", env=as_kiosk)
        assert refused.returncode == 1
        assert "visitor-kiosk migrate" in refused.stderr
        assert len(refused.stderr.splitlines()) == 1

        as_owner = {"KIOSK_DATABASE_URL": postgres_server.url(database, user=owner)}
        done = ok(
            cli("--data-dir", tmp_path / "admin", "migrate", "--grant-to", kiosk, env=as_owner)
        )
        assert f"{kiosk} has the kiosks' rights" in done.stdout

        ok(cli("--data-dir", tmp_path / "front", "demo", "--visits", "50", env=as_kiosk))
        listed = json.loads(
            ok(
                cli("--data-dir", tmp_path / "goods", "present", "--format", "json", env=as_kiosk)
            ).stdout
        )
        assert len(listed) >= 1
        ok(cli("--data-dir", tmp_path / "front", "purge", env=as_kiosk))
    finally:
        postgres_server.drop_database(database)
        postgres_server.sql(f'DROP ROLE "{kiosk}"')
        postgres_server.sql(f'DROP ROLE "{owner}"')

    said = usage_error(cli("--data-dir", tmp_path / "alone", "migrate"))
    assert "PostgreSQL" in said
