"""Everything the kiosk writes is for its own user only, whatever the umask: folders 0700,
files 0600, SQLite's -wal and -shm included (README, "Where data lives"). On a kiosk PC
other accounts must not read visitors' data. These tests call the core directly, without the
command line and the umask it sets."""

from __future__ import annotations

import logging
import os
import sqlite3
from concurrent.futures import Future
from contextlib import closing
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from modesupport import all_paths, crash_leaving_wal, mode, not_private, umask

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm, Visit
from kiosk.settings.instance import only_instance
from storage.sqlite.backups import SqliteBackups

PRINT_NOTHING = '[badge]\nprinter = "none"\n\n[staff]\nprinter = "none"\n'
log = logging.getLogger("kiosk.test")


def log_handler(core: Core) -> RotatingFileHandler:
    path = str(core.paths.log_dir / "kiosk.log")
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, RotatingFileHandler) and h.baseFilename == path
    ]
    return handler


def sign_in(core: Core) -> Visit:
    """A visitor signs in; returns once their badge is done (written, and printed or not)."""
    visit = core.visits.sign_in(SignInForm("Ann Smith", "Acme"), core.notices.notice("en")).visit
    core.events.settle()
    return visit


def sign_in_one(data_dir: Path, config: Path) -> None:
    """The kiosk starts, one visitor signs in, and it stops."""
    core = assemble(data_dir, config)
    try:
        sign_in(core)
    finally:
        core.close()


def backups_of(core: Core) -> SqliteBackups:
    assert isinstance(core.backups, SqliteBackups)
    return core.backups


def open_up(root: Path) -> None:
    """What an older version left: every folder 0755, every file 0644."""
    for folder, _, files in os.walk(root):
        Path(folder).chmod(0o755)
        for name in files:
            (Path(folder) / name).chmod(0o644)


@pytest.mark.parametrize("mask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_everything_the_core_writes_is_for_its_user_only(tmp_path: Path, mask: int) -> None:
    config = tmp_path / "kiosk.toml"  # not the kiosk's, and outside its data dir
    config.write_text(PRINT_NOTHING, encoding="utf-8")
    data_dir = tmp_path / "data"
    seen: set[str] = set()
    with umask(mask):
        core = assemble(data_dir, config)  # makes the data dir
        try:
            visit = sign_in(core)  # its badge saved by the core's badge printing
            log.warning("visit %d signed in", visit.visit_id)
            log_handler(core).doRollover()
            log.warning("after the rotation")
            code = core.visits.badge_code(visit.visit_id)
            assert core.badges.print_badge(visit, code).status == "saved"
            report = core.roll_call.make(core.roll_call.take())
            assert (report.count, report.fault) == (1, None)
            backups_of(core).make()
            seen |= all_paths(data_dir)
            assert not_private(data_dir) == [], "readable by others while the kiosk runs"
        finally:
            core.close()
        with only_instance(data_dir):  # as `visitor-kiosk restore` does
            backups_of(core).restore()  # the database set aside in damaged/, a backup in place
        sign_in_one(data_dir, config)
        seen |= all_paths(data_dir)
        assert not_private(data_dir) == [], "readable by others after a restore"

    expected = {
        "kiosk.db",
        "kiosk.db-wal",
        "kiosk.db-shm",
        "kiosk.lock",
        "logs",
        "logs/kiosk.log",
        "logs/kiosk.log.1",
        "badges",
        f"badges/{visit.visit_id}.pdf",
        "reports",
        "backups",
        "damaged",
    }
    assert expected <= seen, f"not written: {sorted(expected - seen)}"
    assert any(p.startswith("reports/roll-call-") for p in seen)
    assert any(p.startswith("backups/kiosk-") for p in seen)
    assert any(p.startswith("damaged/kiosk-") for p in seen)


def test_an_older_versions_open_data_dir_is_tightened_on_start(data_dir: Path) -> None:
    config = data_dir / "kiosk.toml"
    with umask(0o022):
        sign_in_one(data_dir, config)  # its badge was written in badges/ (then removed)
        crash_leaving_wal(data_dir / "kiosk.db")
        (data_dir / "logs" / "kiosk.log.1").write_text("rotated\n", encoding="utf-8")
        open_up(data_dir)
        # Someone still reading (a `visitor-kiosk export`, say) keeps the WAL file as it is.
        with closing(sqlite3.connect(data_dir / "kiosk.db")) as reader:
            reader.execute("SELECT count(*) FROM visits").fetchone()
            assert (mode(data_dir), mode(data_dir / "kiosk.db-wal")) == (0o755, 0o644)

            restarted = assemble(data_dir, config)  # opens the database (and lets it go)
            try:
                assert (data_dir / "kiosk.db-wal").exists()
                assert not_private(data_dir) == []
                assert restarted.visits.present() != []  # and uses it
                assert not_private(data_dir) == []
            finally:
                restarted.close()

    assert not_private(data_dir) == []


def test_the_data_dir_is_private_before_the_database_is_opened(data_dir: Path) -> None:
    """`run` opens the database only once SQLite's check of it is done (kiosk.bootstrap)."""
    open_up(data_dir)
    check: Future[list[str]] = Future()
    with umask(0o022):
        core = assemble(data_dir, data_dir / "kiosk.toml", database_check=check)
        try:
            assert not core.paths.database.exists()
            assert not_private(data_dir) == []

            check.set_result([])
            core.store.ready()
        finally:
            core.close()
    assert core.paths.database.exists()
    assert not_private(data_dir) == []


def test_the_lock_and_its_folder_are_tightened_when_taken(data_dir: Path) -> None:
    lock = data_dir / "kiosk.lock"
    lock.touch()
    open_up(data_dir)

    with only_instance(data_dir):
        assert (mode(data_dir), mode(lock)) == (0o700, 0o600)


def test_a_database_set_aside_by_restore_is_private(data_dir: Path) -> None:
    """`restore` moves a damaged database aside without opening it, so no connect has
    tightened one that an older version left 0644."""
    with umask(0o022):
        core = assemble(data_dir, data_dir / "kiosk.toml")
        try:
            sign_in(core)
            backups_of(core).make()
        finally:
            core.close()
        crash_leaving_wal(core.paths.database)
        for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
            (data_dir / name).chmod(0o644)
        backups_of(core).restore()

    aside = sorted(p.name for p in (data_dir / "damaged").iterdir())
    assert any(name.endswith(".db") for name in aside), aside
    assert any(name.endswith(".db-wal") for name in aside), aside
    assert not_private(data_dir) == []


def test_the_config_and_hosts_file_are_not_the_kiosks_to_change(data_dir: Path) -> None:
    config = data_dir / "kiosk.toml"
    config.write_text('[hosts]\nfile = "hosts.csv"\n', encoding="utf-8")
    hosts = data_dir / "hosts.csv"
    hosts.write_text("name,email\nBo Jensen,bo@example.com\n", encoding="utf-8")
    open_up(data_dir)

    core = assemble(data_dir, config)
    try:
        sign_in(core)
    finally:
        core.close()

    assert core.hosts == ("Bo Jensen",)
    assert (mode(config), mode(hosts)) == (0o644, 0o644)
    assert not_private(data_dir, besides=frozenset({config, hosts})) == []
