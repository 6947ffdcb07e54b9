"""Restriction (GDPR Art. 18) and objection (Art. 21) at reception (kiosk.staff.rights), on a
real data dir: a restricted visit is kept but left out of the on-site list, its search,
`present` and every export (SQLite's fast paths still the reference writers' bytes); it stays
on the evacuation roll call, marked; the visitor's own requests still find it; retention and
erasure still delete it; each change is audited in its own transaction, ids and counts only.
Local time is Europe/Amsterdam here."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cupssupport import pdf_text
from visitsupport import MORNING, Clock

import storage.sqlite.csv_lines
import storage.sqlite.export
import storage.sqlite.export_xlsx
from kiosk.bootstrap import Core
from kiosk.domain.access_log import visit_record, write_csv, write_json
from kiosk.domain.audit import AuditAction
from kiosk.domain.clock import local_day_bounds
from kiosk.domain.visit import NameMatch, NewVisit, SignInForm, SignOutMethod, Visit
from kiosk.domain.workbook import write_xlsx
from kiosk.export.visits import ExportFormat
from kiosk.settings.i18n import catalog
from kiosk.staff.audit import AuditLog
from kiosk.staff.rights import RightsRequests
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits
from tests.kiosk.test_export_xlsx_rows import parts
from tests.kiosk.test_rights import (
    QUINTIJN,
    Meddled,
    audit_text,
    ids,
    rights_on,
    stored_count,
    traces_in,
)
from tests.kiosk.test_roll_call import table

# The roll call's mark of a restricted visitor and what it means, in the site's default language.
RESTRICTED_MARK = catalog("en").text("roll_call.restricted_mark")
RESTRICTED_NOTE = catalog("en").text("roll_call.restricted_note")

pytestmark = pytest.mark.usefixtures("amsterdam")

Arrive = Callable[..., Visit]


@pytest.fixture
def arrive(core: Core, visits: Visits, clock: Clock, notice: Notice) -> Arrive:
    """Sign a visitor in at `at` (MORNING by default), and out after `stay` unless None."""

    def arrive(name: str, at: datetime = MORNING, stay: timedelta | None = None) -> Visit:
        clock.now = at
        visit = visits.sign_in(SignInForm(name, "Acme", "Bo Jensen", "Meeting"), notice).visit
        core.events.settle()
        if stay is None:
            return visit
        clock.now = at + stay
        return visits.sign_out(visit.visit_id)

    return arrive


def stored(core: Core, visit: Visit) -> Visit:
    found = core.visits.get(visit.visit_id)
    assert found is not None
    return found


def newest_actions(core: Core, count: int) -> list[tuple[str, str, tuple[int, ...], int]]:
    return [
        (e.action.value, e.params, e.visit_ids, e.visit_count)
        for e in core.audit.entries(limit=count)
    ]


# -- what each action does, and its audit entry ---------------------------------------------------


def test_restricting_is_audited_by_ids_and_count_and_only_once(core: Core, arrive: Arrive) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    other = arrive("Bob Jones")
    entries = len(core.audit.entries())

    restricted = core.rights.restrict([*ids(mine), 999])

    assert ids(restricted) == ids(mine)
    assert all(visit.restricted for visit in restricted)
    assert restricted == [stored(core, v) for v in mine]
    assert not stored(core, other).restricted
    assert newest_actions(core, 1) == [("restriction", {"count": 2}, tuple(ids(mine)), 2)]
    # Restricted already: nothing changes, nothing is recorded.
    assert core.rights.restrict(ids(mine)) == []
    assert core.rights.restrict([]) == []
    assert len(core.audit.entries()) == entries + 1
    assert "zwartvaal" not in audit_text(core).casefold()


def test_an_objection_restricts_and_marks_and_lifting_clears_both(
    core: Core, arrive: Arrive
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d)) for d in (0, 1)]
    core.rights.restrict(ids(mine[:1]))  # one restricted before the objection
    restricted_at = stored(core, mine[0]).restricted_at

    objected = core.rights.record_objection(ids(mine))

    assert ids(objected) == ids(mine)
    assert all(v.restricted and v.objection_at is not None for v in objected)
    assert objected[0].restricted_at == restricted_at  # restricted since then, still
    assert objected[1].restricted_at == objected[1].objection_at
    assert [v.visit_id for v in core.visits.present()] == []
    found = core.rights.find(QUINTIJN)
    assert [(v.restricted, v.objection_at is not None) for v in found] == [(True, True)] * 2
    assert core.rights.record_objection(ids(mine)) == []  # already recorded

    lifted = core.rights.lift_restriction([*ids(mine), 999])

    assert [(v.restricted_at, v.objection_at) for v in lifted] == [(None, None)] * 2
    assert lifted == [stored(core, v) for v in mine]
    assert core.rights.lift_restriction(ids(mine)) == []
    actions = newest_actions(core, 3)
    assert actions == [
        ("restriction-lifted", {"count": 2}, tuple(ids(mine)), 2),
        ("access-request", {"count": 2}, tuple(ids(mine)), 2),
        ("objection", {"count": 2}, tuple(ids(mine)), 2),
    ]


CHANGES: dict[str, Callable[[RightsRequests, list[int]], list[Visit]]] = {
    "restrict": RightsRequests.restrict,
    "lift": RightsRequests.lift_restriction,
    "objection": RightsRequests.record_objection,
}


def ready_for(core: Core, change: str, visit: Visit) -> None:
    """The visit in a state the change changes (lifting needs a restriction)."""
    if change == "lift":
        core.rights.restrict([visit.visit_id])


class FailingAudit(AuditLog):
    def record(self, *args: Any, **kwargs: Any) -> int:
        raise OSError("disk full while writing the audit entry")


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_and_its_audit_entry_happen_together_or_not_at_all(
    core: Core, arrive: Arrive, change: str
) -> None:
    visit = arrive("Ann Smith")
    ready_for(core, change, visit)
    before, entries = stored(core, visit), core.audit.entries()

    def power_cut(visits: Any, visit_id: int) -> Visit | None:
        raise OSError("power cut after the change and its entry were written")

    cut = rights_on(core, Meddled(core.store, get=power_cut))
    no_audit = RightsRequests(
        core.store,
        FailingAudit(core.store, "lobby-1"),
        core.personal_data,
        controller="x",
        retention_days=90,
        who_sees_it=lambda _language: "x",
        default_language="en",
    )
    for failing in (cut, no_audit):
        with pytest.raises(OSError, match=r"power cut|disk full"):
            CHANGES[change](failing, [visit.visit_id])
        assert stored(core, visit) == before
        assert core.audit.entries() == entries

    assert ids(CHANGES[change](core.rights, [visit.visit_id])) == [visit.visit_id]
    assert len(core.audit.entries()) == len(entries) + 1


# -- left out of the lists for access monitoring, not of the roll call ---------------------------


def test_a_restricted_visitor_is_left_out_of_the_on_site_list_search_and_present(
    core: Core, arrive: Arrive, visits: Visits
) -> None:
    ann = arrive("Ann Smith", MORNING)
    bob = arrive("Bob Jones", MORNING + timedelta(minutes=1))

    core.rights.restrict([ann.visit_id])

    assert ids(visits.present()) == [bob.visit_id]
    assert [row.visit_id for row in visits.search_present("")] == [bob.visit_id]
    assert visits.search_present("ann smith") == []
    assert [row.visit_id for row in visits.search_present("acme")] == [bob.visit_id]
    # The visitor's own requests still find it, marked.
    (found,) = core.rights.find("Ann Smith")
    assert found.visit_id == ann.visit_id
    assert found.restricted

    core.rights.lift_restriction([ann.visit_id])

    assert ids(visits.present()) == [ann.visit_id, bob.visit_id]
    assert [row.visit_id for row in visits.search_present("ann")] == [ann.visit_id]


def test_a_restricted_visitor_stays_on_the_roll_call_marked(
    core: Core, arrive: Arrive, tmp_path: Path
) -> None:
    ann = arrive("Ann Smith", MORNING)
    arrive("Bob Jones", MORNING + timedelta(minutes=1))
    gone = arrive("Cy Quenby", MORNING + timedelta(minutes=2), timedelta(hours=1))
    core.rights.restrict([ann.visit_id, gone.visit_id])

    taken = core.roll_call.take()
    pdf = core.roll_call.make(taken, out=tmp_path / "roll-call.pdf", to_printer=False).path

    assert [v.visitor_name for v in taken.present] == ["Ann Smith", "Bob Jones"]
    rows = table(pdf)
    assert [row["name"] for row in rows] == [f"Ann Smith {RESTRICTED_MARK}", "Bob Jones"]
    text = " ".join(pdf_text(pdf).split())
    assert "2 people on site" in text
    assert RESTRICTED_NOTE in text
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.EVACUATION]
    assert entry.visit_count == 2
    # Without a restricted visitor on it, no mark and no note.
    core.rights.lift_restriction([ann.visit_id])
    again = core.roll_call.take()
    plain = core.roll_call.make(again, out=tmp_path / "plain.pdf", to_printer=False).path
    assert [row["name"] for row in table(plain)] == ["Ann Smith", "Bob Jones"]
    assert "Restricted" not in pdf_text(plain)


def test_a_restricted_visitor_still_signs_out_and_is_signed_out_at_night(
    core: Core, arrive: Arrive, visits: Visits, clock: Clock
) -> None:
    """Or the roll call would look for someone who has left."""
    ann = arrive("Ann Smith", MORNING)
    bob = arrive("Bob Jones", MORNING)
    core.rights.restrict([ann.visit_id, bob.visit_id])

    assert visits.match_name("ann smith") is NameMatch.ONE
    assert visits.sign_out_named("Ann Smith").visit_id == ann.visit_id
    clock.now = MORNING + timedelta(days=1)
    assert visits.auto_sign_out() == 1

    assert core.roll_call.take().present == []
    assert stored(core, bob).sign_out_method is SignOutMethod.AUTO
    assert stored(core, bob).restricted


# -- still deleted: retention and erasure ----------------------------------------------------------


def test_retention_deletes_restricted_visits_on_time(core: Core, arrive: Arrive) -> None:
    """MORNING (May 2026) is long past the 90 days of retention for the core's real clock."""
    expired = arrive(QUINTIJN, MORNING, timedelta(hours=1))
    recent = arrive(QUINTIJN, datetime.now(UTC) - timedelta(days=1))
    core.rights.record_objection([expired.visit_id])
    core.rights.restrict([recent.visit_id])

    report = core.retention.run()

    assert report.visits == 1
    assert ids(core.rights.find(QUINTIJN)) == [recent.visit_id]


