"""Several entrances, one building: kiosks with data dirs of their own on one PostgreSQL
database (`[database] url`, or KIOSK_DATABASE_URL) share one list of who is inside, one access
log, one audit log and one staff PIN. Each kiosk here is the real core (`assemble`) on the
session's private server (tests/pgsupport.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pgsupport import PostgresServer, running_server
from smtpsupport import HOST as SMTP_HOST
from smtpsupport import MailServer

from kiosk.bootstrap import Core, assemble, read_settings
from kiosk.demo.generate import add_demo_visits
from kiosk.domain.errors import ConfigError, StorageError
from kiosk.domain.visit import HostNotice, NewVisit, SignInForm
from kiosk.export.visits import ExportFormat
from kiosk.staff.auth import LoginOutcome

Kiosk = Callable[[str], Core]


@pytest.fixture
def kiosk(tmp_path: Path, database_url: str) -> Iterator[Kiosk]:
    """`kiosk("lobby-1")`: a kiosk's core with its own data dir and id on the shared database."""
    made: list[Core] = []

    def make(kiosk_id: str) -> Core:
        folder = tmp_path / kiosk_id
        folder.mkdir()
        config = folder / "kiosk.toml"
        config.write_text(
            f'[site]\nkiosk_id = "{kiosk_id}"\n[badge]\nprinter = "none"\n'
            f'[database]\nurl = "{database_url}"\n',
            encoding="utf-8",
        )
        core = assemble(folder / "data", config)
        made.append(core)
        return core

    yield make
    for core in made:
        core.close()


def exported(core: Core) -> list[dict[str, object]]:
    out = io.StringIO()
    today = core.clock().date()
    core.exports.visits(date(today.year - 1, 1, 1), today, ExportFormat.JSON, out)
    records: list[dict[str, object]] = json.loads(out.getvalue())
    return records


def test_a_visitor_signs_in_at_one_entrance_and_out_at_another(kiosk: Kiosk) -> None:
    front, goods = kiosk("front-door"), kiosk("goods-entrance")
    assert front.paths.data_dir != goods.paths.data_dir
    visit = front.visits.sign_in(
        SignInForm("Ingrid Østergaard", "Nordisk Ventilation A/S", "Mette Kjær"),
        front.notices.notice("da"),
    ).visit
    code = front.visits.badge_code(visit.visit_id)

    # Both entrances see her on site, and the evacuation list at either counts her.
    assert [v.visit_id for v in goods.visits.present()] == [visit.visit_id]
    assert [v.visit_id for v in front.roll_call.take().present] == [visit.visit_id]
    assert [v.visit_id for v in goods.roll_call.take().present] == [visit.visit_id]

    # She leaves through the goods entrance, scanning the badge the front door printed.
    left = goods.visits.sign_out_by_badge(code)
    assert left.visit_id == visit.visit_id
    assert front.visits.present() == []

    records = exported(goods)
    assert len(records) == 1
    assert records == exported(front)
    (record,) = records
    assert record["kiosk_id"] == "front-door"  # where she signed in
    assert record["sign_out_method"] == "kiosk"
    assert record["signed_out_at"]
    # Both kiosks' actions are in the one audit log.
    kiosks = {entry.kiosk_id for entry in front.audit.entries()}
    assert kiosks == {"front-door", "goods-entrance"}


def test_the_staff_pin_and_its_lock_out_are_the_sites(kiosk: Kiosk) -> None:
    """One PIN for every kiosk; wrong PINs at one kiosk count at the other."""
    front, goods = kiosk("front-door"), kiosk("goods-entrance")
    front.staff_auth.set_pin("482916")
    assert goods.staff_auth.login("482916").ok
    first = front.staff_auth.login("000000")
    second = goods.staff_auth.login("111111")
    assert (first.outcome, second.outcome) == (LoginOutcome.WRONG, LoginOutcome.WRONG)
    assert second.attempts_left == first.attempts_left - 1


