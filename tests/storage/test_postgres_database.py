"""The PostgreSQL engine's own schema rules (the shared store suite covers the rest): kiosks
starting at once on an empty database migrate it once, and a database newer than the program
is refused, as on SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk.domain.errors import StorageError
from storage.postgres.database import SCHEMA_VERSION, connect, schema_version


def test_kiosks_starting_at_once_migrate_an_empty_database_once(database_url: str) -> None:
    def start(_n: int) -> int:
        conn = connect(database_url)
        try:
            return schema_version(conn)
        finally:
            conn.close()

    with ThreadPoolExecutor(6) as pool:
        versions = list(pool.map(start, range(6)))
    assert versions == [SCHEMA_VERSION] * 6
    conn = connect(database_url, migrate_schema=False)
    try:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'visits'"
        ).fetchone()
        assert tables == (1,)
    finally:
        conn.close()


def test_a_database_newer_than_the_program_is_refused(database_url: str) -> None:
    connect(database_url).close()
    conn = connect(database_url, migrate_schema=False)
    try:
        conn.execute("UPDATE kiosk_schema SET version = %s", [SCHEMA_VERSION + 1])
    finally:
        conn.close()
    with pytest.raises(StorageError, match="newer than this program"):
        connect(database_url)


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://kiosk:s3cret@[::1/visitors",  # libpq quotes a URL it cannot parse
        "postgresql://kiosk:s3%zzcret@localhost/visitors",
        "postgresql://kiosk:s3cret@127.0.0.1:1/visitors?connect_timeout=2",
        "postgresql://kiosk@127.0.0.1:1/visitors?password=s3cret&connect_timeout=2",
    ],
)
def test_a_password_in_the_url_never_reaches_a_message(database_url: str) -> None:
    """KIOSK_DATABASE_URL may carry a password; what the kiosk says about a URL it cannot
    use (on stderr, in the log) never repeats it."""
    with pytest.raises(StorageError) as failed:
        connect(database_url)
    assert "s3cret" not in str(failed.value)
    assert "s3%zz" not in str(failed.value)
    assert failed.value.__cause__ is None  # nor in a chained libpq message