def test_erasure_erases_restricted_visits_for_real(core: Core, arrive: Arrive) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d)) for d in (0, 1)]
    other = arrive("Bob Jones")
    core.rights.record_objection(ids(mine[:1]))
    core.rights.restrict(ids(mine[1:]))

    assert core.rights.erase(ids(mine)) == 2

    assert core.rights.find(QUINTIJN) == []
    assert stored_count(core) == 1
    assert traces_in(core) == []
    assert stored(core, other) == other


# -- the exports: CSV, JSON and workbook, from every path ------------------------------------------

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)
TEXTS = ["=SUM(A1)", 'Quote "Co"', "Comma, Line\nBreak", "Zoë Ødegård", "plain", " space", "a&b"]


def tag(n: int) -> str:
    return f"V{n:03d}x"


def access_log(core: Core) -> tuple[list[Visit], set[str], set[str]]:
    """120 visits over the change to summer time with text to quote, guard and escape; runs
    of them restricted (a whole small batch among them, the first and the last), some under
    objection. Returns the visits left in the access log, and the tags of those in and out."""
    notice = core.notices.notice("da")
    base = datetime(2026, 3, 28, 20, tzinfo=UTC)
    new = [
        NewVisit(
            visitor_name=f"{tag(n)} {TEXTS[n % len(TEXTS)]}",
            company=TEXTS[(n + 2) % len(TEXTS)],
            host="",
            purpose=TEXTS[(n + 4) % len(TEXTS)],
            signed_in_at=base + n * timedelta(minutes=7),
            language="da",
            notice_version=notice.version,
            kiosk_id="lobby-1",
            signed_out_at=None if n % 10 == 3 else base + n * timedelta(minutes=7, seconds=13),
            sign_out_method=None if n % 10 == 3 else SignOutMethod.STAFF,
        )
        for n in range(120)
    ]
    with core.store.transaction() as db:
        db.visits.add_notice(notice.stored, base)
        db.visits.add_many(new)
        every = list(db.visits.signed_in_between(base, base + timedelta(days=2)))
    hidden = {0, 119, *range(20, 34), *range(50, 120, 3)}
    core.rights.restrict([every[n].visit_id for n in hidden if n % 2 == 0])
    core.rights.record_objection([every[n].visit_id for n in hidden if n % 2 == 1])
    shown = [visit for n, visit in enumerate(every) if n not in hidden]
    return shown, {tag(n) for n in range(120) if n not in hidden}, {tag(n) for n in hidden}


