"""The rights of access, rectification and erasure at reception (kiosk.staff.rights), on a
real data dir: found by exact name only, corrected as at sign-in, erased for real from every
holder of personal data (the database, badge PDFs, saved roll calls, backups)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from visitsupport import MORNING, Clock, badge_rows, dump

from kiosk.bootstrap import Core
from kiosk.domain.audit import AuditAction, AuditEntry
from kiosk.domain.ports import Repositories, Store
from kiosk.domain.visit import FieldError, SignInForm, UnknownVisit, Visit
from kiosk.staff.rights import RightsRequests
from kiosk.visits.notice import Notice
from kiosk.visits.service import Visits
from storage.sqlite.backups import SqliteBackups

QUINTIJN = "Quintijn Zwartvaal-Ørnebjerg"
# Its UTF-8 form, and an ASCII-only part that would show through any other encoding.
TRACES = (QUINTIJN.encode(), b"Zwartvaal", "Ørnebjerg".encode())


def rights_on(core: Core, store: Store) -> RightsRequests:
    """The rights operations as the core has them, on another view of its database."""
    return RightsRequests(
        store,
        core.audit,
        core.personal_data,
        controller=core.config.site.controller,
        retention_days=core.config.retention.visit_days,
        who_sees_it=lambda _language: "Reception and security staff of the site.",
        default_language="en",
    )


@pytest.fixture
def rights(core: Core) -> RightsRequests:
    return core.rights


class Arrive(Protocol):
    def __call__(
        self, name: str, at: datetime, stay: timedelta | None = None, company: str = ""
    ) -> Visit: ...


@pytest.fixture
def arrive(core: Core, visits: Visits, clock: Clock, notice: Notice) -> Arrive:
    """Sign a visitor in at `at` (a badge code included, as at the kiosk), and out again
    after `stay` unless it is None. Returns once the badge is done with (no printer: written,
    then removed)."""

    def arrive(name: str, at: datetime, stay: timedelta | None = None, company: str = "") -> Visit:
        clock.now = at
        form = SignInForm(name, company, "Bo Jensen", "Meeting")
        visit = visits.sign_in(form, notice).visit
        core.events.settle()
        if stay is None:
            return visit
        clock.now = at + stay
        return visits.sign_out(visit.visit_id)

    return arrive


def ids(visits: list[Visit]) -> list[int]:
    return [visit.visit_id for visit in visits]


def newest_entry(core: Core) -> AuditEntry:
    return core.audit.entries(limit=1)[0]


def look(core: Core, sql: str) -> list[tuple[Any, ...]]:
    """A look at the database file."""
    with closing(sqlite3.connect(core.paths.database)) as db:
        return db.execute(sql).fetchall()


def audit_text(core: Core) -> str:
    """Every row of the audit tables as text."""
    return repr(look(core, "SELECT * FROM audit_log") + look(core, "SELECT * FROM audit_visits"))


def stored_count(core: Core) -> int:
    with core.store.reading() as db:
        return db.visits.count()


class Meddled:
    """The store, with some of the visit repository's calls replaced in every transaction: a
    fault at the port. Each replacement is called with the real repository first."""

    def __init__(self, store: Store, **replaced: Callable[..., Any]) -> None:
        self._store = store
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @contextmanager
    def transaction(self) -> Iterator[Repositories]:
        with self._store.transaction() as db:
            yield _MeddledRepositories(db, self._replaced)


class _MeddledRepositories:
    def __init__(self, db: Repositories, replaced: dict[str, Callable[..., Any]]) -> None:
        self._db = db
        self.visits = _MeddledVisits(db.visits, replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class _MeddledVisits:
    def __init__(self, visits: Any, replaced: dict[str, Callable[..., Any]]) -> None:
        self._visits = visits
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        if name in self._replaced:
            return lambda *args: self._replaced[name](self._visits, *args)
        return getattr(self._visits, name)


# Access: finding one person's visits.


def test_find_returns_every_visit_of_that_name_past_and_present_oldest_first(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    hour = timedelta(hours=1)
    second = arrive("Ann Smith", MORNING - timedelta(days=2), hour)
    arrive("Bob Jones", MORNING - timedelta(days=3), hour)
    first = arrive("Ann Smith", MORNING - timedelta(days=3), hour)
    today = arrive("Ann Smith", MORNING)

    found = rights.find("Ann Smith")

    assert ids(found) == [first.visit_id, second.visit_id, today.visit_id]
    assert found == [core.visits.get(v) for v in ids(found)]
    assert [v.on_site for v in found] == [False, False, True]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Ann Smith", "ann smith"),
        ("Ann Smith", "  ANN \t  Smith\n"),
        ("Zoë Ørnebjerg", "zoe\u0308 ørnebjerg"),  # e + combining diaeresis
        ("Zoë Ørnebjerg", "ZOË \u202eØRNEBJERG"),  # with a bidi override
        ("Jens Straße", "jens strasse"),  # casefolding, not only lower case
        ("Jens Strasse", "JENS STRAẞE"),
        ("İlkay Şahin", "i̇lkay şahin"),
    ],
)
def test_find_ignores_case_spacing_and_unicode_composition(
    rights: RightsRequests, arrive: Arrive, stored: str, typed: str
) -> None:
    visit = arrive(stored, MORNING)

    assert ids(rights.find(typed)) == [visit.visit_id]


SIMILAR = ("Ann Smith", "Ann Smithson", "Ann Smith Jr", "Anne Smith", "Ånn Smith", "Ann-Smith")


@pytest.fixture
def similar(arrive: Arrive) -> dict[str, Visit]:
    """Visitors whose names are alike, but each is one person."""
    return {name: arrive(name, MORNING + timedelta(minutes=i)) for i, name in enumerate(SIMILAR)}


def test_find_returns_only_that_persons_visits(
    rights: RightsRequests, similar: dict[str, Visit]
) -> None:
    for name, visit in similar.items():
        assert rights.find(name) == [visit], name


@pytest.mark.parametrize(
    "typed", ["Ann", "Ann Smit", "Smith", "nn Smith", "Ann%", "Ann_Smith", "Ann*", "Ann Smith*"]
)
def test_find_never_returns_a_prefix_or_a_pattern(
    rights: RightsRequests, similar: dict[str, Visit], typed: str
) -> None:
    assert rights.find(typed) == []


@pytest.mark.parametrize("typed", ["", "   ", "\u202e\u2066", "\t\n"])
def test_finding_nothing_typed_finds_and_records_nothing(
    rights: RightsRequests, arrive: Arrive, core: Core, typed: str
) -> None:
    arrive("Ann Smith", MORNING)

    assert rights.find(typed) == []
    assert core.audit.entries() == []


def test_a_search_is_recorded_as_an_access_request_without_the_name(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    visits = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    arrive("Bob Jones", MORNING)

    rights.find(QUINTIJN.upper())
    entry = newest_entry(core)
    rights.find("Nobody Here")
    nothing = newest_entry(core)

    assert (entry.action, entry.detail) == (
        AuditAction.ACCESS_REQUEST,
        "Search by name: 2 visits found",
    )
    assert (entry.visit_ids, entry.visit_count) == (tuple(ids(visits)), 2)
    assert (nothing.action, nothing.params, nothing.visit_count) == (entry.action, {"count": 0}, 0)
    assert "zwartvaal" not in audit_text(core).casefold()
    assert "nobody" not in audit_text(core).casefold()


# Rectification.


def test_a_correction_stores_the_normalised_value_and_changes_nothing_else(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    visit = arrive("Ann Smith", MORNING, timedelta(hours=1), company="Acme")
    other = arrive("Bob Jones", MORNING)

    corrected = rights.correct(visit.visit_id, "company", "  A\u0301cme \t B.V.\u202e ")
    renamed = rights.correct(visit.visit_id, "visitor_name", "Anna  Smith")

    assert corrected == dataclasses.replace(visit, company="Ácme B.V.")
    assert renamed == dataclasses.replace(corrected, visitor_name="Anna Smith")
    assert core.visits.get(visit.visit_id) == renamed
    assert core.visits.get(other.visit_id) == other
    assert ids(rights.find("anna smith")) == [visit.visit_id]
    assert rights.find("Ann Smith") == []
    # At the limit (in characters after NFC), as at sign-in.
    assert rights.correct(visit.visit_id, "visitor_name", "e\u0301" * 100).visitor_name == "é" * 100
    assert rights.correct(visit.visit_id, "host", "h" * 100).host == "h" * 100


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("visitor_name", "", "required"),
        ("visitor_name", " \u202e\t ", "required"),
        ("visitor_name", "x" * 101, "too_long"),
        ("company", "é" * 101, "too_long"),
        ("purpose", "e\u0301" * 101, "too_long"),
    ],
)
def test_a_value_that_could_not_be_signed_in_with_changes_nothing(
    rights: RightsRequests, arrive: Arrive, core: Core, field: str, value: str, code: str
) -> None:
    visit = arrive("Ann Smith", MORNING)
    before = dump(core)

    with pytest.raises(FieldError) as caught:
        rights.correct(visit.visit_id, field, value)

    assert (caught.value.field, caught.value.code) == (field, code)
    assert dump(core) == before


@pytest.mark.parametrize(
    "field",
    ["signed_in_at", "visit_id", "kiosk_id", "sign_out_method", "company = 'x', host", "Company"],
)
def test_only_the_four_typed_fields_can_be_corrected(
    rights: RightsRequests, arrive: Arrive, core: Core, field: str
) -> None:
    visit = arrive("Ann Smith", MORNING)
    before = dump(core)

    with pytest.raises(ValueError, match="not a field that can be corrected"):
        rights.correct(visit.visit_id, field, "x")
    with (
        pytest.raises(ValueError, match="not a field that can be corrected"),
        core.store.transaction() as db,
    ):
        db.visits.correct(visit.visit_id, field, "x")

    assert dump(core) == before


def test_correcting_a_visit_that_is_gone_raises_unknown_visit(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    visit = arrive("Ann Smith", MORNING)
    rights.erase([visit.visit_id])
    before = dump(core)

    for visit_id in (visit.visit_id, 999):
        with pytest.raises(UnknownVisit):
            rights.correct(visit_id, "company", "Acme")

    assert dump(core) == before


def gone_once_read(visits: Any, visit_id: int) -> Visit | None:
    """The visit as read, and then gone (the retention cleanup, say, deleted it)."""
    found = visits.get(visit_id)
    visits.delete([visit_id])
    return found


def test_a_visit_gone_when_its_correction_is_written_is_an_unknown_visit(
    arrive: Arrive, core: Core
) -> None:
    """The read and the write are one transaction, so no other process can delete the visit
    between them; should the write find it gone all the same, nothing is changed or recorded."""
    visit = arrive("Ann Smith", MORNING)
    before = dump(core)
    rights = rights_on(core, Meddled(core.store, get=gone_once_read))

    with pytest.raises(UnknownVisit):
        rights.correct(visit.visit_id, "company", "Acme")

    assert core.audit.entries() == []
    assert dump(core) == before


def test_a_correction_is_recorded_by_field_name_without_the_values(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    visit = arrive("Ann Smith", MORNING, company="Zwartvaal Old")

    rights.correct(visit.visit_id, "company", "Ørnebjerg New")
    entry = newest_entry(core)
    rights.correct(visit.visit_id, "company", " Ørnebjerg  New")  # the same after normalising

    assert core.audit.entries() == [entry]
    assert (entry.action, entry.detail, entry.params) == (
        AuditAction.CORRECTION,
        "Corrected: Company",
        {"field": "company"},
    )
    assert (entry.visit_ids, entry.visit_count) == ((visit.visit_id,), 1)
    assert "zwartvaal" not in audit_text(core).casefold()
    assert "ørnebjerg" not in audit_text(core).casefold()


# Erasure.


def test_erasure_deletes_the_visits_with_their_badges_and_audit_links(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    bob = arrive("Bob Jones", MORNING)
    rights.find(QUINTIJN)
    rights.find("Bob Jones")
    bob_badge = [row for row in badge_rows(core) if row[0] == bob.visit_id]

    assert rights.erase(ids(mine)) == 2

    assert rights.find(QUINTIJN) == []
    assert stored_count(core) == 1
    assert core.visits.get(bob.visit_id) == bob
    assert badge_rows(core) == bob_badge
    links = look(core, "SELECT DISTINCT visit_id FROM audit_visits")
    assert links == [(bob.visit_id,)]


def test_erasure_is_recorded_first_and_keeps_its_count(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    rights.find(QUINTIJN)

    rights.erase([*ids(mine), 999, mine[0].visit_id])

    erasure, search = core.audit.entries()
    entry_kind = AuditAction.ACCESS_REQUEST
    assert (erasure.action, erasure.params) == (AuditAction.ERASURE, {"count": 2})
    assert (erasure.visit_count, erasure.visit_ids) == (2, ())
    assert (search.action, search.visit_count, search.visit_ids) == (entry_kind, 2, ())


def test_erasing_nothing_stored_changes_and_records_nothing(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    arrive("Ann Smith", MORNING)
    before = dump(core)

    assert rights.erase([]) == 0
    assert rights.erase([999, 1000]) == 0

    assert dump(core) == before


def test_erasing_no_visit_at_all_leaves_every_holder_alone(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    """No visit asked for, none erased: a saved roll call (it may be needed in an emergency)
    and the backups stay as they are."""
    arrive("Ann Smith", MORNING)
    roll_call = save_roll_call(core, MORNING + timedelta(minutes=5))
    backup = backups_of(core).make()
    kept = backup.read_bytes()

    assert rights.erase([]) == 0

    assert roll_call.exists()
    assert backup.read_bytes() == kept


def keep_badge(core: Core, visit: Visit) -> Path:
    """The visit's badge PDF, kept in the data dir (as with printer = "none")."""
    return core.badges.write(visit, core.visits.badge_code(visit.visit_id))


