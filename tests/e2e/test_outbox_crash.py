"""A kiosk killed with SIGKILL after a sign-in committed, before its host's message was
handed over (not yet tried, or in the middle of a hand-over to a mail server that hangs): after
a restart the host gets the message, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from smtpsupport import HOST, HangingServer, MailServer, free_port

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import HostNotice

# Signs one visitor in with the sender running (or not), says so, and waits to be killed.
KIOSK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kiosk.bootstrap import Core, assemble
    from kiosk.domain.visit import SignInForm

    core = assemble(Path(sys.argv[1]), Path(sys.argv[2]))
    if sys.argv[3] == "sending":
        core.sender.start()
    form = SignInForm("Annelies Verstappen", "Quillfeather BV", "Jens Hansen")
    visit = core.visits.sign_in(form, core.notices.notice("en")).visit
    print(visit.visit_id, flush=True)
    time.sleep(600)
    """
)


def write_config(folder: Path, port: int) -> Path:
    (folder / "hosts.csv").write_text("name,email\nJens Hansen,jens@example.com\n")
    config = folder / "kiosk.toml"
    config.write_text(
        f"""
[hosts]
file = "hosts.csv"

[notify]
smtp_host = "{HOST}"
smtp_port = {port}
smtp_security = "none"
sender = "kiosk@example.com"
reception = "reception@example.com"
""",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("moment", ["before the first try", "during a hand-over"])
def test_a_kill_after_the_commit_loses_nothing_and_repeats_nothing(
    tmp_path: Path, data_dir: Path, moment: str
) -> None:
    hanging = HangingServer().start() if moment == "during a hand-over" else None
    port = hanging.port if hanging else free_port()
    config = write_config(tmp_path, port)
    kiosk = subprocess.Popen(
        [sys.executable, "-c", KIOSK, str(data_dir), str(config), "sending" if hanging else ""],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert kiosk.stdout is not None
        visit_id = int(kiosk.stdout.readline())  # committed
        if hanging is not None:
            deadline = time.monotonic() + 10
            while hanging.connections == 0:  # the sender is waiting for the server's greeting
                assert time.monotonic() < deadline, "the sender never connected"
                time.sleep(0.01)
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait(10)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        if hanging is not None:
            hanging.stop()

    server = MailServer(None, port=port).start()
    core = assemble(data_dir, config)
    try:
        core.sender.start()
        deadline = time.monotonic() + 15
        while core.visits.get(visit_id) and _notice(core, visit_id) is not HostNotice.TOLD:
            assert time.monotonic() < deadline, "the message was not sent after the restart"
            time.sleep(0.01)
        core.close()
        # Nothing is left to send: a second restart sends nothing more.
        again = assemble(data_dir, config)
        try:
            assert again.sender.send_due() == 0
        finally:
            again.close()
    finally:
        server.stop()
    assert [str(m["To"]) for m in server.messages] == ["jens@example.com"]


def _notice(core: Core, visit_id: int) -> HostNotice | None:
    rows = core.visits.search_present("")
    return next(row.host_notice for row in rows if row.visit_id == visit_id)
