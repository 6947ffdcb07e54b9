"""A site's database reached over the network as PostgreSQL admins set it up: TLS only, the
server's certificate checked (`sslmode=verify-full`), the kiosk logging in with a client
certificate instead of a password. The URL goes to libpq as written; the kiosk adds nothing
and takes nothing away."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pgsupport import Tls, running_server
from smtpsupport import free_port, make_certificate

from kiosk.bootstrap import assemble
from kiosk.domain.errors import StorageError
from kiosk.domain.visit import SignInForm

ROLE = "kiosk_tls"


def client_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "client.crt", folder / "client.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={ROLE}"],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def test_a_kiosk_logs_in_over_tls_with_a_client_certificate(tmp_path: Path) -> None:
    server_cert = make_certificate(tmp_path, "127.0.0.1")
    client_cert, client_key = client_certificate(tmp_path)
    tls = Tls(free_port(), server_cert.cert, server_cert.key, client_cert)
    with running_server(tls) as server:
        database = server.new_database()
        server.sql(f'CREATE ROLE "{ROLE}" LOGIN')
        server.sql(f'ALTER DATABASE "{database}" OWNER TO "{ROLE}"')
        url = (
            f"postgresql://{ROLE}@127.0.0.1:{tls.port}/{database}?sslmode=verify-full"
            f"&sslrootcert={server_cert.cert}&sslcert={client_cert}&sslkey={client_key}"
        )
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
        core = assemble(tmp_path / "data", config)
        try:
            core.visits.sign_in(SignInForm("Anna de Vries"), core.notices.notice("nl"))
            assert [v.visitor_name for v in core.visits.present()] == ["Anna de Vries"]
            # This thread's connection is open: the server sees it encrypted, from the role.
            encrypted = server.sql(
                "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                f"WHERE ssl AND usename = '{ROLE}'",
                database,
            )
            assert int(encrypted) >= 1
        finally:
            core.close()

        # Without TLS, or without the right server name, the kiosk does not get in.
        plain = f"postgresql://{ROLE}@127.0.0.1:{tls.port}/{database}?sslmode=disable"
        wrong_name = url.replace("127.0.0.1", "localhost")
        for refused in (plain, wrong_name):
            (tmp_path / "refused.toml").write_text(
                f'[database]\nurl = "{refused}"\n', encoding="utf-8"
            )
            with pytest.raises(StorageError, match="cannot reach the database"):
                assemble(tmp_path / "refused", tmp_path / "refused.toml")