def tags_in(text: str) -> set[str]:
    return {tag(n) for n in range(120) if tag(n) in text}


def export(core: Core, fmt: ExportFormat, processes: int = 1) -> bytes:
    """The export operation's file, as it writes it to a real file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"visits.{fmt.value}"
        if fmt.binary:
            with path.open("wb") as binary:
                core.exports.visits(FIRST, LAST, fmt, binary, processes=processes)
        else:
            with path.open("w", encoding="utf-8", newline="") as text:
                core.exports.visits(FIRST, LAST, fmt, text, processes=processes)
        return path.read_bytes()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 7, and any export of 10 or more split between processes when asked."""
    monkeypatch.setattr(storage.sqlite.csv_lines, "BATCH", 7)
    monkeypatch.setattr(storage.sqlite.export, "SPLIT_ROWS", 10)
    monkeypatch.setattr(storage.sqlite.export_xlsx, "SPLIT_ROWS", 10)


@pytest.mark.usefixtures("small_batches")
def test_the_csv_export_leaves_restricted_visits_out_on_every_path(core: Core) -> None:
    shown, tags_shown, tags_hidden = access_log(core)
    reference = io.StringIO(newline="")
    write_csv((visit_record(v) for v in shown), reference)
    expected = reference.getvalue().encode()
    assert tags_in(expected.decode()) == tags_shown

    for processes in (1, 2, 3):
        assert export(core, ExportFormat.CSV, processes) == expected, processes
    with_progress = io.StringIO(newline="")
    calls: list[tuple[int, int]] = []
    start, end = local_day_bounds(FIRST, LAST)
    count = core.store.export_csv(start, end, with_progress, lambda *call: calls.append(call))
    assert with_progress.getvalue().encode() == expected
    assert count == len(shown) == calls[-1][0] == calls[-1][1]
    assert not tags_in(expected.decode()) & tags_hidden


