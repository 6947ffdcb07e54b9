"""Telling the host, measured against a real SMTP server on loopback (aiosmtpd):

- commit to accepted: from `Visits.sign_in` returning (the visit and its message committed) to
  the mail server taking the message from the kiosk's sender thread (target: 1 s p95), against
  the same message handed over by a bare `smtplib` call (the floor of SMTP on this machine);
- a sign-in while the mail server hangs (takes the connection, never answers): submit to
  committed, against the same sign-ins with notification off (target: no slower)."""

from __future__ import annotations

import smtplib
import socket
import statistics
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from kiosk.bootstrap import Core, assemble
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import SaveOnly

HOST = "127.0.0.1"
HOSTS_CSV = "name,email,language\nAnouk de Vries,anouk@example.com,nl\n"


class _Receiver:
    """Notes when each message was taken (the reply to its data is sent right after)."""

    def __init__(self) -> None:
        self.taken: list[tuple[float, EmailMessage]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.taken.append((time.perf_counter(), message))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout_s: float = 30.0) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.taken) >= count, timeout_s):
                raise TimeoutError("the message did not arrive")
            return self.taken[count - 1][0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _write_config(data_dir: Path, port: int, notify: bool) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "hosts.csv").write_text(HOSTS_CSV, encoding="utf-8")
    config = data_dir / "kiosk.toml"
    settings = (
        f'[notify]\nsmtp_host = "{HOST}"\nsmtp_port = {port}\nsmtp_security = "none"\n'
        'sender = "kiosk@example.com"\nreception = "reception@example.com"\n'
        if notify
        else ""
    )
    config.write_text(f'[hosts]\nfile = "hosts.csv"\n{settings}', encoding="utf-8")
    return config


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def _form(i: int) -> SignInForm:
    return SignInForm(f"Bezoeker {i}", "Voorbeeld B.V.", "Anouk de Vries", "Afspraak")


def bench_commit_to_accepted(data_dir: Path, runs: int = 200) -> dict[str, float]:
    receiver = _Receiver()
    port = _free_port()
    controller = Controller(receiver, hostname=HOST, port=port)
    controller.start()
    core = assemble(data_dir, _write_config(data_dir, port, True), badge_printer=SaveOnly())
    notice = core.notices.notice("nl")
    latencies, bare = [], []
    try:
        core.sender.start()
        for i in range(runs):
            core.visits.sign_in(_form(i), notice)
            committed = time.perf_counter()
            taken = receiver.wait_for(len(receiver.taken) + 1)
            latencies.append((taken - committed) * 1000)
            core.events.settle()
        # The floor: the same kind of message, handed over by smtplib on this thread.
        _, sample = receiver.taken[-1]
        for _ in range(runs):
            start = time.perf_counter()
            with smtplib.SMTP(HOST, port, timeout=10) as smtp:
                smtp.send_message(sample)
            taken = receiver.wait_for(len(receiver.taken))
            bare.append((taken - start) * 1000)
    finally:
        core.close()
        controller.stop()
    return {
        "runs": runs,
        "median_ms": statistics.median(latencies),
        "p95_ms": _p95(latencies),
        "bare_smtplib_median_ms": statistics.median(bare),
        "bare_smtplib_p95_ms": _p95(bare),
    }


class _Hanging:
    """Takes connections and never answers, as a mail server that hangs."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind((HOST, 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])

    def close(self) -> None:
        self.listener.close()


def _sign_in_times(data_dir: Path, port: int, notify: bool, runs: int) -> tuple[list[float], Core]:
    """Sign-ins one after another, each timed from submit to committed; the core is left
    open (its sender may be waiting on the hanging server) for the caller to close."""
    core = assemble(data_dir, _write_config(data_dir, port, notify), badge_printer=SaveOnly())
    notice = core.notices.notice("nl")
    times = []
    core.sender.start()
    for i in range(runs):
        start = time.perf_counter()
        core.visits.sign_in(_form(i), notice)
        times.append((time.perf_counter() - start) * 1000)
        core.events.settle()
    return times, core


def bench_sign_in_while_mail_hangs(data_dir: Path, runs: int = 300) -> dict[str, float]:
    hanging = _Hanging()
    with_notify: list[float] = []
    without: list[float] = []
    cores: list[Core] = []
    try:
        # Alternating rounds, so both see the same machine.
        for round_ in range(3):
            times, core = _sign_in_times(data_dir / f"off-{round_}", hanging.port, False, runs)
            cores.append(core)
            without += times
            times, core = _sign_in_times(data_dir / f"hang-{round_}", hanging.port, True, runs)
            cores.append(core)
            with_notify += times
    finally:
        hanging.close()  # the senders waiting on it are let go, and stop
        for core in cores:
            core.close()
    return {
        "runs": len(with_notify),
        "p95_ms": _p95(with_notify),
        "median_ms": statistics.median(with_notify),
        "baseline_p95_ms": _p95(without),
        "baseline_median_ms": statistics.median(without),
        "ratio": _p95(with_notify) / _p95(without),
    }
