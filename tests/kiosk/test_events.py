"""Events out of the core (kiosk.domain.events): a committed sign-in emits `visit_signed_in`;
each subscriber runs on its own thread, so a slow or failing one never delays or fails the
sign-in, nor another subscriber; what was emitted is delivered before the events close."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bootstrap import Core, assemble
from kiosk.domain.events import Events, Hook, PrintOutcome, VisitSignedIn
from kiosk.domain.visit import SignInForm
from kiosk.printing.cups import SaveOnly

# A sign-in is committed well within this, whatever the subscribers do (make bench: < 1 ms).
PROMPT_S = 0.5


@pytest.fixture
def events() -> Iterator[Events]:
    made = Events()
    yield made
    made.close()


def test_emit_returns_before_a_slow_subscriber_is_done(events: Events) -> None:
    release = threading.Event()
    seen: list[int] = []
    events.badge_printed.subscribe("slow", lambda outcome: (release.wait(5), seen.append(1)))
    start = time.monotonic()
    events.badge_printed.emit(PrintOutcome(1, "printed"))
    assert time.monotonic() - start < PROMPT_S
    assert seen == []
    release.set()
    events.badge_printed.settle()
    assert seen == [1]


def test_a_failing_subscriber_is_logged_and_stops_nothing(
    events: Events, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []

    def fails(outcome: PrintOutcome) -> None:
        raise RuntimeError("subscriber broke")

    events.badge_printed.subscribe("breaks", fails)
    events.badge_printed.subscribe("works", lambda outcome: seen.append(outcome.visit_id))
    with caplog.at_level(logging.ERROR):
        events.badge_printed.emit(PrintOutcome(1, "printed"))
        events.badge_printed.emit(PrintOutcome(2, "printed"))
        events.badge_printed.settle()
    assert seen == [1, 2]
    failures = [r for r in caplog.records if "breaks failed" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.exc_info is not None for r in failures)


def test_each_subscriber_gets_events_in_order_on_its_own_thread(events: Events) -> None:
    threads: dict[str, set[str]] = {"a": set(), "b": set()}
    order: dict[str, list[int]] = {"a": [], "b": []}
    for name in ("a", "b"):

        def handler(outcome: PrintOutcome, name: str = name) -> None:
            threads[name].add(threading.current_thread().name)
            order[name].append(outcome.visit_id)

        events.badge_printed.subscribe(name, handler)
    for visit_id in range(50):
        events.badge_printed.emit(PrintOutcome(visit_id, "saved"))
    events.badge_printed.settle()
    assert order == {"a": list(range(50)), "b": list(range(50))}
    assert threads["a"].isdisjoint(threads["b"])
    assert threading.current_thread().name not in threads["a"] | threads["b"]


def test_closing_delivers_what_was_emitted_and_drops_what_comes_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook: Hook[int] = Hook("numbers")
    seen: list[int] = []
    hook.subscribe("slow", lambda n: (time.sleep(0.05), seen.append(n)))
    for n in range(3):
        hook.emit(n)
    hook.close()
    assert seen == [0, 1, 2]
    with caplog.at_level(logging.WARNING):
        hook.emit(3)
    assert seen == [0, 1, 2]
    assert "numbers after the kiosk closed" in caplog.text
    with pytest.raises(RuntimeError):
        hook.subscribe("late", seen.append)


EMIT_WHILE_EXITING = """
import threading, time
from kiosk.domain.events import Hook

hook = Hook("numbers")
hook.subscribe("printer", print)

def committed_late():
    time.sleep(0.3)  # the main thread has ended: the interpreter is exiting
    hook.emit(1)
    print("the operation returned")

threading.Thread(target=committed_late).start()
"""


def test_an_operation_that_commits_while_the_interpreter_exits_still_returns(
    tmp_path: Path,
) -> None:
    script = tmp_path / "emit_while_exiting.py"
    script.write_text(EMIT_WHILE_EXITING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert done.returncode == 0, done.stderr
    assert "the operation returned" in done.stdout
    assert "numbers while the kiosk exits: not delivered" in done.stderr


@pytest.fixture
def saving_core(data_dir: Path) -> Iterator[Core]:
    made = assemble(data_dir, data_dir / "kiosk.toml", badge_printer=SaveOnly())
    yield made
    made.close()


def test_a_committed_sign_in_is_told_with_its_badge_code(saving_core: Core) -> None:
    core = saving_core
    told: list[VisitSignedIn] = []
    core.events.visit_signed_in.subscribe("test", told.append)
    signed_in = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en"))
    core.events.settle()
    assert told == [VisitSignedIn(signed_in.visit, signed_in.badge_code)]


def test_a_refused_sign_in_tells_no_one(saving_core: Core) -> None:
    core = saving_core
    told: list[VisitSignedIn] = []
    core.events.visit_signed_in.subscribe("test", told.append)
    with pytest.raises(ValueError, match="required"):
        core.visits.sign_in(SignInForm("   "), core.notices.notice("en"))
    core.events.settle()
    assert told == []


def test_badge_printing_is_the_sign_ins_subscriber(saving_core: Core) -> None:
    """Wired in the composition root: the badge of every sign-in is printed (here saved), and
    the outcome is told to `badge_printed`."""
    core = saving_core
    outcomes: list[PrintOutcome] = []
    core.events.badge_printed.subscribe("test", outcomes.append)
    signed_in = core.visits.sign_in(SignInForm("Ann Smith"), core.notices.notice("en"))
    core.events.settle()
    (outcome,) = outcomes
    assert outcome.visit_id == signed_in.visit.visit_id
    assert outcome.status == "saved"
    assert outcome.pdf == core.paths.badge_dir / f"{signed_in.visit.visit_id}.pdf"
    assert outcome.pdf.read_bytes().startswith(b"%PDF")


def test_a_slow_or_failing_subscriber_neither_delays_nor_fails_a_sign_in(
    saving_core: Core,
) -> None:
    core = saving_core
    release = threading.Event()

    def slow(event: VisitSignedIn) -> None:
        release.wait(10)

    def fails(event: VisitSignedIn) -> None:
        raise RuntimeError("subscriber broke")

    core.events.visit_signed_in.subscribe("slow", slow)
    core.events.visit_signed_in.subscribe("fails", fails)
    notice = core.notices.notice("en")
    start = time.monotonic()
    ids = [core.visits.sign_in(SignInForm(f"Visitor {n}"), notice).visit.visit_id for n in range(3)]
    assert time.monotonic() - start < 3 * PROMPT_S
    assert [v.visit_id for v in core.visits.present()] == ids
    release.set()
