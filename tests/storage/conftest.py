"""The storage engines the shared store suite (test_store.py) runs on: each one a `Store` of
`kiosk.domain.ports`, made fresh for each test in its own place and let go of afterwards:
SQLite in the test's temporary folder, PostgreSQL in a database of its own on the session's
private server (tests/pgsupport.py).

An engine is how to make its store, and the error it raises when a write breaks a uniqueness
rule of the database (the port leaves that error to the engine)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlite_utils
from pgsupport import PostgresServer

from kiosk.domain.ports import Store
from storage.postgres.store import PostgresStore
from storage.sqlite.database import connect
from storage.sqlite.store import SqliteStore


@dataclass(frozen=True)
class Engine:
    make: Callable[[Path], Store]
    constraint_error: type[Exception]


ENGINE_NAMES = ("sqlite", "postgres")


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield Engine(
            make=lambda folder: SqliteStore(folder / "kiosk.db"),
            constraint_error=sqlite3.IntegrityError,
        )
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    database = server.new_database()
    yield Engine(
        make=lambda _folder: PostgresStore(server.url(database)),
        constraint_error=psycopg.IntegrityError,
    )
    server.drop_database(database)


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store, ready to use; the test thread's connection is closed afterwards
    (a thread of the test's own closes its connection itself)."""
    made = engine.make(tmp_path)
    made.ready()
    yield made
    made.close()


# For the SQLite store's own tests: the database file, and a connection to it of the test's.
@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "kiosk.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    opened = connect(db_path)
    yield opened
    opened.close()
