"""What the screens say about telling the host, with a real mail server on loopback: the
visitor's confirmation says the host was told only once the server accepted the message, and
reception's on-site list marks a visitor whose host the kiosk did not reach."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from qtsupport import MakeWindow, fill_and_submit, wait_for_screen
from smtpsupport import HOST, MailServer

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm
from ui.main_window import KioskWindow

PIN = "80417263"


@pytest.fixture
def server() -> Iterator[MailServer]:
    started = MailServer(None).start()
    yield started
    started.stop()


@pytest.fixture
def core(server: MailServer, data_dir: Path, tmp_path: Path) -> Core:
    """The kiosk's core, telling hosts through `server`; the window built on it closes it."""
    (tmp_path / "hosts.csv").write_text("name,email\nJens Hansen,jens@example.com\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[badge]
printer = "none"

[hosts]
file = "hosts.csv"

[notify]
smtp_host = "{HOST}"
smtp_port = {server.port}
smtp_security = "none"
sender = "kiosk@example.com"
reception = "reception@example.com"
""",
        encoding="utf-8",
    )
    return assemble(data_dir, config)


@pytest.fixture
def window(make_window: MakeWindow, core: Core) -> KioskWindow:
    return make_window(core=core)


def outbox_empty(core: Core) -> bool:
    with core.store.reading() as db:
        return db.outbox.count() == 0


def test_the_host_is_said_to_be_told_only_once_their_server_accepted(
    qtbot: QtBot, window: KioskWindow, server: MailServer
) -> None:
    server.refuse(451)  # the first try is refused: the next one is a second later
    fill_and_submit(qtbot, window, "Noor Visser", host="Jens Hansen")
    wait_for_screen(qtbot, window, "done")
    told = window.catalog.text("done.host_told", host="Jens Hansen")
    pending = window.catalog.text("done.host_pending")
    assert pending in window.done.message.text()
    assert told not in window.done.message.text()
    assert server.messages == []

    qtbot.waitUntil(lambda: told in window.done.message.text(), timeout=10_000)
    assert [str(m["To"]) for m in server.messages] == ["jens@example.com"]
    assert pending not in window.done.message.text()


def test_a_host_typed_freely_is_never_said_to_be_told(
    qtbot: QtBot, window: KioskWindow, core: Core, server: MailServer
) -> None:
    fill_and_submit(qtbot, window, "Noor Visser", host="Someone Unlisted")
    wait_for_screen(qtbot, window, "done")
    qtbot.waitUntil(lambda: len(server.messages) == 1 and outbox_empty(core), timeout=10_000)
    core.events.settle()  # whatever the sender emitted has reached the screen's queue
    QApplication.processEvents()

    assert [str(m["To"]) for m in server.messages] == ["reception@example.com"]
    assert window.catalog.text("done.host_pending") in window.done.message.text()
    assert "Someone Unlisted" not in window.done.message.text()


def test_reception_sees_whose_host_was_not_reached(
    qtbot: QtBot, window: KioskWindow, core: Core, server: MailServer
) -> None:
    notice = core.notices.notice("en")
    told = core.visits.sign_in(SignInForm("Noor Visser", "", "Jens Hansen"), notice).visit
    unknown = core.visits.sign_in(SignInForm("Bo Lund", "", "Someone Unlisted"), notice).visit
    qtbot.waitUntil(lambda: len(server.messages) == 2 and outbox_empty(core), timeout=10_000)
    core.staff_auth.set_pin(PIN)
    window.welcome.staff.click()
    wait_for_screen(qtbot, window, "staffLogin")
    for digit in PIN:
        window.staff_login.keys[digit].click()
    window.staff_login.submit.click()
    wait_for_screen(qtbot, window, "staff")
    model = window.staff.present_model
    qtbot.waitUntil(lambda: model.rowCount() == 2)

    host_column = 2
    cells = {
        model.record(row).visit_id: model.index(row, host_column) for row in range(model.rowCount())
    }
    mark = "⚠ " + window.catalog.text("staff.host_not_reached")
    assert model.data(cells[unknown.visit_id]) == f"Someone Unlisted\n{mark}"
    assert model.data(cells[unknown.visit_id], Qt.ItemDataRole.ToolTipRole) == (
        window.catalog.text("staff.host_not_reached_tip")
    )
    assert model.data(cells[told.visit_id]) == "Jens Hansen"
    assert model.data(cells[told.visit_id], Qt.ItemDataRole.ToolTipRole) is None
