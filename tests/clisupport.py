"""What the command-line tests share: the contract's export columns, result checks, and a
real `run` process started and stopped as the system does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

Result = subprocess.CompletedProcess[str]
Cli = Callable[..., Result]
UsageError = Callable[[Result], str]

# The contract's export columns, written out here on purpose: the tests pin the contract
# independently of the code's own list.
CONTRACT_COLUMNS = [
    "visit_id",
    "visitor_name",
    "company",
    "host",
    "purpose",
    "signed_in_at",
    "signed_out_at",
    "sign_out_method",
    "language",
    "notice_version",
    "kiosk_id",
]


def ok(result: Result) -> Result:
    assert result.returncode == 0, f"exit {result.returncode}, stderr: {result.stderr!r}"
    assert "Traceback" not in result.stderr
    return result


def kiosk_is_up(log: Path) -> bool:
    """Whether a kiosk process has logged that it is up (its event loop runs and it closes
    cleanly on SIGTERM)."""
    return log.exists() and "the kiosk is up" in log.read_text(encoding="utf-8")


def start_run(
    data: Path, env: Mapping[str, str], *, config: Path | None = None, args: Sequence[str] = ()
) -> subprocess.Popen[str]:
    """`python -m kiosk run` on `data` (and `config`), with `args` after `run`."""
    argv = [sys.executable, "-m", "kiosk", "--data-dir", str(data)]
    if config is not None:
        argv += ["--config", str(config)]
    return subprocess.Popen(
        [*argv, "run", *args],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_up(process: subprocess.Popen[str], data: Path, timeout_s: float = 60) -> None:
    """Until the kiosk says it is up; fails with its stderr if it ended instead."""
    log = data / "logs" / "kiosk.log"
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and not kiosk_is_up(log) and time.monotonic() < deadline:
        time.sleep(0.1)  # another process's start-up
    assert process.poll() is None, process.communicate()[1][-3000:]
    assert kiosk_is_up(log), f"not up after {timeout_s} s"


def stop_run(process: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, as `systemctl stop` sends it; the exit code and stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the kiosk did not stop on SIGTERM") from None
    return process.returncode, err


def require(reason: str | None, what: str) -> None:
    """A real part this test needs is missing (`reason`): skip, or fail under `CI=true`,
    where nothing that needs a real part may skip."""
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the {what} tests: {reason}")
    pytest.skip(reason)
