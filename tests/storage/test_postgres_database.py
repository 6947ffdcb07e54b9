"""The PostgreSQL engine's own schema rules (the shared store suite covers the rest): kiosks
starting at once on an empty database migrate it once, and a database newer than the program
is refused, as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from pgsupport import PostgresServer

from kiosk.domain.errors import StorageError
from storage.postgres.database import SCHEMA_VERSION, connect, schema_version


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.new_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


def test_kiosks_starting_at_once_migrate_an_empty_database_once(url: str) -> None:
    def start(_n: int) -> int:
        conn = connect(url)
        try:
            return schema_version(conn)
        finally:
            conn.close()

    with ThreadPoolExecutor(6) as pool:
        versions = list(pool.map(start, range(6)))
    assert versions == [SCHEMA_VERSION] * 6
    conn = connect(url, migrate_schema=False)
    try:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'visits'"
        ).fetchone()
        assert tables == (1,)
    finally:
        conn.close()


def test_a_database_newer_than_the_program_is_refused(url: str) -> None:
    connect(url).close()
    conn = connect(url, migrate_schema=False)
    try:
        conn.execute("UPDATE kiosk_schema SET version = %s", [SCHEMA_VERSION + 1])
    finally:
        conn.close()
    with pytest.raises(StorageError, match="newer than this program"):
        connect(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://kiosk:s3cret@[::1/visitors",  # libpq quotes a URL it cannot parse
        "postgresql://kiosk:s3%zzcret@localhost/visitors",
        "postgresql://kiosk:s3cret@127.0.0.1:1/visitors?connect_timeout=2",
        "postgresql://kiosk@127.0.0.1:1/visitors?password=s3cret&connect_timeout=2",
    ],
)
def test_a_password_in_the_url_never_reaches_a_message(url: str) -> None:
    """KIOSK_DATABASE_URL may carry a password; what the kiosk says about a URL it cannot
    use (on stderr, in the log) never repeats it."""
    with pytest.raises(StorageError) as failed:
        connect(url)
    assert "s3cret" not in str(failed.value)
    assert "s3%zz" not in str(failed.value)
    assert failed.value.__cause__ is None  # nor in a chained libpq message
