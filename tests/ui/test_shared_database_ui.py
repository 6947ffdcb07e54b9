"""Two kiosk windows on one PostgreSQL database (two entrances): the staff screen at one
follows what happens at the other within a second, through the real widgets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgsupport import PostgresServer, running_server
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm
from tests.ui.test_staff import log_in, table_names
from ui.main_window import KioskWindow

# The target: another kiosk's sign-in or sign-out shows within a second.
PROPAGATION_MS = 1000


@pytest.fixture
def shared_config(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[Path]:
    name = postgres_server.new_database()
    config = tmp_path / "site.toml"
    config.write_text(
        f'[badge]\nprinter = "none"\n[database]\nurl = "{postgres_server.url(name)}"\n',
        encoding="utf-8",
    )
    yield config
    postgres_server.drop_database(name)


def kiosk_window(make_window: MakeWindow, folder: Path, config: Path) -> tuple[KioskWindow, Core]:
    core = assemble(folder, config)
    return make_window(core=core), core


def test_the_staff_list_follows_the_other_entrance_within_a_second(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, shared_config: Path
) -> None:
    goods, goods_core = kiosk_window(make_window, tmp_path / "goods", shared_config)
    front_core = assemble(tmp_path / "front", shared_config)
    try:
        log_in(qtbot, goods, goods_core)
        assert table_names(goods) == []
        qtbot.wait(300)  # the window's watcher listens by now (it starts with the window)

        started = time.monotonic()
        visit = front_core.visits.sign_in(
            SignInForm("Ingrid Østergaard", "Nordisk Ventilation A/S"),
            front_core.notices.notice("da"),
        ).visit
        qtbot.waitUntil(lambda: table_names(goods) == ["Ingrid Østergaard"], timeout=PROPAGATION_MS)
        shown_after = time.monotonic() - started
        assert shown_after < PROPAGATION_MS / 1000

        front_core.visits.sign_out(visit.visit_id)
        qtbot.waitUntil(lambda: table_names(goods) == [], timeout=PROPAGATION_MS)
    finally:
        front_core.close()


def test_the_staff_screen_says_when_the_database_cannot_be_reached(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    """The site's server going away under an open staff screen: a search says the database
    cannot be reached (not "that did not work"), and once it is back the list works again."""
    with running_server() as server:
        config = tmp_path / "site.toml"
        config.write_text(
            f'[badge]\nprinter = "none"\n[database]\nurl = "{server.url(server.new_database())}"\n',
            encoding="utf-8",
        )
        window, core = kiosk_window(make_window, tmp_path / "front", config)
        core.visits.sign_in(SignInForm("Anna de Vries"), core.notices.notice("en"))
        log_in(qtbot, window, core)
        qtbot.waitUntil(lambda: table_names(window) == ["Anna de Vries"])
        unreachable = window.catalog.text("staff.database_unreachable")

        server.stop()
        window.staff_controller.refresh()
        qtbot.waitUntil(lambda: window.staff.message.text() == unreachable, timeout=10_000)

        server.start()
        window.staff.search.setText("anna")
        qtbot.waitUntil(lambda: table_names(window) == ["Anna de Vries"], timeout=10_000)
        window.close()
        window.shutdown()
