"""A private PostgreSQL server for the tests: Debian's `postgresql` package, a cluster made by
`initdb` in a temporary folder, listening on a Unix socket in that folder only (no TCP port),
for the whole test session; each test that wants one gets a database of its own.

PostgreSQL refuses to run as root, so when the tests run as root (CI, `make test` in a
container) the server runs as the `postgres` account Debian's package makes, and the folder is
given to it. The tests connect as the cluster's superuser over the socket (`trust`: only this
machine's processes reach the socket, and the folder is the server's own); the kiosk's own
roles (the owner that migrates, the restricted one it runs as) are made by the tests that need
them.

Where PostgreSQL is missing, the tests that need it skip, except under CI=true, where they
fail: a CI run never passes without the second engine."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

SUPERUSER = "postgres"
_names = itertools.count(1)


def server_binaries() -> Path | None:
    """The newest installed server's bin folder (/usr/lib/postgresql/<major>/bin)."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def require_postgres() -> Path:
    binaries = server_binaries()
    if binaries is None:
        message = "PostgreSQL is not installed (Debian package postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binaries


@dataclass
class PostgresServer:
    folder: Path
    binaries: Path
    major: int
    port: int = 5432  # the socket's name has it too

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", user: str = SUPERUSER, **params: str) -> str:
        """A libpq URI for a database of this server, over its socket."""
        query = "&".join(
            f"{k}={quote(v, safe='')}"
            for k, v in {
                "host": str(self.socket_dir),
                "port": str(self.port),
                "user": user,
                **params,
            }.items()
        )
        return f"postgresql:///{quote(database, safe='')}?{query}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement as the superuser with psql; what it printed (unaligned)."""
        done = subprocess.run(
            [
                str(self.binaries / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url(database),
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def new_database(self, prefix: str = "kiosk") -> str:
        name = f"{prefix}_{os.getpid()}_{next(_names)}"
        self.sql(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """The server going away (a fast shutdown: connections are cut)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-l", str(self.folder / "server.log"), "-w", "-t", "60", "start")

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), *args],
            check=True,
            capture_output=True,
            env=_ENV,
            **_as_server_account(),  # type: ignore[call-overload]
        )


_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def _as_server_account() -> dict[str, object]:
    """Keyword arguments for subprocess that run the server as `postgres` when we are root."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@dataclass(frozen=True)
class Tls:
    """A server that also listens on 127.0.0.1:`port` over TLS only, with `cert`/`key` (a
    certificate for 127.0.0.1) and logging in with a client certificate signed by `client_ca`
    (the role is the certificate's CN)."""

    port: int
    cert: Path
    key: Path
    client_ca: Path


@contextmanager
def running_server(tls: Tls | None = None) -> Iterator[PostgresServer]:
    binaries = require_postgres()
    major = int(binaries.parent.name)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    data, socket_dir = folder / "data", folder / "socket"
    data.mkdir()
    socket_dir.mkdir()
    as_server = _as_server_account()
    if as_server:
        account = pwd.getpwnam("postgres")
        for path in (folder, data, socket_dir):
            os.chown(path, account.pw_uid, account.pw_gid)
        folder.chmod(0o755)  # the tests (root) reach the socket in it
    env = _ENV
    subprocess.run(
        [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        env=env,
        **as_server,  # type: ignore[call-overload]
    )
    # Only the socket; fsync on, as a kiosk's server has it (the durability tests need it).
    settings = (
        "listen_addresses = ''\n"
        f"unix_socket_directories = '{socket_dir}'\n"
        "max_connections = 100\n"
        "shared_buffers = 32MB\n"
    )
    if tls is not None:
        for source, name in ((tls.cert, "server.crt"), (tls.key, "server.key"),
                             (tls.client_ca, "client-ca.crt")):  # fmt: skip
            target = data / name
            shutil.copyfile(source, target)
            target.chmod(0o600)
            if as_server:
                account = pwd.getpwnam("postgres")
                os.chown(target, account.pw_uid, account.pw_gid)
        settings = settings.replace(
            "listen_addresses = ''", f"listen_addresses = '127.0.0.1'\nport = {tls.port}"
        ) + (
            "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
            "ssl_ca_file = 'client-ca.crt'\n"
        )
        with (data / "pg_hba.conf").open("w", encoding="utf-8") as hba:
            hba.write(
                "local all all trust\n"
                "hostssl all all 127.0.0.1/32 cert\n"
                "host all all 127.0.0.1/32 reject\n"
            )
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(settings)
    log = folder / "server.log"
    if as_server:
        log.touch()
        os.chown(log, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
    server = PostgresServer(folder, binaries, major, tls.port if tls else 5432)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.sql("SELECT 1")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield server
    finally:
        subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            capture_output=True,
            env=env,
            **as_server,  # type: ignore[call-overload]
        )
        shutil.rmtree(folder, ignore_errors=True)
