"""`visitor-kiosk set-staff-pin` end to end: the PIN read from stdin or from a hidden prompt at
a terminal, bad PINs refused without being repeated, and the PIN found in no file of the data
dir after it was set and typed at the staff login (PRIVACY.md, "Security")."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clisupport import UsageError, ok
from visitsupport import MORNING, Clock

from kiosk.bootstrap import Core, assemble
from kiosk.domain.audit import AuditAction
from kiosk.staff.auth import LoginOutcome

PIN = "80417263"
WRONG_PINS = ("59302718", "80417264", "6150")
TIMEOUT_S = 60

Result = subprocess.CompletedProcess[str]
SetPin = Callable[..., Result]


@pytest.fixture
def child_env(platform_data_home: Path) -> dict[str, str]:
    """The environment of the `cli` fixture's children (see tests/e2e/conftest.py)."""
    env = dict(os.environ)
    env.pop("KIOSK_DATA_DIR", None)
    env.pop("KIOSK_CONFIG", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_DATA_HOME"] = str(platform_data_home)
    return env


def command(data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kiosk",
        "--data-dir",
        str(data_dir),
        "--config",
        str(data_dir / "kiosk.toml"),
        "set-staff-pin",
    ]


@pytest.fixture
def set_pin(data_dir: Path, child_env: dict[str, str]) -> SetPin:
    """Run `set-staff-pin` with `stdin` as its input (a pipe, not a terminal)."""

    def run(stdin: str) -> Result:
        return subprocess.run(
            command(data_dir),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_S,
            env=child_env,
            check=False,
        )

    return run


@pytest.fixture
def opened(data_dir: Path, clock: Clock) -> Iterator[Core]:
    """The kiosk core on the data dir the command wrote to, as the kiosk would open it."""
    core = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    yield core
    core.close()


# --- from stdin -------------------------------------------------------------------------------


@pytest.mark.parametrize("line_end", ["\n", "\r\n", ""])
def test_a_pin_from_stdin_is_the_staff_pin(set_pin: SetPin, opened: Core, line_end: str) -> None:
    result = ok(set_pin(PIN + line_end))

    auth = opened.staff_auth
    assert result.stdout == "staff PIN set\n"
    assert PIN not in result.stdout + result.stderr
    assert auth.login(PIN).ok
    assert auth.login(WRONG_PINS[0]).outcome is LoginOutcome.WRONG


def test_setting_the_pin_is_audited(set_pin: SetPin, opened: Core) -> None:
    ok(set_pin(PIN + "\n"))

    entries = opened.audit.entries()

    assert [entry.action for entry in entries] == [AuditAction.PIN_SET]
    assert PIN not in entries[0].detail


def test_a_new_pin_replaces_the_old_one_and_lifts_a_lock(set_pin: SetPin, opened: Core) -> None:
    ok(set_pin(PIN + "\n"))
    auth = opened.staff_auth
    for wrong in ("0000", "0001", "0002", "0003", "0004"):
        auth.login(wrong)
    assert auth.login(PIN).outcome is LoginOutcome.LOCKED

    ok(set_pin("2468\n"))

    assert auth.login(PIN).outcome is LoginOutcome.WRONG
    assert auth.login("2468").ok


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="nothing"),
        pytest.param("\n", id="empty-line"),
        pytest.param("804\n", id="too-short"),
        pytest.param("8041726380417\n", id="too-long"),
        pytest.param("80417263x\n", id="letter"),
        pytest.param("٨٠٤١٧٢٦٣\n", id="arabic-indic-digits"),
        pytest.param(" 80417263\n", id="leading-space"),
    ],
)
def test_a_bad_pin_is_refused_without_repeating_it(
    set_pin: SetPin, usage_error: UsageError, data_dir: Path, typed: str
) -> None:
    line = usage_error(set_pin(typed))

    assert "PIN" in line
    assert "80417263" not in line
    assert "٨٠٤١٧٢٦٣" not in line
    assert not (data_dir / "kiosk.db").exists() or not has_pin(data_dir)