def test_erasure_removes_the_kept_badge_pdfs(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    mine = arrive(QUINTIJN, MORNING)
    bob = arrive("Bob Jones", MORNING)
    paths = {v.visit_id: keep_badge(core, v) for v in (mine, bob)}
    assert paths[mine.visit_id] == core.paths.badge_dir / f"{mine.visit_id}.pdf"
    assert paths[mine.visit_id].exists()

    rights.erase([mine.visit_id])

    assert sorted(core.paths.badge_dir.iterdir()) == [paths[bob.visit_id]]


def backups_of(core: Core) -> SqliteBackups:
    assert isinstance(core.backups, SqliteBackups)
    return core.backups


def names_in(backup: Path) -> list[str]:
    with closing(sqlite3.connect(backup)) as db:
        return [row[0] for row in db.execute("SELECT visitor_name FROM visits ORDER BY visit_id")]


def save_roll_call(core: Core, saved_at: datetime) -> Path:
    """A roll call of everyone on site, taken and saved in the reports folder at `saved_at`."""
    on_site = dataclasses.replace(core.roll_call.take(), taken_at=saved_at)
    path = core.roll_call.make(on_site, to_printer=False).path
    os.utime(path, (saved_at.timestamp(), saved_at.timestamp()))
    return path


def test_erasure_reaches_the_backups_and_the_saved_roll_calls(
    rights: RightsRequests, arrive: Arrive, core: Core, clock: Clock
) -> None:
    """Backups keep every visit but the erased ones; a roll call saved since the first erased
    visit began may list it and goes, one saved before cannot and stays."""
    daily = SqliteBackups(core.paths.database, clock)  # the core's backups, a day apart
    bob = arrive("Bob Jones", MORNING - timedelta(days=2))
    before_mine = save_roll_call(core, MORNING - timedelta(days=1))
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    since_mine = save_roll_call(core, MORNING + timedelta(days=1, minutes=30))
    older = daily.make()
    arrive("Eva Berg", MORNING + timedelta(days=2))
    newer = daily.make()
    assert names_in(older) == ["Bob Jones", QUINTIJN, QUINTIJN]

    assert rights.erase(ids(mine)) == 2

    assert backups_of(core).files() == [newer, older]  # changed, not deleted
    assert names_in(older) == ["Bob Jones"]
    assert names_in(newer) == ["Bob Jones", "Eva Berg"]
    assert sorted(core.paths.report_dir.iterdir()) == [before_mine]
    assert not since_mine.exists()
    assert core.visits.get(bob.visit_id) == bob


def test_erasing_ids_that_are_not_stored_still_reaches_the_other_holders(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    """A retry after an erasure stopped between the database and the files: the visits are
    gone from the database, their times unknown, so every saved roll call may list them."""
    mine = arrive(QUINTIJN, MORNING)
    backup = backups_of(core).make()
    roll_call = save_roll_call(core, MORNING - timedelta(days=30))
    with core.store.transaction() as db:  # the database's part of the erasure was done
        db.visits.delete([mine.visit_id])

    assert rights.erase([mine.visit_id]) == 0

    assert names_in(backup) == []
    assert not roll_call.exists()


def traces_in(core: Core, traces: tuple[bytes, ...] = TRACES) -> list[tuple[str, bytes]]:
    """Which files hold which of `traces` anywhere in their raw bytes: every file under the
    data dir, and every place the list of holders of personal data names (should one lie
    elsewhere); paths relative to the data dir where they are in it."""
    data_dir = core.paths.data_dir
    roots = [data_dir, *core.personal_data.locations()]
    files = sorted({p for root in roots for p in [root, *root.rglob("*")] if p.is_file()})
    return [
        (str(f.relative_to(data_dir)) if f.is_relative_to(data_dir) else str(f), t)
        for f in files
        for t in traces
        if t in f.read_bytes()
    ]


@pytest.mark.parametrize("checkpointed", [False, True], ids=["in-wal", "in-db-file"])
def test_an_erased_visitor_is_nowhere_in_the_data_dir(
    rights: RightsRequests, arrive: Arrive, core: Core, checkpointed: bool
) -> None:
    """The database file, its write-ahead log, badges, backups, roll calls and logs: not one
    byte of the name. `in-db-file`: the visits reached the database file before the erasure,
    and the log was then reused from its start."""
    mine = []
    for day in range(3):
        at = MORNING + timedelta(days=day)
        arrive(f"Bob Jones {day}", at - timedelta(minutes=1), timedelta(hours=2))
        mine.append(arrive(QUINTIJN, at, company="Zwartvaal Consult"))
        keep_badge(core, mine[-1])
        arrive(f"Eva Berg {day}", at + timedelta(minutes=1))
    if checkpointed:
        with closing(sqlite3.connect(core.paths.database)) as db:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    backup = backups_of(core).make()
    core.roll_call.make(core.roll_call.take(), to_printer=False)
    assert core.reception.sign_out([mine[0].visit_id]) == 1
    rights.find(QUINTIJN)
    in_backup = str(backup.relative_to(core.paths.data_dir))
    holding = {name for name, _ in traces_in(core)}
    database = {"kiosk.db", "kiosk.db-wal"} if checkpointed else {"kiosk.db-wal"}
    assert holding == {*database, in_backup}

    rights.erase(ids(mine))

    assert traces_in(core) == []
    assert stored_count(core) == 6  # the others are still there, readable
    assert sorted(traces_in(core, (b"Eva Berg 2",))) == [
        (in_backup, b"Eva Berg 2"),
        ("kiosk.db", b"Eva Berg 2"),
    ]


def test_a_corrected_value_is_nowhere_in_the_data_dir(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    visit = arrive("Qiuntijn Zwartvaal-Ørnebjerg", MORNING)  # mistyped
    arrive("Bob Jones", MORNING)
    misspelt = (b"Qiuntijn",)
    assert traces_in(core, misspelt)

    rights.correct(visit.visit_id, "visitor_name", QUINTIJN)

    assert traces_in(core, misspelt) == []
    assert core.visits.get(visit.visit_id).visitor_name == QUINTIJN


def test_an_erasure_and_its_audit_entry_happen_together_or_not_at_all(
    rights: RightsRequests, arrive: Arrive, core: Core
) -> None:
    mine = arrive("Ann Smith", MORNING)
    entries_before = len(core.audit.entries())

    def power_cut(visits: object, visit_ids: object) -> int:
        raise OSError("power cut between the audit entry and the delete")

    cut = rights_on(core, Meddled(core.store, delete=power_cut))
    with pytest.raises(OSError, match="power cut"):
        cut.erase([mine.visit_id])
    assert len(core.audit.entries()) == entries_before  # no "erased" entry for a kept visit
    assert core.visits.get(mine.visit_id).visitor_name == "Ann Smith"

    assert rights.erase([mine.visit_id]) == 1
    (entry,) = core.audit.entries()[: len(core.audit.entries()) - entries_before]
    assert entry.action == "erasure"
    assert entry.visit_count == 1
