"""Shared fixtures: a real data dir with a real SQLite file, a config written as TOML, the
core assembled on it, and checks that fail a test which leaves a thread or a Qt timer running
(as napari's conftest does).

Qt runs offscreen, so the whole suite runs without a display."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may reach a real printer: CUPS clients talk to a socket that does not exist,
# unless a test points them at the private scheduler of `cupssupport`.
os.environ["CUPS_SERVER"] = "/nonexistent/kiosk-tests/cups.sock"
# Nor a real database: a shell that names the site's (the README's migrate recipe) is ignored.
os.environ.pop("KIOSK_DATABASE_URL", None)

from pgsupport import PostgresServer, running_server

from kiosk.bootstrap import Core, assemble

WriteConfig = Callable[[str], Path]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write TOML text to a config file and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "kiosk.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def core(data_dir: Path) -> Iterator[Core]:
    """The kiosk's core on a fresh data dir with the built-in settings, closed afterwards."""
    made = assemble(data_dir, data_dir / "kiosk.toml")
    yield made
    made.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the test session (tests/pgsupport.py), started by the
    first test that needs it."""
    with running_server() as server:
        yield server


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A database of its own on the session's server, dropped after the test."""
    name = postgres_server.new_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


pytest_plugins = ["leaksupport", "qtsupport", "cupssupport", "visitsupport", "xsupport"]
