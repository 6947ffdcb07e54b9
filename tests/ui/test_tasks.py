"""Jobs for the person in front of the kiosk (ui.tasks.SessionJob) on real workers: the result,
or the failure, comes back on the GUI thread while the session is the one the job was made
for, and never once the session has been reset (the visitor timed out, staff left)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import Core
from kiosk.domain.visit import SignedIn, SignInForm, UnknownVisit, Visit
from ui.session import Screen, VisitorSession
from ui.tasks import DbWorker, SessionJob, Worker

WAIT_S = 10


@pytest.fixture
def worker(core: Core) -> Iterator[DbWorker]:
    made = DbWorker(core.store)
    yield made
    made.shutdown()


@pytest.fixture
def session() -> VisitorSession:
    made = VisitorSession("en")
    made.show(Screen.DETAILS)
    return made


class Delivered:
    """What came back to the GUI thread, and on which thread."""

    def __init__(self) -> None:
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.threads: set[str] = set()

    def result(self, value: object) -> None:
        self.threads.add(threading.current_thread().name)
        self.results.append(value)

    def error(self, error: BaseException) -> None:
        self.threads.add(threading.current_thread().name)
        self.errors.append(error)


def idle(qtbot: QtBot, worker: Worker) -> None:
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT_S * 1000)


def test_the_result_comes_back_on_the_gui_thread(
    qtbot: QtBot, core: Core, worker: DbWorker, session: VisitorSession
) -> None:
    delivered = Delivered()
    notice = core.notices.notice("en")
    job = SessionJob(worker, session, lambda: core.visits.sign_in(SignInForm("Ida Holm"), notice))
    job.success(delivered.result).failure(delivered.error).run()
    idle(qtbot, worker)
    (result,) = delivered.results
    assert isinstance(result, SignedIn)
    assert core.visits.get(result.visit.visit_id).visitor_name == "Ida Holm"
    assert delivered.errors == []
    assert delivered.threads == {threading.main_thread().name}


def test_a_failure_comes_back_on_the_gui_thread(
    qtbot: QtBot, core: Core, worker: DbWorker, session: VisitorSession
) -> None:
    delivered = Delivered()
    SessionJob(worker, session, lambda: core.visits.sign_out(12345)).success(
        delivered.result
    ).failure(delivered.error).run()
    idle(qtbot, worker)
    assert delivered.results == []
    (error,) = delivered.errors
    assert isinstance(error, UnknownVisit)
    assert delivered.threads == {threading.main_thread().name}


def held(gate: threading.Event, call: object) -> object:
    assert gate.wait(WAIT_S)
    return call() if callable(call) else call


def test_a_result_for_a_session_that_was_reset_is_dropped(
    qtbot: QtBot, core: Core, worker: DbWorker, session: VisitorSession
) -> None:
    gate = threading.Event()
    delivered = Delivered()
    notice = core.notices.notice("en")

    def sign_in() -> SignedIn:
        assert gate.wait(WAIT_S)
        return core.visits.sign_in(SignInForm("Frederikke Dahl"), notice)

    SessionJob(worker, session, sign_in).success(delivered.result).failure(delivered.error).run()
    session.reset()  # the visitor timed out while the job ran
    gate.set()
    idle(qtbot, worker)
    assert delivered.results == []
    assert delivered.errors == []
    # The job itself was done: only its result is not shown to the next person.
    assert [visit.visitor_name for visit in core.visits.present()] == ["Frederikke Dahl"]


def test_a_failure_for_a_session_that_was_reset_is_dropped(
    qtbot: QtBot, core: Core, worker: DbWorker, session: VisitorSession
) -> None:
    gate = threading.Event()
    delivered = Delivered()

    def sign_out() -> Visit:
        assert gate.wait(WAIT_S)
        return core.visits.sign_out(12345)

    SessionJob(worker, session, sign_out).success(delivered.result).failure(delivered.error).run()
    session.reset()
    gate.set()
    idle(qtbot, worker)
    assert delivered.results == []
    assert delivered.errors == []


def test_a_job_made_before_a_reset_delivers_nothing_after_it(
    qtbot: QtBot, core: Core, worker: DbWorker, session: VisitorSession
) -> None:
    delivered = Delivered()
    job = SessionJob(worker, session, core.visits.present)
    job.success(delivered.result).failure(delivered.error)
    session.reset()
    job.run()  # run after the reset, made before it: still the earlier session's job
    idle(qtbot, worker)
    assert delivered.results == []
    # A job made now is for the session as it is now.
    SessionJob(worker, session, core.visits.present).success(delivered.result).run()
    idle(qtbot, worker)
    assert delivered.results == [[]]


def test_only_the_current_sessions_jobs_deliver_on_a_plain_worker(
    qtbot: QtBot, session: VisitorSession
) -> None:
    worker = Worker("kiosk-test")
    gate = threading.Event()
    delivered = Delivered()
    try:
        SessionJob(worker, session, lambda: held(gate, "for the first visitor")).success(
            delivered.result
        ).run()
        session.reset()
        SessionJob(worker, session, lambda: held(gate, "for the next")).success(
            delivered.result
        ).run()
        gate.set()
        idle(qtbot, worker)
    finally:
        gate.set()
        worker.shutdown()
    assert delivered.results == ["for the next"]
