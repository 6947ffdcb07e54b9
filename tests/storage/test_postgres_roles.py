"""Least privilege on a site's PostgreSQL database: an owner role migrates the schema and
grants the kiosks' role what the kiosk needs (`grant_to_kiosks`); every kiosk then runs as
that role, which can do the kiosk's whole job and cannot change the schema or empty a table
at a stroke. A kiosk on an out-of-date schema, without the right to change it, says so."""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from pgsupport import PostgresServer

from kiosk.bootstrap import assemble
from kiosk.domain.errors import StorageError
from kiosk.domain.outbox import Channel, OutboxMessage, Reason
from kiosk.domain.visit import NewVisit, SignInForm
from kiosk.export.visits import ExportFormat
from storage.postgres.database import connect, grant_to_kiosks

_names = itertools.count(1)


@dataclass(frozen=True)
class Site:
    server: PostgresServer
    database: str
    owner: str
    kiosk: str

    def url(self, role: str) -> str:
        return self.server.url(self.database, user=role)


@pytest.fixture
def site(postgres_server: PostgresServer) -> Iterator[Site]:
    n = f"{os.getpid()}_{next(_names)}"
    made = Site(postgres_server, f"visitors_{n}", f"kiosk_owner_{n}", f"kiosk_{n}")
    postgres_server.sql(f'CREATE ROLE "{made.owner}" LOGIN')
    postgres_server.sql(f'CREATE ROLE "{made.kiosk}" LOGIN')
    postgres_server.sql(f'CREATE DATABASE "{made.database}" OWNER "{made.owner}"')
    yield made
    postgres_server.drop_database(made.database)
    postgres_server.sql(f'DROP ROLE "{made.kiosk}"')
    postgres_server.sql(f'DROP ROLE "{made.owner}"')


def migrate_as_owner(site: Site) -> None:
    conn = connect(site.url(site.owner))
    try:
        grant_to_kiosks(conn, site.kiosk)
    finally:
        conn.close()


def test_the_kiosks_role_does_the_kiosks_whole_job(site: Site, tmp_path: Path) -> None:
    migrate_as_owner(site)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[site]\nkiosk_id = "front-door"\n[database]\nurl = "{site.url(site.kiosk)}"\n',
        encoding="utf-8",
    )
    core = assemble(tmp_path / "data", config)
    try:
        notice = core.notices.notice("nl")
        visit = core.visits.sign_in(SignInForm("Anna de Vries", "Noordzee B.V."), notice).visit
        other = core.visits.sign_in(SignInForm("Bo Kristiansen"), notice).visit
        core.visits.sign_out_by_badge(core.visits.badge_code(visit.visit_id))
        core.reception.reprint(other.visit_id)  # a new badge code for the same visit
        core.staff_auth.set_pin("482916")
        assert not core.staff_auth.login("000000").ok
        assert core.staff_auth.login("482916").ok
        core.rights.correct(visit.visit_id, "company", "Noordzee Logistiek B.V.")
        core.rights.restrict([visit.visit_id])
        core.rights.lift_restriction([visit.visit_id])
        core.rights.record_objection([other.visit_id])
        assert core.rights.erase([other.visit_id]) == 1
        core.roll_call.take()
        core.visits.auto_sign_out()
        out = io.StringIO()
        today = core.clock().date()
        core.exports.visits(today - timedelta(days=1), today, ExportFormat.CSV, out)
        assert "Noordzee Logistiek B.V." in out.getvalue()

        # The upkeep: old visits purged (and the vacuum left to autovacuum before PostgreSQL
        # 17, where the role may not run it), audit entries, leases, the outbox.
        old = core.clock() - timedelta(days=400)
        with core.store.transaction() as db:
            db.visits.add_many(
                NewVisit(f"Old {n}", "", "", "", old, "nl", notice.version, "front-door")
                for n in range(5)
            )
        assert core.retention.take_turn()
        assert core.retention.run().visits == 5
        with core.store.transaction() as db:
            db.outbox.add(
                OutboxMessage(
                    "m-1", visit.visit_id, Channel.EMAIL, Reason.ARRIVED, "a@example.com",
                    "nl", old, core.clock(), old,
                )
            )  # fmt: skip
            claimed = db.outbox.claim(core.clock(), core.clock(), "front-door")
            assert claimed is not None
            assert db.outbox.retry_later("m-1", 1, core.clock(), "temporary 421")
            assert db.outbox.remove("m-1")
        core.exports.audit_log(date(2000, 1, 1), today, ExportFormat.JSON, io.StringIO())
    finally:
        core.close()


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE audit_visits",
        "ALTER TABLE visits ADD COLUMN note text",
        "TRUNCATE visits CASCADE",
        "CREATE TABLE copy_of_visits (name text)",
        "UPDATE kiosk_schema SET version = 1",
        "DELETE FROM notices",
        "DELETE FROM purges",
        "DELETE FROM badges",
        "DROP TRIGGER visits_changed ON visits",
    ],
)
def test_the_kiosks_role_cannot_change_the_schema_or_the_record_of_it(
    site: Site, statement: str
) -> None:
    migrate_as_owner(site)
    with (
        psycopg.connect(site.url(site.kiosk), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


def test_an_out_of_date_schema_is_for_the_owner_to_migrate(site: Site) -> None:
    conn = psycopg.connect(site.url(site.owner), autocommit=True)
    try:
        conn.execute("CREATE TABLE kiosk_schema (id integer PRIMARY KEY, version integer)")
        conn.execute("INSERT INTO kiosk_schema VALUES (1, 1)")
        conn.execute(f'GRANT SELECT ON kiosk_schema TO "{site.kiosk}"')
    finally:
        conn.close()
    with pytest.raises(StorageError, match="visitor-kiosk migrate"):
        connect(site.url(site.kiosk))
