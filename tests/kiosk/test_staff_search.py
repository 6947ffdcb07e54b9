"""Staff search as they type (Visits.search_present): every word, case-folded, in the name,
company or host of someone on site; kept right by the search_text column."""

from __future__ import annotations

import pytest

from kiosk.bootstrap import Core
from kiosk.domain.visit import SignInForm
from storage.sqlite.store import SqliteStore


@pytest.fixture
def on_site(core: Core) -> dict[str, int]:
    people = {
        "Mette Kjær": ("Nørgaard Rådgivning ApS", "Jens Sørensen"),
        "Hans Großmann": ("Straße & Söhne GmbH", "Anouk de Vries"),
        "Anna de Vries": ("Voorbeeld Logistiek B.V.", "Jens Kristensen"),
        "Bo Jensen": ("Acme 100%_sure", ""),
    }
    notice = core.notices.notice("en")
    return {
        name: core.visits.sign_in(SignInForm(name, company, host), notice).visit.visit_id
        for name, (company, host) in people.items()
    }


def names(core: Core, typed: str) -> list[str]:
    return [row.visitor_name for row in core.visits.search_present(typed)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ["Mette Kjær", "Hans Großmann", "Anna de Vries", "Bo Jensen"]),
        ("KJÆR", ["Mette Kjær"]),
        ("jens", ["Mette Kjær", "Anna de Vries", "Bo Jensen"]),  # host, host, name
        ("jens kristensen", ["Anna de Vries"]),  # every word, across the fields
        ("  vries   logistiek ", ["Anna de Vries"]),
        ("strasse", ["Hans Großmann"]),  # Unicode case folding: ß is ss
        ("GROSSMANN", ["Hans Großmann"]),
        ("100%_", ["Bo Jensen"]),  # LIKE wildcards are plain text here
        ("%", ["Bo Jensen"]),
        ("zzz", []),
    ],
)
def test_search_matches_every_word_case_folded(
    core: Core, on_site: dict[str, int], typed: str, expected: list[str]
) -> None:
    assert names(core, typed) == expected


def test_signed_out_visitors_are_not_found(core: Core, on_site: dict[str, int]) -> None:
    assert core.reception.sign_out([on_site["Mette Kjær"]]) == 1
    assert names(core, "kjær") == []
    assert "Mette Kjær" not in names(core, "")


def test_a_correction_changes_what_search_finds(core: Core, on_site: dict[str, int]) -> None:
    core.rights.correct(on_site["Anna de Vries"], "host", "Lars Holm")
    assert names(core, "kristensen") == []
    assert names(core, "lars holm") == ["Anna de Vries"]


def test_search_reads_only_open_visits_through_the_partial_index(core: Core) -> None:
    """A property of the SQLite store: the statement the search runs, and SQLite's plan for it,
    on the connection the search used."""
    store = core.store
    assert isinstance(store, SqliteStore)
    statements: list[str] = []
    with store.reading() as db:
        conn = db.visits.db.conn
    conn.set_trace_callback(statements.append)
    try:
        core.visits.search_present("jens kristensen")
    finally:
        conn.set_trace_callback(None)
    (search,) = [sql for sql in statements if "search_text" in sql]
    plan = conn.execute(f"EXPLAIN QUERY PLAN {search}").fetchall()
    assert any("visits_on_site" in str(step) for step in plan), plan


def test_the_list_stops_at_its_limit_earliest_first(core: Core, on_site: dict[str, int]) -> None:
    first_two = [row.visitor_name for row in core.visits.search_present("", limit=2)]
    assert first_two == ["Mette Kjær", "Hans Großmann"]
