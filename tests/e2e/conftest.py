"""Fixtures for the end-to-end tests of the command line: each test runs `python -m kiosk` as
a real subprocess, on a real data dir under pytest's tmp path.

The child gets `QT_QPA_PLATFORM=offscreen`, no `KIOSK_DATA_DIR` and no `KIOSK_CONFIG` (tests
pass `--data-dir` and `--config` themselves), and an `XDG_DATA_HOME` of its own, so a command
that falls back to the platform's user data dir never touches the real one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Result = subprocess.CompletedProcess[str]
Cli = Callable[..., Result]
UsageError = Callable[[Result], str]

TIMEOUT_S = 120
DEMO_ARGS = ("demo", "--visits", "300", "--days", "10", "--seed", "7")


@pytest.fixture(scope="session")
def platform_data_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the child sees as XDG_DATA_HOME: where the platform default data dir would go."""
    return tmp_path_factory.mktemp("xdg-data-home")


@pytest.fixture(scope="session")
def cli(platform_data_home: Path) -> Cli:
    """Run the command line: `cli(*args, env={...}, cwd=...)` returns the finished process.

    `env` adds to (or, with a value of None, removes from) the child's environment."""
    base = dict(os.environ)
    base.pop("KIOSK_DATA_DIR", None)
    base.pop("KIOSK_CONFIG", None)
    base["QT_QPA_PLATFORM"] = "offscreen"
    base["XDG_DATA_HOME"] = str(platform_data_home)

    def run(
        *args: str | Path,
        env: Mapping[str, str | None] | None = None,
        cwd: Path | None = None,
        program: tuple[str, ...] = (sys.executable, "-m", "kiosk"),
    ) -> Result:
        child_env = dict(base)
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        return subprocess.run(
            [*program, *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_S,
            env=child_env,
            cwd=cwd,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def usage_error() -> UsageError:
    """Check that a run failed as bad usage or bad input: exit 2, nothing on stdout, exactly one
    non-empty line on stderr and no traceback. Returns that line."""

    def check(result: Result) -> str:
        assert result.returncode == 2, f"exit {result.returncode}, stderr: {result.stderr!r}"
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
        assert lines[0].strip()
        return lines[0]

    return check


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    """A data dir holding `demo --visits 300 --days 10 --seed 7`, shared by a module's tests.

    Tests change no visit in it (present, export, evacuation: the last two add audit entries,
    so a test that checks those compares before and after); anything that changes visits
    makes its own."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = cli("--data-dir", data_dir, *DEMO_ARGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 300 visits"), result.stdout
    return data_dir