def test_undecodable_bytes_are_bad_input(
    data_dir: Path, child_env: dict[str, str], usage_error: UsageError
) -> None:
    raw = subprocess.run(
        command(data_dir),
        input=b"8041\xff7263\n",
        capture_output=True,
        timeout=TIMEOUT_S,
        env=child_env,
        check=False,
    )
    result = Result(raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode())

    usage_error(result)


def has_pin(data_dir: Path) -> bool:
    core = assemble(data_dir, data_dir / "kiosk.toml")
    try:
        return core.staff_auth.has_pin()
    finally:
        core.close()


# --- at a terminal ----------------------------------------------------------------------------


def read_until(fd: int, wanted: Callable[[bytes], bool], seen: bytearray) -> None:
    """Read the terminal's output into `seen` until `wanted(seen)` or the child hangs up."""
    deadline = time.monotonic() + TIMEOUT_S
    while not wanted(bytes(seen)):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; output so far: {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.05))
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            seen += chunk


def type_when_echo_is_off(fd: int, text: str) -> None:
    """Type `text` only once the prompt has switched echo off, as a person would see it."""
    deadline = time.monotonic() + TIMEOUT_S
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        assert time.monotonic() < deadline, "the prompt never switched echo off"
        time.sleep(0.01)
    os.write(fd, text.encode())


def test_at_a_terminal_the_pin_is_asked_twice_and_never_echoed(
    data_dir: Path, child_env: dict[str, str], opened: Core
) -> None:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        command(data_dir),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=child_env,
        start_new_session=True,  # no controlling terminal: getpass must use this one
    )
    os.close(slave)
    seen = bytearray()
    try:
        read_until(master, lambda out: b"New staff PIN" in out, seen)
        type_when_echo_is_off(master, PIN + "\n")
        read_until(master, lambda out: b"confirmation" in out, seen)
        type_when_echo_is_off(master, PIN + "\n")
        read_until(master, lambda out: False, seen)
        code = child.wait(timeout=TIMEOUT_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)

    assert code == 0, bytes(seen)
    assert b"staff PIN set" in seen
    assert PIN.encode() not in seen
    assert opened.staff_auth.login(PIN).ok


# --- no file holds the PIN --------------------------------------------------------------------


def forms(pin: str) -> list[bytes]:
    return [pin.encode("ascii"), pin.encode("utf-16-le"), pin.encode("utf-16-be")]


def files_holding(data_dir: Path, pins: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(every file under the data dir, those whose raw bytes hold one of `pins` in any form)."""
    names, holding = [], []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        name = str(path.relative_to(data_dir))
        names.append(name)
        if any(form in raw for pin in pins for form in forms(pin)):
            holding.append(name)
    return names, holding


def test_the_pin_is_in_no_file_of_the_data_dir(
    set_pin: SetPin, usage_error: UsageError, data_dir: Path, clock: Clock
) -> None:
    ok(set_pin(PIN + "\n"))
    usage_error(set_pin(PIN + "a\n"))  # a refused PIN is not written anywhere either
    core = assemble(data_dir, data_dir / "kiosk.toml", clock=clock)
    try:
        auth = core.staff_auth
        results = [auth.login(PIN), *(auth.login(wrong) for wrong in WRONG_PINS)]
        results += [auth.login(WRONG_PINS[0]) for _ in range(2)]  # the fifth locks
        results.append(auth.login(PIN))  # refused: locked
        auth.logout()
        names_open, holding_open = files_holding(data_dir, (PIN, *WRONG_PINS))
    finally:
        core.close()
    names_closed, holding_closed = files_holding(data_dir, (PIN, *WRONG_PINS))

    assert results[0].ok
    assert results[-1].outcome is LoginOutcome.LOCKED
    assert clock.now == MORNING
    assert {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "logs/kiosk.log"} <= set(names_open)
    assert {"kiosk.db", "logs/kiosk.log"} <= set(names_closed)
    assert holding_open == []
    assert holding_closed == []


def test_the_file_scan_finds_a_pin_that_was_written(data_dir: Path) -> None:
    """The scan above would see a PIN if one were stored: here one is, in UTF-16."""
    (data_dir / "logs").mkdir()
    (data_dir / "logs" / "leak.log").write_bytes(b"x" + PIN.encode("utf-16-le") + b"y")

    _, holding = files_holding(data_dir, (PIN,))

    assert holding == ["logs/leak.log"]