def test_the_environment_names_the_database_over_the_config_file(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    _paths, settings = read_settings(tmp_path / "data", config)
    assert settings.database.url == database_url
    core = assemble(tmp_path / "data", config)
    try:
        core.visits.sign_in(SignInForm("Anna de Vries"), core.notices.notice("nl"))
    finally:
        core.close()
    # Stored on the server, not in a SQLite file in the data dir.
    assert not (tmp_path / "data" / "kiosk.db").exists()
    monkeypatch.setenv("KIOSK_DATABASE_URL", "mysql://kiosk@db/kiosk")
    with pytest.raises(ConfigError, match="KIOSK_DATABASE_URL"):
        read_settings(tmp_path / "data", config)


def test_two_kiosks_senders_tell_each_host_once(tmp_path: Path, database_url: str) -> None:
    """Arrivals at both entrances, both kiosks' senders running on the one outbox: the mail
    server gets one message per arrival, none twice, none lost."""
    server = MailServer(None).start()
    cores: list[Core] = []
    try:
        for kiosk_id in ("front-door", "goods-entrance"):
            folder = tmp_path / kiosk_id
            folder.mkdir()
            (folder / "hosts.csv").write_text(
                "name,email,language\nMette Kjær,mette@example.com,da\n", encoding="utf-8"
            )
            config = folder / "kiosk.toml"
            config.write_text(
                f'[site]\nkiosk_id = "{kiosk_id}"\n[database]\nurl = "{database_url}"\n'
                f'[hosts]\nfile = "hosts.csv"\n'
                f'[notify]\nsmtp_host = "{SMTP_HOST}"\nsmtp_port = {server.port}\n'
                'smtp_security = "none"\n',
                encoding="utf-8",
            )
            cores.append(assemble(folder / "data", config))
        arrivals = [
            cores[n % 2]
            .visits.sign_in(
                SignInForm(f"Visitor {n}", host="Mette Kjær"), cores[n % 2].notices.notice("da")
            )
            .visit.visit_id
            for n in range(30)
        ]
        for core in cores:
            core.sender.start()
        deadline = time.monotonic() + 30
        while len(server.messages) < len(arrivals):
            assert time.monotonic() < deadline, f"{len(server.messages)} of {len(arrivals)} sent"
            time.sleep(0.05)
        time.sleep(0.5)  # a second copy, if any, would have come by now
        ids = [message["Message-ID"] for message in server.messages]
        assert len(ids) == len(arrivals) == len(set(ids))
        with cores[0].store.reading() as db:
            assert db.outbox.count() == 0
            on_site = db.visits.search_on_site([], 100)
        assert sorted(v.visit_id for v in on_site) == sorted(arrivals)
        assert {v.host_notice for v in on_site} == {HostNotice.TOLD}
    finally:
        for core in cores:
            core.close()
        server.stop()


def test_a_single_kiosk_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    """SQLite in the data dir, the default: psycopg stays unloaded (start-up time, memory)."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kiosk.bootstrap import assemble\n"
        f"core = assemble(Path({str(tmp_path / 'data')!r}), Path({str(tmp_path / 'k.toml')!r}))\n"
        "core.close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('psycopg')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KIOSK_DATABASE_URL": ""},
    )
    assert done.stdout.strip() == "[]"


def test_erased_and_purged_visitors_are_gone_from_a_dump_and_the_tables_vacuumed(
    kiosk: Kiosk, postgres_server: PostgresServer, database_url: str, tmp_path: Path
) -> None:
    front = kiosk("front-door")
    gone = front.visits.sign_in(
        SignInForm("Zebulon Quartermaine", "Xylofoon Holding", "Mette Kjær", "Audit"),
        front.notices.notice("nl"),
    ).visit
    kept = front.visits.sign_in(SignInForm("Anna de Vries"), front.notices.notice("nl")).visit
    code = front.visits.badge_code(gone.visit_id)
    assert front.rights.erase([gone.visit_id]) == 1
    # And one past retention, purged.
    old = front.clock() - timedelta(days=400)
    with front.store.transaction() as db:
        version = front.notices.notice("nl").version
        db.visits.add_many(
            [NewVisit("Ysolde Purgeworthy", "Oudlaan BV", "", "", old, "nl", version, "x")]
        )
    assert front.retention.run().visits == 1

    dump = tmp_path / "visitors.sql"
    database = database_url.split("///", 1)[1].split("?", 1)[0]
    subprocess.run(
        [
            str(postgres_server.binaries / "pg_dump"),
            "--no-owner",
            "-f",
            str(dump),
            postgres_server.url(database),
        ],
        check=True,
        capture_output=True,
    )
    dumped = dump.read_bytes()
    assert b"Anna de Vries" in dumped  # the dump holds the visits that were kept
    for trace in ("Zebulon", "Quartermaine", "Xylofoon", code, "Ysolde", "Oudlaan"):
        assert trace.encode() not in dumped
    # The erasure vacuumed the tables: no dead row of hers waits for autovacuum.
    vacuumed = postgres_server.sql(
        "SELECT count(*) FROM pg_stat_user_tables "
        "WHERE relname IN ('visits', 'badges') AND last_vacuum IS NOT NULL",
        database,
    )
    assert vacuumed.strip() == "2"
    assert front.visits.get(kept.visit_id) is not None


def _demo_export(core: Core, fmt: ExportFormat) -> bytes:
    add_demo_visits(
        core.store,
        core.notices,
        languages=core.config.kiosk.languages,
        kiosk_id=core.config.site.kiosk_id,
        hosts=core.hosts,
        clock=core.clock,
        count=1500,
        days=20,
        seed=11,
    )
    first, last = date(2026, 10, 1), date(2026, 12, 31)
    if fmt is ExportFormat.XLSX:
        book = io.BytesIO()
        core.exports.visits(first, last, fmt, book)
        return book.getvalue()
    out = io.StringIO()
    core.exports.visits(first, last, fmt, out)
    return out.getvalue().encode()


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.JSON])
def test_the_same_demo_exports_the_same_on_both_engines(
    tmp_path: Path, database_url: str, fmt: ExportFormat
) -> None:
    """`demo --seed S` on SQLite and on PostgreSQL: the export's records are byte for byte the
    same apart from `visit_id` (the engines number rows their own way)."""
    now = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)
    exports = []
    for engine, config in (("sqlite", ""), ("postgres", f'[database]\nurl = "{database_url}"\n')):
        folder = tmp_path / engine
        folder.mkdir()
        (folder / "kiosk.toml").write_text(config, encoding="utf-8")
        core = assemble(folder / "data", folder / "kiosk.toml", clock=lambda: now)
        try:
            exports.append(_demo_export(core, fmt))
        finally:
            core.close()
    sqlite, postgres = exports
    assert (tmp_path / "sqlite" / "data" / "kiosk.db").exists()
    assert not (tmp_path / "postgres" / "data" / "kiosk.db").exists()
    if fmt is ExportFormat.CSV:
        lines = [text.decode().splitlines() for text in (sqlite, postgres)]
        assert len(lines[0]) == 1501
        assert [line.split(",", 1)[1] for line in lines[0][1:]] == [
            line.split(",", 1)[1] for line in lines[1][1:]
        ]
        assert lines[0][0] == lines[1][0]
    else:
        records = [json.loads(text) for text in (sqlite, postgres)]
        for each in records:
            for record in each:
                del record["visit_id"]
        assert len(records[0]) == 1500
        assert records[0] == records[1]


def test_the_server_going_away_sends_the_visitor_to_reception_and_comes_back_by_itself(
    tmp_path: Path,
) -> None:
    """A private server of this test's own, stopped and started again under a running core:
    the sign-in in between fails as a full disk does (StorageError, nothing half-written), and
    the next one after the server is back works on the same core, without a restart."""
    with running_server() as server:
        name = server.new_database()
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[database]\nurl = "{server.url(name)}"\n', encoding="utf-8")
        core = assemble(tmp_path / "data", config)
        try:
            notice = core.notices.notice("en")
            core.visits.sign_in(SignInForm("Before the outage"), notice)
            server.stop()
            with pytest.raises(StorageError):
                core.visits.sign_in(SignInForm("During the outage"), notice)
            with pytest.raises(StorageError):
                core.visits.present()
            server.start()
            core.visits.sign_in(SignInForm("After the outage"), notice)
            names = sorted(v.visitor_name for v in core.visits.present())
            assert names == ["After the outage", "Before the outage"]
        finally:
            core.close()


def test_a_kiosk_is_told_of_the_others_changes_and_after_a_lost_connection(
    tmp_path: Path,
) -> None:
    """The watch (LISTEN/NOTIFY) calls back for a sign-in at another kiosk, and once more when
    it listens again after the server was away (what changed meanwhile is read then)."""
    with running_server() as server:
        name = server.new_database()
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[database]\nurl = "{server.url(name)}"\n', encoding="utf-8")
        front = assemble(tmp_path / "front", config)
        goods = assemble(tmp_path / "goods", config)
        told: list[float] = []
        try:
            goods.watch_visits(lambda: told.append(time.monotonic()))
            _wait(lambda: _listening(server, name), "the watch never listened")
            front.visits.sign_in(SignInForm("Anna de Vries"), front.notices.notice("nl"))
            _wait(lambda: len(told) == 1, "no call back for the other kiosk's sign-in")

            server.stop()
            server.start()
            _wait(lambda: len(told) == 2, "no call back once listening again")
        finally:
            front.close()
            goods.close()


def _listening(server: PostgresServer, database: str) -> bool:
    listeners = server.sql(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'visitor-kiosk watch' AND datname = current_database()",
        database,
    )
    return listeners.strip() == "1"


def _wait(done: Callable[[], bool], failure: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


def test_the_upkeep_runs_on_one_kiosk_of_the_site(tmp_path: Path, database_url: str) -> None:
    """The retention cleanup and the auto sign-out: the kiosk holding the turn does them, the
    other skips (and takes over once the holder's turn has run out)."""
    now = datetime(2026, 12, 6, 23, 30).astimezone()  # (the auto sign-out is at 23:00 local)
    clocks = {"front-door": now, "goods-entrance": now}
    cores = {}
    for kiosk_id in clocks:
        folder = tmp_path / kiosk_id
        folder.mkdir()
        config = folder / "kiosk.toml"
        config.write_text(
            f'[site]\nkiosk_id = "{kiosk_id}"\n[database]\nurl = "{database_url}"\n',
            encoding="utf-8",
        )
        cores[kiosk_id] = assemble(
            folder / "data", config, clock=lambda kiosk_id=kiosk_id: clocks[kiosk_id]
        )
    front, goods = cores["front-door"], cores["goods-entrance"]
    try:
        old = now - timedelta(days=120)
        with front.store.transaction() as db:
            notice = front.notices.notice("en").stored
            db.visits.add_notice(notice, old)
            db.visits.add_many(
                NewVisit(f"Visitor {n}", "", "", "", old, "en", notice.version, "front-door")
                for n in range(50)
            )
        clocks["front-door"] = now - timedelta(hours=3)
        for n in range(4):
            front.visits.sign_in(SignInForm(f"Still here {n}"), front.notices.notice("en"))
        clocks["front-door"] = now

        turns = [front.retention.take_turn(), goods.retention.take_turn()]
        assert turns == [True, False]
        assert front.retention.run().visits == 50
        with goods.store.reading() as db:
            assert len(db.purges.records()) == 1

        # The auto sign-out at 23:00: the front door closes the four, the goods entrance
        # skips (its turn is the front door's), and the visits are closed once.
        clocks["front-door"] = clocks["goods-entrance"] = now + timedelta(minutes=1)
        assert front.visits.auto_sign_out() == 4
        assert goods.visits.auto_sign_out() == 0
        assert front.visits.present() == []

        # The front door stops: once its turns have run out, the goods entrance takes over.
        later = now + timedelta(hours=3)
        clocks["goods-entrance"] = later
        assert goods.retention.take_turn()
    finally:
        for core in cores.values():
            core.close()


def test_an_erasure_at_one_kiosk_reaches_the_others_files_within_the_hour(
    kiosk: Kiosk, tmp_path: Path
) -> None:
    """The goods entrance kept her badge PDF (printer "none"); she is erased at the front door.
    The goods entrance's hourly upkeep, without the cleanup's turn, deletes its own copy."""
    front = kiosk("front-door")
    goods = kiosk("goods-entrance")
    visit = goods.visits.sign_in(SignInForm("Ottoline Vexley"), goods.notices.notice("en")).visit
    goods.events.settle()
    pdfs = list(goods.paths.badge_dir.glob("*.pdf"))
    assert [p.stem for p in pdfs] == [str(visit.visit_id)]
    assert front.rights.erase([visit.visit_id]) == 1
    assert pdfs[0].exists()  # another kiosk's file: not the front door's to reach

    assert front.retention.take_turn()
    assert not goods.retention.take_turn()
    assert goods.retention.expire_local() == 1
    assert not pdfs[0].exists()
