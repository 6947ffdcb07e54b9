"""Telling the host, through the outbox, against a real SMTP server on loopback (aiosmtpd):
exactly one message per arrival, reception told when the host cannot be, retries while the
server is down or says "try later", nothing sent late to the host, and nothing personal in
the log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from smtpsupport import (
    HOST,
    PASSWORD,
    USERNAME,
    Certificate,
    HangingServer,
    MailServer,
    free_port,
    make_certificate,
)
from visitsupport import MORNING, Clock

from kiosk.bootstrap import Core, assemble
from kiosk.domain.events import HostTold
from kiosk.domain.visit import HostNotice, SignInForm, Visit
from kiosk.notify.sender import BACKOFF_S, retry_delay

VISITOR = SignInForm("Annelies Verstappen", "Quillfeather BV", "Jens Hansen", "Salary talks")
HOSTS = (
    "name,email,language\n"
    "Jens Hansen,jens.hansen@example.com,da\n"
    "Eva Berg,,\n"
    "Pieter de Vries,pieter@example.com,\n"
)
# What the log must never hold: the visitor's and the host's names and addresses, the purpose.
PERSONAL = (
    "Annelies",
    "Verstappen",
    "Quillfeather",
    "Jens",
    "Hansen",
    "jens.hansen@example.com",
    "reception@example.com",
    "Salary",
)


def notify_config(
    port: int, *, security: str = "none", expire_after_s: int = 900, extra: str = ""
) -> str:
    return f"""
[hosts]
file = "hosts.csv"

