"""What the command-line tests share: the contract's export columns and result checks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

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
