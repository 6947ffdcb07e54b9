"""One list of every place that holds visitors' personal data (kiosk.domain.ports.PersonalData,
made in the composition root): retention, erasure and backups read it, and so does this test,
which checks that nothing the kiosk writes in its data dir is outside it. A new table, file or
folder that holds personal data must join the list, or this fails."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import SaveOnly
from storage.sqlite.backups import SqliteBackups
from storage.sqlite.database import PERSONAL_TABLES

# What the data dir holds besides the list: none of it holds visitor data (the log names visit
# ids, never a visitor; the lock is empty; the config is the site's).
NOT_PERSONAL = ("logs", "kiosk.lock", "kiosk.toml")


@pytest.fixture
def core(data_dir: Path) -> Iterator[Core]:
    made = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=SaveOnly())
    yield made
    made.close()


def a_day_of_everything(core: Core) -> None:
    """Every feature that writes into the data dir: sign-ins with badges kept as PDFs, a roll
    call saved, a backup made, a database set aside by a restore, the cleanup."""
    notice = core.notices.notice("nl")
    for name in ("Quirina Vlasbloem", "Bo Kristiansen", "Anna de Vries"):
        core.visits.sign_in(SignInForm(name, "Acme", "Jens"), notice)
    core.events.settle()
    core.roll_call.make(core.roll_call.take(), to_printer=False)
    core.retention.run()
    core.backups.make_if_due()
    core.store.close()
    backups = SqliteBackups(core.paths.database, lambda: core.clock() + timedelta(seconds=2))
    backups.restore()  # the database before it goes to damaged/


def files_in(folder: Path) -> list[Path]:
    return [Path(root, name) for root, _, names in os.walk(folder) for name in names]


def test_everything_the_kiosk_writes_is_on_the_list(core: Core, data_dir: Path) -> None:
    a_day_of_everything(core)
    (data_dir / "kiosk.lock").touch()
    locations = [path.resolve() for path in core.personal_data.locations()]
    outside = [
        path.relative_to(data_dir)
        for path in files_in(data_dir)
        if not any(path.resolve() == loc or loc in path.resolve().parents for loc in locations)
        and path.relative_to(data_dir).parts[0] not in NOT_PERSONAL
    ]
    assert outside == []
    held = {path.relative_to(data_dir).parts[0] for path in files_in(data_dir)}
    assert {"kiosk.db", "badges", "reports", "backups", "damaged"} <= held


def test_each_place_the_readme_names_is_a_holder(core: Core, data_dir: Path) -> None:
    names = {holder.name for holder in core.personal_data.holders}
    assert names == {"badge PDFs", "saved roll calls", "database backups"}
    listed = {path.relative_to(data_dir) for path in core.personal_data.locations()}
    assert {
        Path("kiosk.db"),
        Path("kiosk.db-wal"),
        Path("badges"),
        Path("reports"),
        Path("backups"),
        Path("damaged"),
    } <= listed
    assert all(data_dir in path.parents for path in core.personal_data.locations())


def test_the_listed_tables_are_the_databases_tables_with_visitor_data(core: Core) -> None:
    assert core.personal_data.tables == PERSONAL_TABLES
    with closing(sqlite3.connect(core.paths.database)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(PERSONAL_TABLES) <= tables


def test_the_log_holds_no_visitor(core: Core, data_dir: Path) -> None:
    """What is left off the list must hold no personal data: the log names visit ids only."""
    a_day_of_everything(core)
    log_text = b"".join(path.read_bytes() for path in files_in(data_dir / "logs"))
    assert b"visit 1 signed in" in log_text
    for name in (b"Quirina", b"Vlasbloem", b"Kristiansen", b"Anna de Vries"):
        assert name not in log_text