@pytest.mark.usefixtures("small_batches")
def test_the_workbook_export_leaves_restricted_visits_out_on_every_path(core: Core) -> None:
    shown, tags_shown, _ = access_log(core)
    reference = io.BytesIO()
    write_xlsx((visit_record(v) for v in shown), reference)
    expected = parts(reference.getvalue())
    assert tags_in(b"".join(expected.values()).decode()) == tags_shown

    for processes in (1, 2):
        assert parts(export(core, ExportFormat.XLSX, processes)) == expected, processes


def test_the_json_export_and_its_audit_entry_leave_restricted_visits_out(core: Core) -> None:
    shown, tags_shown, _ = access_log(core)
    reference = io.StringIO()
    write_json((visit_record(v) for v in shown), reference)

    data = export(core, ExportFormat.JSON)

    assert data.decode() == reference.getvalue()
    assert tags_in(data.decode()) == tags_shown
    assert len(json.loads(data)) == len(shown)
    (entry,) = [e for e in core.audit.entries() if e.action is AuditAction.EXPORT]
    assert entry.detail == f"Access log from {FIRST} to {LAST}, {len(shown)} rows, json"


# -- the visitor's copy says so --------------------------------------------------------------


def test_the_visitors_copy_shows_the_restriction_and_the_objection(
    core: Core, arrive: Arrive, tmp_path: Path
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d)) for d in (0, 1, 2)]
    core.rights.restrict(ids(mine[:1]))
    core.rights.record_objection(ids(mine[1:2]))

    copy = core.rights.copy(core.rights.find(QUINTIJN), "pdf", tmp_path / "copy.pdf")

    visits = " ".join(pdf_text(copy).split()).split("Visit id")[1:]
    assert ["Restricted since" in v for v in visits] == [True, True, False]
    assert ["Objection received" in v for v in visits] == [False, True, False]
