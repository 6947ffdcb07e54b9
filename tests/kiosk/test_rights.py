"""The rights of access, rectification and erasure at reception (kiosk.staff.rights,
storage.rights), on a real data dir: found by exact name only, corrected as at sign-in, erased
for real."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
from visitsupport import MORNING, Clock, badge_rows, dump

from kiosk.bootstrap import Kiosk, Services
from kiosk.domain.visit import FieldError, SignInForm, SignOutMethod, Visit
from kiosk.printing.cups import SaveOnly
from kiosk.staff.audit import AuditAction, AuditEntry
from kiosk.staff.rights import RightsService
from kiosk.visits.notice import Notice
from kiosk.visits.service import UnknownVisit, VisitService
from storage.database import connect
from storage.rights import RightsStore
from storage.visits import VisitRow

QUINTIJN = "Quintijn Zwartvaal-Ørnebjerg"
# Its UTF-8 form, and an ASCII-only part that would show through any other encoding.
TRACES = (QUINTIJN.encode(), b"Zwartvaal", "Ørnebjerg".encode())


@pytest.fixture
def rights(kiosk: Kiosk, services: Services) -> RightsService:
    return RightsService(RightsStore(services.db), services.audit, kiosk.paths.badge_dir)


class Arrive(Protocol):
    def __call__(
        self, name: str, at: datetime, stay: timedelta | None = None, company: str = ""
    ) -> Visit: ...


@pytest.fixture
def arrive(visits: VisitService, clock: Clock, notice: Notice) -> Arrive:
    """Sign a visitor in at `at` (a badge code included, as at the kiosk), and out again
    after `stay` unless it is None."""

    def arrive(name: str, at: datetime, stay: timedelta | None = None, company: str = "") -> Visit:
        clock.now = at
        visit = visits.sign_in(SignInForm(name, company, "Bo Jensen", "Meeting"), notice)
        if stay is None:
            return visit
        clock.now = at + stay
        return visits.sign_out(visit.visit_id, SignOutMethod.KIOSK)

    return arrive


def ids(visits: list[Visit]) -> list[int]:
    return [visit.visit_id for visit in visits]


def newest_entry(services: Services) -> AuditEntry:
    return services.audit.entries(limit=1)[0]


def audit_text(services: Services) -> str:
    """Every row of the audit tables as text."""
    rows = services.db.execute("SELECT * FROM audit_log").fetchall()
    rows += services.db.execute("SELECT * FROM audit_visits").fetchall()
    return repr(rows)


# Access: finding one person's visits.


def test_find_returns_every_visit_of_that_name_past_and_present_oldest_first(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    hour = timedelta(hours=1)
    second = arrive("Ann Smith", MORNING - timedelta(days=2), hour)
    arrive("Bob Jones", MORNING - timedelta(days=3), hour)
    first = arrive("Ann Smith", MORNING - timedelta(days=3), hour)
    today = arrive("Ann Smith", MORNING)

    found = rights.find("Ann Smith")

    assert ids(found) == [first.visit_id, second.visit_id, today.visit_id]
    assert found == [services.visits.get(v) for v in ids(found)]
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
    rights: RightsService, arrive: Arrive, stored: str, typed: str
) -> None:
    visit = arrive(stored, MORNING)

    assert ids(rights.find(typed)) == [visit.visit_id]


SIMILAR = ("Ann Smith", "Ann Smithson", "Ann Smith Jr", "Anne Smith", "Ånn Smith", "Ann-Smith")


@pytest.fixture
def similar(arrive: Arrive) -> dict[str, Visit]:
    """Visitors whose names are alike, but each is one person."""
    return {name: arrive(name, MORNING + timedelta(minutes=i)) for i, name in enumerate(SIMILAR)}


def test_find_returns_only_that_persons_visits(
    rights: RightsService, similar: dict[str, Visit]
) -> None:
    for name, visit in similar.items():
        assert rights.find(name) == [visit], name


@pytest.mark.parametrize(
    "typed", ["Ann", "Ann Smit", "Smith", "nn Smith", "Ann%", "Ann_Smith", "Ann*", "Ann Smith*"]
)
def test_find_never_returns_a_prefix_or_a_pattern(
    rights: RightsService, similar: dict[str, Visit], typed: str
) -> None:
    assert rights.find(typed) == []


@pytest.mark.parametrize("typed", ["", "   ", "\u202e\u2066", "\t\n"])
def test_finding_nothing_typed_finds_and_records_nothing(
    rights: RightsService, arrive: Arrive, services: Services, typed: str
) -> None:
    arrive("Ann Smith", MORNING)

    assert rights.find(typed) == []
    assert services.audit.entries() == []


def test_a_search_is_recorded_as_an_access_request_without_the_name(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    visits = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    arrive("Bob Jones", MORNING)

    rights.find(QUINTIJN.upper())
    entry = newest_entry(services)
    rights.find("Nobody Here")
    nothing = newest_entry(services)

    assert (entry.action, entry.detail) == (AuditAction.ACCESS_REQUEST, "search: 2 visits")
    assert (entry.visit_ids, entry.visit_count) == (tuple(ids(visits)), 2)
    assert (nothing.action, nothing.detail, nothing.visit_count) == (
        entry.action,
        "search: 0 visits",
        0,
    )
    assert "zwartvaal" not in audit_text(services).casefold()
    assert "nobody" not in audit_text(services).casefold()


# Rectification.


def test_a_correction_stores_the_normalised_value_and_changes_nothing_else(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    visit = arrive("Ann Smith", MORNING, timedelta(hours=1), company="Acme")
    other = arrive("Bob Jones", MORNING)

    corrected = rights.correct(visit.visit_id, "company", "  A\u0301cme \t B.V.\u202e ")
    renamed = rights.correct(visit.visit_id, "visitor_name", "Anna  Smith")

    assert corrected == dataclasses.replace(visit, company="Ácme B.V.")
    assert renamed == dataclasses.replace(corrected, visitor_name="Anna Smith")
    assert services.visits.get(visit.visit_id) == renamed
    assert services.visits.get(other.visit_id) == other
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
    rights: RightsService, arrive: Arrive, services: Services, field: str, value: str, code: str
) -> None:
    visit = arrive("Ann Smith", MORNING)
    before = dump(services)

    with pytest.raises(FieldError) as caught:
        rights.correct(visit.visit_id, field, value)

    assert (caught.value.field, caught.value.code) == (field, code)
    assert dump(services) == before


@pytest.mark.parametrize(
    "field",
    ["signed_in_at", "visit_id", "kiosk_id", "sign_out_method", "company = 'x', host", "Company"],
)
def test_only_the_four_typed_fields_can_be_corrected(
    rights: RightsService, arrive: Arrive, services: Services, field: str
) -> None:
    visit = arrive("Ann Smith", MORNING)
    before = dump(services)

    with pytest.raises(ValueError, match="not a field that can be corrected"):
        rights.correct(visit.visit_id, field, "x")
    with pytest.raises(ValueError, match="not a field that can be corrected"):
        RightsStore(services.db).update_field(visit.visit_id, field, "x")

    assert dump(services) == before


def test_correcting_a_visit_that_is_gone_raises_unknown_visit(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    visit = arrive("Ann Smith", MORNING)
    rights.erase([visit.visit_id])
    before = dump(services)

    for visit_id in (visit.visit_id, 999):
        with pytest.raises(UnknownVisit):
            rights.correct(visit_id, "company", "Acme")

    assert dump(services) == before


class PurgedMeanwhile(RightsStore):
    """Another process (the retention cleanup) deletes the visit just after it is read."""

    def get(self, visit_id: int) -> VisitRow | None:
        row = super().get(visit_id)
        other = connect(Path(self.db.conn.execute("PRAGMA database_list").fetchone()[2]))
        other.execute("DELETE FROM visits WHERE visit_id = ?", [visit_id])
        other.close()
        return row


def test_a_visit_deleted_while_being_corrected_is_an_unknown_visit(
    kiosk: Kiosk, arrive: Arrive, services: Services
) -> None:
    visit = arrive("Ann Smith", MORNING)
    rights = RightsService(PurgedMeanwhile(services.db), services.audit, kiosk.paths.badge_dir)

    with pytest.raises(UnknownVisit):
        rights.correct(visit.visit_id, "company", "Acme")

    assert services.store.count() == 0
    assert services.audit.entries() == []


def test_a_correction_is_recorded_by_field_name_without_the_values(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    visit = arrive("Ann Smith", MORNING, company="Zwartvaal Old")

    rights.correct(visit.visit_id, "company", "Ørnebjerg New")
    entry = newest_entry(services)
    rights.correct(visit.visit_id, "company", " Ørnebjerg  New")  # the same after normalising

    assert services.audit.entries() == [entry]
    assert (entry.action, entry.detail) == (AuditAction.CORRECTION, "field: company")
    assert (entry.visit_ids, entry.visit_count) == ((visit.visit_id,), 1)
    assert "zwartvaal" not in audit_text(services).casefold()
    assert "ørnebjerg" not in audit_text(services).casefold()


# Erasure.


def test_erasure_deletes_the_visits_with_their_badges_and_audit_links(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    bob = arrive("Bob Jones", MORNING)
    rights.find(QUINTIJN)
    rights.find("Bob Jones")
    bob_badge = [row for row in badge_rows(services) if row[0] == bob.visit_id]

    assert rights.erase(ids(mine)) == 2

    assert rights.find(QUINTIJN) == []
    assert services.store.count() == 1
    assert services.visits.get(bob.visit_id) == bob
    assert badge_rows(services) == bob_badge
    links = services.db.execute("SELECT DISTINCT visit_id FROM audit_visits").fetchall()
    assert links == [(bob.visit_id,)]


def test_erasure_is_recorded_first_and_keeps_its_count(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    mine = [arrive(QUINTIJN, MORNING + timedelta(days=d), timedelta(hours=1)) for d in (0, 1)]
    rights.find(QUINTIJN)

    rights.erase([*ids(mine), 999, mine[0].visit_id])

    erasure, search = services.audit.entries()
    entry_kind = AuditAction.ACCESS_REQUEST
    assert (erasure.action, erasure.detail) == (AuditAction.ERASURE, "2 visits erased")
    assert (erasure.visit_count, erasure.visit_ids) == (2, ())
    assert (search.action, search.visit_count, search.visit_ids) == (entry_kind, 2, ())


def test_erasing_nothing_stored_changes_and_records_nothing(
    rights: RightsService, arrive: Arrive, services: Services
) -> None:
    arrive("Ann Smith", MORNING)
    before = dump(services)

    assert rights.erase([]) == 0
    assert rights.erase([999, 1000]) == 0

    assert dump(services) == before


def test_erasure_removes_the_kept_badge_pdfs(
    kiosk: Kiosk, rights: RightsService, arrive: Arrive, services: Services
) -> None:
    badges = kiosk.badges(SaveOnly())
    mine = arrive(QUINTIJN, MORNING)
    bob = arrive("Bob Jones", MORNING)
    paths = {
        v.visit_id: badges.write(v, services.visits.badge_code(v.visit_id)) for v in (mine, bob)
    }
    assert paths[mine.visit_id] == kiosk.paths.badge_dir / f"{mine.visit_id}.pdf"
    assert paths[mine.visit_id].exists()

    rights.erase([mine.visit_id])

    assert sorted(kiosk.paths.badge_dir.iterdir()) == [paths[bob.visit_id]]


def traces_in(data_dir: Path, traces: tuple[bytes, ...] = TRACES) -> list[tuple[str, bytes]]:
    """Which files under `data_dir` hold which of `traces` anywhere in their raw bytes."""
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    return [(str(f.relative_to(data_dir)), t) for f in files for t in traces if t in f.read_bytes()]


@pytest.mark.parametrize("checkpointed", [False, True], ids=["in-wal", "in-db-file"])
def test_an_erased_visitor_is_nowhere_in_the_data_dir(
    kiosk: Kiosk, rights: RightsService, arrive: Arrive, services: Services, checkpointed: bool
) -> None:
    """The database file, its write-ahead log, badges and logs: not one byte of the name.
    `in-db-file`: the visits reached the database file before the erasure, and the log was
    then reused from its start."""
    badges = kiosk.badges(SaveOnly())
    mine = []
    for day in range(3):
        at = MORNING + timedelta(days=day)
        arrive(f"Bob Jones {day}", at - timedelta(minutes=1), timedelta(hours=2))
        mine.append(arrive(QUINTIJN, at, company="Zwartvaal Consult"))
        badges.write(mine[-1], services.visits.badge_code(mine[-1].visit_id))
        arrive(f"Eva Berg {day}", at + timedelta(minutes=1))
    if checkpointed:
        services.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    services.visits.sign_out(mine[0].visit_id, SignOutMethod.STAFF)
    rights.find(QUINTIJN)
    holding = {name for name, _ in traces_in(kiosk.paths.data_dir)}
    assert holding == ({"kiosk.db", "kiosk.db-wal"} if checkpointed else {"kiosk.db-wal"})

    rights.erase(ids(mine))

    assert traces_in(kiosk.paths.data_dir) == []
    assert services.store.count() == 6  # the others are still there, readable
    assert traces_in(kiosk.paths.data_dir, (b"Eva Berg 2",)) == [("kiosk.db", b"Eva Berg 2")]


def test_a_corrected_value_is_nowhere_in_the_data_dir(
    kiosk: Kiosk, rights: RightsService, arrive: Arrive, services: Services
) -> None:
    visit = arrive("Qiuntijn Zwartvaal-Ørnebjerg", MORNING)  # mistyped
    arrive("Bob Jones", MORNING)
    misspelt = (b"Qiuntijn",)
    assert traces_in(kiosk.paths.data_dir, misspelt)

    rights.correct(visit.visit_id, "visitor_name", QUINTIJN)

    assert traces_in(kiosk.paths.data_dir, misspelt) == []
    assert services.visits.get(visit.visit_id).visitor_name == QUINTIJN


def test_an_erasure_and_its_audit_entry_happen_together_or_not_at_all(
    rights: RightsService, arrive: Arrive, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = arrive("Ann Smith", MORNING)
    entries_before = len(services.audit.entries())

    def power_cut(visit_ids: object) -> int:
        raise OSError("power cut between the audit entry and the delete")

    monkeypatch.setattr(rights._store, "delete_visits", power_cut)
    with pytest.raises(OSError, match="power cut"):
        rights.erase([mine.visit_id])
    assert len(services.audit.entries()) == entries_before  # no "erased" entry for a kept visit
    assert services.visits.get(mine.visit_id).visitor_name == "Ann Smith"

    monkeypatch.undo()
    assert rights.erase([mine.visit_id]) == 1
    (entry,) = services.audit.entries()[: len(services.audit.entries()) - entries_before]
    assert entry.action == "erasure"
    assert entry.visit_count == 1
