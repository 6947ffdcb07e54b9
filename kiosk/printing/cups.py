"""Handing a badge PDF to the operating system's print system (CUPS, through `lp`).

The kiosk only talks to CUPS's command-line tools, so whatever queue the operator set up
(a Brother QL or DYMO driver, an IPP Everywhere printer, cups-pdf) works without code here.
Every fault becomes a `PrintFault` with a short code; the visit it belongs to is never at
risk, and nothing personal goes into the job's attributes (its title is a fixed text,
because CUPS keeps job titles in its job history).

Checks, in order:
1. the queue exists, is enabled and accepts jobs (`lpstat -p Q -a Q`) - otherwise no job is
   sent at all, so nothing prints later by surprise;
2. `lp` accepts the job;
3. the job leaves the queue within `timeout_s` (`lpstat -o Q`). If the printer stops
   (CUPS's default error policy when a job fails) or the time runs out, the job is cancelled:
   a badge that comes out minutes later, after the visitor was sent to reception, would lie
   at an unattended printer.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

JOB_TITLE = "Visitor badge"
ROLL_CALL_TITLE = "Evacuation roll call"
NO_PRINTER = "none"

Run = Callable[..., subprocess.CompletedProcess[str]]


class PrintFault(Exception):
    """The badge was not printed. `code` is one of: missing (no such queue), disabled
    (queue stopped), rejecting (queue does not accept jobs), no-default (no system default
    printer), unavailable (CUPS not running or not installed), failed (the job stopped the
    printer), timeout (the job did not finish in time)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class BadgePrinter(Protocol):
    queue: str

    def ready(self) -> Future[str]:
        """Start checking, in the background, that the queue can take a job; the future
        gives the queue's name or raises PrintFault. Lets the check run while the badge is
        being rendered."""
        ...

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        """Hand the file to the print system (after the check `ready`, started now if not
        given); the job id, or None when nothing is printed."""
        ...

    def wait(self, job_id: str) -> None:
        """Return once the job has left the queue; PrintFault if it does not."""
        ...

    def close(self) -> None:
        """Stop the helper that checks the queue (after a check under way)."""
        ...


class SaveOnly:
    """`printer = "none"`: the badge PDF is kept in the data dir and nothing is printed."""

    queue = NO_PRINTER

    def ready(self) -> Future[str]:
        done: Future[str] = Future()
        done.set_result(NO_PRINTER)
        return done

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str | None:
        return None

    def wait(self, job_id: str) -> None:
        return None

    def close(self) -> None:
        return None


class CupsPrinter:
    def __init__(
        self,
        queue: str,
        timeout_s: float,
        *,
        poll_s: float = 0.2,
        run: Run = subprocess.run,
        title: str = JOB_TITLE,
    ) -> None:
        self.queue = queue  # "" = the system default
        self.title = title  # never personal data: CUPS keeps job titles in its history
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self._run = run
        # One helper thread, started with the first check and stopped by close(): the queue
        # check mostly waits for lpstat, so it overlaps the rendering of the badge.
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-print-check")

    def close(self) -> None:
        self._checker.shutdown(wait=True)

    # -- the steps -------------------------------------------------------------------------
    def ready(self) -> Future[str]:
        return self._checker.submit(self._ready_queue, time.monotonic() + self.timeout_s)

    def submit(self, pdf: Path, ready: Future[str] | None = None) -> str:
        deadline = time.monotonic() + self.timeout_s
        queue = (ready or self.ready()).result(timeout=self.timeout_s + 1)
        out = self._lpcommand(["lp", "-d", queue, "-t", self.title, "--", str(pdf)], deadline)
        match = re.search(r"request id is (\S+)", out)
        if match is None:
            raise PrintFault("failed", "lp did not report a job id")
        job_id = match.group(1)
        log.info("badge job %s handed to queue %s", job_id, queue)
        return job_id

    def wait(self, job_id: str) -> None:
        queue = job_id.rsplit("-", 1)[0]
        deadline = time.monotonic() + self.timeout_s
        while True:
            out = self._lpcommand(["lpstat", "-p", queue, "-o", queue], deadline, cancel=job_id)
            if not _job_listed(out, job_id):
                log.info("badge job %s finished", job_id)
                return
            if _printer_disabled(out, queue):
                self._cancel(job_id)
                raise PrintFault("failed", f"queue {queue} stopped while printing")
            if time.monotonic() + self.poll_s > deadline:
                self._cancel(job_id)
                raise PrintFault("timeout", f"job not finished after {self.timeout_s:g} s")
            time.sleep(self.poll_s)

    # -- helpers ---------------------------------------------------------------------------
    def _ready_queue(self, deadline: float) -> str:
        queue = self.queue or self._default_queue(deadline)
        self._check_ready(queue, deadline)
        return queue

    def _default_queue(self, deadline: float) -> str:
        out = self._lpcommand(["lpstat", "-d"], deadline)
        match = re.search(r"system default destination: (\S+)", out)
        if match is None:
            raise PrintFault("no-default", "no printer is set and there is no system default")
        return match.group(1)

    def _check_ready(self, queue: str, deadline: float) -> None:
        out = self._lpcommand(["lpstat", "-p", queue, "-a", queue], deadline)
        if _printer_disabled(out, queue):
            raise PrintFault("disabled", f"queue {queue} is disabled")
        if re.search(rf"^{re.escape(queue)} not accepting", out, re.MULTILINE):
            raise PrintFault("rejecting", f"queue {queue} does not accept jobs")

    def _lpcommand(self, argv: list[str], deadline: float, cancel: str | None = None) -> str:
        """Run a CUPS command in the C locale (its output is parsed) within the deadline."""
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            done = self._run(
                argv, capture_output=True, text=True, env=env, timeout=remaining, check=False
            )
        except FileNotFoundError as exc:
            raise PrintFault("unavailable", f"{argv[0]} is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            if cancel:
                self._cancel(cancel)
            raise PrintFault("timeout", f"{argv[0]} did not answer in time") from exc
        if done.returncode != 0:
            raise _fault_from(argv[0], done.stderr)
        return done.stdout

    def _cancel(self, job_id: str) -> None:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            self._run(
                ["cancel", job_id], capture_output=True, text=True, env=env, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            log.warning("could not cancel badge job %s", job_id)
        else:
            log.info("badge job %s cancelled", job_id)


def make_printer(queue: str, timeout_s: float, title: str = JOB_TITLE) -> BadgePrinter:
    return SaveOnly() if queue == NO_PRINTER else CupsPrinter(queue, timeout_s, title=title)


def _job_listed(lpstat_out: str, job_id: str) -> bool:
    return any(line.split(maxsplit=1)[:1] == [job_id] for line in lpstat_out.splitlines())


def _printer_disabled(lpstat_out: str, queue: str) -> bool:
    return re.search(rf"^printer {re.escape(queue)} disabled", lpstat_out, re.MULTILINE) is not None


def _fault_from(command: str, stderr: str) -> PrintFault:
    text = " ".join(stderr.split())
    lowered = text.lower()
    if "does not exist" in lowered or "invalid destination" in lowered:
        return PrintFault("missing", text)
    if "not accepting" in lowered:
        return PrintFault("rejecting", text)
    if "scheduler is not running" in lowered or "no such file" in lowered or "connect" in lowered:
        return PrintFault("unavailable", text)
    return PrintFault("failed", f"{command}: {text}")