[notify]
smtp_host = "{HOST}"
smtp_port = {port}
smtp_security = "{security}"
sender = "kiosk@example.com"
reception = "reception@example.com"
expire_after_s = {expire_after_s}
{extra}
"""


MakeCore = Callable[..., Core]


@pytest.fixture
def make_core(tmp_path: Path, data_dir: Path) -> Iterator[MakeCore]:
    """Assemble a core with notification on against `port` (closed after the test)."""
    made: list[Core] = []
    (tmp_path / "hosts.csv").write_text(HOSTS, encoding="utf-8")

    def make(port: int, clock: Clock | None = None, **settings: object) -> Core:
        config = tmp_path / "kiosk.toml"
        config.write_text(notify_config(port, **settings), encoding="utf-8")  # type: ignore[arg-type]
        core = assemble(data_dir, config, clock) if clock else assemble(data_dir, config)
        made.append(core)
        return core

    yield make
    for core in made:
        core.close()


@pytest.fixture
def servers() -> Iterator[list[MailServer | HangingServer]]:
    started: list[MailServer | HangingServer] = []
    yield started
    for server in started:
        server.stop()


def mail_server(
    servers: list[MailServer | HangingServer], port: int | None = None, **kwargs: object
) -> MailServer:
    server = MailServer(None, port=port, **kwargs).start()  # type: ignore[arg-type]
    servers.append(server)
    return server


def sign_in(core: Core, form: SignInForm = VISITOR) -> Visit:
    return core.visits.sign_in(form, core.notices.notice("en")).visit


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(0.01)


def host_notice(core: Core, visit: Visit) -> HostNotice | None:
    [row] = [row for row in core.visits.search_present("") if row.visit_id == visit.visit_id]
    return row.host_notice


def outbox_count(core: Core) -> int:
    with core.store.reading() as db:
        return db.outbox.count()


def recipients(messages: list[EmailMessage]) -> list[str]:
    return [str(message["To"]) for message in messages]


def told_events(core: Core) -> list[HostTold]:
    told: list[HostTold] = []
    core.events.host_told.subscribe("test", told.append)
    return told


# -- one arrival, one message --------------------------------------------------------------------


def test_the_host_gets_exactly_one_message_and_the_list_says_so(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    core = make_core(server.port)
    told = told_events(core)
    core.sender.start()

    visit = sign_in(core)

    wait_for(lambda: host_notice(core, visit) is HostNotice.TOLD)
    core.events.settle()
    [message] = server.messages
    assert recipients(server.messages) == ["jens.hansen@example.com"]
    assert "Annelies Verstappen" in str(message["Subject"])
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Quillfeather BV" in text
    assert "Salary" not in message.as_string()  # never the purpose
    with core.store.reading() as db:
        code = db.visits.badge_code(visit.visit_id)
    assert code
    assert code not in message.as_string()
    assert outbox_count(core) == 0
    assert told == [HostTold(visit.visit_id)]


def test_a_host_not_in_the_hosts_file_means_one_message_to_reception(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    core = make_core(server.port)
    core.sender.start()

    typed = sign_in(core, SignInForm("Annelies Verstappen", "", "Someone Unlisted"))
    no_address = sign_in(core, SignInForm("Bo Lund", "", "Eva Berg"))

    wait_for(lambda: len(server.messages) == 2 and outbox_count(core) == 0)
    assert recipients(server.messages) == ["reception@example.com"] * 2
    assert host_notice(core, typed) is HostNotice.NOT_REACHED
    assert host_notice(core, no_address) is HostNotice.NOT_REACHED


def test_with_notification_off_nothing_is_written_or_sent(core: Core) -> None:
    visit = sign_in(core)
    core.sender.start()  # does nothing while off
    assert outbox_count(core) == 0
    assert host_notice(core, visit) is None


# -- the server down, refusing, too late ---------------------------------------------------------


def test_the_server_down_at_sign_in_delays_the_message_not_the_sign_in(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    hanging = HangingServer().start()
    servers.append(hanging)
    core = make_core(hanging.port)
    core.sender.start()

    started = time.perf_counter()
    visit = sign_in(core)
    took = time.perf_counter() - started

    assert took < 0.5  # the sign-in never waits for the mail server
    wait_for(lambda: hanging.connections >= 1)
    assert host_notice(core, visit) is HostNotice.PENDING
    # The hanging server is replaced by one that answers, on the same port; the sender's
    # connection to the old one times out and it tries again.
    port = hanging.port
    hanging.stop()
    servers.remove(hanging)
    server = mail_server(servers, port=port)
    core.sender.wake()
    wait_for(lambda: host_notice(core, visit) is HostNotice.TOLD, timeout_s=45)
    assert recipients(server.messages) == ["jens.hansen@example.com"]


def test_a_temporary_refusal_is_tried_again_and_delivered_once(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    server.refuse(451, times=2)
    core = make_core(server.port)
    core.sender.start()

    visit = sign_in(core)

    wait_for(lambda: host_notice(core, visit) is HostNotice.TOLD)
    assert recipients(server.messages) == ["jens.hansen@example.com"]
    assert outbox_count(core) == 0


def test_a_permanent_refusal_tells_reception_at_once(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    server.refuse(550)
    core = make_core(server.port)
    core.sender.start()

    visit = sign_in(core)

    wait_for(lambda: len(server.messages) == 1 and outbox_count(core) == 0)
    assert recipients(server.messages) == ["reception@example.com"]
    assert host_notice(core, visit) is HostNotice.NOT_REACHED


def test_a_message_too_late_goes_to_reception_and_never_to_the_host(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    clock = Clock(MORNING)
    core = make_core(server.port, clock, expire_after_s=60)
    server.refuse(451, times=1000)
    visit = sign_in(core)

    for _ in range(5):  # tries while in time, each one refused
        assert core.sender.send_due() == 1
        with core.store.reading() as db:
            [waiting] = db.outbox.due(MORNING + timedelta(days=1), 10)
        clock.now = waiting.next_try_at
    assert server.messages == []
    clock.now = MORNING + timedelta(seconds=60)
    with server.handler.lock:
        server.handler.refusals.clear()
    core.sender.send_due()  # gives the host's message up and tells reception, once

    assert recipients(server.messages) == ["reception@example.com"]
    assert host_notice(core, visit) is HostNotice.NOT_REACHED
    assert outbox_count(core) == 0
    clock.now += timedelta(hours=1)
    assert core.sender.send_due() == 0
    assert recipients(server.messages) == ["reception@example.com"]


def test_retries_back_off_to_at_most_thirty_seconds() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:6] == [1, 2, 4, 8, 16, 30]
    assert max(delays) == 30 == BACKOFF_S[-1]


def test_reception_is_not_told_of_a_visitor_who_has_left(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    core = make_core(server.port)
    visit = sign_in(core, SignInForm("Annelies Verstappen", "", "Someone Unlisted"))
    core.visits.sign_out(visit.visit_id)

    core.sender.send_due()

    assert server.messages == []
    assert outbox_count(core) == 0


# -- the log -------------------------------------------------------------------------------------


def test_the_log_holds_ids_never_a_name_or_an_address(
    make_core: MakeCore, servers: list[MailServer | HangingServer]
) -> None:
    server = mail_server(servers)
    server.refuse(451)
    server.refuse(550)  # the host's address refused: reception told
    core = make_core(server.port)
    core.sender.start()

    visit = sign_in(core)
    wait_for(lambda: len(server.messages) == 1 and outbox_count(core) == 0)
    core.close()

    # The kiosk's log file, less the test mail server's own records (aiosmtpd's `mail.log`).
    lines = (core.paths.log_dir / "kiosk.log").read_text(encoding="utf-8").splitlines()
    log = "\n".join(line for line in lines if " mail.log [" not in line)
    assert f"visit {visit.visit_id}" in log
    assert "accepted" in log
    assert "reception is told" in log
    for word in PERSONAL:
        assert word not in log, word


# -- encrypted, with a login ---------------------------------------------------------------------


def test_starttls_and_login_with_the_password_from_its_file(
    make_core: MakeCore,
    servers: list[MailServer | HangingServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    certificate: Certificate = make_certificate(tmp_path)
    # The kiosk trusts the system's authorities; OpenSSL reads SSL_CERT_FILE in their place.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    password = tmp_path / "smtp-password"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    password.chmod(0o600)
    server = MailServer(certificate, "starttls", auth=True).start()
    servers.append(server)
    extra = f'smtp_username = "{USERNAME}"\nsmtp_password_file = "smtp-password"\n'
    core = make_core(server.port, security="starttls", extra=extra)
    core.sender.start()

    visit = sign_in(core)

    wait_for(lambda: host_notice(core, visit) is HostNotice.TOLD)
    assert recipients(server.messages) == ["jens.hansen@example.com"]


def test_a_server_that_is_not_the_one_named_is_never_sent_to(
    make_core: MakeCore, servers: list[MailServer | HangingServer], tmp_path: Path
) -> None:
    certificate = make_certificate(tmp_path)  # not trusted by the kiosk
    server = MailServer(certificate, "starttls").start()
    servers.append(server)
    core = make_core(server.port, security="starttls")

    sign_in(core)
    core.sender.send_due()

    assert server.messages == []
    with core.store.reading() as db:
        [waiting] = db.outbox.due(MORNING + timedelta(days=400), 10)
    assert waiting.attempts == 1
    assert waiting.last_error == "setup"


def test_nothing_listening_is_a_temporary_failure(make_core: MakeCore) -> None:
    core = make_core(free_port())
    sign_in(core)
    assert core.sender.send_due() == 1
    with core.store.reading() as db:
        [waiting] = db.outbox.due(MORNING + timedelta(days=400), 10)
    assert (waiting.attempts, waiting.last_error) == (1, "temporary")
